"""Intent F1 and entity accuracy of the trained model on the held-out file.

Usage: python scripts/evaluate_nlu.py [--model models/assistant.tar.gz] [--data tests/nlu_heldout.yml]
Entities are scored on what reaches the dialogue (DIET and the normalizer together):
an annotated entity counts as correct when an entity of the same type covers the same text.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def load_examples(path: Path) -> list[dict]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        {"text": m.get("text"), "intent": m.get("intent"),
         "entities": [(e["entity"], e["start"], e["end"]) for e in m.get("entities", [])]}
        for m in data.intent_examples
    ]


async def parse_all(model: Path, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def scores(examples: list[dict], parsed: list[dict]) -> dict:
    from sklearn.metrics import f1_score

    truth = [e["intent"] for e in examples]
    predicted = [p["intent"]["name"] for p in parsed]
    expected_entities = sum(len(e["entities"]) for e in examples)
    found = sum(
        1
        for e, p in zip(examples, parsed)
        for entity in e["entities"]
        if entity in {(x["entity"], x["start"], x["end"]) for x in p.get("entities", [])}
    )
    spurious = sum(
        1
        for e, p in zip(examples, parsed)
        for x in p.get("entities", [])
        if (x["entity"], x["start"], x["end"]) not in set(e["entities"])
    )
    errors = Counter((t, p) for t, p in zip(truth, predicted) if t != p)
    return {
        "examples": len(examples),
        "intent_accuracy": round(sum(t == p for t, p in zip(truth, predicted)) / len(truth), 4),
        "intent_f1_weighted": round(f1_score(truth, predicted, average="weighted", zero_division=0), 4),
        "intent_f1_macro": round(f1_score(truth, predicted, average="macro", zero_division=0), 4),
        "entities_annotated": expected_entities,
        "entity_accuracy": round(found / expected_entities, 4) if expected_entities else None,
        "entities_spurious": spurious,
        "top_confusions": [f"{t} -> {p}: {n}" for (t, p), n in errors.most_common(8)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/assistant.tar.gz", type=Path)
    parser.add_argument("--data", default="tests/nlu_heldout.yml", type=Path)
    parser.add_argument("--out", default="results/nlu_heldout.json", type=Path)
    args = parser.parse_args()
    examples = load_examples(args.data)
    parsed = asyncio.run(parse_all(args.model, [e["text"] for e in examples]))
    result = scores(examples, parsed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
