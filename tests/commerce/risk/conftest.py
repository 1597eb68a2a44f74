import importlib

import pytest

from commerce.risk.models import RiskRule


def _seed_defaults():
    """The default rules as their data migration writes them (a transactional test's flush removes them)."""
    for key, name_zh, name_en, condition in importlib.import_module(
        "commerce.risk.migrations.0002_default_rules"
    ).RULES:
        RiskRule.objects.get_or_create(
            key=key, defaults={"name_zh": name_zh, "name_en": name_en, "condition": condition}
        )


@pytest.fixture
def default_rules(db):
    _seed_defaults()
