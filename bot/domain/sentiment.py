"""A small lexicon of how upset a cardholder sounds, for handoff priority and the agent's summary."""
from __future__ import annotations

NEGATIVE_WORDS: tuple[str, ...] = (
    "烦", "骚扰", "投诉", "生气", "气死", "受不了", "崩溃", "绝望", "滚", "垃圾", "恶心", "威胁",
    "害怕", "焦虑", "走投无路", "活不下去", "想死", "太过分", "凭什么", "欺负", "吓",
)
DISTRESS_WORDS: tuple[str, ...] = ("活不下去", "想死", "走投无路", "绝望", "崩溃")


def sentiment_of(texts: list[str]) -> str:
    """'distressed', 'negative' or 'neutral' from what the cardholder wrote."""
    joined = " ".join(texts)
    if any(word in joined for word in DISTRESS_WORDS):
        return "distressed"
    if any(word in joined for word in NEGATIVE_WORDS):
        return "negative"
    return "neutral"
