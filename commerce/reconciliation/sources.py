"""Where the gateways' bills come from: sources the payment connectors register.

The domain does not import the connectors (DESIGN.md's layers); the payment connectors register a
bill source from their ``AppConfig.ready`` (``connectors.payments.bills``), as they register their
actions in the flow catalog. A source answers, for one Asia/Shanghai day, one ``BillFetch`` per
gateway connection: the bill's lines as parsed from the provider's own file, or the error that kept
it from being fetched (the day is then ``partial`` and that gateway's payments are not judged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class BillLineInput:
    gateway: str
    kind: str  # categories.PAYMENT or categories.REFUND
    out_trade_no: str
    amount: Decimal  # positive; the kind says which way the money went
    trade_no: str = ""
    out_request_no: str = ""
    currency: str = "CNY"
    memo: str = ""
    occurred_at: datetime | None = None
    connection_id: int | None = None


@dataclass(frozen=True)
class BillFetch:
    gateway: str
    connection_id: int | None
    lines: tuple[BillLineInput, ...] = ()
    error: str = ""  # empty: fetched
    summary: dict = field(default_factory=dict)  # the bill's own totals, as the provider states them

    @property
    def fetched(self) -> bool:
        return not self.error


BillSource = Callable[[date], list[BillFetch]]
_SOURCES: dict[str, BillSource] = {}


def bill_source_register(key: str, source: BillSource) -> None:
    """Registers (or replaces) the source called ``key``; called from an app's ``ready``."""
    _SOURCES[key] = source


def bills_fetch(day: date) -> list[BillFetch]:
    """Every registered source's bills of ``day``, in registration order. Calls the network: never
    inside a transaction."""
    fetched: list[BillFetch] = []
    for source in list(_SOURCES.values()):
        fetched.extend(source(day))
    return fetched
