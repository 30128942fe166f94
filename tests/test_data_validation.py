"""`rasa data validate`, held to a stricter standard than its own flag allows.

Rasa warns about every response that no story or rule names, although the action server
sends many of them. Here any other warning fails, and an "unused" response fails unless an
action sends it, a form asks with it, or a default fallback action uses it.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
UNUSED_RESPONSE = re.compile(r"The utterance '(\w+)' is not used in any story or rule\.")
FALLBACK_RESPONSES = {"utter_default", "utter_ask_rephrase"}
# Rasa 3.6 prints this notice whenever a domain declares slots, whatever their mappings.
RASA_NOTICES = ("Slot auto-fill has been removed in 3.0",)
# ... and this one when the domain lists a retrieval intent, which it must for rules to name it.
RETRIEVAL_INTENTS_LISTED = "The following duplicated intents have been found across multiple domain files: "
RETRIEVAL_INTENTS = {"ask_fee", "ask_consequence"}


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
        if message.startswith(RETRIEVAL_INTENTS_LISTED) and \
                set(message[len(RETRIEVAL_INTENTS_LISTED):].split(", ")) <= RETRIEVAL_INTENTS:
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
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(REPO / "scripts" / "generate_rules.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
