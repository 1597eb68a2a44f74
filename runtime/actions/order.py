"""Actions on the order in the context: transition, tag, note, hold, release, create a gift order."""

import hashlib
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist

from builder.catalog import ActionSpec
from commerce.inventory.errors import InsufficientStock
from commerce.orders import selectors as orders_read
from commerce.orders import services as orders
from commerce.orders import statuses
from core.errors import DomainError

from ..errors import TerminalFailure
from .base import Action, ActionRun, object_schema, order_id_of, step_failure

_ORDER_ID = {"order_id": {"type": "integer"}}


def _not_found(order_id: int) -> TerminalFailure:
    return TerminalFailure("order_not_found", f"order {order_id} does not exist", details={"order_id": order_id})


def _stored_order(order_id: int):
    order = orders_read.order_find(order_id=order_id)
    if order is None:
        raise _not_found(order_id)
    return order


def order_service(service, *, order_id: int, **kwargs):
    """Calls a commerce order service; a missing order or a domain error becomes a (terminal) step failure."""
    try:
        return service(order_id=order_id, **kwargs)
    except ObjectDoesNotExist:  # the order is gone
        raise _not_found(order_id) from None
    except DomainError as exc:
        raise step_failure(exc) from None


class OrderTransition(Action):
    """Moves the order along the status machine. Idempotent twice over: the receipt, and
    ``order_transition``'s own ``idempotency_key`` (the same key again is a ``duplicate``)."""

    spec = ActionSpec(
        key="order.transition",
        name_en="Change order status",
        name_zh="变更订单状态",
        description_en="Moves the order to another status; a backwards move is ignored and audited.",
        description_zh="将订单变更为其他状态；回退的变更会被忽略并记入审计。",
        group="order",
        icon="arrow-right-circle",
        params_schema=object_schema(
            {
                "to": {"type": "string", "enum": list(statuses.STATUSES)},
                "reason": {"type": "string", "maxLength": 200},
            },
            required=("to",),
        ),
        output_schema=object_schema(
            {
                **_ORDER_ID,
                "outcome": {"type": "string", "enum": ["applied", "ignored", "duplicate"]},
                "from": {"type": "string"},
                "to": {"type": "string"},
            }
        ),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        result = order_service(
            orders.order_transition,
            order_id=order_id,
            to=params["to"],
            reason=params.get("reason", ""),
            actor=run.actor,
            idempotency_key=f"flow:{run.key}",
        )
        return {"order_id": order_id, "outcome": result.outcome, "from": result.from_status, "to": result.to_status}

    def preview(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        current = orders_read.order_status_of(order_id=order_id)
        current = current or run.context["order"].get("status")
        to = params["to"]
        if current not in statuses.RANK:
            outcome = "applied"
        elif statuses.is_stale(current, to):
            outcome = "ignored"
        elif statuses.is_allowed(current, to):
            outcome = "applied"
        else:
            raise TerminalFailure(
                "invalid_transition",
                f"the order cannot move from {current} to {to}",
                details={"from": current, "to": to, "allowed": sorted(statuses.ALLOWED[current])},
            )
        return {"order_id": order_id, "outcome": outcome, "from": current, "to": to}


class OrderTag(Action):
    spec = ActionSpec(
        key="order.tag",
        name_en="Tag the order",
        name_zh="给订单打标签",
        description_en="Adds a tag to the order (nothing happens if it has it already).",
        description_zh="为订单添加标签（已有该标签时不做任何事）。",
        group="order",
        icon="tag",
        params_schema=object_schema({"tag": {"type": "string", "minLength": 1, "maxLength": 32}}, required=("tag",)),
        output_schema=object_schema({**_ORDER_ID, "tag": {"type": "string"}}),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        order_service(orders.order_tag, order_id=order_id, tag=params["tag"], actor=run.actor)
        return {"order_id": order_id, "tag": params["tag"].strip()}

    def preview(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        tag = params["tag"].strip()
        already = orders_read.order_has_tag(order_id=order_id, tag=tag)
        return {"order_id": order_id, "tag": tag, "already_tagged": already}


class OrderNote(Action):
    spec = ActionSpec(
        key="order.note",
        name_en="Add a note",
        name_zh="添加备注",
        description_en="Writes a note on the order's timeline.",
        description_zh="在订单时间线上写一条备注。",
        group="order",
        icon="sticky-note",
        params_schema=object_schema(
            {"text": {"type": "string", "minLength": 1, "maxLength": 2000}}, required=("text",)
        ),
        output_schema=object_schema({**_ORDER_ID, "text": {"type": "string"}}),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        order_service(orders.order_note, order_id=order_id, text=params["text"], actor=run.actor)
        return {"order_id": order_id, "text": params["text"].strip()}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"order_id": order_id_of(run), "text": params["text"].strip()}


class OrderHold(Action):
    spec = ActionSpec(
        key="order.hold",
        name_en="Hold the order",
        name_zh="挂起订单",
        description_en="Puts the order on hold for review, with a reason.",
        description_zh="挂起订单待审核，并写明原因。",
        group="order",
        icon="pause-circle",
        params_schema=object_schema(
            {"reason": {"type": "string", "minLength": 1, "maxLength": 200}}, required=("reason",)
        ),
        output_schema=object_schema({**_ORDER_ID, "reason": {"type": "string"}, "was_held": {"type": "boolean"}}),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        # The service decides, under the order's lock, whether the hold changed anything.
        hold = order_service(orders.order_hold, order_id=order_id, reason=params["reason"], actor=run.actor)
        return {"order_id": order_id, "reason": params["reason"].strip(), "was_held": not hold.changed}

    def preview(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        was_held = orders_read.order_is_held(order_id=order_id)
        return {"order_id": order_id, "reason": params["reason"].strip(), "was_held": was_held}


class OrderRelease(Action):
    spec = ActionSpec(
        key="order.release",
        name_en="Release the hold",
        name_zh="解除挂起",
        description_en="Takes the order off hold (nothing happens if it is not held).",
        description_zh="解除订单挂起（未挂起时不做任何事）。",
        group="order",
        icon="play-circle",
        params_schema=object_schema({"note": {"type": "string", "maxLength": 200}}),
        output_schema=object_schema({**_ORDER_ID, "was_held": {"type": "boolean"}}),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        # The service decides, under the order's lock, whether the release changed anything.
        release = order_service(orders.order_release, order_id=order_id, actor=run.actor, note=params.get("note", ""))
        return {"order_id": order_id, "was_held": release.changed}

    def preview(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        return {"order_id": order_id, "was_held": orders_read.order_is_held(order_id=order_id)}


def gift_external_id(order, node_id: str) -> str:
    """``<order's external id>-gift-<node id>``, or a hashed form when that passes 64 characters.

    Deterministic per (order, node), so even a second execution for the same order (another
    event, a replay) finds the gift it made instead of making another: ``order_create`` is
    idempotent on (channel, external id).
    """
    plain = f"{order.external_id}-gift-{node_id}"
    if len(plain) <= 64:
        return plain
    digest = hashlib.sha256(plain.encode()).hexdigest()[:16]
    return f"{order.external_id[:40]}-gift-{digest}"


class OrderCreateGift(Action):
    """Creates a zero-priced gift order linked to the order (``gift_for``).

    Same channel, customer and address; one line of ``sku`` × ``quantity`` at price 0; tagged
    ``gift``. It is created ``paid``: its stock is reserved in its own transaction and committed at
    once (the parent order is paid and the parcel is packed with it), so the gift can never take
    stock a paying order needs and is never expired as unpaid. Short stock is retried (stock may
    come in); an unknown SKU is not.
    """

    spec = ActionSpec(
        key="order.create_gift",
        name_en="Add a gift order",
        name_zh="添加赠品订单",
        description_en="Creates a free gift order linked to this order, with its own stock reservation.",
        description_zh="为该订单创建关联的零元赠品订单，并单独预占库存。",
        group="order",
        icon="gift",
        params_schema=object_schema(
            {
                "sku": {"type": "string", "minLength": 1, "maxLength": 64},
                "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
            },
            required=("sku", "quantity"),
        ),
        output_schema=object_schema(
            {
                **_ORDER_ID,
                "number": {"type": "string"},
                "gift_for": {"type": "integer"},
                "created": {"type": "boolean"},
            }
        ),
    )

    def _input(self, order, params: dict, run: ActionRun) -> orders.OrderInput:
        return orders.OrderInput(
            channel=order.channel,
            external_id=gift_external_id(order, run.node_id),
            customer=orders.CustomerInput(name=order.customer.name, phone=order.customer.phone),
            shipping_address=orders.AddressInput(
                province=order.province,
                city=order.city,
                line=order.address_line,
                district=order.district,
                postcode=order.postcode,
            ),
            lines=[orders.LineInput(sku=params["sku"], quantity=params["quantity"], unit_price=Decimal("0"))],
            status=statuses.PAID,
            tags=("gift",),
            gift_for=order,
        )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order = _stored_order(order_id_of(run))
        try:
            gift, created = orders.order_create(data=self._input(order, params, run), actor=run.actor)
        except InsufficientStock as exc:
            raise step_failure(exc, retryable=True) from None
        except DomainError as exc:
            raise step_failure(exc) from None
        return {"order_id": gift.pk, "number": gift.number, "gift_for": order.pk, "created": created}

    def preview(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        order = orders_read.order_find(order_id=order_id)
        external_id, existing = None, None
        if order is not None:
            external_id = gift_external_id(order, run.node_id)
            existing = orders_read.order_find_by_external_id(channel_id=order.channel_id, external_id=external_id)
        return {
            "order_id": existing.pk if existing is not None else None,
            "number": existing.number if existing is not None else None,
            "gift_for": order_id,
            "created": existing is None,
            "would_create": None
            if existing is not None
            else {"external_id": external_id, "lines": [{"sku": params["sku"], "quantity": params["quantity"]}]},
        }
