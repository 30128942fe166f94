"""A trainer, in a real browser, finds a message the bot misread, corrects it, retrains, sees the
evaluation improve and puts the new model live on the running Rasa server, then rolls back.

The workbench works on a small copy of the project (few examples, few epochs: training takes about
a minute); the serving model is the one `make train` built, which reads "我是不会还钱的" as a
question about consequences. The model switch is undone at the end, whatever happens, so the
tests that follow talk to the model they expect.
"""
from __future__ import annotations

import json
import urllib.request

import pytest

from bot.training import nlu_files
from tests.browser.conftest import SHOTS, open_console
from tests.servers import MODEL, TOKEN

MISREAD = "我是不会还钱的"
HELDOUT_FIXED = "我不会还的"  # in the held-out file under refuse_to_pay; the serving model gets it wrong
TRAINING_TIMEOUT = 600_000
SENDER = "web-trainer-review"


def rasa_status(assistant) -> str:
    with urllib.request.urlopen(f"{assistant.rasa_url}/status?token={TOKEN}", timeout=30) as response:
        return json.loads(response.read())["model_file"]


def last_intent(assistant, sender: str) -> str:
    """The intent the model ranked first for the sender's last message (a test-sized model may be
    too unsure to pass the fallback threshold; which intent it prefers is what the change is about)."""
    events = assistant.tracker(sender)["events"]
    ranking = [e for e in events if e["event"] == "user"][-1]["parse_data"]["intent_ranking"]
    return next(r["name"] for r in ranking if r["name"] != "nlu_fallback")


@pytest.fixture
def serving_restored(assistant):
    """Whatever the test does to the serving model, the session's model serves afterwards."""
    yield
    if rasa_status(assistant) != MODEL.name:
        request = urllib.request.Request(f"{assistant.rasa_url}/model?token={TOKEN}", method="PUT",
                                         data=json.dumps({"model_file": str(MODEL)}).encode(),
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=300)


def test_a_trainer_fixes_a_misread_message_retrains_and_puts_the_model_live(
        browser, web, assistant, training_workspace, serving_restored):
    from playwright.sync_api import expect

    assistant.say(SENDER, MISREAD)
    assert last_intent(assistant, SENDER) == "ask_consequence", "the serving model reads it right now: pick another"
    trainer = open_console(browser, web, "trainer1", "/trainer")
    trainer.on("dialog", lambda dialog: dialog.accept())

    # review: the conversation, the message and what the model read
    trainer.locator(f'[data-conversation-id="{SENDER}"]').click()
    turn = trainer.locator(".turn.user", has_text=MISREAD)
    expect(turn).to_have_attribute("data-intent", "ask_consequence")
    turn.locator(".correct-intent").click()
    expect(trainer.locator("#example-text")).to_have_value(MISREAD)
    trainer.select_option("#example-intent", "refuse_to_pay")
    trainer.click("#example-preview")
    expect(trainer.locator("#example-diff")).to_contain_text(f"+    - {MISREAD}")
    trainer.click("#example-apply")
    expect(trainer.locator("#example-result")).to_contain_text("refuse.yml")
    written = [e for e in nlu_files.examples(training_workspace.nlu_dir) if e.text == MISREAD]
    assert [(e.intent, e.path.name) for e in written] == [("refuse_to_pay", "refuse.yml")]
    trainer.screenshot(path=str(SHOTS / "trainer-correction.png"), full_page=True)

    # the data checks before training (Rasa's own validator included): no error
    trainer.click("[data-tab=checks]")
    trainer.click("#run-checks")
    expect(trainer.locator("#checks-summary")).to_be_visible(timeout=TRAINING_TIMEOUT)
    expect(trainer.locator("#checks-list")).to_contain_text("rasa data validate 通过", timeout=TRAINING_TIMEOUT)

    # retrain in the background, with progress
    trainer.click("[data-tab=models]")
    trainer.click("#start-training")
    progress = trainer.locator("#training-progress")
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=TRAINING_TIMEOUT)
    model = trainer.locator("tr[data-model^='wb-']").first
    name = model.get_attribute("data-model")

    # evaluation beside the serving model: the held-out message now read right
    model.locator(".evaluate").click()
    evaluation = trainer.locator("#evaluation")
    expect(evaluation).to_have_attribute("data-status", "succeeded", timeout=TRAINING_TIMEOUT)
    expect(trainer.locator("#evaluation-improved li", has_text=HELDOUT_FIXED)).to_be_visible()
    trainer.screenshot(path=str(SHOTS / "trainer-evaluation.png"), full_page=True)

    # live without a restart: the same words now reach refuse_to_pay
    trainer.click("[data-tab=models]")
    trainer.locator(f'tr[data-model="{name}"] .activate').click()
    expect(trainer.locator("#serving-model")).to_contain_text(name, timeout=TRAINING_TIMEOUT)
    assert rasa_status(assistant) == name
    assistant.say(SENDER + "-after", MISREAD)
    assert last_intent(assistant, SENDER + "-after") == "refuse_to_pay"

    # one click back to the model that served before
    trainer.click("#rollback")
    expect(trainer.locator("#serving-model")).to_contain_text(MODEL.name, timeout=TRAINING_TIMEOUT)
    assert rasa_status(assistant) == MODEL.name
    trainer.context.close()
