"""What the assistant must never say, and masking of personal data outside the bank-data tables.

Collection conduct rules forbid threats, coercion, abuse and contacting third parties; the
DOMAIN notes add: no invented "blacklist", no promise that interest stops unless the product
rules say so; and no claim about who bears no liability for a debt (a guarantor or a spouse may). `find_forbidden` is run by the tests over every response the assistant can send.
"""
from __future__ import annotations

import re

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "threat": ("坐牢", "抓你", "抓人", "拘留你", "后果自负", "走着瞧", "让你好看", "上门催收", "上门找你",
               "起诉你", "告你", "法院传票", "律师函", "强制执行"),
    "shaming": ("老赖", "骗子", "无赖", "不要脸", "丢人", "曝光你", "公开你"),
    "third_party": ("通知你家人", "联系你家人", "告诉你家人", "通讯录", "联系你单位", "找你单位", "通知你同事"),
    "invented": ("黑名单", "保证停息", "承诺停息", "一定停息", "可以停息", "全部免除", "一定减免", "保证减免"),
    # legal claims about someone else's liability (wrong for guarantors and some spouses)
    "liability": ("无需承担", "不用承担", "承担任何责任", "没有还款义务", "不需要还"),
}
FORBIDDEN_PHRASES: tuple[str, ...] = tuple(phrase for group in FORBIDDEN.values() for phrase in group)

# Digits as people type them: ASCII or full-width (Chinese input methods), groups split by a space
# or a dash, a phone number with or without +86.
_D = "[0-9０-９]"
_SEP = "[ -]?"
_CARD_NUMBER = re.compile(rf"(?<!{_D})({_D}{{4}}){_SEP}({_D}{{4}}){_SEP}({_D}{{4}}){_SEP}({_D}{{4}})({_D}{{0,3}})(?!{_D})")
_ID_NUMBER = re.compile(rf"(?<![0-9０-９A-Za-z])({_D}{{6}}){_SEP}({_D}{{8}}){_SEP}({_D}{{3}}[0-9０-９XxＸ])(?![0-9０-９A-Za-z])")
_PHONE = re.compile(rf"(?<![0-9０-９])(?:(?:\+|＋)?[8８][6６]{_SEP})?([1１][3-9３-９]{_D}){_SEP}({_D}{{4}}){_SEP}({_D}{{4}})(?!{_D})")


# Saying that a thing does not exist is the truth the DOMAIN notes ask for ("no official blacklist").
_DENIED = re.compile(r"(?:没有|不存在|并无)[^。，；\n]{0,4}黑名单")


def find_forbidden(text: str) -> list[str]:
    """Every forbidden phrase that occurs in `text` (a denial such as 没有官方的“黑名单” is allowed)."""
    text = _DENIED.sub("", text)
    return [phrase for phrase in FORBIDDEN_PHRASES if phrase in text]


def unmasked_numbers(text: str) -> list[str]:
    """Card, ID and phone numbers written in full: none may reach a cardholder or a log."""
    return [m.group(0) for pattern in (_ID_NUMBER, _CARD_NUMBER, _PHONE) for m in pattern.finditer(text)]


def mask_card_number(number: str) -> str:
    """Only the last four digits of a card number ever leave the bank-data tables."""
    digits = re.sub(r"\D", "", number)
    return f"**** **** **** {digits[-4:]}" if len(digits) >= 4 else "****"


def mask_id_number(number: str) -> str:
    """An ID number keeps its last four characters."""
    return "*" * max(len(number) - 4, 0) + number[-4:]


def mask_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) == 11 else "*" * len(digits)


def mask_name(name: str) -> str:
    """张伟 -> 张*, 欧阳娜娜 -> 欧***: enough for an agent to greet, not to identify."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def mask_text(text: str) -> str:
    """Mask card, ID and phone numbers inside free text (transcripts, logs, summaries)."""
    text = _ID_NUMBER.sub(lambda m: "*" * 14 + m.group(3)[-4:], text)
    text = _CARD_NUMBER.sub(lambda m: "**** **** **** " + m.group(4), text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
