import re
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from .models import Customer, CustomerWechatIdentity

# WeChat's appids are ``wx`` and 16 hex characters; openids 28 characters of base64url. The checks
# are kept a little wider (and bounded) so an app of another shape is not lost, and nothing else gets in.
APPID = re.compile(r"^wx[0-9A-Za-z]{8,30}$")
OPENID = re.compile(r"^[0-9A-Za-z_-]{16,64}$")


class InvalidWechatIdentity(DomainError):
    code = "invalid_wechat_identity"
    http_status = 400
    message = _("The WeChat appid or openid is not in WeChat's form.")


def customer_get_or_create(*, name: str, phone: str, email: str = "") -> Customer:
    """The customer with this phone, created if new. Safe under concurrent calls for one phone:
    the phone is unique, and ``get_or_create`` reads the racer's row back when its insert meets it."""
    customer, _created = Customer.objects.get_or_create(phone=phone, defaults={"name": name, "email": email})
    return customer


def customer_wechat_identity_record(
    *, customer_id: int, appid: str, openid: str, source: str, seen_at: datetime | None = None
) -> CustomerWechatIdentity:
    """Records that ``customer_id`` is ``openid`` under ``appid``. Idempotent on ``(appid, openid)``
    (unique): seen again it only moves ``last_seen_at`` forward — and to this customer, when the
    WeChat user now buys as another one. Raises ``InvalidWechatIdentity`` (nothing written) for a
    value not in WeChat's form."""
    appid, openid = appid.strip(), openid.strip()
    if not APPID.fullmatch(appid) or not OPENID.fullmatch(openid):
        raise InvalidWechatIdentity(
            details={"appid" if not APPID.fullmatch(appid) else "openid": "not in WeChat's form"}
        )
    seen_at = seen_at or timezone.now()
    values = {"customer_id": customer_id, "source": source, "last_seen_at": seen_at}
    try:
        with transaction.atomic():
            identity, created = CustomerWechatIdentity.objects.get_or_create(
                appid=appid, openid=openid, defaults=values
            )
    except IntegrityError:  # a concurrent first sighting inserted it: take that row
        identity, created = CustomerWechatIdentity.objects.get(appid=appid, openid=openid), False
    if not created:
        # Conditional: a late, older sighting never moves the row back.
        CustomerWechatIdentity.objects.filter(pk=identity.pk, last_seen_at__lt=seen_at).update(**values)
        identity.refresh_from_db()
    return identity
