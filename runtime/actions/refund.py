"""Refund actions: file a refund request for the context's order, and decide one as the flow.

``refund.request`` is idempotent on the node's key (the request's source key is ``flow:<key>``), so
a retried step files one request. ``refund.approve`` and ``refund.reject`` decide the refund in the
context (a ``refund.*`` event) or the one named by ``refund_id``; what a flow may approve is bounded
by ``commerce.refunds.services.refund_decide_by_flow``.
"""

from decimal import Decimal, InvalidOperation

from builder.catalog import ActionSpec
from commerce.refunds import filing, statuses
from commerce.refunds import selectors as refunds_read
from commerce.refunds.services import RefundInput, refund_decide_by_flow, refund_request
from core.errors import DomainError

from ..errors import TerminalFailure
from .base import Action, ActionRun, object_schema, order_id_of, step_failure

_OUTPUT = object_schema(
    {
        "refund_id": {"type": ["integer", "null"]},
        "status": {"type": "string"},
        "approvals_needed": {"type": "array", "items": {"type": "string"}},
    }
)
_REFUND_ID = {
    "type": "integer",
    "minimum": 1,
    "description": "The refund to decide; by default the refund of the event ({{ refund.id }}).",
}


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise TerminalFailure("invalid_amount", f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise TerminalFailure("invalid_amount", "the amount must be more than 0, with at most 2 decimals")
    return amount


def _refund_id(params: dict, run: ActionRun) -> int:
    if params.get("refund_id"):
        return int(params["refund_id"])
    refund = run.context.get("refund")
    refund_id = refund.get("id") if isinstance(refund, dict) else None
    if not isinstance(refund_id, int) or isinstance(refund_id, bool):
        raise TerminalFailure("no_refund", "this action needs a refund in the context (refund.id) or refund_id")
    return refund_id


def _output(refund) -> dict:
    return {"refund_id": refund.pk, "status": refund.status, "approvals_needed": list(refund.approvals_needed)}


class RefundRequestAction(Action):
    spec = ActionSpec(
        key="refund.request",
        name_en="Request a refund",
        name_zh="发起退款申请",
        description_en="Files a refund request for the order; the approval policy decides who approves it.",
        description_zh="为订单发起退款申请，由审批策略决定审批人。",
        group="refund",
        icon="undo",
        params_schema=object_schema(
            {
                "amount": {"type": ["number", "string"], "description": "Yuan, e.g. {{ order.total_amount }}."},
                "reason": {"type": "string", "enum": list(statuses.REASONS)},
                "note": {"type": "string", "maxLength": 500},
            },
            required=("amount", "reason"),
        ),
        output_schema=_OUTPUT,
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        data = RefundInput(
            order_id=order_id_of(run),
            amount=_amount(params["amount"]),
            reason=params["reason"],
            note=str(params.get("note", "")),
            source_key=f"flow:{run.key}",
        )
        try:
            refund, _created = refund_request(data=data, actor=run.actor)
        except DomainError as exc:
            raise step_failure(exc) from None
        return _output(refund)

    def preview(self, params: dict, run: ActionRun) -> dict:
        _amount(params["amount"])
        return {"refund_id": None, "status": "would be filed", "approvals_needed": []}


class _Decide(Action):
    approve = True

    def perform(self, params: dict, run: ActionRun) -> dict:
        note = str(params.get("note") or params.get("reason") or "")
        try:
            refund = refund_decide_by_flow(
                refund_id=_refund_id(params, run), approve=self.approve, note=note, actor=run.actor
            )
        except DomainError as exc:
            raise step_failure(exc) from None
        return _output(refund)

    def preview(self, params: dict, run: ActionRun) -> dict:
        refund = refunds_read.refund_get(refund_id=_refund_id(params, run))
        if refund is None:
            raise TerminalFailure("refund_not_found", "no refund request has this id")
        return {**_output(refund), "status": f"would be {'approved' if self.approve else 'rejected'}"}


class RefundApproveAction(_Decide):
    spec = ActionSpec(
        key="refund.approve",
        name_en="Approve the refund",
        name_zh="批准退款",
        description_en="Gives a supervisor's approval as the flow, within the supervisor's tier only.",
        description_zh="以流程身份给出主管审批（仅限主管审批额度内）。",
        group="refund",
        icon="check",
        params_schema=object_schema({"refund_id": _REFUND_ID, "note": {"type": "string", "maxLength": 500}}),
        output_schema=_OUTPUT,
    )


class RefundRejectAction(_Decide):
    approve = False
    spec = ActionSpec(
        key="refund.reject",
        name_en="Reject the refund",
        name_zh="拒绝退款",
        description_en="Rejects a refund waiting for approval, with the reason the customer is told.",
        description_zh="拒绝待审批的退款，并填写告知顾客的原因。",
        group="refund",
        icon="x",
        params_schema=object_schema(
            {"refund_id": _REFUND_ID, "reason": {"type": "string", "minLength": 1, "maxLength": 500}},
            required=("reason",),
        ),
        output_schema=_OUTPUT,
    )


class RefundFilingLinkAction(Action):
    """The customer's filing link for the context's order (``commerce.refunds.filing``), to send in a
    message. Writes nothing: a retry makes another link for the same order, equally valid."""

    spec = ActionSpec(
        key="refund.filing_link",
        name_en="Make a refund filing link",
        name_zh="生成退款申请链接",
        description_en="A signed link (valid 7 days) on which the customer files a refund request for the order, "
        "with photos; send it with a notification ({{ steps.<id>.url }}).",
        description_zh="生成顾客自助申请退款的签名链接（7 天有效，可上传凭证图片），可在通知中发送。",
        group="refund",
        icon="link",
        params_schema=object_schema({}),
        output_schema=object_schema(
            {
                "url": {"type": "string", "description": "Absolute when ORDERFLOW_PUBLIC_URL is set, else a path."},
                "expires_at": {"type": "string", "format": "date-time"},
            }
        ),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        try:
            link = filing.filing_link(order_id=order_id_of(run), base_url=filing.public_url())
        except DomainError as exc:
            raise step_failure(exc) from None
        return {"url": link["url"], "expires_at": link["expires_at"]}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return self.perform(params, run)
