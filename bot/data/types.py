"""Column types: money is stored as whole fen so every database keeps it exact."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

from bot.domain.money import to_money


class Money(TypeDecorator):
    """A Decimal amount of yuan, stored as an integer number of fen."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        return int(to_money(value) * 100)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return to_money(Decimal(int(value)) / 100)


class Rate(TypeDecorator):
    """A Decimal rate such as 0.134500, stored as whole millionths so every database keeps it exact."""

    impl = BigInteger
    cache_ok = True
    _SCALE = Decimal(1_000_000)

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * self._SCALE).to_integral_value())

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / self._SCALE).quantize(Decimal("0.000001"))
