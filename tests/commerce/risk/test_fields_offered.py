"""The risk page's condition builder offers exactly the fields a rule may read (commerce.risk.facts.FIELDS)."""

import re
from pathlib import Path

from commerce.risk.facts import FIELDS

LOGIC = Path(__file__).resolve().parents[3] / "frontend" / "src" / "risk" / "logic.ts"


def test_the_builder_offers_every_risk_field_and_no_other():
    text = LOGIC.read_text(encoding="utf-8")
    block = text[text.index("export const RISK_FIELDS") : text.index("export const AUDIT_FIELDS")]
    offered = re.findall(r'path: "([a-z_.0-9]+)"', block)

    assert sorted(offered) == sorted(f.path for f in FIELDS)
    assert "ip.orders_10m" in offered  # the window aggregate is a field like any other
