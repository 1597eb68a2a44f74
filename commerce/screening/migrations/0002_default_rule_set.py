"""The first version of the smart audit's checks, as data: admins save new versions in the app."""

from django.db import migrations

KEYWORDS = ["改地址", "退款", "投诉", "发票", "change address", "refund"]

DOCUMENT = {
    "checks": [
        {
            "key": "address_complete",
            "name_zh": "地址完整",
            "name_en": "Address complete",
            "condition": {"and": [{"!!": {"var": "address.complete"}}]},
        },
        {
            "key": "amount_within_limits",
            "name_zh": "金额在限额内（0 < 金额 ≤ 20000）",
            "name_en": "Amount within limits (0 < amount ≤ 20000)",
            "condition": {
                "and": [{">": [{"var": "order.total_amount"}, 0]}, {"<=": [{"var": "order.total_amount"}, 20000]}]
            },
        },
        {
            "key": "not_held",
            "name_zh": "订单未挂起",
            "name_en": "Order not on hold",
            "condition": {"and": [{"!": {"var": "order.on_hold"}}]},
        },
        {
            "key": "remark_keywords",
            "name_zh": "买家留言无敏感词",
            "name_en": "Buyer remark has no flagged keywords",
            "condition": {"and": [{"!": {"in": [word, {"var": "order.remark"}]}} for word in KEYWORDS]},
        },
        {
            "key": "stock_allocated",
            "name_zh": "库存已分配",
            "name_en": "Stock allocated",
            "condition": {"and": [{"!!": {"var": "stock.allocated"}}]},
        },
    ]
}


def seed(apps, schema_editor):
    RuleSet = apps.get_model("screening", "ScreeningRuleSet")
    if not RuleSet.objects.exists():
        RuleSet.objects.create(version=1, document=DOCUMENT, note="default checks")


def unseed(apps, schema_editor):
    apps.get_model("screening", "ScreeningRuleSet").objects.filter(version=1, note="default checks").delete()


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
