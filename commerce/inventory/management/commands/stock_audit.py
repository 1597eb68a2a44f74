from django.core.management.base import BaseCommand, CommandError

from commerce.inventory.models import StockItem
from commerce.inventory.selectors import stock_ledger_differences


class Command(BaseCommand):
    help = (
        "Recompute every stock row from the StockMovement ledger and its active reservations; "
        "print each difference and exit 1 if there is one."
    )

    def handle(self, *args, **options):
        checked = StockItem.objects.count()
        differences = stock_ledger_differences()
        for d in differences:
            self.stdout.write(
                f"stock #{d.stock_item_id} {d.sku}@{d.warehouse}: {d.field} is {d.stored}, "
                f"expected {d.expected} (difference {d.stored - d.expected:+d})"
            )
        if differences:
            raise CommandError(f"{len(differences)} difference(s) in {checked} stock row(s)", returncode=1)
        self.stdout.write(f"{checked} stock row(s) match the ledger and their reservations")
