from django.core.management.base import BaseCommand

from connectors.services.connections import connections_reseal


class Command(BaseCommand):
    help = (
        "Seal every connection's credentials again under the first key of ORDERFLOW_SECRETS_KEY (key rotation). "
        "Put the new key first and keep the old one after it until this has run."
    )

    def handle(self, *args, **options):
        count = connections_reseal()
        self.stdout.write(self.style.SUCCESS(f"{count} connection(s) resealed under the current key"))
