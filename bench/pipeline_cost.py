"""Cost per turn of a trained model, in-process (no servers): NLU parse and policy prediction.

    .venv/bin/python bench/pipeline_cost.py --model models/assistant.tar.gz
    .venv/bin/python bench/pipeline_cost.py --model M --repeats 5 --out /tmp/cost.json

NLU: every held-out text (tests/nlu_heldout.yml) goes through `await agent.parse_message(text)`,
the call the REST channel makes; one untimed pass warms up, then --repeats timed passes.
Policies: the trackers `rasa test core` builds from the test stories (tests/test_stories.yml and
tests/conversations/*.yml, copied into a temporary folder as scripts/test.sh does); at every bot
action of every story `agent.processor._predict_next_with_tracker(tracker)` runs the policy
ensemble (the graph's core target), then the story's own action is appended (teacher forcing),
so each variant is timed on the same dialogue states. One untimed pass, then --repeats timed.

Prints one JSON object: median, p95 and mean ms per parse and per prediction, how many
predictions a user turn takes in the stories, how many of the predictions match the story, the
load time and the machine's load average before and after.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent


def summary_ms(seconds: list[float]) -> dict:
    import numpy as np

    ms = np.array(seconds) * 1000.0
    return {"n": int(ms.size), "p50": round(float(np.percentile(ms, 50)), 2),
            "p95": round(float(np.percentile(ms, 95)), 2), "mean": round(float(ms.mean()), 2),
            "max": round(float(ms.max()), 2)}


def heldout_texts(path: Path) -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [m.get("text") for m in load_data(str(path)).intent_examples]


async def time_parses(agent, texts: list[str], repeats: int) -> list[float]:
    for text in texts:  # warm-up: TensorFlow traces its graphs on the first calls
        await agent.parse_message(text)
    samples = []
    for _ in range(repeats):
        for text in texts:
            start = time.perf_counter()
            await agent.parse_message(text)
            samples.append(time.perf_counter() - start)
    return samples


def story_trackers(agent, stories: list[Path]):
    """The completed trackers of the test stories, built as `rasa test core` builds them."""
    from rasa.core.test import _create_data_generator

    folder = Path(tempfile.mkdtemp(prefix="pipeline-stories-"))
    try:
        for story_file in stories:
            shutil.copy(story_file, folder / story_file.name)
        return _create_data_generator(str(folder), agent).generate_story_trackers()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def replay(agent, trackers, timed: bool) -> tuple[list[float], int, int, list[int], Counter]:
    """Predict at every bot action of every story; the story's action is appended afterwards."""
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = agent.processor
    samples, matches, total, per_turn, winners = [], 0, 0, [], Counter()
    for tracker in trackers:
        events = list(tracker.events)
        partial = DialogueStateTracker.from_events(
            tracker.sender_id, events[:1], agent.domain.slots, sender_source=tracker.sender_source)
        for event in events[1:]:
            if isinstance(event, ActionExecuted):
                start = time.perf_counter()
                prediction = processor._predict_next_with_tracker(partial)
                elapsed = time.perf_counter() - start
                if timed:
                    samples.append(elapsed)
                expected = event.action_name or event.action_text
                predicted = agent.domain.action_names_or_texts[prediction.max_confidence_index]
                matches += predicted == expected
                winners[(prediction.policy_name or "none").split("_")[-1]] += 1
                total += 1
                if per_turn:
                    per_turn[-1] += 1
            elif isinstance(event, UserUttered):
                per_turn.append(0)
            partial.update(event)
    return samples, matches, total, per_turn, winners


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def measure(model: Path, heldout: Path, stories: list[Path], repeats: int) -> dict:
    from rasa.core.agent import Agent

    result: dict = {"model": str(model), "repeats": repeats, "cpus": os.cpu_count(),
                    "load_average_before": load_average()}
    start = time.perf_counter()
    agent = Agent.load(str(model))
    result["load_seconds"] = round(time.perf_counter() - start, 2)
    nodes = agent.processor.model_metadata.predict_schema.nodes.values()
    result["policies"] = sorted(
        {n.uses.__name__ for n in nodes if n.uses.__name__.endswith("Policy")})

    texts = heldout_texts(heldout)
    result["nlu_parse_ms"] = summary_ms(await time_parses(agent, texts, repeats))
    result["nlu_parse_ms"]["texts"] = len(texts)

    trackers = story_trackers(agent, stories)
    replay(agent, trackers, timed=False)  # warm-up
    samples, matches, total, per_turn, winners = [], 0, 0, [], Counter()
    for _ in range(repeats):
        s, matches, total, per_turn, winners = replay(agent, trackers, timed=True)
        samples += s
    result["policy_prediction_ms"] = summary_ms(samples)
    result["policy_prediction_ms"].update({
        "stories": len(trackers), "predictions_per_pass": total,
        "predictions_matching_story": matches,
        "predictions_won_by": dict(winners.most_common()),
        "predictions_per_user_turn": round(statistics.mean(per_turn), 2) if per_turn else None})
    result["load_average_after"] = load_average()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=ROOT / "models/assistant.tar.gz", type=Path)
    parser.add_argument("--heldout", default=ROOT / "tests/nlu_heldout.yml", type=Path)
    parser.add_argument("--stories", nargs="+", type=Path,
                        default=[ROOT / "tests/test_stories.yml",
                                 *sorted((ROOT / "tests/conversations").glob("*.yml"))])
    parser.add_argument("--repeats", type=int, default=3, help="timed passes after the warm-up")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()

    import structlog  # Rasa's structured logs default to DEBUG outside its CLI: one line a parse

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger().setLevel(logging.WARNING)

    result = asyncio.run(measure(args.model, args.heldout, args.stories, args.repeats))
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
