"""Deployment checks of Orderflow's own settings (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_secrets_key(app_configs, **kwargs):
    """Production seals stored secrets under a key of its own, not one derived from SECRET_KEY."""
    found = []
    if not getattr(settings, "ORDERFLOW_SECRETS_KEY", ""):
        found.append(
            Warning(
                "ORDERFLOW_SECRETS_KEY is not set: stored secrets (connection credentials, flow webhook and "
                "signing secrets) are sealed under a key derived from SECRET_KEY, so rotating SECRET_KEY would "
                "make them unreadable.",
                hint="Set ORDERFLOW_SECRETS_KEY to a Fernet key (python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'), followed by the key derived from the current "
                "SECRET_KEY (python -c 'from core.crypto import derived_key; print(derived_key().decode())' "
                "under these settings) until `manage.py reseal_credentials` has run.",
                id="orderflow.W001",
            )
        )
    if settings.BUILT_IN_DEVELOPMENT_KEY in getattr(settings, "SECRET_KEY_FALLBACKS", ()) and not settings.DEVELOPMENT:
        found.append(
            Warning(
                "SECRET_KEY_FALLBACKS lists the built-in development key, which anyone can read.",
                hint="Run `manage.py reseal_credentials`, then remove it from SECRET_KEY_FALLBACKS.",
                id="orderflow.W002",
            )
        )
    return found
