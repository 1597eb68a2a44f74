"""On PostgreSQL, ``NOTIFY orderflow_live`` after every commit that wrote domain events, so that
each web process's live follower looks at once (``follower``); elsewhere nothing (it polls).

Sent by whichever process committed (the worker's flows included), after the commit
(``outbox_committed``), in a statement of its own whose commit need not wait for the disk
(``synchronous_commit`` off for it alone: it changes no data). Not by a trigger in the
transaction: PostgreSQL serialises the commits of transactions that notify (a lock held through
the commit's flush to disk), which took concurrent one-row commits from ~1,100–1,500/s to ~450/s
on the development machine; notified after the commit they stayed at ~1,050/s. A notification
lost with a crash between the commit and it is made up by the follower's next safety look.

The inbox (new notifications, read marks) is not announced: it changes at the pace of people and
flows' messages, and the follower's safety look (every second on PostgreSQL) finds it — with no
statement added to the flow runner's transactions.
"""

import logging

from django.db import connection

logger = logging.getLogger(__name__)

CHANNEL = "orderflow_live"
NOTIFY = f"SELECT set_config('synchronous_commit', 'off', true), pg_notify('{CHANNEL}', '')"


def live_notify() -> None:
    """Sends the notification now, in a statement of its own (call it outside a transaction). Never raises."""
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(NOTIFY)
    except Exception:
        logger.warning("live: NOTIFY %s failed; the followers' safety look will catch up", CHANNEL, exc_info=True)


def outbox_committed(sender, event_ids: list[int], **kwargs) -> None:
    live_notify()  # outbox_committed is sent after the commit
