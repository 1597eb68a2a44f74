from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, NotFound


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"
    message = _("No shipment has this courier and tracking number; record it on its order first.")


class TrackingNoTaken(Conflict):
    code = "tracking_no_taken"
    message = _("This tracking number is already recorded for another order.")
