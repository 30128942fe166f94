"""The bank's product rules, read from one YAML file so they change without code."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.domain.verification_lock import LockPolicy
from bot.domain.yaml_files import read_when_changed
from bot.settings import get_settings


class ProductRulesError(ValueError):
    """The rules file is missing a value or holds one that makes no sense."""


@dataclass(frozen=True)
class ProductRules:
    grace_period_days: int
    daily_interest_rate: Decimal
    late_fee_rate: Decimal
    credit_report_retention_years: int
    card_suspension_after_days: int
    payment_posting_business_days: int
    payment_lookup_days: int
    promise_max_days_ahead: int
    installment_fee_rates: dict[int, Decimal]
    personalized_min_months: int
    personalized_max_months: int
    interest_stops_on_personalized_plan: bool
    service_start: time
    service_end: time
    verification_lock: LockPolicy
    verification_client_lock: LockPolicy
    regulator_hotline: str
    credit_objection_reply_days: int
    crisis_hotline: str
    emergency_numbers: str
    repayment_to_personal_accounts: bool

    @property
    def standard_terms(self) -> list[int]:
        return sorted(self.installment_fee_rates)

    @property
    def verification_max_attempts(self) -> int:
        return self.verification_lock.max_failures

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> "ProductRules":
        try:
            installment, verification = raw["installment"], raw["verification"]
            rates = {int(term): Decimal(str(rate)) for term, rate in installment["monthly_fee_rates"].items()}
            rules = cls(
                grace_period_days=int(raw["grace_period_days"]),
                daily_interest_rate=Decimal(str(raw["daily_interest_rate"])),
                late_fee_rate=Decimal(str(raw["late_fee_rate"])),
                credit_report_retention_years=int(raw["credit_report_retention_years"]),
                card_suspension_after_days=int(raw["card_suspension_after_days"]),
                payment_posting_business_days=int(raw["payment_posting_business_days"]),
                payment_lookup_days=int(raw["payment_lookup_days"]),
                promise_max_days_ahead=int(raw["promise_max_days_ahead"]),
                installment_fee_rates=rates,
                personalized_min_months=int(installment["personalized_min_months"]),
                personalized_max_months=int(installment["personalized_max_months"]),
                interest_stops_on_personalized_plan=bool(raw["interest_stops_on_personalized_plan"]),
                service_start=time.fromisoformat(raw["service_hours"]["start"]),
                service_end=time.fromisoformat(raw["service_hours"]["end"]),
                verification_lock=_lock_policy(verification, int(verification["max_attempts"])),
                verification_client_lock=_lock_policy(verification, int(verification["max_attempts_per_client"])),
                regulator_hotline=str(raw["regulator_hotline"]),
                credit_objection_reply_days=int(raw["credit_objection_reply_days"]),
                crisis_hotline=str(raw["crisis_hotline"]),
                emergency_numbers=str(raw["emergency_numbers"]),
                repayment_to_personal_accounts=bool(raw["repayment_to_personal_accounts"]),
            )
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ProductRulesError(f"product rules are incomplete or malformed: {exc!r}") from exc
        if not rates or any(rate < 0 for rate in rates.values()):
            raise ProductRulesError("installment.monthly_fee_rates needs at least one non-negative rate")
        if rules.personalized_max_months > 60:
            raise ProductRulesError("personalized installments are capped at 60 months by regulation")
        return rules


def _lock_policy(raw: dict[str, Any], max_failures: int) -> LockPolicy:
    return LockPolicy(
        max_failures=max_failures,
        first_lock=timedelta(minutes=int(raw["first_lock_minutes"])),
        max_lock=timedelta(hours=int(raw["max_lock_hours"])),
        window=timedelta(hours=int(raw["window_hours"])),
    )


def load_rules(path: str | Path | None = None) -> ProductRules:
    """Read the rules from `path`, or from the file the settings name (PRODUCT_RULES_PATH).

    Read again when the file changes, so a bank's edit takes effect without a restart.
    """
    path = str(path or get_settings().product_rules_path)
    return read_when_changed(path, ProductRules.from_mapping)
