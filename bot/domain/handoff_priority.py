"""How urgently a waiting conversation needs a person: complaints and hardship first."""
from __future__ import annotations

from decimal import Decimal

REASON_WEIGHT: dict[str, int] = {
    "distress": 150,
    "complaint": 100,
    "hardship": 80,
    "verification_failed": 60,
    "personalized_installment": 60,
    "dispute": 50,
    "fee_waiver": 40,
    "requested": 40,
    "fallback": 30,
    "assistant_unavailable": 35,
}
SENTIMENT_WEIGHT: dict[str, int] = {"distressed": 50, "negative": 20, "neutral": 0}


def handoff_priority(reason: str, sentiment: str, total_due: Decimal | None) -> int:
    """A larger number is served first; waiting time breaks ties in the queue itself."""
    amount_weight = min(int((total_due or Decimal(0)) // 10000) * 5, 30)
    return REASON_WEIGHT.get(reason, 30) + SENTIMENT_WEIGHT.get(sentiment, 0) + amount_weight
