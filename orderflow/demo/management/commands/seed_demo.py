import os

from django.core.management.base import BaseCommand, CommandError

from insights.kpis.rollups import kpi_rollups_rebuild
from orderflow.demo.services import DEFAULT_PASSWORD, PASSWORD_ENV, demo_seed


class Command(BaseCommand):
    help = (
        "Load the demo data: one user per role, sales channels, warehouses, a catalogue with stock and a "
        "month of orders. Idempotent: what exists is kept, and a second run changes nothing. "
        f"Passwords are ${PASSWORD_ENV}, or {DEFAULT_PASSWORD!r} when it is not set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=3000, help="orders over the last 30 days (default 3000)")
        parser.add_argument(
            "--products", type=int, default=500, help="catalogue products, besides the gift tote (default 500)"
        )

    def handle(self, *args, orders: int, products: int, verbosity: int, **options):
        if orders < 0 or products < 0:
            raise CommandError("--orders and --products must not be negative")
        if orders and not products:
            raise CommandError("orders need products: give --products 1 or more")
        password = os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD
        report = demo_seed(
            orders=orders, products=products, password=password, progress=self._progress if verbosity else _quiet
        )

        created = report.created
        if created["order"]:
            # The seeder back-dates its orders (placed, paid, shipped, updated), which the KPI
            # rollups' incremental refresh does not see: rebuild them.
            kpi_rollups_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo done in {report.seconds:.1f}s: {created['user']} users, {created['channel']} channels, "
                f"{created['warehouse']} warehouses, {created['product']} products, "
                f"{created['stock_item']} stock rows, {created['order']} orders created"
            )
        )
        if report.statuses:
            mix = ", ".join(f"{status} {count}" for status, count in sorted(report.statuses.items()))
            self.stdout.write(f"  new orders by status: {mix}")
        if report.orders_skipped:
            self.stdout.write(self.style.WARNING(f"  {report.orders_skipped} planned orders could not be created"))
        self.stdout.write("")
        self.stdout.write("Demo logins (http://127.0.0.1:8000):")
        self.stdout.write(f"  {'username':<12} {'role':<12} password")
        for login in report.logins:
            self.stdout.write(f"  {login.username:<12} {login.role:<12} {login.password}")

    def _progress(self, line: str) -> None:
        self.stdout.write(f"  {line}")


def _quiet(line: str) -> None:
    pass
