import time

from django.core.management.base import BaseCommand

from insights.kpis.rollups import kpi_rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild the KPI facts and rollups from the orders and notifications, from scratch (one transaction)."

    def handle(self, *args, **options):
        started = time.monotonic()
        shown: dict[str, int] = {}

        def progress(kind: str, done: int, total: int) -> None:
            percent = 100 * done // total if total else 100
            if shown.get(kind) != percent:
                shown[kind] = percent
                self.stdout.write(f"\r{kind}s: {done:,}/{total:,} ({percent}%)", ending="")
                self.stdout.flush()

        result = kpi_rollups_rebuild(progress=progress)
        if shown:
            self.stdout.write("")
        self.stdout.write(f"rebuilt {result.changed:,} facts in {time.monotonic() - started:.1f}s")
