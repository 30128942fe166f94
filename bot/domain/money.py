"""Money is Decimal, rounded to the fen half-up, never float."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def to_money(value: Decimal | int | str | float) -> Decimal:
    """Round any amount to the fen; floats go through str() so 0.1 stays 0.1."""
    if isinstance(value, float):
        value = str(value)
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def format_yuan(amount: Decimal) -> str:
    """Show an amount the way a statement does: 12,680.00."""
    return f"{to_money(amount):,.2f}"


def format_percent(rate: Decimal, places: int = 2) -> str:
    """Show a rate such as 0.1345 as 13.45%."""
    quantum = Decimal(1).scaleb(-places)
    return f"{(rate * 100).quantize(quantum, rounding=ROUND_HALF_UP)}%"
