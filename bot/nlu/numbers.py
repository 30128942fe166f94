"""Numbers as cardholders type them: 三千五, 一万二, 1.5万, 3k, 3,450.50, 六二一七.

Strict parsers: each takes the whole of a short span of text and returns a value, or None
when the span is not exactly that kind of number. Finding spans in a sentence is the job
of bot.nlu.normalizer; these functions only convert.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

FEN = Decimal("0.01")
# Anything above this is a card, phone or ID number typed by mistake, not a bill amount.
MAX_AMOUNT = Decimal("10000000")
# Installment terms are counted in months; a 10-year plan is already far beyond any product.
MAX_TERM_MONTHS = 120

# Full-width digits and letters map one to one onto ASCII, so char offsets survive.
# The full-width comma is left alone: in Chinese text it separates clauses, not thousands.
FULL_WIDTH = str.maketrans("０１２３４５６７８９．ＸｘＫｋＷｗ", "0123456789.XxKkWw")

CN_DIGIT_VALUES = {
    "零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟幺"

# One numeral run: the unit a sentence is cut into before matching (see normalizer).
NUMERAL_RUN = re.compile(
    r"(?<![0-9])[0-9]{4}(?P<sep>[-/.])[0-9]{1,2}(?P=sep)[0-9]{1,2}(?![0-9])"  # 2026-12-01
    r"|(?<![0-9])[0-9]{5}[Xx](?![A-Za-z0-9])"  # 03121X, last six of an ID
    r"|[0-9]+(?:\.[0-9]+)?(?:[万千百kKwW][0-9]*)+(?![A-Za-z])"  # 1.5万, 2千, 3k, 1万2
    r"|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])"  # 3,450.50
    r"|[0-9]+(?:[./][0-9]+)?"  # 12680, 450.50, 11.30, 11/30
    rf"|[{CN_NUMERAL_CHARS}]+"  # 三千五, 十五, 六二一七
)

_PLAIN_DECIMAL = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?")
_K_OR_W = re.compile(r"(?P<num>[0-9]+(?:\.[0-9]+)?)(?P<mult>[kKwW])")
_MIXED = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[万千百][0-9]*)+")
_CN_ONLY = re.compile(rf"[{CN_NUMERAL_CHARS}]+(?:点[{CN_NUMERAL_CHARS}]+)?")
_MULTIPLIERS = {"k": 1000, "w": 10000}


def parse_number(text: str) -> Decimal | None:
    """Any single number a person may type, Chinese, Arabic or mixed, as an exact Decimal."""
    text = text.translate(FULL_WIDTH).strip()
    try:
        if _PLAIN_DECIMAL.fullmatch(text):
            return Decimal(text.replace(",", ""))
        if match := _K_OR_W.fullmatch(text):
            return Decimal(match["num"]) * _MULTIPLIERS[match["mult"].lower()]
        if _MIXED.fullmatch(text):
            return Decimal(str(cn2an.cn2an(text, "smart")))
        if _CN_ONLY.fullmatch(text):
            return Decimal(str(cn2an.cn2an(text.replace("幺", "一"), "normal")))
    except (ValueError, InvalidOperation):
        return None
    return None


def parse_int(text: str) -> int | None:
    """A whole number (a day, a month, a count of periods); None for 1.5 and friends."""
    value = parse_number(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def parse_digit_string(text: str) -> str | None:
    """Digits read one by one, as in a card or ID number: 六二幺七 -> "6217"."""
    text = text.translate(FULL_WIDTH)
    digits = [ch if ch.isascii() and ch.isdigit() else CN_DIGIT_VALUES.get(ch) for ch in text]
    if not digits or None in digits:
        return None
    return "".join(digits)  # type: ignore[arg-type]


# Yuan, then optionally jiao and fen: 块五 = 0.5, 块五毛五 = 0.55, 块零五(分) = 0.05.
_AMOUNT = re.compile(r"(?P<num>.+?)(?:(?P<unit>块钱|元钱|块|元|圆)(?P<tail>.*))?")
_SMALL_DIGIT = "[0-9一二两三四五六七八九]"
_SUB_YUAN = [
    re.compile(rf"(?P<jiao>{_SMALL_DIGIT})(?:[角毛](?:(?P<fen>{_SMALL_DIGIT})分?)?)?"),
    re.compile(rf"零(?P<fen>{_SMALL_DIGIT})分?"),
    re.compile(rf"(?P<fen>{_SMALL_DIGIT})分"),
]
_CURRENCY_PREFIX = re.compile(r"^(?:人民币|rmb|¥|￥)", re.IGNORECASE)


def _sub_yuan(tail: str) -> Decimal | None:
    """The jiao and fen spoken after 块/元, or None when the tail is not money."""
    tail = tail.removesuffix("钱").removesuffix("整")
    if not tail:
        return Decimal(0)
    for pattern in _SUB_YUAN:
        if match := pattern.fullmatch(tail):
            jiao = match.groupdict().get("jiao")
            fen = match.groupdict().get("fen")
            total = Decimal(0)
            if jiao:
                total += Decimal(parse_digit_string(jiao) or 0) / 10
            if fen:
                total += Decimal(parse_digit_string(fen) or 0) / 100
            return total
    return None


def parse_amount(text: str) -> Decimal | None:
    """A whole span such as 两千块 or 三百四十五块零五分 as yuan rounded to the fen."""
    text = _CURRENCY_PREFIX.sub("", re.sub(r"\s+", "", text.translate(FULL_WIDTH)))
    text = text.removesuffix("整")
    match = _AMOUNT.fullmatch(text)
    if not match:
        return None
    yuan = parse_number(match["num"])
    small = _sub_yuan(match["tail"] or "") if match["unit"] else Decimal(0)
    if yuan is None or small is None or yuan >= MAX_AMOUNT:  # too many digits to be money (and to round)
        return None
    amount = (yuan + small).quantize(FEN, rounding=ROUND_HALF_UP)
    if not Decimal(0) < amount < MAX_AMOUNT:
        return None
    return amount


_TERM = re.compile(
    r"(?:分成|分为|分)?"
    r"(?:(?P<half_year>半年)|(?P<num>[^年个月期半]+)(?P<unit>年半|年|个月|期)?)"
    r"(?:期)?"
)


def parse_term(text: str) -> int | None:
    """An installment term as months: 12期 -> 12, 五年 -> 60, 一年半 -> 18, bare 12 -> 12."""
    text = re.sub(r"\s+", "", text.translate(FULL_WIDTH))
    match = _TERM.fullmatch(text)
    if not match:
        return None
    if match["half_year"]:
        return 6
    count = parse_number(match["num"])
    if count is None:
        return None
    per_unit = {"年半": 12, "年": 12}.get(match["unit"] or "", 1)
    months = count * per_unit + (6 if match["unit"] == "年半" else 0)
    if months != months.to_integral_value() or not 0 < months <= MAX_TERM_MONTHS:
        return None
    return int(months)
