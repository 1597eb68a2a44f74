"""``screening_passed``: sent after the commit that let an order through the gate by hand (an
operator's pass, or a re-check after its hold was released), with ``order_id``. The warehouse
connectors listen (``connectors.apps``) and send the pick list the gate kept back."""

from django.dispatch import Signal

screening_passed = Signal()
