"""Intent F1 and entity accuracy of the trained model on the held-out file, beside a baseline.

Usage:
    python scripts/evaluate_nlu.py [--model models/assistant.tar.gz] [--data tests/nlu_heldout.yml]
    python scripts/evaluate_nlu.py --cross-validation 5   # also k-fold CV on data/nlu (slow)

Intents are scored on the full key: a retrieval intent counts with its sub-intent
(`ask_fee/grace_days`, taken from the response selector), as that decides what the user reads;
base-intent F1 is printed too. Macro F1 averages over the intents of the test set, and a
fallback (`nlu_fallback`) counts as a miss of the true intent.
Entities are scored on what reaches the dialogue (DIET and the normalizer together):
an annotated entity counts as correct when an entity of the same type covers the same text.

Every figure stands beside a nearest-neighbour baseline that gives each example the intent of
the most similar training sentence (character-bigram Dice, scripts/heldout_overlap.py). A model
that barely beats it is mostly recognising paraphrases of its training data.

--cross-validation K trains K models (stratified folds on the full intent, fixed seed) on
data/nlu with config.yml into a temporary directory, parses each held-out fold exactly as the
held-out file is parsed, and runs the baseline on the same folds. models/ is never touched.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import heldout_overlap  # noqa: E402  (PyYAML only; no Rasa import)

FALLBACK_INTENT = "nlu_fallback"
CV_SEED = 42


def record(message: Any) -> dict:
    """What scoring needs of a Rasa message: text, full and base intent, entity spans."""
    return {
        "text": message.get("text"),
        "intent": message.get_full_intent(),  # `ask_fee/grace_days` for a retrieval intent
        "base_intent": message.get("intent"),
        "entities": [(e["entity"], e["start"], e["end"]) for e in message.get("entities", [])],
    }


def load_examples(path: Path) -> list[dict]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [record(m) for m in load_data(str(path)).intent_examples]


async def parse_all(model: Path | str, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def predicted_intent(parsed: dict) -> str:
    """The full predicted intent: for a retrieval intent, the response selector's sub-intent.

    Like Rasa's retrieval action, the selector named after the intent is used, else `default`.
    """
    intent = (parsed.get("intent") or {}).get("name") or ""
    selectors = parsed.get("response_selector") or {}
    if intent in selectors.get("all_retrieval_intents", []) or intent in selectors:
        chosen = selectors.get(intent) or selectors.get("default") or {}
        key = (chosen.get("response") or {}).get("intent_response_key")
        return key or f"{intent}/?"
    return intent


def base(intent: str) -> str:
    return intent.split("/", 1)[0]


def intent_scores(truth: Sequence[str], predicted: Sequence[str], prefix: str = "intent") -> dict:
    """Accuracy, weighted and macro F1; macro over the intents present in `truth`."""
    from sklearn.metrics import f1_score

    labels = sorted(set(truth))
    f1 = {avg: f1_score(truth, predicted, labels=labels, average=avg, zero_division=0)
          for avg in ("weighted", "macro")}
    return {
        f"{prefix}_accuracy": round(sum(t == p for t, p in zip(truth, predicted)) / len(truth), 4),
        f"{prefix}_f1_weighted": round(f1["weighted"], 4),
        f"{prefix}_f1_macro": round(f1["macro"], 4),
    }


def scores(examples: list[dict], parsed: list[dict]) -> dict:
    """The model's figures: full-key and base intents, entities, top confusions."""
    truth = [e["intent"] for e in examples]
    predicted = [predicted_intent(p) for p in parsed]
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
        **intent_scores(truth, predicted),
        **{k: v for k, v in intent_scores([base(t) for t in truth], [base(p) for p in predicted],
                                          "base_intent").items() if "f1" in k},
        "fallback_share": round(sum(p == FALLBACK_INTENT for p in predicted) / len(predicted), 4),
        "entities_annotated": expected_entities,
        "entity_accuracy": round(found / expected_entities, 4) if expected_entities else None,
        "entities_spurious": spurious,
        "top_confusions": [f"{t} -> {p}: {n}" for (t, p), n in errors.most_common(8)],
    }


def nearest_neighbour_predictions(train: Sequence[heldout_overlap.Example], texts: Sequence[str]) -> list[str]:
    """The baseline: each text gets the full intent of its most similar training example."""
    indexed = heldout_overlap.with_bigrams(train)
    return [heldout_overlap.nearest_intent(text, indexed) or "" for text in texts]


def baseline_scores(truth: Sequence[str], predicted: Sequence[str]) -> dict:
    return {
        **intent_scores(truth, predicted),
        **{k: v for k, v in intent_scores([base(t) for t in truth], [base(p) for p in predicted],
                                          "base_intent").items() if "f1" in k},
    }


def side_by_side(model: dict, baseline: dict) -> str:
    """A small table for the console: model and nearest-neighbour figures per metric."""
    keys = ["intent_accuracy", "intent_f1_weighted", "intent_f1_macro",
            "base_intent_f1_weighted", "base_intent_f1_macro"]
    rows = [f"  {'':26}{'model':>8}{'nearest-neighbour':>20}"]
    rows += [f"  {k:26}{model[k]:>8.4f}{baseline[k]:>20.4f}" for k in keys]
    return "\n".join(rows)


def evaluate_heldout(model: Path, data: Path, train_paths: Sequence[Path]) -> dict:
    """Model and nearest-neighbour figures on the held-out file."""
    examples = load_examples(data)
    texts = [e["text"] for e in examples]
    result = scores(examples, asyncio.run(parse_all(model, texts)))
    training = heldout_overlap.load_examples(train_paths)
    result["nearest_neighbour"] = baseline_scores(
        [e["intent"] for e in examples], nearest_neighbour_predictions(training, texts))
    return result


