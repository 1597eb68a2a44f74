"""What the order centre announces to other commerce apps while it works, without knowing who listens.

``order_placed`` is sent by ``services.order_place`` inside the new order's creation transaction,
after the order, its lines, its audit entry and its events are written and before its stock is
reserved, with ``order`` (the new ``Order``) and ``actor``. A receiver may hold the order
(``services.order_hold``) and answer with the held ``Order``: its writes commit or roll back with
the order, so no one ever sees the order before its arrival checks ran. A receiver's error
undoes the order's creation. ``commerce.risk`` listens (``RiskConfig.ready``).
"""

from django.dispatch import Signal

order_placed = Signal()
