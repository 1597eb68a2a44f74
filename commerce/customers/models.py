from django.db import models


class Customer(models.Model):
    """A buyer. Channels identify buyers by phone; a phone maps to one customer."""

    CREDIT_LEVELS = [(1, "1 (poor)"), (2, "2"), (3, "3 (normal)"), (4, "4"), (5, "5 (excellent)")]

    name = models.CharField(max_length=100)
    phone = models.CharField(max_length=32, unique=True)
    email = models.EmailField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    credit_level = models.PositiveSmallIntegerField(choices=CREDIT_LEVELS, default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"


class CustomerWechatIdentity(models.Model):
    """Who a customer is to one WeChat app: the ``openid`` WeChat gave them under ``appid``.

    An openid is per app — the same person has one openid with a service account (服务号), another
    with a mini-program (小程序), another with each further app — so a template message can only go
    to the openid of the account that sends it. Rows come from verified sources only: a WeChat Pay
    transaction's ``payer.openid`` (under the trade's ``appid``) and the own store's order body.
    ``(appid, openid)`` names one WeChat user: seen again for another customer (a changed phone), the
    row follows the latest. Personal data: shown to no role through the API, only to admins in
    Django's admin; flows address it through the notify actions, never see it.
    """

    PAYMENT = "wechatpay"
    OWN_STORE = "own_store"
    SOURCES = [(PAYMENT, "WeChat Pay payment"), (OWN_STORE, "Own store order")]

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="wechat_identities")
    appid = models.CharField(max_length=32, help_text="The WeChat app (service account, mini-program) it belongs to.")
    openid = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=SOURCES)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ("customer_id", "appid", "-last_seen_at")
        constraints = [models.UniqueConstraint(fields=["appid", "openid"], name="wechat_identity_unique_openid")]
        indexes = [models.Index(fields=["customer", "appid", "last_seen_at"], name="wechat_identity_customer_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.appid}"
