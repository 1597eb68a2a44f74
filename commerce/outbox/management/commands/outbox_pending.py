import json

from django.core.management.base import BaseCommand

from commerce.outbox.selectors import outbox_pending
from core.time import iso_utc


class Command(BaseCommand):
    help = "List domain events in the outbox that the runtime has not dispatched yet."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="at most this many events (default 50)")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="one JSON object a line, payload included"
        )

    def handle(self, *args, limit: int, as_json: bool, **options):
        pending = outbox_pending()
        total = pending.count()
        for event in pending[: max(limit, 0)]:
            if as_json:
                self.stdout.write(_dumps(event))
            else:
                self.stdout.write(
                    f"#{event.pk}  {event.occurred_at:%Y-%m-%d %H:%M:%S}Z  {event.name:<32} "
                    f"{event.subject_type}:{event.subject_id}"
                )
        if not as_json:
            self.stdout.write(f"{total} pending event(s)")


def _dumps(event) -> str:
    return json.dumps(
        {
            "id": event.pk,
            "name": event.name,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "occurred_at": iso_utc(event.occurred_at),
            "trace_id": event.trace_id,
            "payload": event.payload,
        },
        ensure_ascii=False,
    )
