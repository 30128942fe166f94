"""How Rasa's replies become the bubbles a cardholder reads."""
from __future__ import annotations

from api.services.gateway import bubbles
from api.services.rasa_client import responses_of

ITEM = {"list_item": True}


def test_a_custom_payload_sent_on_its_own_rejoins_the_text_of_its_response():
    # Rasa's REST channel: the text, then the same response's custom payload as a message of its own
    sent = [{"recipient_id": "c", "text": "表头"}, {"recipient_id": "c", "text": "· 3期"}, {"recipient_id": "c", "custom": ITEM},
            {"recipient_id": "c", "custom": {"handoff": {"reference": "H1"}}}]
    assert responses_of(sent) == [{"recipient_id": "c", "text": "表头"},
                                  {"recipient_id": "c", "text": "· 3期", "custom": ITEM},
                                  {"recipient_id": "c", "custom": {"handoff": {"reference": "H1"}}}]


def test_list_lines_join_the_bubble_before_them_and_nothing_else_is_joined():
    replies = [{"text": "您剩余未还本金1,000.00元，可选的账单分期方案如下："},
               {"text": "· 3期", "custom": ITEM}, {"text": "· 6期", "custom": ITEM},
               {"text": "请回复想要的期数", "buttons": [{"title": "3期", "payload": "/inform"}]},
               {"custom": {"handoff": {"reference": "H1"}}}, {"text": "谢谢", "custom": "not a dict"}]
    assert bubbles(replies) == [
        ("您剩余未还本金1,000.00元，可选的账单分期方案如下：\n· 3期\n· 6期", []),
        ("请回复想要的期数", [{"title": "3期", "payload": "/inform"}]),
        ("谢谢", []),
    ]


def test_a_list_line_with_nothing_before_it_is_still_shown():
    assert bubbles([{"text": "· 投诉（C1）：处理中", "custom": ITEM}]) == [("· 投诉（C1）：处理中", [])]
