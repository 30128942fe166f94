"""Whether agents are at their desks: outside service hours a handoff becomes a callback."""
from __future__ import annotations

from datetime import datetime

from bot.domain.product_rules import ProductRules


def within_service_hours(moment: datetime, rules: ProductRules) -> bool:
    """`moment` is in the bank's time zone."""
    return rules.service_start <= moment.time() < rules.service_end