def cross_validate(folds: int, config: Path, train_paths: Sequence[Path], domain: Path | None) -> dict:
    """K-fold stratified CV of the NLU pipeline, and of the baseline on the very same folds.

    Rasa's own `rasa test nlu --cross-validation` draws unseeded folds and undoes fallbacks; this
    keeps folds reproducible, shares them with the baseline and scores as the held-out run does.
    """
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from rasa.model_training import train_nlu
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    importer = TrainingDataImporter.load_from_dict(
        training_data_paths=[str(p) for p in train_paths],
        domain_path=str(domain) if domain and domain.exists() else None)
    data = importer.get_nlu_data()  # with the domain's responses, for retrieval intents
    messages = data.intent_examples
    labels = [m.get_full_intent() for m in messages]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=CV_SEED)

    all_examples: list[dict] = []
    all_parsed: list[dict] = []
    baseline_predicted: list[str] = []
    per_fold: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="nlu-cv-") as tmp:
        for i, (train_index, test_index) in enumerate(splitter.split(np.zeros(len(labels)), labels), 1):
            train = [messages[j] for j in train_index]
            test = [record(messages[j]) for j in test_index]
            fold_file = Path(tmp) / f"fold{i}.yml"
            RasaYAMLWriter().dump(fold_file, TrainingData(
                training_examples=train, entity_synonyms=data.entity_synonyms,
                regex_features=data.regex_features, lookup_tables=data.lookup_tables,
                responses=data.responses))
            print(f"== fold {i}/{folds}: training on {len(train)}, testing on {len(test)}", file=sys.stderr)
            model = train_nlu(str(config), str(fold_file), str(Path(tmp) / f"model{i}"),
                              fixed_model_name=f"fold{i}")
            if model is None:
                raise RuntimeError(f"training fold {i} failed")
            parsed = asyncio.run(parse_all(model, [e["text"] for e in test]))
            nn = nearest_neighbour_predictions(
                [heldout_overlap.Example(m.get("text"), m.get_full_intent()) for m in train],
                [e["text"] for e in test])
            truth = [e["intent"] for e in test]
            per_fold.append({"model": scores(test, parsed)["intent_f1_weighted"],
                             "nearest_neighbour": intent_scores(truth, nn)["intent_f1_weighted"]})
            all_examples += test
            all_parsed += parsed
            baseline_predicted += nn

    def spread(key: str) -> dict:
        values = [f[key] for f in per_fold]
        return {"mean": round(statistics.mean(values), 4),
                "stdev": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
                "folds": values}

    model_scores = scores(all_examples, all_parsed)
    model_scores["intent_f1_weighted_per_fold"] = spread("model")
    baseline = baseline_scores([e["intent"] for e in all_examples], baseline_predicted)
    baseline["intent_f1_weighted_per_fold"] = spread("nearest_neighbour")
    return {"folds": folds, "seed": CV_SEED, "examples": len(all_examples),
            "model": model_scores, "nearest_neighbour": baseline}


def quiet_structlog() -> None:
    """Rasa's structured logs default to DEBUG on stdout (one line per parse) outside its CLI."""
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def write(path: Path, result: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/assistant.tar.gz", type=Path)
    parser.add_argument("--data", default="tests/nlu_heldout.yml", type=Path)
    parser.add_argument("--out", default="results/nlu_heldout.json", type=Path)
    parser.add_argument("--train-data", default=[Path("data/nlu")], type=Path, nargs="+",
                        help="training NLU files or directories (baseline and cross-validation)")
    parser.add_argument("--cross-validation", type=int, metavar="K", default=0,
                        help="also run K-fold cross-validation on the training data (trains K models)")
    parser.add_argument("--config", default="config.yml", type=Path, help="pipeline for cross-validation")
    parser.add_argument("--domain", default="domain.yml", type=Path,
                        help="responses for retrieval intents in cross-validation")
    parser.add_argument("--cv-out", default="results/nlu_cross_validation.json", type=Path)
    parser.add_argument("--skip-heldout", action="store_true", help="cross-validation only")
    args = parser.parse_args()
    quiet_structlog()
    if args.skip_heldout and not args.cross_validation:
        parser.error("--skip-heldout needs --cross-validation")

    if not args.skip_heldout:
        result = evaluate_heldout(args.model, args.data, args.train_data)
        write(args.out, result)
        print(json.dumps(result, ensure_ascii=False, indent=2))
        print(f"held-out ({result['examples']} examples, {args.data}):")
        print(side_by_side(result, result["nearest_neighbour"]))

    if args.cross_validation:
        if args.cross_validation < 2:
            parser.error("--cross-validation needs at least 2 folds")
        # Fold models share nothing with other trainings: a private cache in the temp area.
        cache = tempfile.TemporaryDirectory(prefix="nlu-cv-cache-")
        os.environ["RASA_CACHE_DIRECTORY"] = cache.name
        os.environ.setdefault("LOG_LEVEL", "WARNING")  # no per-epoch progress bars for K trainings
        try:
            cv = cross_validate(args.cross_validation, args.config, args.train_data, args.domain)
        finally:
            cache.cleanup()
        write(args.cv_out, cv)
        print(json.dumps(cv, ensure_ascii=False, indent=2))
        print(f"{cv['folds']}-fold cross-validation ({cv['examples']} examples, {', '.join(map(str, args.train_data))}):")
        print(side_by_side(cv["model"], cv["nearest_neighbour"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
