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

import importlib

from django.db import migrations

from builder.redaction import secret_slots
from builder.schema import document_checksum
from core.crypto import is_sealed, reveal, seal

_immutable = importlib.import_module("builder.migrations.0002_immutable_versions")


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
