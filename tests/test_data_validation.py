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
    allowed = responses_sent_by_code() | form_questions() | FALLBACK_RESPONSES
    unexpected = []
    for message in messages:
        unused = UNUSED_RESPONSE.search(message)
        if unused and unused.group(1) in allowed or message.startswith(RASA_NOTICES):
            continue
        unexpected.append(message)
    assert unexpected == []


def test_every_response_is_used_somewhere(domain):
    stories = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "data").glob("*.yml"))
    used = responses_sent_by_code() | form_questions() | FALLBACK_RESPONSES
    dead = [name for name in domain["responses"] if name not in used and name not in stories]
    assert dead == []


def test_generated_interruption_rules_are_up_to_date():
    """data/rules/interruptions.yml is written from the tables in scripts/generate_rules.py."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(REPO / "scripts" / "generate_rules.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
