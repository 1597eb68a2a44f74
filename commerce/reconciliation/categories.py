"""The categories of a reconciliation difference, the statuses of a difference and of a day.

Each category names one way money and orders disagree (zh/en labels for the page and exports):

- ``unsettled``: goods shipped in the period for an order whose money was never settled (no
  gateway payment took money and the order was never marked paid).
- ``refunded_not_offset``: a refund the gateway's bill shows that no refund in Orderflow offsets
  (made in the merchant console, say).
- ``refund_missing_in_bill``: a gateway refund Orderflow recorded as paid out on the day that the
  gateway's bill does not show (nor any other day's bill: that is ``cross_period``).
- ``cross_period``: the same payment on both sides, but on different days (paid before midnight,
  billed after it): it balances over two days, not one.
- ``missing_payment``: an order Orderflow holds paid through a gateway that the gateway's bill
  does not show; or an order paid outside any gateway (a manual order marked paid) that the day's
  uploaded bank / cash-on-delivery statements do not show. (With no statement uploaded for the
  day, such an order is ``unsettled``: not confirmed yet.)
- ``missing_order``: a payment in the gateway's bill (or a credit in an uploaded statement) that
  matches no order, by trade number, reference, or an order number found in its memo.
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
REFUND_MISSING_IN_BILL = "refund_missing_in_bill"

CATEGORIES = (
    UNSETTLED,
    REFUNDED_NOT_OFFSET,
    REFUND_MISSING_IN_BILL,
    CROSS_PERIOD,
    MISSING_PAYMENT,
    MISSING_ORDER,
    AMOUNT_MISMATCH,
    DUPLICATE_PAYMENT,
)
LABELS = {
    UNSETTLED: {"zh": "未结算", "en": "Unsettled"},
    REFUNDED_NOT_OFFSET: {"zh": "已退款未冲销", "en": "Refunded, not offset"},
    REFUND_MISSING_IN_BILL: {"zh": "退款未入账单", "en": "Refund missing from bill"},
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

# A day's status, and each of its sources' (a gateway connection's bill).
COMPLETE = "complete"
PARTIAL = "partial"  # some gateway's bill could not be fetched (yet): its payments are not judged; retried
INCOMPLETE = "incomplete"  # still partial at the retry cut-off: finance was alerted, no more automatic retries
DAY_STATUSES = (COMPLETE, PARTIAL, INCOMPLETE)

# The gateway name of what uploaded statements show (money paid outside the gateways).
OFFLINE = "offline"
# Statement kinds.
BANK = "bank"
COD = "cod"
STATEMENT_KINDS = (BANK, COD)

# A bill line's kind.
PAYMENT = "payment"
REFUND = "refund"
LINE_KINDS = (PAYMENT, REFUND)

TICKET_QUEUE = "finance"
SUBJECT = "reconciliation_difference"
