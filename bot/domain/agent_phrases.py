"""The bank's approved agent phrases (bot/agent_phrases.yml), read so they change without code."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from bot.domain.agent_wording import RULES
from bot.domain.yaml_files import read_when_changed
from bot.settings import get_settings

ANY = "any"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class AgentPhrasesError(ValueError):
    """The phrases file lacks a section or a rule, or a phrase is malformed."""


@dataclass(frozen=True)
class Phrase:
    id: str
    intents: tuple[str, ...]
    text: str

    @property
    def placeholders(self) -> list[str]:
        return _PLACEHOLDER.findall(self.text)

    def fits(self, intent: str | None) -> bool:
        return intent in self.intents


@dataclass(frozen=True)
class AgentPhrases:
    reasons: dict[str, str]  # guard rule -> why the reply is stopped
    rewordings: dict[str, str]  # guard rule -> the approved sentence instead
    suggestions: tuple[Phrase, ...]
    disclosures: dict[str, str]
    summary: dict[str, str]  # how a record reads in the running summary
    wrap_up: dict[str, str]  # the lines of the drafted contact-log note

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> "AgentPhrases":
        try:
            guard = raw["guard"]
            missing = [rule for rule in RULES if rule not in guard]
            if missing:
                raise AgentPhrasesError(f"guard has no entry for {', '.join(missing)}")
            phrases = tuple(Phrase(str(p["id"]), tuple(str(i) for i in p["intents"]), str(p["text"]))
                            for p in raw["suggestions"])
            disclosures, summary, wrap_up = (
                {str(k): str(v) for k, v in raw[section].items()} for section in ("disclosures", "summary", "wrap_up"))
        except (KeyError, TypeError, AttributeError) as exc:
            raise AgentPhrasesError(f"agent phrases are malformed: {exc!r}") from exc
        ids = [p.id for p in phrases]
        if len(ids) != len(set(ids)):
            raise AgentPhrasesError("two suggestions share an id")
        return cls(
            reasons={rule: str(guard[rule]["reason"]) for rule in RULES},
            rewordings={rule: str(guard[rule].get("rewording") or "") for rule in RULES},
            suggestions=phrases,
            disclosures=disclosures,
            summary=summary,
            wrap_up=wrap_up,
        )


def fill(text: str, figures: Mapping[str, str]) -> str | None:
    """`text` with its placeholders filled, or None when a figure is unknown."""
    names = _PLACEHOLDER.findall(text)
    if any(figures.get(name) in (None, "") for name in names):
        return None
    return _PLACEHOLDER.sub(lambda m: str(figures[m.group(1)]), text)


def load_phrases(path: str | Path | None = None) -> AgentPhrases:
    """Read again when the file changes, like the product rules."""
    path = str(path or get_settings().agent_phrases_path)
    return read_when_changed(path, AgentPhrases.from_mapping)
