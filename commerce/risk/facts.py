"""What a risk rule may read about an arriving order: its own fields and window aggregates.

``FIELDS`` lists every path a rule's JsonLogic may name (the condition builder offers them). The
aggregates are computed for the order at evaluation time, over ``RiskSighting`` rows (every order
seen, with its keys normalised) and the customer's past orders. Only the groups a rule reads are
computed: an order checked against rules that never name ``address.*`` runs no address query.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import reduce

from django.db.models import Avg, Count, Q

from commerce.orders.models import Order

from .models import BlacklistEntry, RiskSighting
from .virtual_numbers import mobile_number, virtual_kind

IP_WINDOW = timedelta(minutes=10)
SHARING_WINDOW = timedelta(days=30)
CLUSTER_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Field:
    path: str
    type: str  # "number", "string" or "boolean", as the condition builder types its fields
    zh: str
    en: str


FIELDS = (
    Field("order.total_amount", "number", "订单金额", "Order amount"),
    Field("order.channel", "string", "渠道", "Channel"),
    Field("order.client_ip", "string", "下单 IP", "Client IP"),
    Field("order.device", "string", "下单设备", "Device"),
    Field("ip.orders_10m", "number", "该 IP 近 10 分钟下单数", "Orders from this IP in the last 10 minutes"),
    Field("phone.accounts", "number", "使用该手机号的账号数（30 天）", "Accounts using this phone (30 days)"),
    Field("phone.virtual", "boolean", "虚拟号段", "Virtual number range"),
    Field("phone.virtual_kind", "string", "号段类型（resale/iot）", "Range kind (resale/iot)"),
    Field("address.accounts", "number", "使用该地址的账号数（30 天）", "Accounts using this address (30 days)"),
    Field(
        "address.cluster_accounts_24h",
        "number",
        "相近地址（仅门牌号不同）24 小时内的账号数",
        "Accounts at near-identical addresses (only the numbers differ) in 24 h",
    ),
    Field("blacklist.any", "boolean", "命中黑名单", "On the blacklist"),
    Field("blacklist.phone", "boolean", "手机号在黑名单", "Phone blacklisted"),
    Field("blacklist.address", "boolean", "地址在黑名单", "Address blacklisted"),
    Field("blacklist.account", "boolean", "账号在黑名单", "Account blacklisted"),
    Field("blacklist.ip", "boolean", "IP 在黑名单", "IP blacklisted"),
    Field("customer.orders", "number", "客户历史订单数", "Customer's earlier orders"),
    Field("customer.average_amount", "number", "客户历史平均订单金额", "Customer's average order amount"),
    Field("customer.amount_ratio", "number", "本单金额 / 历史平均", "This order's amount / the customer's average"),
)
PATHS = frozenset(f.path for f in FIELDS)
GROUPS = frozenset(path.split(".")[0] for path in PATHS)

_SPACE_AND_PUNCTUATION = re.compile(r"[\s\-_,.;:，。；：、()（）#＃/\\]+")
_DIGITS = re.compile(r"[0-9０-９一二三四五六七八九十零〇]+")


def address_key(province: str, city: str, district: str, line: str) -> str:
    """The address with case, spaces and punctuation removed: the same place written twice matches."""
    return _SPACE_AND_PUNCTUATION.sub("", f"{province}{city}{district}{line}".lower())[:300]


def cluster_key(province: str, city: str, district: str, line: str) -> str:
    """The address without its numbers: 文三路 90 号 3 栋 and 文三路 92 号 5 栋 are one cluster."""
    return _DIGITS.sub("", address_key(province, city, district, line))[:300]


def account_key(order: Order) -> str:
    """The buyer's account: the channel's account id when it says, else the customer (one per phone)."""
    if order.buyer_account:
        return f"{order.channel_id}:{order.buyer_account}"[:100]
    return f"customer:{order.customer_id}"


def normalised(kind: str, value: str) -> str:
    """A blacklist value as the facts compare it."""
    value = value.strip()
    if kind == BlacklistEntry.PHONE:
        return mobile_number(value) or re.sub(r"[^0-9+]", "", value)
    if kind == BlacklistEntry.ADDRESS:
        return _SPACE_AND_PUNCTUATION.sub("", value.lower())[:300]
    return value[:300]


def sighting_for(order: Order, *, now: datetime) -> RiskSighting:
    """The order's sighting, unsaved."""
    return RiskSighting(
        order=order,
        seen_at=now,
        client_ip=order.client_ip or None,
        phone=mobile_number(order.ship_to_phone) or order.ship_to_phone,
        address_key=address_key(order.province, order.city, order.district, order.address_line),
        cluster_key=cluster_key(order.province, order.city, order.district, order.address_line),
        account_key=account_key(order),
    )


