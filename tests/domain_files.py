"""The domain as Rasa assembles it: domain.yml plus the answers kept in data/responses/."""
from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def full_domain() -> dict:
    """domain.yml with every response of data/responses/*.yml merged in, as training merges them."""
    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    for path in sorted((REPO / "data" / "responses").glob("*.yml")):
        domain["responses"].update(yaml.safe_load(path.read_text(encoding="utf-8"))["responses"])
    return domain


def response_texts() -> list[tuple[str, str]]:
    """(response name, text) of every variation, buttons' titles included."""
    texts = []
    for name, variants in full_domain()["responses"].items():
        for variant in variants:
            texts.append((name, variant.get("text", "")))
            texts += [(name, button["title"]) for button in variant.get("buttons", [])]
    return texts
