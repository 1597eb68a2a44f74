"""Keeping a webhook trigger's ``hmac_secret`` out of API answers and exports.

The stored draft and versions hold the real secret (the runtime needs it to check signatures);
every answer shows ``SECRET_MASK`` in its place. An editor saves the document back with the mask
still there, and ``restore_secret`` puts the stored secret back, so a round trip keeps it.
"""

import copy

SECRET_MASK = "********"


def redact_document(document):
    """A copy of ``document`` with the webhook secret masked; other values are returned as they are."""
    if not isinstance(document, dict):
        return document
    trigger = document.get("trigger")
    if not isinstance(trigger, dict) or not trigger.get("hmac_secret"):
        return document
    redacted = copy.deepcopy(document)
    redacted["trigger"]["hmac_secret"] = SECRET_MASK
    return redacted


def restore_secret(incoming, previous):
    """``incoming`` with a masked secret replaced by the one in ``previous`` (or dropped if it has none)."""
    if not isinstance(incoming, dict):
        return incoming
    trigger = incoming.get("trigger")
    if not isinstance(trigger, dict) or trigger.get("hmac_secret") != SECRET_MASK:
        return incoming
    restored = copy.deepcopy(incoming)
    previous_trigger = previous.get("trigger") if isinstance(previous, dict) else None
    stored = previous_trigger.get("hmac_secret") if isinstance(previous_trigger, dict) else None
    if isinstance(stored, str) and stored:
        restored["trigger"]["hmac_secret"] = stored
    else:
        del restored["trigger"]["hmac_secret"]
    return restored


def assume_secret_kept(document):
    """For checking a document that came back from the API: a masked secret stands for a kept one.

    The mask itself is too short to be a secret, so without this a round-tripped webhook flow would
    be reported invalid by ``POST /flows/validate/``.
    """
    return restore_secret(document, {"trigger": {"hmac_secret": "kept-secret-" + "x" * 20}})