def groups_read(conditions) -> set[str]:
    """The fact groups (``ip``, ``phone``…) the conditions name in their ``var`` paths."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for op, args in node.items():
                if op == "var":
                    first = args[0] if isinstance(args, list) and args else args
                    if isinstance(first, str):
                        found.add(first.split(".")[0])
                walk(args)

    walk(list(conditions))
    return found


def _accounts_sharing(sighting: RiskSighting, *, groups: set[str], now: datetime) -> dict[str, int]:
    """How many accounts used the order's phone, its address and its address cluster in their
    windows, as far as ``groups`` read them: one statement, one distinct count per key over the
    sightings that match any of them (each key has its index; PostgreSQL ORs the three scans)."""
    windows: dict[str, Q] = {}
    if "phone" in groups:
        windows["phone"] = Q(phone=sighting.phone, seen_at__gt=now - SHARING_WINDOW)
    if "address" in groups:
        windows["address"] = Q(address_key=sighting.address_key, seen_at__gt=now - SHARING_WINDOW)
        windows["cluster"] = Q(cluster_key=sighting.cluster_key, seen_at__gt=now - CLUSTER_WINDOW)
    if not windows:
        return {}
    return RiskSighting.objects.filter(reduce(operator.or_, windows.values())).aggregate(
        **{key: Count("account_key", distinct=True, filter=window) for key, window in windows.items()}
    )


def order_facts(order: Order, sighting: RiskSighting, *, groups: set[str], now: datetime) -> dict:
    """The facts of ``groups`` for ``order``; its own sighting is saved and counts."""
    facts: dict = {
        "order": {
            "total_amount": float(order.total_amount),
            "channel": order.channel.code,
            "client_ip": order.client_ip or "",
            "device": order.device,
        }
    }
    if "ip" in groups:
        orders_10m = 0
        if sighting.client_ip:
            orders_10m = RiskSighting.objects.filter(client_ip=sighting.client_ip, seen_at__gt=now - IP_WINDOW).count()
        facts["ip"] = {"orders_10m": orders_10m}
    accounts = _accounts_sharing(sighting, groups=groups, now=now)
    if "phone" in groups:
        kind = virtual_kind(order.ship_to_phone)
        facts["phone"] = {"accounts": accounts["phone"], "virtual": bool(kind), "virtual_kind": kind}
    if "address" in groups:
        facts["address"] = {"accounts": accounts["address"], "cluster_accounts_24h": accounts["cluster"]}
    if "blacklist" in groups:
        facts["blacklist"] = _blacklisted(order, sighting)
    if "customer" in groups:
        earlier = Order.objects.filter(customer_id=order.customer_id).exclude(pk=order.pk)
        history = earlier.aggregate(n=Count("id"), average=Avg("total_amount"))
        average = Decimal(history["average"] or 0)
        facts["customer"] = {
            "orders": history["n"],
            "average_amount": round(float(average), 2),
            "amount_ratio": round(float(order.total_amount / average), 2) if average > 0 else 0,
        }
    return facts


def _blacklisted(order: Order, sighting: RiskSighting) -> dict:
    wanted = {
        BlacklistEntry.PHONE: sighting.phone,
        BlacklistEntry.ADDRESS: sighting.address_key,
        BlacklistEntry.ACCOUNT: order.buyer_account or "",
        BlacklistEntry.IP: sighting.client_ip or "",
    }
    query = Q()
    for kind, value in wanted.items():
        if value:
            query |= Q(kind=kind, value=value)
    found = set(BlacklistEntry.objects.filter(query).order_by().values_list("kind", flat=True)) if query else set()
    return {"any": bool(found), **{kind: kind in found for kind in wanted}}
