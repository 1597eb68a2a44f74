"""The default risk rules, as data: admins tune or switch them off in the app (/app/risk)."""

from django.db import migrations

RULES = [
    (
        "same_ip_burst",
        "同一 IP 10 分钟内下单 ≥ 5",
        "Same IP: 5 or more orders in 10 minutes",
        {"and": [{">=": [{"var": "ip.orders_10m"}, 5]}]},
    ),
    (
        "shared_phone",
        "同一手机号被 ≥ 3 个账号使用",
        "One phone used by 3 or more accounts",
        {"and": [{">=": [{"var": "phone.accounts"}, 3]}]},
    ),
    (
        "shared_address",
        "同一地址被 ≥ 3 个账号使用",
        "One address used by 3 or more accounts",
        {"and": [{">=": [{"var": "address.accounts"}, 3]}]},
    ),
    (
        "virtual_number",
        "虚拟号段（170/171/162/165/167、物联网号段）",
        "Virtual number range (170/171/162/165/167, IoT)",
        {"and": [{"!!": {"var": "phone.virtual"}}]},
    ),
    (
        "address_cluster",
        "相近地址 24 小时内 ≥ 5 个账号",
        "Near-identical addresses: 5 or more accounts in 24 hours",
        {"and": [{">=": [{"var": "address.cluster_accounts_24h"}, 5]}]},
    ),
    (
        "blacklist",
        "命中黑名单（手机号、地址、账号、IP）",
        "On the blacklist (phone, address, account, IP)",
        {"and": [{"!!": {"var": "blacklist.any"}}]},
    ),
    (
        "amount_spike",
        "金额远高于客户历史（≥ 10 倍平均，且 ≥ 5 笔历史订单）",
        "Amount far above the customer's history (10× the average, 5+ earlier orders)",
        {"and": [{">=": [{"var": "customer.orders"}, 5]}, {">=": [{"var": "customer.amount_ratio"}, 10]}]},
    ),
]


def seed(apps, schema_editor):
    RiskRule = apps.get_model("risk", "RiskRule")
    for key, name_zh, name_en, condition in RULES:
        RiskRule.objects.get_or_create(
            key=key, defaults={"name_zh": name_zh, "name_en": name_en, "condition": condition, "enabled": True}
        )


def unseed(apps, schema_editor):
    apps.get_model("risk", "RiskRule").objects.filter(key__in=[r[0] for r in RULES], hits__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
