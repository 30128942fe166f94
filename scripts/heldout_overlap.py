"""Held-out NLU examples must not be near-copies of training examples of the same intent.

A held-out sentence that differs from a training sentence by a word or a particle measures
memorisation, not generalisation, and inflates the held-out F1. For every held-out example this
computes the highest similarity to any training example of the same intent (full intent name,
retrieval sub-intent included: `ask_fee/grace_days`), where similarity is the Dice coefficient
of character-bigram sets, after stripping entity annotations, lowercasing and dropping
whitespace. An example whose best score reaches the threshold is a near-copy. (If one file
names a retrieval intent without its sub-intent, the base intent is compared, so a renaming
cannot hide a copy.)

    python scripts/heldout_overlap.py [--heldout tests/nlu_heldout.yml] [--train data/nlu]
                                      [--threshold 0.7] [--max-share 0.05] [--show 15]

Exits 1 when the share of near-copies exceeds --max-share. Reads the YAML with PyYAML only (no
Rasa import), so it runs in a fraction of a second and can gate the test run early.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_HELDOUT = REPO / "tests" / "nlu_heldout.yml"
DEFAULT_TRAIN = REPO / "data" / "nlu"
NEAR_COPY_THRESHOLD = 0.7
MAX_SHARE = 0.05

# `[text](entity)`, `[text](entity:value)`, `[text]{"entity": ...}` -> `text` (Rasa's own syntax).
ENTITY_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Example:
    """One NLU example: its plain text (annotations stripped) and full intent name."""

    text: str
    intent: str


@dataclass(frozen=True)
class Match:
    """A held-out example and the most similar training example of the same intent."""

    heldout: Example
    training: Example | None
    score: float


_Indexed = tuple[Example, frozenset[str]]  # an example and its bigram set


def strip_annotations(text: str) -> str:
    """The text a user would type: entity markup removed, so markup cannot lower a score."""
    return ENTITY_ANNOTATION.sub(r"\1", text)


def normalise(text: str) -> str:
    """Plain, lowercased text without whitespace: `你好 我` and `你好我` are the same sentence."""
    return WHITESPACE.sub("", strip_annotations(text).lower())


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the normalised text; a one-character text is its own unit."""
    s = normalise(text)
    if len(s) < 2:
        return frozenset([s]) if s else frozenset()
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two bigram sets: 2|A∩B| / (|A|+|B|), 1.0 for two empty sets."""
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(x: str, y: str) -> float:
    """Character-bigram Dice similarity of two raw example texts (annotations allowed)."""
    return dice(bigrams(x), bigrams(y))


def _example_texts(examples: object) -> list[str]:
    """Rasa accepts examples as a `- ` block string or as a list of {text: ...} mappings."""
    if isinstance(examples, str):
        lines = (line.strip() for line in examples.splitlines())
        return [line[2:].strip() if line.startswith("- ") else line[1:].strip()
                for line in lines if line.startswith("-")]
    if isinstance(examples, list):
        return [str(item["text"]).strip() if isinstance(item, dict) else str(item).strip()
                for item in examples]
    return []


def load_examples(paths: Iterable[Path]) -> list[Example]:
    """Intent examples of NLU YAML files or directories (synonyms, regexes and lookups skipped)."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        files.extend(sorted([*path.glob("*.yml"), *path.glob("*.yaml")]) if path.is_dir() else [path])
    examples: list[Example] = []
    for file in files:
        content = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu") or []:
            if isinstance(block, dict) and "intent" in block:
                intent = str(block["intent"])
                examples.extend(Example(strip_annotations(t), intent)
                                for t in _example_texts(block.get("examples")) if t)
    return examples


def _same_intent(intent: str, by_intent: dict[str, list[_Indexed]]) -> list[_Indexed]:
    """Training examples to compare with: those of the same full intent name.

    When the two files disagree on retrieval intents (held-out `ask_fee`, training
    `ask_fee/grace_days`, or the reverse), the base intent is compared instead, so that a
    renaming in one file cannot hide a copy. Two different sub-intents are never compared.
    """
    if intent in by_intent:
        return by_intent[intent]
    if "/" in intent:
        return by_intent.get(intent.split("/", 1)[0], [])
    return [pair for name, pairs in by_intent.items() if name.startswith(intent + "/") for pair in pairs]


