from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = _("The order cannot move from its current status to the requested one.")


class UnknownSku(InvalidInput):
    code = "unknown_sku"
    message = _("An order line names a SKU that is not in the catalog.")


class UnknownChannel(InvalidInput):
    code = "unknown_channel"
    message = _("No active sales channel has this code.")
