"""Seals the plaintext secrets already stored in flow drafts and published versions.

From now on every stored secret is sealed (``builder.redaction.seal_document``) and the runtime
reveals only sealed values, so rows written before must be sealed too. Drafts are plain updates.
Published versions are immutable — the model refuses and database triggers (0002) refuse any
``UPDATE`` — so this migration, and nothing else, lifts the triggers for its own transaction:
drop them, rewrite each version holding a plaintext secret (the secret's meaning is unchanged,
only its at-rest encoding; the checksum is recomputed over the sealed document, as at publish),
and install them again before the transaction commits. Within one flow, the same plaintext gets
the same token in the draft and every version, so "draft equals current version" still holds.

The reverse reveals the secrets back to plaintext the same way (for a downgrade only).
"""

import base64
import hashlib
import importlib
import json

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import migrations

_immutable = importlib.import_module("builder.migrations.0002_immutable_versions")

# What follows is frozen as it was when this migration was made (``core.crypto``,
# ``builder.redaction.secret_slots``, ``builder.schema.document_checksum`` then), so the migration
# keeps its meaning whatever later code does: the tokens it writes are the ones the code of its
# time would write, and later code reads them (``tests/builder/test_secrets.py`` checks both).

# A sealed value: this prefix and a Fernet token.
PREFIX = "enc:v1:"
# The secrets of a document then: the trigger's signing secret, and the params the actions of the
# catalog marked ``writeOnly`` (only ``http.request``'s ``sign_secret``).
TRIGGER_SECRETS = ("hmac_secret",)
ACTION_SECRETS = {"http.request": ("sign_secret",)}


def _keyring() -> MultiFernet:
    """``ORDERFLOW_SECRETS_KEY``'s keys (the first seals), or one derived from ``SECRET_KEY`` (HKDF-SHA256)."""
    configured = getattr(settings, "ORDERFLOW_SECRETS_KEY", "") or ""
    keys = [key.strip() for key in configured.split(",") if key.strip()]
    if not keys:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"orderflow", info=b"orderflow.secrets.v1")
        keys = [base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode()))]
    return MultiFernet([Fernet(key) for key in keys])


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(plain: str) -> str:
    return PREFIX + _keyring().encrypt(plain.encode()).decode("ascii")


def reveal(token: str) -> str:
    return _keyring().decrypt(token[len(PREFIX) :].encode("ascii")).decode()


def document_checksum(document) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


class _Slot:
    def __init__(self, holder: dict, key: str):
        self.holder = holder
        self.key = key


def secret_slots(document):
    """Every secret present in ``document``: the dict holding it and its key."""
    if not isinstance(document, dict):
        return
    trigger = document.get("trigger")
    if isinstance(trigger, dict):
        for key in TRIGGER_SECRETS:
            if key in trigger:
                yield _Slot(trigger, key)
    nodes = document.get("nodes")
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict) or not isinstance(node.get("params"), dict):
            continue
        action = node.get("action")
        for key in ACTION_SECRETS.get(action, ()) if isinstance(action, str) else ():
            if key in node["params"]:
                yield _Slot(node["params"], key)


def _rewrite(document, encode, tokens: dict) -> bool:
    """Applies ``encode`` (through the per-flow cache ``tokens``) to each secret; whether anything changed."""
    changed = False
    for slot in secret_slots(document):
        value = slot.holder[slot.key]
        if not isinstance(value, str) or not value:
            continue
        new = tokens.get(value)
        if new is None:
            new = tokens[value] = encode(value)
        if new != value:
            slot.holder[slot.key] = new
            changed = True
    return changed


def _encode_all(apps, schema_editor, encode) -> None:
    Flow = apps.get_model("builder", "Flow")
    FlowVersion = apps.get_model("builder", "FlowVersion")
    _immutable.uninstall(apps, schema_editor)
    for flow in Flow.objects.order_by("pk").iterator():
        tokens: dict[str, str] = {}
        if _rewrite(flow.draft, encode, tokens):
            Flow.objects.filter(pk=flow.pk).update(draft=flow.draft)
        for version in FlowVersion.objects.filter(flow_id=flow.pk).order_by("number"):
            if _rewrite(version.document, encode, tokens):
                FlowVersion.objects.filter(pk=version.pk).update(
                    document=version.document, checksum=document_checksum(version.document)
                )
    _immutable.install(apps, schema_editor)


def seal_plaintext(apps, schema_editor):
    _encode_all(apps, schema_editor, lambda value: value if is_sealed(value) else seal(value))


def reveal_sealed(apps, schema_editor):
    _encode_all(apps, schema_editor, lambda value: reveal(value) if is_sealed(value) else value)


class Migration(migrations.Migration):
    dependencies = [("builder", "0002_immutable_versions")]
    operations = [migrations.RunPython(seal_plaintext, reveal_sealed)]
