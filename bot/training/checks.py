"""What is wrong with the training data before a model is trained on it.

Rasa's own validator runs as a subprocess (it needs the whole of Rasa); the rest is read from
the NLU files directly: one text under two intents, near-duplicates across intents (the same
jieba words), intents with too few examples, and entities the data never annotates.
"""
from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Iterable

import yaml

from bot.nlu.normalizer import ENTITY_NAMES as NORMALIZER_ENTITIES  # ChineseEntityNormalizer fills these from the text
from bot.training.nlu_files import Example, examples
from bot.training.workspace import Workspace, rasa_bin

MIN_EXAMPLES = 10  # Rasa's validator and DIET both do poorly below this per intent
NEAR_DUPLICATE = 0.8  # Jaccard similarity of the two examples' jieba word sets
VALIDATE_TIMEOUT_S = 300
LEVELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    """One problem: how serious, what kind, where, and what to do about it (in Chinese)."""

    level: str  # error | warning | info
    kind: str  # conflict | near_duplicate | too_few | entity_never_annotated | rasa_validate
    message: str
    intents: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {**asdict(self), "level_label": LEVELS[self.level], "intents": list(self.intents),
                "texts": list(self.texts)}


def run_checks(ws: Workspace, *, with_rasa: bool = True) -> list[Finding]:
    """Every check on the workspace's data, errors first."""
    found = examples(ws.nlu_dir)
    findings = [*conflicts(found), *near_duplicates(found, ws.data_dir / "jieba"), *too_few(found),
                *entities_never_annotated(found, _domain_entities(ws.domain))]
    if with_rasa:
        findings.extend(rasa_validate(ws))
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.level])


def conflicts(found: Iterable[Example]) -> list[Finding]:
    """The same text under two intents: the model cannot learn both, and one of them is wrong."""
    by_text: dict[str, set[str]] = defaultdict(set)
    for example in found:
        by_text[example.text].add(example.intent)
    return [Finding("error", "conflict", f"“{text}”同时是 {'、'.join(sorted(names))} 的样例，请只保留正确的一个",
                    tuple(sorted(names)), (text,))
            for text, names in by_text.items() if len(names) > 1]


def near_duplicates(found: Iterable[Example], jieba_dir: Path | None = None,
                    threshold: float = NEAR_DUPLICATE) -> list[Finding]:
    """Examples of different intents made of (nearly) the same words: one of them likely misfiled."""
    tokenize = _tokenizer(str(jieba_dir) if jieba_dir and jieba_dir.is_dir() else "")
    words = [(e, frozenset(w for w in tokenize(e.text) if w.strip())) for e in found]
    by_word: dict[str, list[int]] = defaultdict(list)
    for index, (_, bag) in enumerate(words):
        for word in bag:
            by_word[word].append(index)
    pairs: set[tuple[int, int]] = set()
    for indices in by_word.values():
        if len(indices) <= 200:  # a word in hundreds of examples says nothing about any pair
            pairs.update(combinations(indices, 2))
    findings = []
    for i, j in sorted(pairs):
        (first, a), (second, b) = words[i], words[j]
        if first.intent == second.intent or first.text == second.text or not a or not b:
            continue
        similarity = len(a & b) / len(a | b)
        if similarity >= threshold:
            findings.append(Finding(
                "warning", "near_duplicate",
                f"“{first.text}”（{first.intent}）与“{second.text}”（{second.intent}）用词几乎相同（{similarity:.0%}）",
                (first.intent, second.intent), (first.text, second.text)))
    return findings


def too_few(found: Iterable[Example], minimum: int = MIN_EXAMPLES) -> list[Finding]:
    counts: dict[str, int] = defaultdict(int)
    for example in found:
        counts[example.intent] += 1
    return [Finding("warning", "too_few", f"意图 {intent} 只有 {count} 个样例，至少需要 {minimum} 个", (intent,))
            for intent, count in sorted(counts.items()) if count < minimum]


def entities_never_annotated(found: Iterable[Example], domain_entities: Iterable[str]) -> list[Finding]:
    """Entities of the domain that no example annotates: the model can never learn to extract them."""
    annotated = {entity.entity for example in found for entity in example.entities}
    findings = []
    for entity in sorted(set(domain_entities) - annotated):
        if entity in NORMALIZER_ENTITIES:
            findings.append(Finding("info", "entity_never_annotated",
                                    f"实体 {entity} 没有标注样例，由规则归一化组件从文本中识别"))
        else:
            findings.append(Finding("warning", "entity_never_annotated",
                                    f"实体 {entity} 在训练数据中从未标注，模型无法学会识别它"))
    return findings


def rasa_validate(ws: Workspace) -> list[Finding]:
    """`rasa data validate` on the workspace: its errors, and a note that it passed."""
    missing = [p.name for p in (ws.domain, ws.config) if not p.is_file()] + ([] if ws.data_dir.is_dir() else ["data"])
    if missing:
        return [Finding("error", "rasa_validate", f"工作区缺少 {'、'.join(missing)}，无法校验")]
    command = [rasa_bin(), "data", "validate", "--data", str(ws.data_dir), "--domain", str(ws.domain),
               "--config", str(ws.config)]
    try:
        done = subprocess.run(command, cwd=ws.root, capture_output=True, text=True, timeout=VALIDATE_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as error:
        return [Finding("error", "rasa_validate", f"rasa data validate 无法运行：{error.__class__.__name__}")]
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "UserWarning" in line or "ERROR" in line]
    if done.returncode != 0:
        detail = "；".join(line.strip()[-200:] for line in lines[-5:]) or f"退出码 {done.returncode}"
        return [Finding("error", "rasa_validate", f"rasa data validate 未通过：{detail}")]
    return [Finding("info", "rasa_validate", f"rasa data validate 通过（{len(lines)} 条警告）")]


def _domain_entities(domain: Path) -> list[str]:
    if not domain.is_file():
        return []
    data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
    return [e if isinstance(e, str) else next(iter(e)) for e in data.get("entities") or []]


@lru_cache(maxsize=4)
def _tokenizer(dictionary_dir: str):
    """A jieba tokenizer of its own with the project's dictionary (the global one stays untouched)."""
    import jieba

    tokenizer = jieba.Tokenizer()
    for path in sorted(Path(dictionary_dir).glob("*.txt")) if dictionary_dir else []:
        tokenizer.load_userdict(str(path))
    return lambda text: tokenizer.lcut(text)
