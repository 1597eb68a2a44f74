"""A parcel's statuses, and how one follows another.

A courier's own codes (Kuaidi100's ``state``, SF's ``opCode``) are mapped to these by each
courier connector's one table. A parcel's status follows its newest tracking event: an event
older than the newest one held changes nothing (couriers resend and reorder), and ``signed`` and
``returned`` are final — nothing moves a parcel out of them.
"""

CREATED = "created"  # recorded, no tracking event yet
IN_TRANSIT = "in_transit"
OUT_FOR_DELIVERY = "out_for_delivery"
SIGNED = "signed"
EXCEPTION = "exception"  # the courier reports a problem (疑难, refused, customs trouble…)
RETURNED = "returned"  # sent back to, or signed for by, the sender

STATUSES = (CREATED, IN_TRANSIT, OUT_FOR_DELIVERY, SIGNED, EXCEPTION, RETURNED)
CHOICES = [(status, status.replace("_", " ")) for status in STATUSES]
FINAL = frozenset({SIGNED, RETURNED})
# The parcels still on their way: the ones the stalled check and polling look at.
ACTIVE = (CREATED, IN_TRANSIT, OUT_FOR_DELIVERY, EXCEPTION)
