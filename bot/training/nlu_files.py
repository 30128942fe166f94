"""Reading and changing the NLU files line by line, so a trainer's change is a small, reviewable diff.

A YAML library would rewrite the whole file (comments lost, quoting changed, keys reordered);
the files here have one fixed shape (`- intent: name`, `  examples: |`, `    - example`), so
an example is found, added or removed as one line and every other line stays as it was.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from bot.services.errors import ExplainedError

INTENT_LINE = re.compile(r"^- intent:\s*(?P<name>\S+)\s*$")
EXAMPLE_LINE = re.compile(r"^(?P<indent>\s+)- (?P<text>.*\S)\s*$")
BLOCK_START = re.compile(r"^- ")
# [text](entity), [text](entity:value) or [text]{"entity": ..., "value": ...}
ENTITY_MARKUP = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]*\}))")
EXAMPLE_INDENT = "    "


class TrainingDataError(ExplainedError):
    """A change the data cannot take as asked; the message says why, in Chinese."""

    code = "invalid_training_data"


@dataclass(frozen=True)
class Entity:
    """An entity in an example: characters start..end of the plain text, with its value if it differs."""

    start: int
    end: int
    entity: str
    value: str | None = None


@dataclass(frozen=True)
class Example:
    """One example line of an NLU file."""

    intent: str
    annotated: str  # as written, with entity markup
    path: Path
    line: int  # 0-based

    @property
    def text(self) -> str:
        return plain_text(self.annotated)

    @property
    def entities(self) -> list[Entity]:
        return entities_of(self.annotated)


@dataclass(frozen=True)
class Change:
    """A file's text before and after a change: shown as a diff, written only when applied."""

    path: Path
    before: str
    after: str
    root: Path

    @property
    def name(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @property
    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                            fromfile=f"a/{self.name}", tofile=f"b/{self.name}"))

    def apply(self) -> None:
        """Write the change, unless the file changed since it was read (then nothing is written)."""
        if self.path.read_text(encoding="utf-8") != self.before:
            raise TrainingDataError(f"{self.name} 在预览之后被修改过，请重新预览")
        self.path.write_text(self.after, encoding="utf-8")


def plain_text(annotated: str) -> str:
    """The example as a user would type it, without entity markup."""
    return ENTITY_MARKUP.sub(lambda m: m.group("text"), annotated)


def entities_of(annotated: str) -> list[Entity]:
    """The entities an example annotates, with offsets in its plain text."""
    found, shift = [], 0
    for match in ENTITY_MARKUP.finditer(annotated):
        start = match.start() - shift
        entity, value = _markup_entity(match)
        found.append(Entity(start, start + len(match.group("text")), entity, value))
        shift += len(match.group(0)) - len(match.group("text"))
    return found


def annotate(text: str, entities: Sequence[Entity]) -> str:
    """`text` with `entities` written in the files' markup: [text](entity) or [text]{"entity":..,"value":..}."""
    if "[" in text or "]" in text:
        raise TrainingDataError("样例中不能包含方括号 [ ]")
    if "\n" in text or "\r" in text:
        raise TrainingDataError("样例只能有一行")
    out, last = [], 0
    for entity in sorted(entities, key=lambda e: e.start):
        if not (last <= entity.start < entity.end <= len(text)):
            raise TrainingDataError(f"实体 {entity.entity} 的位置 {entity.start}-{entity.end} 与样例不符或相互重叠")
        piece = text[entity.start:entity.end]
        if entity.value is None or entity.value == piece:
            markup = f"[{piece}]({entity.entity})"
        else:
            markup = f"[{piece}]" + json.dumps({"entity": entity.entity, "value": entity.value}, ensure_ascii=False)
        out += [text[last:entity.start], markup]
        last = entity.end
    out.append(text[last:])
    return "".join(out)


def nlu_files(nlu_dir: Path) -> list[Path]:
    return sorted(nlu_dir.glob("*.yml"))


def examples(nlu_dir: Path) -> list[Example]:
    """Every example of every NLU file, in file and line order."""
    return [example for path in nlu_files(nlu_dir) for example in _examples_of(path)]


