"""``manage.py reconcile [--date YYYY-MM-DD] [--to YYYY-MM-DD] [--tolerance 0.50]``: reconcile now."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from commerce.reconciliation.services import reconciliation_run_period
from core.actors import Actor
from core.errors import DomainError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Reconciles a day (yesterday by default) or a period against the gateways' bills."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="date_from", help="The first day (default: yesterday, Asia/Shanghai).")
        parser.add_argument("--to", dest="date_to", help="The last day (default: the first).")
        parser.add_argument("--tolerance", help="Amounts this close match (default 0.50).")

    def handle(self, *args, date_from=None, date_to=None, tolerance=None, **options):
        today = timezone.now().astimezone(ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)).date()
        first = _date(date_from) if date_from else today - timedelta(days=1)
        last = _date(date_to) if date_to else first
        try:
            allowed = Decimal(tolerance) if tolerance is not None else None
        except InvalidOperation:
            raise CommandError(f"{tolerance!r} is not an amount") from None
        try:
            days = reconciliation_run_period(
                date_from=first,
                date_to=last,
                tolerance=allowed,
                actor=Actor.system("manage.py reconcile", source="cli"),
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message}: {exc.details}") from None
        for record in days:
            self.stdout.write(
                f"{record.day}: {record.status}, {record.checked} checked, {record.differing} differences"
            )
