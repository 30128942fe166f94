"""Search over what the assistant may say, so an agent looks a rule up instead of guessing.

The documents are the assistant's own responses (domain.yml and data/responses/, every figure
filled from the product rules) and the bank's approved agent phrases; a response that needs an
account's figures is left out. Words come from jieba with the assistant's user dictionary, and
documents are ranked by BM25.
"""
from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import jieba
import yaml

from bot.domain.agent_phrases import AgentPhrases, fill

_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
K1, B = 1.5, 0.75


@dataclass(frozen=True)
class Entry:
    id: str  # the response or phrase it comes from
    text: str
    asked: str = ""  # how cardholders ask for it (its intent's training examples): searched, not shown


def words(text: str) -> list[str]:
    return [w for w in jieba.lcut_for_search(text) if _WORD.search(w)]


class KnowledgeIndex:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        self._terms = [Counter(words(f"{e.text}\n{e.asked}")) for e in self.entries]
        self._lengths = [sum(t.values()) for t in self._terms]
        self._average = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0
        frequency = Counter(word for terms in self._terms for word in terms)
        n = len(self.entries)
        self._idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}

    def search(self, query: str, limit: int = 5) -> list[Entry]:
        wanted = set(words(query))
        scored = []
        for entry, terms, length in zip(self.entries, self._terms, self._lengths):
            score = sum(self._idf[w] * terms[w] * (K1 + 1) / (terms[w] + K1 * (1 - B + B * length / self._average))
                        for w in wanted if w in terms)
            if score > 0:
                scored.append((score, entry))
        scored.sort(key=lambda pair: -pair[0])
        return [entry for _, entry in scored[:limit]]


def entries_from(responses: Mapping[str, list[dict]], phrases: AgentPhrases, figures: Mapping[str, str],
                 examples: Mapping[str, list[str]] | None = None) -> list[Entry]:
    """Every response and phrase whose figures the rules alone can fill, each text once; a response
    named after an intent (utter_ask_consequence/crime) is also found by how that intent is asked."""
    candidates = [(name, variant.get("text") or "") for name, variants in responses.items() for variant in variants[:1]]
    candidates += [(f"phrase:{p.id}", p.text) for p in phrases.suggestions]
    candidates += [(f"disclosure:{k}", v) for k, v in phrases.disclosures.items()]
    seen: set[str] = set()
    out = []
    for name, text in candidates:
        filled = fill(text, figures) if text else None
        if filled and filled not in seen:
            seen.add(filled)
            asked = " ".join((examples or {}).get(name.removeprefix("utter_"), []))
            out.append(Entry(name, filled, asked))
    return out


def read_examples(nlu_dir: Path) -> dict[str, list[str]]:
    """Training examples by intent, markup removed ([3000](amount) -> 3000)."""
    found: dict[str, list[str]] = {}
    for path in sorted(nlu_dir.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" in block and isinstance(block.get("examples"), str):
                lines = [re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", lambda m: m.group(1) or m.group(2) or "",
                                line.lstrip("- ").strip()) for line in block["examples"].splitlines()]
                found.setdefault(block["intent"], []).extend(line for line in lines if line)
    return found


def read_responses(domain_file: Path, responses_dir: Path) -> dict[str, list[dict]]:
    """The assistant's responses as Rasa assembles them: domain.yml plus data/responses/*.yml."""
    responses = dict(yaml.safe_load(domain_file.read_text(encoding="utf-8")).get("responses") or {})
    for path in sorted(responses_dir.glob("*.yml")):
        responses.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {})
    return responses


class IndexCache:
    """The index of the current files: rebuilt when a response, a phrase or a rule changes."""

    def __init__(self, domain_file: Path, responses_dir: Path, nlu_dir: Path, userdict: Path | None = None) -> None:
        self._domain_file, self._responses_dir, self._nlu_dir = domain_file, responses_dir, nlu_dir
        self._userdict = userdict
        self._key: tuple | None = None
        self._index: KnowledgeIndex | None = None
        self._lock = threading.Lock()  # the start-up warm-up and a first search may come at once

    def get(self, phrases: AgentPhrases, figures: Mapping[str, str]) -> KnowledgeIndex:
        files = [self._domain_file, *sorted(self._responses_dir.glob("*.yml")), *sorted(self._nlu_dir.glob("*.yml"))]
        key = (tuple(p.stat().st_mtime_ns for p in files), id(phrases), tuple(sorted(figures.items())))
        with self._lock:
            return self._current(key, phrases, figures)

    def _current(self, key: tuple, phrases: AgentPhrases, figures: Mapping[str, str]) -> KnowledgeIndex:
        if self._index is None or key != self._key:
            if self._userdict is not None and self._userdict.exists() and self._index is None:
                jieba.load_userdict(str(self._userdict))
            responses = read_responses(self._domain_file, self._responses_dir)
            entries = entries_from(responses, phrases, figures, read_examples(self._nlu_dir))
            self._index, self._key = KnowledgeIndex(entries), key
        return self._index
