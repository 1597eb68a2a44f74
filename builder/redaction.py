"""Secrets in flow documents: sealed at rest, masked in API answers, dropped from exports.

The secrets of a document are the trigger's ``catalog.TRIGGER_SECRET_FIELDS`` (the webhook's
``hmac_secret``) and, in each action node, the params its action marks ``"writeOnly": true``
(``ActionSpec.secret_params``, e.g. ``http.request``'s ``sign_secret``). Secret params are not
templated: their stored value is the sealed token.

- ``seal_document`` is applied to every document a service stores (drafts; versions copy a
  draft's tokens): a plaintext string is sealed (``core.crypto.seal``), a value sent back as
  ``SECRET_MASK`` keeps the stored one at the same place (the trigger, or node id + param key) —
  or is dropped if nothing is stored there — and a sealed value is kept as it is, never sealed
  twice. Keeping tokens unchanged keeps a draft's checksum equal to the version it was published as.
- ``redact_document`` shows ``SECRET_MASK`` instead of every secret (API answers);
  ``export_document`` leaves secrets out altogether (marketplace files never carry one).
- ``document_problems`` validates a stored document: secrets are checked through a stand-in of
  the same length (so a problem's message never quotes a secret), and a sealed value that cannot
  be revealed, or is too long for its field, is a problem of its own.

The runtime reveals a secret only where it is used (``runtime.hooks``, ``http.request``).
"""

import copy
from collections.abc import Iterator
from typing import NamedTuple

from core.crypto import SecretUnreadable, is_sealed, reveal, seal, sealed_length

from . import catalog, schema
from .validation import TRIGGER_ID, Problem, messages, pointer, validate_document

SECRET_MASK = "********"
# What a masked secret stands for when a document from the API is checked without its stored values.
_KEPT_STAND_IN = "kept-secret-" + "x" * 20


class SecretSlot(NamedTuple):
    holder: dict  # the dict holding the secret: the trigger, or a node's params
    key: str
    owner: str | None  # "trigger" or the node's id (None: a node without one, in a draft)
    path: tuple  # the parts of its JSON pointer
    field_schema: dict


def secret_slots(document) -> Iterator[SecretSlot]:
    """Every secret present in ``document``, in document order; unknown actions have none."""
    if not isinstance(document, dict):
        return
    trigger = document.get("trigger")
    if isinstance(trigger, dict):
        config_schema: dict = schema.TRIGGER_CONFIG_SCHEMAS.get(str(trigger.get("type")), {})
        config = config_schema.get("properties", {})
        for key in catalog.TRIGGER_SECRET_FIELDS:
            if key in trigger:
                yield SecretSlot(trigger, key, TRIGGER_ID, ("trigger", key), config.get(key, {}))
    nodes = document.get("nodes")
    for i, node in enumerate(nodes if isinstance(nodes, list) else []):
        if not isinstance(node, dict) or not isinstance(node.get("params"), dict):
            continue
        spec = catalog.action_spec(node["action"]) if isinstance(node.get("action"), str) else None
        if spec is None:
            continue
        for key in spec.secret_params:
            if key in node["params"]:
                field_schema = spec.params_schema["properties"][key]
                yield SecretSlot(node["params"], key, node.get("id"), ("nodes", i, "params", key), field_schema)


def _rewritten(document, change) -> dict:
    """A copy of ``document`` with ``change(slot)`` applied to each secret (the original if it has none)."""
    if not any(True for _ in secret_slots(document)):
        return document
    result = copy.deepcopy(document)
    for slot in list(secret_slots(result)):
        change(slot)
    return result


def redact_document(document):
    """A copy of ``document`` with every secret shown as ``SECRET_MASK``."""

    def mask(slot: SecretSlot) -> None:
        if slot.holder[slot.key]:
            slot.holder[slot.key] = SECRET_MASK

    return _rewritten(document, mask)


def export_document(document):
    """A copy of ``document`` without its secrets: what a marketplace file or an export may carry."""
    return _rewritten(document, lambda slot: slot.holder.pop(slot.key))


def seal_document(incoming, previous=None):
    """``incoming`` as it is to be stored: plaintext secrets sealed, masked ones kept from ``previous``."""
    stored = {(slot.owner, slot.key): slot.holder[slot.key] for slot in secret_slots(previous)}

    def keep_or_seal(slot: SecretSlot) -> None:
        value = slot.holder[slot.key]
        if value == SECRET_MASK:
            value = stored.get((slot.owner, slot.key))
            if not (isinstance(value, str) and value):
                del slot.holder[slot.key]
                return
        if isinstance(value, str) and value and not is_sealed(value):
            value = seal(value)
        slot.holder[slot.key] = value

    return _rewritten(incoming, keep_or_seal)


def _max_plain_bytes(max_length: int) -> int:
    plain = 0
    while sealed_length(plain + 1) <= max_length:
        plain += 1
    return plain


def _checkable(document):
    """``document`` with each secret replaced by a stand-in of its length, for schema checks."""

    def stand_in(slot: SecretSlot) -> None:
        value = slot.holder[slot.key]
        if value == SECRET_MASK:
            slot.holder[slot.key] = _KEPT_STAND_IN
        elif is_sealed(value):
            try:
                slot.holder[slot.key] = "x" * len(reveal(value))
            except SecretUnreadable:
                slot.holder[slot.key] = _KEPT_STAND_IN  # reported by ``_secret_problems``
        elif isinstance(value, str):
            slot.holder[slot.key] = "x" * len(value)

    return _rewritten(document, stand_in)


def _secret_problems(document) -> list[Problem]:
    problems = []
    for slot in secret_slots(document):
        value = slot.holder[slot.key]
        if not is_sealed(value):
            continue
        node_id = slot.owner if isinstance(slot.owner, str) else None
        try:
            plain = reveal(value)
        except SecretUnreadable:
            message = "the stored secret cannot be read with this server's key; enter it again"
            said = messages.secret_unreadable(messages.field_title(document, list(slot.path)))
            problems.append(Problem("secret_unreadable", message, node_id, pointer(*slot.path), said))
            continue
        max_length = slot.field_schema.get("maxLength")
        # A plaintext over the limit is already reported by the schema check.
        if isinstance(max_length, int) and len(value) > max_length >= len(plain):
            message = f"the secret is too long to be stored sealed; use at most {_max_plain_bytes(max_length)} bytes"
            limit = _max_plain_bytes(max_length)
            said = messages.secret_too_long(messages.field_title(document, list(slot.path)), limit)
            problems.append(Problem("secret_too_long", message, node_id, pointer(*slot.path), said))
    return problems


def document_problems(document) -> list[Problem]:
    """``validate_document`` for a stored (sealed) or answered (masked) document, quoting no secret.

    A masked secret stands for a kept one. Also reports sealed secrets this server cannot read and
    ones whose sealed form would not fit their field (the runtime validates the sealed form).
    """
    return validate_document(_checkable(document)) + _secret_problems(document)
