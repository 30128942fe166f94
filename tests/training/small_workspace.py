"""A small copy of the project for tests that train: every intent with its first examples, all
stories and rules, few epochs, and a short held-out file. Training it takes about a minute.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.training import nlu_files
from bot.training.workspace import REPO_ROOT, Workspace

EXAMPLES_PER_INTENT = 15
HELDOUT_PER_INTENT = 4
HELDOUT_INTENTS = ("refuse_to_pay", "greet", "ask_balance", "request_human", "promise_to_pay")
EPOCHS = {"DIETClassifier": 20, "ResponseSelector": 5}


def build(root: Path, per_intent: int = EXAMPLES_PER_INTENT) -> Workspace:
    ws = Workspace(root)
    root.mkdir(parents=True, exist_ok=True)
    for name in ("domain.yml", "endpoints.yml"):
        shutil.copy(REPO_ROOT / name, root / name)
    shutil.copytree(REPO_ROOT / "data", ws.data_dir)
    _trim_examples(ws.nlu_dir, per_intent)
    _fast_config(REPO_ROOT / "config.yml", ws.config)
    _short_heldout(REPO_ROOT / "tests" / "nlu_heldout.yml", ws.heldout)
    return ws


def _trim_examples(nlu_dir: Path, per_intent: int) -> None:
    for path in nlu_files.nlu_files(nlu_dir):
        kept: dict[str, int] = {}
        drop = set()
        for example in nlu_files.examples(nlu_dir):
            if example.path == path:
                kept[example.intent] = kept.get(example.intent, 0) + 1
                if kept[example.intent] > per_intent:
                    drop.add(example.line)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for n, line in enumerate(lines) if n not in drop), encoding="utf-8")


def _fast_config(source: Path, target: Path) -> None:
    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    for part in config["pipeline"] + config["policies"]:
        if part["name"] in EPOCHS:
            part["epochs"] = EPOCHS[part["name"]]
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _short_heldout(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    blocks = yaml.safe_load(source.read_text(encoding="utf-8"))["nlu"]
    lines = ['version: "3.1"', "nlu:"]
    for block in blocks:
        if block["intent"] in HELDOUT_INTENTS:
            examples = [line for line in block["examples"].splitlines() if line.strip()][:HELDOUT_PER_INTENT]
            lines += [f"- intent: {block['intent']}", "  examples: |", *(f"    {line.strip()}" for line in examples)]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
