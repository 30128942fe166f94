"""Find and normalize the entities of an overdue-bill conversation in Chinese text.

Amounts, installment terms, dates, card last-4 and ID last-6 are found with a blank spaCy
Chinese pipeline (jieba segmentation) and a token Matcher, then converted by the strict
parsers of bot.nlu.numbers and bot.nlu.dates. Context decides what an ambiguous number is:

* a bare 4-digit number is card_last4 only next to 卡/尾号/卡号 (or when it is the whole
  message); 6 digits are id_last6 only after 身份证/证件 (or as the whole message), while
  five digits and an X are always id_last6;
* otherwise a number is an amount when followed by 元/块/块钱, when it carries 万/千/k/w,
  or when it follows a verb of paying (还/付/转/交/存/欠/差...);
* a number followed by 期/个月/年 is an installment term, by 号/日/天后 a date;
* a number right after 第 is an ordinal (第3期), never a value;
* a whole message that is a bare number of 100 or more (not 4 or 6 digits) is an amount;
  smaller bare numbers (12, 15) could be a term, a day or an amount, so they are left alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Union

from bot.nlu.dates import resolve_date, today_in_shanghai
from bot.nlu.numbers import (
    FULL_WIDTH,
    NUMERAL_RUN,
    parse_amount,
    parse_digit_string,
    parse_term,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher
    from spacy.tokens import Doc, Span

__all__ = [
    "ENTITY_NAMES",
    "FoundEntity",
    "extract_entities",
    "get_pipeline",
    "normalize",
    "normalize_amount",
    "normalize_card_last4",
    "normalize_date",
    "normalize_id_last6",
    "normalize_term",
    "today_in_shanghai",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_USERDICT = REPO_ROOT / "data" / "jieba" / "userdict.txt"

AMOUNT, TERM, DATE, CARD, ID = "amount", "installment_term", "date", "card_last4", "id_last6"
ENTITY_NAMES = (AMOUNT, TERM, DATE, CARD, ID)
JsonValue = Union[int, float, str]


@dataclass(frozen=True)
class FoundEntity:
    """One entity found in a message: char offsets into the text and a JSON-able value."""

    entity: str
    start: int
    end: int
    text: str
    value: JsonValue


# ---------------------------------------------------------------- the five normalizers


def normalize_amount(text: str) -> Decimal | None:
    """Yuan as Decimal rounded to the fen, so that amounts compare and add up exactly."""
    amount = parse_amount(text)
    if amount is None:
        amount = _single_value(text, AMOUNT, today_in_shanghai())
    return amount


def normalize_term(text: str) -> int | None:
    """Months of an installment plan, the unit every product rule is written in."""
    term = parse_term(text)
    if term is None:
        term = _single_value(text, TERM, today_in_shanghai())
    return term


def normalize_date(text: str, today: date) -> date | None:
    """The calendar date meant, relative to `today` (the bank's day in Asia/Shanghai)."""
    resolved = resolve_date(text.translate(FULL_WIDTH), today)
    if resolved is None:
        resolved = _single_value(text, DATE, today)
    return resolved


def normalize_card_last4(text: str) -> str | None:
    """Exactly four digits, the only part of a card number the bot may ask for."""
    groups = _digit_groups(text)
    if len(groups) == 1 and re.fullmatch(r"[0-9]{4}", groups[0]):
        return groups[0]
    return None


def normalize_id_last6(text: str) -> str | None:
    """The last six characters of a resident ID (X upper-cased), never the whole number."""
    groups = _digit_groups(text)
    if len(groups) == 1 and re.fullmatch(r"[0-9]{5}[0-9X]", groups[0]):
        return groups[0]
    return None


def normalize(entity: str, text: str, today: date) -> JsonValue | None:
    """The JSON-able value of `entity` in `text`: fills slots from another extractor's spans."""
    if entity == AMOUNT:
        return _json_amount(normalize_amount(text))
    if entity == TERM:
        return normalize_term(text)
    if entity == DATE:
        resolved = normalize_date(text, today)
        return resolved.isoformat() if resolved else None
    if entity == CARD:
        return normalize_card_last4(text)
    if entity == ID:
        return normalize_id_last6(text)
    raise ValueError(f"no normalizer for entity {entity!r}; known: {ENTITY_NAMES}")


def extract_entities(
    text: str, today: date, *, userdict: str | Path | None = None
) -> list[FoundEntity]:
    """Every entity of ours in a message, non-overlapping, in text order."""
    return [
        FoundEntity(c.entity, c.start, c.end, text[c.start : c.end], _json(c.entity, c.value))
        for c in _find(text, today, userdict)
    ]


_DIGIT_GROUP = re.compile(r"[0-9零〇一二三四五六七八九幺]+[Xx]?")


def _digit_groups(text: str) -> list[str]:
    """Digit strings of a card/ID message, ignoring lone digits such as 后四位's 四."""
    text = text.translate(FULL_WIDTH)
    groups = []
    for match in _DIGIT_GROUP.finditer(text):
        group = match[0]
        if len(group) < 2 or text[match.end() : match.end() + 1] == "位":
            continue
        digits = parse_digit_string(group.rstrip("Xx"))
        groups.append(f"{digits}{'X' if group[-1] in 'Xx' else ''}")
    return groups


def _json_amount(amount: Decimal | None) -> int | float | None:
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _json(entity: str, value: Any) -> JsonValue:
    if entity == AMOUNT:
        return _json_amount(value)  # type: ignore[return-value]
    if entity == DATE:
        return value.isoformat()
    return value


def _single_value(text: str, entity: str, today: date) -> Any:
    """The value of the one `entity` a longer span holds (DIET's 三千五吧), else None."""
    values = {c.value for c in _find(text, today, None) if c.entity == entity}
    return values.pop() if len(values) == 1 else None


# ---------------------------------------------------------------- the spaCy pipeline

_WEEKDAY_WORDS = [
    f"{prefix}{week}{day}"
    for prefix in ("", "这", "这个", "本", "下", "下个")
    for week in ("周", "星期", "礼拜")
    for day in "一二三四五六日天"
]
DATE_WORDS = [
    "今天", "今日", "明天", "明日", "后天", "大后天", "昨天", "昨日", "前天",
    "月底", "月末", "这个月底", "这月底", "本月底", "下个月底", "下月底", "下个月末", "下月末",
    "下个月初", "下月初", "下个月", "下月", "年底", "年末",
    "下周", "下星期", "下个星期", "下礼拜", "下个礼拜",
    "周末", "这周末", "本周末", "这个周末", "下周末", "下个周末", "星期末",
    "月中", "这个月中", "本月中", "下个月中", "下月中",
    *_WEEKDAY_WORDS,
]
CARD_WORDS = ["尾号", "卡号", "尾数", "卡尾号", "卡", "信用卡", "卡片", "银行卡"]
ID_WORDS = ["身份证", "身份证号", "身份证号码", "证件号", "证件号码", "证件"]
POSITION_WORDS = [
    "后四位", "末四位", "最后四位", "后4位", "末4位", "四位",
    "后六位", "末六位", "最后六位", "后6位", "末6位", "六位",
]
# Words jieba must keep whole, whatever its dictionary says, so patterns see them as one token.
LEXICON = [*DATE_WORDS, *CARD_WORDS, *ID_WORDS, *POSITION_WORDS, "这个月", "本月", "半年"]
_LEXICON_FREQ = 200_000
_LEXICON_SET = frozenset(LEXICON)

# A unit right after a number is cut off as its own token: 三千五百块钱 -> 三千五百|块|钱.
_PEEL_CHARS = frozenset("块元圆期个月年天周号日分毛角钱")

_NUM = {"TEXT": {"REGEX": rf"^(?:{NUMERAL_RUN.pattern})$"}}
_MAGNITUDE = {"TEXT": {"REGEX": rf"^(?=.*[千万亿仟kKwW])(?:{NUMERAL_RUN.pattern})$"}}
_DIGITS4 = {"TEXT": {"REGEX": r"^(?:[0-9]{4}|[零〇一二三四五六七八九幺]{4})$"}}
_ID6 = {"TEXT": {"REGEX": r"^(?:[0-9]{6}|[0-9]{5}[Xx]|[零〇一二三四五六七八九幺]{6})$"}}
_ID_WITH_X = {"TEXT": {"REGEX": r"^[0-9]{5}[Xx]$"}}
_SMALL_DIGIT = {"TEXT": {"REGEX": r"^[0-9一二两三四五六七八九]$"}}
_ZERO_DIGIT = {"TEXT": {"REGEX": r"^零[0-9一二两三四五六七八九]$"}}
# 11.30 and 12/1 are dates; 1.5 with a one-digit "day" is far more often a plain decimal.
_MONTH_DAY = {"TEXT": {"REGEX": r"^[0-9]{1,2}(?:\.[0-9]{2}|/[0-9]{1,2})$"}}
_ISO_DATE = {"TEXT": {"REGEX": r"^[0-9]{4}([-/.])[0-9]{1,2}\1[0-9]{1,2}$"}}
_PAY_VERB = {"TEXT": {"REGEX": r"(?:还|付|转|交|存|打|缴|凑|补|欠|差|剩)(?:款|了|上|清|掉)?$"}}


def _in(*words: str, op: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"TEXT": {"IN": list(words)}}
    if op:
        spec["OP"] = op
    return spec


# jieba glues 卡 to its neighbours (我卡的, 卡是0310): any token holding 卡 names the card.
_CARD_TOKEN = {"TEXT": {"REGEX": "卡"}}
_YUAN = _in("块", "元", "圆")
_QIAN = _in("钱", "整", op="?")
_AFTER = _in("后", "以后", "之后")
_DAY = _in("号", "日")
_FILLERS = [
    _in("是", "为", "的", "后", "末", "最后", "位", "4", "6", "四", "六", "号", "号码",
        "尾号", "卡号", "：", ":", *POSITION_WORDS, op="?")
] * 4

PATTERNS: dict[str, list[list[dict[str, Any]]]] = {
    AMOUNT: [
        [_NUM, _YUAN, _QIAN],
        [_NUM, _YUAN, _SMALL_DIGIT, _in("毛", "角", op="?"), _QIAN],
        [_NUM, _YUAN, _SMALL_DIGIT, _in("毛", "角"), _SMALL_DIGIT, _in("分", op="?"), _QIAN],
        [_NUM, _YUAN, _ZERO_DIGIT, _in("分", op="?"), _QIAN],
        [_NUM, _YUAN, _SMALL_DIGIT, _in("分"), _QIAN],
        [_in("¥", "￥", "人民币", "RMB", "rmb"), _NUM],
        [_MAGNITUDE],
        [_PAY_VERB, _in("了", "上", "个", "给你们", "给您", op="?"), _NUM],
    ],
    TERM: [
        [_NUM, _in("期")],
        [_NUM, _in("个"), _in("月")],
        [_NUM, _in("年")],
        [_NUM, _in("年"), _in("半")],
        [_in("半年")],
    ],
    DATE: [
        [_in(*DATE_WORDS)],
        [_NUM, _DAY],
        [_in("下个月", "下月", "这个月", "本月"), _NUM, _DAY],
        [_NUM, _in("月"), _NUM, _in("号", "日", op="?")],
        [_NUM, _in("月"), _in("底", "末")],
        [_NUM, _in("年"), _NUM, _in("月"), _NUM, _in("号", "日", op="?")],
        [_ISO_DATE],
        [_MONTH_DAY],
        [_NUM, _in("天", "日"), _AFTER],
        [_NUM, _in("个", op="?"), _in("周", "星期", "礼拜"), _AFTER],
        [_NUM, _in("个"), _in("月"), _AFTER],
    ],
    CARD: [
        [_in(*CARD_WORDS), *_FILLERS, _DIGITS4],
        [_CARD_TOKEN, *_FILLERS, _DIGITS4],
        [_DIGITS4, _in("的", op="?"), _in("那张", "这张", op="?"), _in(*CARD_WORDS)],
    ],
    ID: [
        [_ID_WITH_X],
        [_in(*ID_WORDS), *_FILLERS, _ID6],
    ],
}

# What may not follow a value of each kind: the number then belongs to something else.
_NOT_AFTER = {
    AMOUNT: {"期", "个", "月", "年", "号", "日", "天", "周", "星期", "礼拜", "点", "次", "折",
             "%", "％", "位", "张", "岁"},
    TERM: {"后", "以后", "之后", "前", "以前", "之前", "底", "末", "初"},
    CARD: {"块", "元", "圆", "块钱", "万", "千"},
}
# Ties between overlapping candidates of equal length go to the more specific kind.
_PRIORITY = {ID: 0, CARD: 1, DATE: 2, TERM: 3, AMOUNT: 4}
_CONVERTERS = {
    AMOUNT: lambda text, today: parse_amount(text),
    TERM: lambda text, today: parse_term(text),
    DATE: resolve_date,
    CARD: lambda text, today: normalize_card_last4(text),
    ID: lambda text, today: normalize_id_last6(text),
}


class _Pipeline(NamedTuple):
    nlp: Language
    matcher: Matcher


class _NumeralAwareTokenizer:
    """jieba segmentation, then every numeral run made one token and its unit cut off.

    jieba glues numbers to whatever follows (两千块, 三十四块, 六二/一/七); token patterns
    need 两千|块 and 六二一七, whatever the dictionary. Single Chinese digits inside an
    ordinary word (一下, 统一, 百度) stay put unless a unit follows them (三期, 五年).
    """

    def __init__(self, jieba_tokenizer: Any) -> None:
        self.base = jieba_tokenizer
        self.vocab = jieba_tokenizer.vocab

    def __call__(self, text: str) -> Doc:
        from spacy.tokens import Doc
        from spacy.util import get_words_and_spaces

        doc = self.base(text)
        cuts = {0, len(text)} | {t.idx for t in doc} | {t.idx + len(t) for t in doc}
        token_of: list[Any] = [None] * len(text)
        for token in doc:
            token_of[token.idx : token.idx + len(token)] = [token] * len(token)
        for run in NUMERAL_RUN.finditer(text):
            start, end = run.span()
            tokens = {token_of[i].i: token_of[i] for i in range(start, end)}.values()
            if not self._is_numeral(run[0], end, text, list(tokens)):
                continue
            cuts.difference_update(range(start + 1, end))
            cuts.update((start, end))
            if end < len(text) and text[end] in _PEEL_CHARS:
                cuts.add(end + 1)
        bounds = sorted(cuts)
        pieces = [text[a:b] for a, b in zip(bounds, bounds[1:])]
        words, spaces = get_words_and_spaces([p for p in pieces if not p.isspace()], text)
        return Doc(self.vocab, words=words, spaces=spaces)

    @staticmethod
    def _is_numeral(run: str, end: int, text: str, tokens: list[Any]) -> bool:
        if any(t.text in _LEXICON_SET for t in tokens):
            return False
        if any(ch.isdigit() for ch in run) or len(run) >= 2:
            return True
        whole_token = len(tokens) == 1 and len(tokens[0].text) == len(run)
        return whole_token or text[end : end + 1] in _PEEL_CHARS


@lru_cache(maxsize=4)
def _pipeline(userdict: Path) -> _Pipeline:
    """Built once per user dictionary, on first use: loading jieba takes about a second."""
    import jieba
    import spacy
    from spacy.matcher import Matcher

    segmenter = jieba.Tokenizer()  # our own: the global one is shared with Rasa's tokenizer
    if userdict.is_file():
        segmenter.load_userdict(str(userdict))
    for word in LEXICON:
        segmenter.add_word(word, freq=_LEXICON_FREQ)

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.tokenizer.jieba_seg = segmenter
    nlp.tokenizer = _NumeralAwareTokenizer(nlp.tokenizer)
    matcher = Matcher(nlp.vocab)
    for label, patterns in PATTERNS.items():
        matcher.add(label, patterns)
    return _Pipeline(nlp, matcher)


def get_pipeline(userdict: str | Path | None = None) -> _Pipeline:
    """The cached spaCy pipeline and matcher; `userdict` defaults to data/jieba/userdict.txt."""
    path = Path(userdict) if userdict else DEFAULT_USERDICT
    if not path.is_absolute():
        path = REPO_ROOT / path
    return _pipeline(path)


# ---------------------------------------------------------------- finding candidates


class _Candidate(NamedTuple):
    entity: str
    start: int
    end: int
    value: Any
    match_tokens: int


def _find(text: str, today: date, userdict: str | Path | None) -> list[_Candidate]:
    if not text or not text.strip():
        return []
    nlp, matcher = get_pipeline(userdict)
    doc = nlp(text.translate(FULL_WIDTH))
    whole = _whole_message(doc, today)
    if whole is not None:
        return [whole]
    candidates = []
    for match_id, start, end in matcher(doc):
        entity = nlp.vocab.strings[match_id]
        core = _core(doc[start:end], entity)
        if not _context_allows(core, entity):
            continue
        value = _CONVERTERS[entity](core.text, today)
        candidates.append(_Candidate(entity, core.start_char, core.end_char, value, end - start))
    chosen = _without_overlaps(candidates)
    if not chosen:
        chosen = _bare_amount(doc)
    return sorted(chosen, key=lambda c: c.start)


def _core(span: Span, entity: str) -> Span:
    """The entity inside a match, without the context words that licensed it."""
    doc = span.doc
    if entity in (CARD, ID):
        regex = (_DIGITS4 if entity == CARD else _ID6)["TEXT"]["REGEX"]
        token = [t for t in span if re.match(regex, t.text)][-1]
        return doc[token.i : token.i + 1]
    if entity == AMOUNT and _is_verb(span[0]):
        first = next(t.i for t in span if re.match(_NUM["TEXT"]["REGEX"], t.text))
        return doc[first : span.end]
    return span


def _is_verb(token: Any) -> bool:
    return re.search(_PAY_VERB["TEXT"]["REGEX"], token.text) is not None


def _context_allows(core: Span, entity: str) -> bool:
    doc = core.doc
    before = doc[core.start - 1].text if core.start > 0 else ""
    after = doc[core.end].text if core.end < len(doc) else ""
    if before.endswith("第") and entity != DATE:
        return False
    return after not in _NOT_AFTER.get(entity, ())


def _without_overlaps(candidates: list[_Candidate]) -> list[_Candidate]:
    """Longest match first (context words count), then longest entity, then priority.

    A match whose text does not convert (13月5号) still claims its span from shorter
    matches of the same kind, so that 5号 inside it is not taken for a date.
    """
    ranked = sorted(
        candidates,
        key=lambda c: (-c.match_tokens, -(c.end - c.start), _PRIORITY[c.entity], c.start),
    )
    chosen: list[_Candidate] = []
    for candidate in ranked:
        if not any(
            candidate.start < other.end
            and other.start < candidate.end
            and (other.value is not None or other.entity == candidate.entity)
            for other in chosen
        ):
            chosen.append(candidate)
    return [c for c in chosen if c.value is not None]


def _only_token(doc: Doc) -> Any | None:
    """The message's single token when it is nothing else (trailing 。！? aside), else None."""
    core = doc.text.strip().rstrip("。.！!？?～~ ")
    lead = len(doc.text) - len(doc.text.lstrip())
    return next((t for t in doc if t.idx == lead and t.text == core), None) if core else None


def _whole_message(doc: Doc, today: date) -> _Candidate | None:
    """A message that is only 4 digits is a card's last four; 6 (or 5+X) an ID's last six."""
    token = _only_token(doc)
    if token is None:
        return None
    for entity, spec in ((CARD, _DIGITS4), (ID, _ID6)):
        if re.match(spec["TEXT"]["REGEX"], token.text):
            value = _CONVERTERS[entity](token.text, today)
            return _Candidate(entity, token.idx, token.idx + len(token), value, 1)
    return None


def _bare_amount(doc: Doc) -> list[_Candidate]:
    """A message that is only a number of 100 or more answers "how much?"."""
    token = _only_token(doc)
    if token is None or not re.match(_NUM["TEXT"]["REGEX"], token.text):
        return []
    amount = parse_amount(token.text)
    if amount is None or amount < 100:
        return []
    return [_Candidate(AMOUNT, token.idx, token.idx + len(token), amount, 1)]