def best_matches(heldout: Sequence[Example], training: Sequence[Example]) -> list[Match]:
    """For each held-out example, the most similar training example of the same intent."""
    by_intent: dict[str, list[_Indexed]] = {}
    for example in training:
        by_intent.setdefault(example.intent, []).append((example, bigrams(example.text)))
    matches = []
    for example in heldout:
        grams = bigrams(example.text)
        best: tuple[float, Example | None] = (0.0, None)
        for candidate, candidate_grams in _same_intent(example.intent, by_intent):
            score = dice(grams, candidate_grams)
            if best[1] is None or score > best[0]:
                best = (score, candidate)
        matches.append(Match(example, best[1], best[0]))
    return matches


def is_near_copy(match: Match, threshold: float = NEAR_COPY_THRESHOLD) -> bool:
    """A near-copy resembles a same-intent training example at least `threshold`."""
    return match.training is not None and match.score >= threshold


def near_copies(heldout: Sequence[Example], training: Sequence[Example],
                threshold: float = NEAR_COPY_THRESHOLD) -> list[Match]:
    """The held-out examples that are near-copies, worst (most similar) first."""
    found = [m for m in best_matches(heldout, training) if is_near_copy(m, threshold)]
    return sorted(found, key=lambda m: -m.score)


def nearest_intent(text: str, training: Sequence[_Indexed]) -> str | None:
    """Nearest-neighbour baseline: the intent of the most similar training example (first on ties).

    `training` holds (example, bigrams(example.text)) pairs, precomputed once by the caller.
    """
    grams = bigrams(text)
    best_score, best_intent = -1.0, None
    for example, example_grams in training:
        score = dice(grams, example_grams)
        if score > best_score:
            best_score, best_intent = score, example.intent
    return best_intent


def with_bigrams(training: Iterable[Example]) -> list[_Indexed]:
    """Training examples paired with their bigram sets, for repeated nearest-neighbour lookups."""
    return [(example, bigrams(example.text)) for example in training]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT)
    parser.add_argument("--train", type=Path, nargs="+", default=[DEFAULT_TRAIN])
    parser.add_argument("--threshold", type=float, default=NEAR_COPY_THRESHOLD,
                        help="similarity at which an example is a near-copy (default 0.7)")
    parser.add_argument("--max-share", type=float, default=MAX_SHARE,
                        help="largest tolerated share of near-copies (default 0.05)")
    parser.add_argument("--show", type=int, default=15, help="how many of the worst to list")
    args = parser.parse_args(argv)

    heldout = load_examples([args.heldout])
    training = load_examples(args.train)
    if not heldout:
        print(f"no held-out examples in {args.heldout}", file=sys.stderr)
        return 1
    matches = best_matches(heldout, training)
    copies = sorted((m for m in matches if is_near_copy(m, args.threshold)), key=lambda m: -m.score)
    share = len(copies) / len(heldout)
    print(f"near-copies (same-intent char-bigram Dice >= {args.threshold}): "
          f"{len(copies)} of {len(heldout)} held-out examples ({share:.1%}); "
          f"allowed at most {args.max_share:.1%}")
    unmatched = Counter(m.heldout.intent for m in matches if m.training is None)
    if unmatched:
        print(f"warning: {sum(unmatched.values())} held-out examples have an intent with no training "
              f"examples (not compared): " + ", ".join(f"{i} ({n})" for i, n in sorted(unmatched.items())))
    for m in copies[:args.show]:
        assert m.training is not None
        print(f"  {m.score:.2f}  [{m.heldout.intent}]  {m.heldout.text}  ~  {m.training.text}")
    if share > args.max_share:
        print("FAIL: rewrite or replace the listed held-out examples", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
