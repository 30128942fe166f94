"""Words of despair or self-harm: recognized in any message, so care comes before everything else.

The NLU model learns the `distress` intent from data/nlu/distress.yml; this list makes sure the
plainest ways of saying it are never missed or outranked by another intent in the same message
("我活不下去了，还要还多少钱" gets the crisis hotline first, not a balance).
"""
from __future__ import annotations

import re

_SIGNALS = re.compile(
    "|".join((
        r"活不下去", r"不想活", r"不如死", r"想死", r"去死", r"寻死", r"自杀", r"轻生", r"了断",
        r"一了百了", r"一死了之", r"结束(自己的)?生命", r"跳楼", r"跳河", r"跳下去", r"割腕", r"遗书",
        r"没有活路", r"活着没意思", r"活着(太累|是个负担|就是个负担)",
    ))
)


def signals_distress(text: str) -> bool:
    """Whether the message says, in any words of the list, that the person may harm themselves."""
    return bool(_SIGNALS.search(text or ""))
