from .models import CustomerWechatIdentity


def customer_wechat_openid(*, customer_id: int, appid: str) -> str | None:
    """The openid the customer has with the WeChat app ``appid`` (the latest seen), or None: an
    openid of another app (a mini-program's, for a service account) cannot be used there."""
    return (
        CustomerWechatIdentity.objects.filter(customer_id=customer_id, appid=appid)
        .order_by("-last_seen_at", "-id")
        .values_list("openid", flat=True)
        .first()
    )


def customer_wechat_appids(*, customer_id: int) -> list[str]:
    """The WeChat apps the customer has an openid with (for saying why a message could not be sent)."""
    return sorted(set(CustomerWechatIdentity.objects.filter(customer_id=customer_id).values_list("appid", flat=True)))