def intents(nlu_dir: Path) -> dict[str, int]:
    """Each intent (retrieval intents with their sub-intent) and how many examples it has."""
    counts: dict[str, int] = {}
    for path in nlu_files(nlu_dir):
        for intent, _ in _blocks(path.read_text(encoding="utf-8").splitlines(keepends=True)):
            counts.setdefault(intent, 0)
    for example in examples(nlu_dir):
        counts[example.intent] = counts.get(example.intent, 0) + 1
    return counts


def plan_example(root: Path, nlu_dir: Path, text: str, intent: str, entities: Sequence[Entity] = ()) -> list[Change]:
    """The changes that make `text` an example of `intent`: added to that intent's block, and
    removed from any other intent that holds the same text (a correction moves it)."""
    line = annotate(text.strip(), entities)
    plain = plain_text(line)
    if not plain:
        raise TrainingDataError("样例不能为空")
    holders = [e for e in examples(nlu_dir) if e.text == plain]
    if any(e.intent == intent and e.annotated == line for e in holders):
        raise TrainingDataError(f"“{plain}”已经是 {intent} 的样例")
    target = _block_of(nlu_dir, intent)
    if target is None:
        raise TrainingDataError(f"训练数据中没有意图 {intent}；新意图请先在 domain.yml 和数据文件中建立")
    edits: dict[Path, list[str]] = {}
    for holder in holders:  # drop the old line wherever it was (same intent with other markup too)
        lines = edits.setdefault(holder.path, _lines(holder.path))
        lines[holder.line] = None  # type: ignore[call-overload]
    path, insert_at = target
    lines = edits.setdefault(path, _lines(path))
    lines.insert(insert_at, f"{EXAMPLE_INDENT}- {line}\n")
    return [Change(p, p.read_text(encoding="utf-8"), "".join(l for l in ls if l is not None), root)
            for p, ls in edits.items()]


def apply_all(changes: Iterable[Change]) -> None:
    """Write every change or none: all files are checked before the first is written."""
    changes = list(changes)
    stale = [c.name for c in changes if c.path.read_text(encoding="utf-8") != c.before]
    if stale:
        raise TrainingDataError(f"{'、'.join(stale)} 在预览之后被修改过，请重新预览")
    for change in changes:
        change.apply()


# --- reading the line structure ------------------------------------------------------------------

def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _blocks(lines: list[str]) -> Iterator[tuple[str, range]]:
    """Each `- intent:` block as (intent, the range of its lines)."""
    start, name = None, None
    for index, line in enumerate(lines + ["- end"]):
        if BLOCK_START.match(line) or index == len(lines):
            if name is not None and start is not None:
                yield name, range(start, index)
            match = INTENT_LINE.match(line)
            start, name = (index, match.group("name")) if match else (None, None)


def _examples_of(path: Path) -> Iterator[Example]:
    lines = _lines(path)
    for intent, span in _blocks(lines):
        in_examples = False
        for index in span:
            line = lines[index]
            if line.strip().startswith("examples:"):
                in_examples = True
                continue
            match = EXAMPLE_LINE.match(line)
            if in_examples and match and len(match.group("indent")) >= len(EXAMPLE_INDENT):
                yield Example(intent, match.group("text"), path, index)
            elif line.strip() and not line.startswith(EXAMPLE_INDENT) and not line.lstrip().startswith("#"):
                in_examples = False


def _block_of(nlu_dir: Path, intent: str) -> tuple[Path, int] | None:
    """The file holding `intent` and the line after its last example (where a new one goes)."""
    for path in nlu_files(nlu_dir):
        lines = _lines(path)
        for name, span in _blocks(lines):
            if name == intent:
                last = max((e.line for e in _examples_of(path) if e.intent == intent and e.line in span), default=None)
                if last is None:
                    continue
                return path, last + 1
    return None


def _markup_entity(match: re.Match[str]) -> tuple[str, str | None]:
    if match.group("short"):
        entity, _, value = match.group("short").partition(":")
        return entity.strip(), value.strip() or None
    try:
        data = json.loads(match.group("json"))
    except ValueError:
        return "", None
    value = data.get("value")
    return str(data.get("entity", "")), None if value is None else str(value)
