"""Sorting a complaint into its category and spotting a request to stop contacting others."""
from __future__ import annotations

import re

_THIRD_PARTY = re.compile(r"家人|家里人|父母|爸妈|爸爸|妈妈|老婆|老公|爱人|孩子|亲戚|朋友|同事|领导|单位|公司|通讯录|紧急联系人")
_HARASSMENT = re.compile(r"骚扰|频繁|一直打|天天打|每天打|半夜|凌晨|轰炸|威胁|恐吓|吓唬|短信轰炸|打爆")
_ATTITUDE = re.compile(r"态度|骂|凶|吼|不礼貌|没礼貌|侮辱|难听|嘲讽")
# "你们公司", "贵行领导": the bank's own people, not the cardholder's third parties.
_THE_BANKS_OWN = re.compile(r"(你们|贵)(公司|单位|领导|同事|银行|行)")
_STOP_CONTACT = re.compile(r"(别|不要|不准|禁止|停止|不许)(再)?(打|联系|找|骚扰|通知|告诉)")


def complaint_category(text: str) -> str:
    """third_party_contact, harassment, attitude or other; third parties weigh most."""
    text = _THE_BANKS_OWN.sub("", text)
    if _THIRD_PARTY.search(text):
        return "third_party_contact"
    if _HARASSMENT.search(text):
        return "harassment"
    if _ATTITUDE.search(text):
        return "attitude"
    return "other"


def asks_no_third_party_contact(text: str) -> bool:
    """A complaint about contacting family or colleagues is itself a request to stop."""
    theirs = _THE_BANKS_OWN.sub("", text)
    return complaint_category(text) == "third_party_contact" or (
        bool(_STOP_CONTACT.search(theirs)) and bool(_THIRD_PARTY.search(theirs))
    )
