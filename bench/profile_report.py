"""Where Rasa's time goes during a load, from a py-spy profile in raw (collapsed) form: each stack
is charged to the first part of a turn found walking from the running function outwards.

    .venv/bin/python bench/profile_report.py bench/results/profile/rasa.txt
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

# (part of a turn, a path fragment of the frames that belong to it), most specific first
PARTS = (
    ("tracker store (SQL)", ("tracker_store.py", "sqlalchemy/")),
    ("action server calls (the tracker sent, the answer validated)", ("core/actions/action.py", "aiohttp/",
                                                                      "jsonschema/", "pyrsistent/")),
    ("NLU (tokens, features, DIET, normalizer)", ("rasa/nlu/", "bot/nlu/")),
    ("dialogue policies (rules, memoization)", ("core/policies/",)),
    ("tracker events and states", ("shared/core/trackers.py", "shared/core/events.py", "shared/core/domain.py")),
    ("graph and message handling", ("rasa/engine/", "core/processor.py", "core/agent.py")),
    ("HTTP server", ("sanic/", "rasa/server.py", "core/channels/")),
)


def split(profile: Path) -> Counter:
    """Samples per part of a turn."""
    parts: Counter = Counter()
    for line in profile.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")[::-1]
        part = next((name for frame in frames for name, marks in PARTS if any(m in frame for m in marks)), "other")
        parts[part] += int(count)
    return parts


def main(profile: Path) -> None:
    parts = split(profile)
    total = sum(parts.values()) or 1  # py-spy samples busy threads only (no --idle)
    print(f"{total} busy samples")
    for name, count in parts.most_common():
        print(f"  {name}: {count / total:.0%}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
