"""``manage.py sandbox <connector>``: a sandbox shop's demo orders, delivered to a running server as
the provider would deliver them — real HTTP POSTs to the connection's hook, signed, at a steady rate,
retried on the provider's schedule (in compressed time) until acknowledged — with duplicates,
deliveries out of order and forged signatures mixed in on request.

Generic over connectors whose simulator makes demo orders. What the command uses of it:

``orders_create(count) -> list[dict]``
    ``count`` new orders, stored in the simulated shop, as the provider's JSON.
``webhook(topic, payload, *, event_id=None, tamper=False) -> WebhookCall``
    A signed delivery; ``event_id`` is the provider's id of the event (the same id again is a
    duplicate); ``tamper`` makes the body no longer match its signature.
``created_topic``
    The topic that announces a new order (``orders/create``).
``order_followup(order) -> (topic, payload)``
    A later change to the order, stored in the shop (only for ``--out-of-order``).
``retry_delays``
    Seconds between the provider's retries of an unacknowledged delivery (optional).
``random``
    The ``random.Random`` its demo data draws from (optional; ``--seed`` seeds it).

The fractions are of the orders, rounded: ``--orders 500 --duplicates 0.1`` sends 50 duplicates.
A duplicate is a second delivery of an order's event (same event id, its own delivery id), sent a
little later; an out-of-order order is announced by its later change first and by its creation
after; a bad signature is an extra, forged copy of an order's delivery (its body altered after
signing), which the server must refuse every time it is retried.
"""

from __future__ import annotations

import heapq
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import requests
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError

from ...models import Connection, WebhookDelivery
from ...registry import CONNECTORS
from ...registry import connector as registered_connector
from ...sandbox import WebhookCall
from ...services.connections import ConnectionInput, connection_create

# What Shopify allows a receiver: 1 s to connect, 5 s to answer (PROTOCOLS.md 1.1).
DELIVERY_TIMEOUT = (1.0, 5.0)
# A provider's retry schedule when its simulator names none: 8 retries, doubling from a minute.
DEFAULT_RETRY_DELAYS = tuple(60.0 * 2**n for n in range(8))
PROGRESS_EVERY = 100


@dataclass
class Delivery:
    call: WebhookCall
    kind: str  # "order", "followup", "duplicate", "forged"
    attempts: int = 0


