from django.core.management.base import BaseCommand

from orderflow.schedules.services import ensure_schedules


class Command(BaseCommand):
    help = "Create or correct the django-q2 schedules (idempotent; keeps each schedule's next run)."

    def handle(self, *args, **options):
        for name, outcome in ensure_schedules().items():
            self.stdout.write(f"{name}: {outcome}")
