from django.utils.translation import gettext_lazy as _

from core.errors import Conflict


class NothingToReview(Conflict):
    code = "risk_not_pending"
    message = _("This order has no risk hold waiting for review: someone decided it already.")