def _fraction(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Create demo orders in a connector's sandbox shop and deliver them to a running server's webhook "
        "address as real, signed HTTP POSTs at a steady rate, retrying on the provider's schedule; "
        "prints how many were sent, acknowledged, rejected and retried."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("connector", help="the connector's key, e.g. shopify")
        parser.add_argument("--orders", type=int, default=20, help="how many orders to create (default 20)")
        parser.add_argument("--rate", type=float, default=20.0, help="deliveries per second (default 20)")
        parser.add_argument(
            "--connection", type=int, help="a sandbox connection's id (default: the first, or a new one)"
        )
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server (default http://127.0.0.1:8000)")
        parser.add_argument("--duplicates", type=_fraction, default=0.0, help="fraction of orders delivered twice")
        parser.add_argument(
            "--out-of-order", type=_fraction, default=0.0, help="fraction of orders whose later change arrives first"
        )
        parser.add_argument(
            "--bad-signatures", type=_fraction, default=0.0, help="fraction of orders also sent as a forged copy"
        )
        parser.add_argument(
            "--compress",
            type=float,
            default=1800.0,
            help="how many times faster than the provider's retry schedule to retry (default 1800: 4 h in 8 s)",
        )
        parser.add_argument("--seed", type=int, help="make the orders and the mix repeatable")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["connector"]
        found = registered_connector(key)
        if found is None:
            known = ", ".join(item.key for item in CONNECTORS)
            raise CommandError(f"no connector {key!r}; the connectors are: {known}")
        if found.sandbox is None:
            raise CommandError(f"{found.name_en} has no sandbox")
        count, rate, compress = options["orders"], options["rate"], options["compress"]
        if not 1 <= count <= 100_000:
            raise CommandError("--orders must be between 1 and 100000")
        if rate <= 0 or compress <= 0:
            raise CommandError("--rate and --compress must be positive")
        connection = self.connection(found, options["connection"])
        simulator = found.sandbox(connection)
        for needed in ("orders_create", "webhook", "created_topic"):
            if not hasattr(simulator, needed):
                raise CommandError(f"{found.name_en}'s sandbox does not make demo orders (it has no {needed})")
        if options["out_of_order"] and not hasattr(simulator, "order_followup"):
            raise CommandError(f"{found.name_en}'s sandbox cannot change an order (it has no order_followup)")
        rng = random.Random(options["seed"])
        if options["seed"] is not None and isinstance(getattr(simulator, "random", None), random.Random):
            simulator.random.seed(options["seed"])

        try:
            orders = simulator.orders_create(count)
        except ValueError as exc:
            raise CommandError(f"no demo orders: {exc}") from exc
        plan = self.plan(simulator, orders, rng, options)
        url = options["url"].rstrip("/") + reverse(
            "connector-webhook", kwargs={"connector": found.key, "connection_id": connection.pk}
        )
        self.stdout.write(f"{found.name_en} sandbox, connection {connection.pk} ({connection.name}) → {url}")
        started = timezone.now()
        delays = tuple(getattr(simulator, "retry_delays", DEFAULT_RETRY_DELAYS))
        tally = self.deliver(plan, url, rate=rate, delays=[d / compress for d in delays])

        kinds = Counter(delivery.kind for delivery in plan)
        self.stdout.write(f"orders created: {len(orders)}")
        self.stdout.write(
            f"sent: {len(plan)} ({kinds['order']} orders, {kinds['duplicate']} duplicates, "
            f"{kinds['followup']} out of order, {kinds['forged']} bad signatures)"
        )
        self.stdout.write(f"acknowledged: {tally['acknowledged']}")
        self.stdout.write(f"rejected: {tally['rejected']}")
        self.stdout.write(f"retried: {tally['retried']}")
        answers = ", ".join(f"{status} ×{n}" for status, n in sorted(tally["answers"].items(), key=str))
        self.stdout.write(f"answers: {answers}")
        outcomes = (
            WebhookDelivery.objects.filter(connection=connection, received_at__gte=started)
            .values_list("outcome")
            .annotate(n=Count("id"))
            .order_by("outcome")
        )
        if outcomes:  # the server shares this database (it usually does)
            self.stdout.write("stored by the server: " + ", ".join(f"{outcome} {n}" for outcome, n in outcomes))
        if plan and not tally["acknowledged"]:
            raise CommandError(f"no delivery was acknowledged: is the server running at {options['url']}?")

    def connection(self, found, connection_id: int | None) -> Connection:
        if connection_id is not None:
            chosen = Connection.objects.filter(pk=connection_id, connector=found.key).first()
            if chosen is None:
                raise CommandError(f"no {found.key} connection {connection_id}")
            if not chosen.sandbox:
                # The sandbox signs with the connection's own secret: for a real shop it would forge.
                raise CommandError(f"connection {connection_id} is not a sandbox connection")
            return chosen
        existing = Connection.objects.filter(connector=found.key, sandbox=True, enabled=True).order_by("pk").first()
        if existing is not None:
            return existing
        try:
            return connection_create(
                data=ConnectionInput(
                    connector=found.key, name=f"{found.name_en} sandbox", credentials={}, settings={}, sandbox=True
                )
            )
        except DomainError as exc:
            raise CommandError(f"cannot create a sandbox connection: {exc.message} {exc.details}") from exc

    def plan(self, simulator, orders: list[dict], rng: random.Random, options: dict) -> list[Delivery]:
        """The deliveries in the order they are first sent."""
        count = len(orders)

        def chosen(fraction: float) -> set[int]:
            return set(rng.sample(range(count), round(count * fraction)))

        duplicates = chosen(options["duplicates"])
        late = chosen(options["out_of_order"])
        forged = chosen(options["bad_signatures"])
        plan: list[Delivery] = []
        repeats: list[tuple[Delivery, Delivery]] = []
        for index, order in enumerate(orders):
            event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            created = Delivery(simulator.webhook(simulator.created_topic, order, event_id=event_id), "order")
            if index in late:
                topic, changed = simulator.order_followup(order)
                plan.append(Delivery(simulator.webhook(topic, changed), "followup"))
            plan.append(created)
            if index in forged:
                plan.append(Delivery(simulator.webhook(simulator.created_topic, order, tamper=True), "forged"))
            if index in duplicates:
                again = simulator.webhook(simulator.created_topic, order, event_id=event_id)
                repeats.append((created, Delivery(again, "duplicate")))
        for original, repeat in repeats:  # a little later than the original: anywhere after it
            position = next(i for i, delivery in enumerate(plan) if delivery is original)
            plan.insert(rng.randint(position + 1, len(plan)), repeat)
        return plan

    def deliver(self, plan: list[Delivery], url: str, *, rate: float, delays: list[float]) -> dict:
        """POSTs every delivery, ``rate`` a second, in plan order; one not answered 2xx is sent again
        after each of ``delays`` in turn, then given up (rejected)."""
        interval = 1.0 / rate
        start = time.monotonic()
        queue = [(start + i * interval, i, i) for i in range(len(plan))]
        heapq.heapify(queue)
        tally: dict = {"acknowledged": 0, "rejected": 0, "retried": 0, "answers": Counter()}
        sequence = len(plan)
        next_slot = start
        first_sends = 0
        with requests.Session() as session:
            while queue:
                due, _, index = heapq.heappop(queue)
                at = max(due, next_slot)
                pause = at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                next_slot = at + interval
                delivery = plan[index]
                delivery.attempts += 1
                if delivery.attempts == 1:
                    first_sends += 1
                    if first_sends % PROGRESS_EVERY == 0:
                        self.stderr.write(f"sent {first_sends}/{len(plan)}")
                else:
                    tally["retried"] += 1
                try:
                    answer = session.post(
                        url, data=delivery.call.body, headers=dict(delivery.call.headers), timeout=DELIVERY_TIMEOUT
                    )
                    status: int | str = answer.status_code
                except requests.RequestException:
                    status = "no answer"
                tally["answers"][status] += 1
                if isinstance(status, int) and 200 <= status < 300:
                    tally["acknowledged"] += 1
                elif delivery.attempts <= len(delays):
                    sequence += 1
                    heapq.heappush(queue, (time.monotonic() + delays[delivery.attempts - 1], sequence, index))
                else:
                    tally["rejected"] += 1
        return tally
