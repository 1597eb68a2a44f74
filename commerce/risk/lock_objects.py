"""The risk check's lock: one per arriving order's IP, for the rest of the transaction.

Why: "the same IP places 5 orders in 10 minutes" is a count over other orders' rows. Two orders
from one IP arriving at once would each count the other's row as not yet there (neither is
committed) and both see 4: neither is held. Each arriving order therefore takes its IP's lock
before it writes its sighting and counts, and keeps it until it commits; the next order of the
same IP waits, and its count (a new snapshot under READ COMMITTED) sees the first one's row. So
the 5th order to arrive is the one held, however they interleave.

Only the IP is locked. The short window (10 minutes) makes a burst's exact count the rule's whole
point; the phone and address counts run over 30 days and 24 hours, where two orders racing in
the same milliseconds each missing the other is caught by the next order — and locking them
would queue every order to a busy address (an office's front desk) behind one another.

A transaction-scoped advisory lock (``pg_advisory_xact_lock``) on a 64-bit hash of the key: no
row to lock exists for a key seen for the first time, and the lock goes with the COMMIT or
ROLLBACK. ``window_keys_lock`` takes several keys in ascending order (no two callers can deadlock);
the lock is taken after the order's insert and before its stock (the order centre's lock order). SQLite
runs one writing transaction at a time, which serialises the counts already.
"""

import hashlib

from django.db import connection

NAMESPACE = "orderflow.risk:"


def key_hash(key: str) -> int:
    """A signed 64-bit integer for ``key``, as ``pg_advisory_xact_lock(bigint)`` takes."""
    digest = hashlib.blake2b((NAMESPACE + key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def window_keys_lock(keys: list[str]) -> None:
    """Locks each of ``keys`` until the transaction ends (see the module's docstring)."""
    if connection.vendor != "postgresql":
        return
    hashes = sorted({key_hash(key) for key in keys if key})
    if not hashes:
        return
    # One statement for all the keys: a function scan of ``unnest`` yields the (sorted) array's
    # elements in order, and the select list is evaluated row by row as they come.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [hashes])
