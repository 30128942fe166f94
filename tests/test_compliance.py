"""Every response the assistant can send is scanned for threats, shaming and invented rules."""
import ast
import os
import re
import time
from pathlib import Path

import pytest

from bot.domain.compliance import (
    find_forbidden,
    mask_card_number,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
)
from bot.domain.product_rules import ProductRulesError, load_rules
from tests.domain_files import response_texts

REPO = Path(__file__).resolve().parent.parent


def all_response_texts() -> list[tuple[str, str]]:
    return response_texts()


@pytest.mark.parametrize("name, text", all_response_texts())
def test_no_response_threatens_shames_or_invents(name, text):
    assert find_forbidden(text) == [], f"{name}: {text}"


CJK = re.compile(r"[\u4e00-\u9fff]")
_JS_STRING = re.compile(r"([\"'`])((?:(?!\1)[^\\\n]|\\.)*)\1")
_HTML_TEXT = re.compile(r">([^<]+)<")


def notice_and_page_texts() -> list[tuple[str, str]]:
    """Every Chinese string the gateway, the services and the pages can show: notices, banners, labels."""
    texts = []
    for path in [*(REPO / "bot" / "services").glob("*.py"), *(REPO / "api").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
                texts.append((path.name, node.value))
    for path in [*(REPO / "api" / "static").rglob("*.js"), *(REPO / "api" / "static").rglob("*.html")]:
        source = path.read_text(encoding="utf-8")
        found = [m.group(2) for m in _JS_STRING.finditer(source)] + _HTML_TEXT.findall(source)
        texts += [(path.name, text) for text in found if CJK.search(text)]
    return texts


@pytest.mark.parametrize("where, text", notice_and_page_texts())
def test_no_notice_banner_or_label_threatens_shames_or_claims(where, text):
    assert find_forbidden(text) == [], f"{where}: {text}"


def test_the_scan_reads_the_notices_and_the_pages():
    wheres = {where for where, _ in notice_and_page_texts()}
    assert {"conversations.py", "widget.js", "conversation.js", "assist.js", "index.html", "agent.html"} <= wheres


CRIMINAL = re.compile(r"刑法|恶意透支|犯罪|公诉|刑事")


def test_criminal_facts_appear_only_in_the_answer_to_a_crime_question():
    criminal = {name for name, text in all_response_texts() if CRIMINAL.search(text)}
    assert criminal == {"utter_ask_consequence/crime", "utter_consequence_legal_relief"}


def test_scan_catches_what_it_must():
    assert find_forbidden("并没有官方的“黑名单”，征信如实记录") == []
    assert find_forbidden("逾期会进黑名单") == ["黑名单"]
    assert find_forbidden("再不还就让你坐牢，通知你家人") == ["坐牢", "通知你家人"]
    assert find_forbidden("你这个老赖，后果自负") == ["后果自负", "老赖"]
    assert find_forbidden("办理后保证停息") == ["保证停息"]
    assert find_forbidden("您的征信会如实记录") == []


def test_every_response_is_chinese_and_not_empty():
    for name, text in all_response_texts():
        assert text.strip(), name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), name


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("我的卡号6222021234566217", "我的卡号**** **** **** 6217"),
        ("卡号 6222 0212 3456 6217 被盗刷", "卡号 **** **** **** 6217 被盗刷"),
        ("身份证11010519851203121X", "身份证**************121X"),
        ("身份证310104199208200315号", "身份证**************0315号"),
        ("电话13800006217", "电话138****6217"),
        ("尾号6217，身份证后六位03121X", "尾号6217，身份证后六位03121X"),
        ("我要还3000元", "我要还3000元"),
        ("电话138 0000 6217", "电话138****6217"),
        ("电话138-0000-6217", "电话138****6217"),
        ("电话+8613800006217", "电话138****6217"),
        ("电话１３８００００６２１７", "电话１３８****６２１７"),
        ("身份证 110105 19851203 121X", "身份证 **************121X"),
        ("卡号６２２２０２１２３４５６６２１７", "卡号**** **** **** ６２１７"),
        ("我要还３０００元，下周５号", "我要还３０００元，下周５号"),
    ],
)
def test_personal_data_is_masked_in_free_text(raw, masked):
    assert mask_text(raw) == masked


def test_masking_helpers():
    assert mask_card_number("6222021234566217") == "**** **** **** 6217"
    assert mask_id_number("11010519851203121X") == "**************121X"
    assert mask_phone("13800006217") == "138****6217"
    assert mask_name("张伟") == "张*" and mask_name("欧阳娜娜") == "欧***"


def test_product_rules_file_is_complete(rules):
    assert rules.grace_period_days == 3
    assert rules.standard_terms == [3, 6, 12, 24, 36]
    assert rules.personalized_max_months == 60


def test_a_broken_rules_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "rules.yml"
    bad.write_text("grace_period_days: 3\n", encoding="utf-8")
    with pytest.raises(ProductRulesError, match="incomplete"):
        load_rules(bad)
    over_cap = (REPO / "bot" / "product_rules.yml").read_text(encoding="utf-8").replace(
        "personalized_max_months: 60", "personalized_max_months: 72")
    capped = tmp_path / "cap.yml"
    capped.write_text(over_cap, encoding="utf-8")
    with pytest.raises(ProductRulesError, match="60 months"):
        load_rules(capped)


def test_a_bank_edit_to_the_rules_takes_effect_without_a_restart(tmp_path):
    path = tmp_path / "rules.yml"
    original = (REPO / "bot" / "product_rules.yml").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    assert load_rules(path).grace_period_days == 3
    path.write_text(original.replace("grace_period_days: 3", "grace_period_days: 5"), encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))  # a later modification time, however fast
    assert load_rules(path).grace_period_days == 5
