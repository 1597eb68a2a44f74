"""What the order centre announces to other commerce apps while it works, without knowing who listens.

``order_placed`` is sent by ``services.order_place`` inside the new order's creation transaction,
after the order, its lines, its audit entry and its events are written and before its stock is
reserved, with ``order`` (the new ``Order``) and ``actor``. A receiver may hold the order
(``services.order_hold``) and answer with the held ``Order``: its writes commit or roll back with
the order, so no one ever sees the order before its arrival checks ran. A receiver's error
undoes the order's creation. ``commerce.risk`` listens (``RiskConfig.ready``).

``order_to_warehouse`` is sent by ``services.order_transition`` before a person or a flow moves
an order to ``processing`` (the order goes to the warehouse), with ``order_id``, ``actor`` and
``path``, outside the transition's transaction. A receiver refuses the move by raising a
``DomainError`` (``commerce.screening``: the smart audit's gate). The warehouse's own reports
(picked, packed) and channel syncs are not sent: the order is there already.

``order_released`` is sent after the commit that took an order off hold, with ``order_id``:
``commerce.screening`` judges an order waiting in its audit queue again.
"""

from django.dispatch import Signal

order_placed = Signal()
order_to_warehouse = Signal()
order_released = Signal()
