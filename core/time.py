"""Time between components: UTC, written as ISO-8601 with a ``Z``."""

from datetime import UTC, datetime


def iso_utc(moment: datetime | None) -> str | None:
    """``moment`` in UTC as ISO-8601 with a ``Z`` (``2026-12-06T05:22:07.123456Z``); ``None`` stays ``None``.

    The one format of every time Orderflow writes into an answer, an event, an audit entry or a
    step's output, whatever zone the ``datetime`` was made in.
    """
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
