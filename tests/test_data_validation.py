"""`rasa data validate`, held to a stricter standard than its own flag allows.

Rasa warns about every response that no story or rule names, although the action server
sends many of them. Here any other warning fails, and an "unused" response fails unless an
action sends it, a form asks with it, or a default fallback action uses it.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
UNUSED_RESPONSE = re.compile(r"The utterance '(\w+)' is not used in any story or rule\.")
FALLBACK_RESPONSES = {"utter_default", "utter_ask_rephrase"}
# Rasa 3.6 prints this notice whenever a domain declares slots, whatever their mappings.
RASA_NOTICES = ("Slot auto-fill has been removed in 3.0",)
# ... and these when the domain lists a retrieval intent (rules name it) and its answer action
# (listed so that the domain's fingerprint, and with it the training cache, holds; domain.yml).
RETRIEVAL_INTENTS = {"ask_fee", "ask_consequence"}
RETRIEVAL_LISTED = {
    "The following duplicated intents have been found across multiple domain files: ": RETRIEVAL_INTENTS,
    "The following duplicated actions have been found across multiple domain files: ":
        {f"utter_{i}" for i in RETRIEVAL_INTENTS},
}


def lists_only_retrieval_names(message: str) -> bool:
    """Whether the message is Rasa's notice that the retrieval intents or answers stand twice
    (one line for each kind, in one warning)."""
    return all(any(line.startswith(head) and set(line[len(head):].split(", ")) <= names
                   for head, names in RETRIEVAL_LISTED.items())
               for line in (part.strip() for part in message.split("\n")))


def responses_sent_by_code() -> set[str]:
    """Response names the action server sends (named in actions/ or chosen by a domain rule)."""
    files = [*(REPO / "actions").glob("*.py"), *(REPO / "bot" / "domain").glob("*.py")]
    code = "\n".join(p.read_text(encoding="utf-8") for p in files)
    return set(re.findall(r'"(utter_\w+)"', code))


def form_questions() -> set[str]:
    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    return {f"utter_ask_{slot}" for form in domain["forms"].values() for slot in form["required_slots"]}


@pytest.fixture(scope="module")
def validation() -> tuple[bool, list[str]]:
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        str(REPO / "config.yml"), str(REPO / "domain.yml"), [str(REPO / "data")]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validator = Validator.from_importer(importer)
        ok = all([
            validator.verify_domain_validity(),
            validator.verify_actions_in_stories_rules(),
            validator.verify_forms_in_stories_rules(),
            validator.verify_form_slots(),
            validator.verify_slot_mappings(),
            validator.verify_nlu(True),
            validator.verify_story_structure(True),
        ])
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    return ok, messages


def test_project_validates_without_errors(validation):
    ok, _ = validation
    assert ok


def test_no_warning_but_responses_sent_by_the_action_server(validation):
    _, messages = validation
    # the retrieval actions utter_ask_fee ... stand unused: our actions send the chosen answer with figures
    allowed = responses_sent_by_code() | form_questions() | FALLBACK_RESPONSES | {f"utter_{i}" for i in RETRIEVAL_INTENTS}
    unexpected = []
    for message in messages:
        unused = UNUSED_RESPONSE.search(message)
        if unused and unused.group(1) in allowed or message.startswith(RASA_NOTICES):
            continue
        if lists_only_retrieval_names(message):
            continue
        unexpected.append(message)
    assert unexpected == []


def test_every_response_is_used_somewhere(domain):
    data = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "data").rglob("*.yml"))
    used = responses_sent_by_code() | form_questions() | FALLBACK_RESPONSES
    # an answer to a sub-question is sent when the response selector picks its retrieval intent
    chosen = {name for name in domain["responses"] if "/" in name and f"intent: {name[len('utter_'):]}\n" in data}
    dead = [name for name in domain["responses"] if name not in used | chosen and name not in data]
    assert dead == []


def test_every_sub_question_has_its_answer(domain):
    data = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "data" / "nlu").glob("*.yml"))
    asked = set(re.findall(r"intent: (\w+/\w+)", data))
    assert asked and {f"utter_{name}" for name in asked} <= set(domain["responses"])


def test_generated_interruption_rules_are_up_to_date():
    """data/rules/interruptions.yml is written from the tables in scripts/generate_rules.py."""
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "generate_rules.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_domain_trained_on_is_the_same_in_every_process():
    """`rasa train` reuses its cache only when the domain's fingerprint holds; Rasa itself adds the
    retrieval answers in the order of a set, which changes with the process's hash seed."""
    script = ("from rasa.shared.importers.importer import TrainingDataImporter as T; "
              "print(T.load_from_config('config.yml', 'domain.yml', ['data']).get_domain().fingerprint())")
    prints = set()
    for seed in ("1", "4"):  # two seeds that ordered the two retrieval answers differently
        done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr[-2000:]
        prints.add(done.stdout.split()[-1])
    assert len(prints) == 1
