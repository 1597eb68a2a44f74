"""Safety stock: the level at or below which a stock row counts as low, set through one audited path.

``stock_set_safety`` changes one row (the API, the demo seed); ``safety_changes_audit`` writes
the same audit entries for many rows at once (the CSV import, which sets safety stock alongside
``on_hand``). Safety stock is a setting of the row, not a quantity, so it has no ledger
movement: its history is the audit trail (subject ``stock_item``, action ``safety_stock_set``,
``changes`` ``{"safety_stock": [before, after], "reason", "sku", "warehouse"}``, with the actor,
source and trace id every audit entry carries).

Raising safety stock can make a row low without any unit moving, so every change runs the same
low-stock check as the reserve path (``services.stock_low_check``): ``inventory.low_stock``
fires once per crossing, and lowering safety stock back below available re-arms it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commerce.audit.models import AuditEntry
from commerce.audit.services import audit_entry_build
from commerce.catalog.selectors import products_by_sku
from core.actors import Actor
from core.errors import InvalidInput, NotFound

from .errors import UnknownWarehouse
from .lock_objects import stock_rows_lock
from .models import StockItem, Warehouse
from .services import stock_low_check

SUBJECT = "stock_item"
SAFETY_STOCK_SET = "safety_stock_set"
# The same ceiling as a count in the CSV import, so a file and the API accept the same numbers.
MAX_SAFETY_STOCK = 1_000_000_000
REASON_MAX_LENGTH = 200


class StockRowNotFound(NotFound):
    code = "unknown_stock_row"
    message = _("This SKU is not stocked in this warehouse; receive or count it first.")


def safety_changes_audit(
    changes: list[tuple[StockItem, int, int]], *, actor: Actor, reason: str, warehouse_codes: dict[int, str]
) -> None:
    """One ``safety_stock_set`` audit entry per ``(row, before, after)`` whose value changed.

    Runs in the transaction that changed the rows (``audit_record``'s rule); one ``bulk_create``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries are written inside the transaction of the change they record")
    entries = [
        audit_entry_build(
            subject_type=SUBJECT,
            subject_id=row.pk,
            action=SAFETY_STOCK_SET,
            actor=actor,
            changes={
                "safety_stock": [before, after],
                "reason": reason[:REASON_MAX_LENGTH],
                "sku": row.sku,
                "warehouse": warehouse_codes[row.warehouse_id],
            },
        )
        for row, before, after in changes
        if before != after
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)


def _checked_level(value) -> int:
    # bool is an int to Python, and 12.0 or "12" are not what a caller meant by a whole number.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(details={"safety_stock": f"must be a whole number, got {value!r}"})
    if value < 0:
        raise InvalidInput(details={"safety_stock": f"must not be negative, got {value}"})
    if value > MAX_SAFETY_STOCK:
        raise InvalidInput(details={"safety_stock": f"must be at most {MAX_SAFETY_STOCK}, got {value}"})
    return value


def stock_set_safety(*, sku: str, warehouse_code: str, safety_stock: int, reason: str, actor: Actor) -> StockItem:
    """Sets the safety stock of the stock row ``sku`` @ ``warehouse_code``; returns the row as it stands.

    Raises ``InvalidInput`` for a value that is not a whole number in ``0…MAX_SAFETY_STOCK``, a
    blank reason or an unknown SKU, ``UnknownWarehouse`` for a warehouse that is unknown or
    inactive, and ``StockRowNotFound`` when the SKU has no row there (this never creates one: a
    row with nothing on hand and a safety stock would alert at once); then nothing changes.

    Locks the row (``stock_rows_lock``) for the transaction, so the before value in the audit
    entry is the one replaced and the low-stock check sees the row as written. Setting the value
    it already has writes nothing and emits nothing.
    """
    level = _checked_level(safety_stock)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(details={"reason": "required"})
    if sku not in products_by_sku([sku]):
        raise InvalidInput(details={"sku": f"unknown SKU {sku!r}"})
    warehouse = Warehouse.objects.filter(code=warehouse_code, active=True).first()
    if warehouse is None:
        raise UnknownWarehouse(details={"warehouse": warehouse_code})
    row_id = StockItem.objects.filter(sku=sku, warehouse=warehouse).values_list("pk", flat=True).first()
    if row_id is None:
        raise StockRowNotFound(details={"sku": sku, "warehouse": warehouse_code})
    with transaction.atomic():
        row = stock_rows_lock([row_id])[row_id]
        before = row.safety_stock
        if before != level:
            StockItem.objects.filter(pk=row.pk).update(safety_stock=level, updated_at=timezone.now())
            safety_changes_audit(
                [(row, before, level)], actor=actor, reason=reason, warehouse_codes={warehouse.pk: warehouse.code}
            )
            stock_low_check([row.pk], actor=actor)
    return StockItem.objects.select_related("warehouse").get(pk=row_id)
