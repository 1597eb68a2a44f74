"""The categories of a reconciliation difference, the statuses of a difference and of a day.

Each category names one way money and orders disagree (zh/en labels for the page and exports):

- ``unsettled``: goods shipped in the period for an order whose money was never settled (no
  gateway payment took money and the order was never marked paid).
- ``refunded_not_offset``: a refund the gateway made that no refund in Orderflow offsets (or one
  Orderflow recorded as paid out that the gateway's bill does not show).
- ``cross_period``: the same payment on both sides, but on different days (paid before midnight,
  billed after it): it balances over two days, not one.
- ``missing_payment``: an order Orderflow holds paid through a gateway that the gateway's bill
  does not show.
- ``missing_order``: a payment in the gateway's bill that matches no order, by trade number or by
  an order number found in its memo.
- ``amount_mismatch``: matched, but the amounts (or currencies) differ by more than the tolerance.
- ``duplicate_payment``: an order paid more than once in the gateway's bill.
"""

UNSETTLED = "unsettled"
REFUNDED_NOT_OFFSET = "refunded_not_offset"
CROSS_PERIOD = "cross_period"
MISSING_PAYMENT = "missing_payment"
MISSING_ORDER = "missing_order"
AMOUNT_MISMATCH = "amount_mismatch"
DUPLICATE_PAYMENT = "duplicate_payment"

CATEGORIES = (
    UNSETTLED,
    REFUNDED_NOT_OFFSET,
    CROSS_PERIOD,
    MISSING_PAYMENT,
    MISSING_ORDER,
    AMOUNT_MISMATCH,
    DUPLICATE_PAYMENT,
)
LABELS = {
    UNSETTLED: {"zh": "未结算", "en": "Unsettled"},
    REFUNDED_NOT_OFFSET: {"zh": "已退款未冲销", "en": "Refunded, not offset"},
    CROSS_PERIOD: {"zh": "跨期", "en": "Cross-period"},
    MISSING_PAYMENT: {"zh": "缺少支付", "en": "Missing payment"},
    MISSING_ORDER: {"zh": "缺少订单", "en": "Missing order"},
    AMOUNT_MISMATCH: {"zh": "金额不符", "en": "Amount mismatch"},
    DUPLICATE_PAYMENT: {"zh": "重复支付", "en": "Duplicate payment"},
}

# A difference's status.
OPEN = "open"
RESOLVED = "resolved"
CLEARED = "cleared"  # a re-run of its day no longer finds it (the data was corrected meanwhile)
DIFFERENCE_STATUSES = (OPEN, RESOLVED, CLEARED)

# A day's status.
COMPLETE = "complete"
PARTIAL = "partial"  # some gateway's bill could not be fetched: its payments are not judged
DAY_STATUSES = (COMPLETE, PARTIAL)

# A bill line's kind.
PAYMENT = "payment"
REFUND = "refund"
LINE_KINDS = (PAYMENT, REFUND)

TICKET_QUEUE = "finance"
SUBJECT = "reconciliation_difference"
