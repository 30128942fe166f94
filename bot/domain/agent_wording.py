"""Whether an agent's reply may go to the cardholder: the assistant's conduct rules, applied to a person.

Agents write freely, so the check reads a little more than a phrase list: a threat word that is
denied ("不会上门") is no threat; a legal fact stated neutrally ("银行可以依法提起民事诉讼") is
allowed; the cardholder's own words quoted back ("您说“不想还了”") are theirs, not the agent's.
A breach blocks sending; a warning (a categorical legal reassurance, pressure, a term that needs
review) lets the agent send after confirming. Reasons and rewordings are the bank's approved
phrases (bot/agent_phrases.yml).

Sources (../shared/DOMAIN.md): collection conduct (Arts. 68–69: no threats, coercion or abuse, no
third parties), criminal line and civil claim (the facts, never as pressure), credit report (kept
5 years, no paid removal), words cardholders use (no official blacklist; never promise interest
stops unless the product rules say so), installment terms at most 5 years; personal data masked.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from bot.domain.compliance import FORBIDDEN, mask_text, unmasked_numbers
from bot.domain.product_rules import ProductRules

# rules: each is a label and an approved rewording in bot/agent_phrases.yml
THREAT, SHAMING, THIRD_PARTY, LEGAL_CLAIM, PROMISE, PERSONAL_DATA = (
    "threat", "shaming", "third_party", "legal_claim", "promise", "personal_data")
CATEGORICAL, PRESSURE, REVIEW = "categorical", "pressure", "review"
BLOCKING: frozenset[str] = frozenset({THREAT, SHAMING, THIRD_PARTY, LEGAL_CLAIM, PROMISE, PERSONAL_DATA})
RULES: tuple[str, ...] = (THREAT, SHAMING, THIRD_PARTY, LEGAL_CLAIM, PROMISE, PERSONAL_DATA, CATEGORICAL, PRESSURE, REVIEW)
OK, WARN, BLOCK = "ok", "warn", "block"

_NEGATION = re.compile(r"(?:不|没|无|别|非|未|勿)[^，。！？；,.!?;]{0,3}$")
_FAR_NEGATION = re.compile(r"(?:不|没|无|非|未)[^，。！？；,.!?;]{0,6}$")  # "并没有官方的“黑名单”"
# the cardholder's question or term said back: "您问会不会坐牢", "您说的停息挂账"
_ECHO = re.compile(r"(?:会不会|是不是|是否|能不能|会否|有没有)(?:被)?$|(?:您说的|你说的|您提到的|所谓的?|您问的)$")
_QUOTED = re.compile(r"[“\"「『‘]([^”\"」』’]{2,80})[”\"」』’]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
_PEOPLE = r"(?:家人|家里人|家属|父母|爸妈|爸爸|妈妈|父亲|母亲|亲戚|朋友|同事|领导|老板|单位|公司|紧急联系人|配偶|老婆|老公|丈夫|妻子|孩子|儿子|女儿)"

# Words whose affirmative use breaks the rule: the assistant's own list (bot.domain.compliance)
# and what a person is likelier to write. Denied ("不会上门") or asked back ("会不会上门"), they are fine.
_WORDS: dict[str, tuple[str, ...]] = {
    THREAT: FORBIDDEN["threat"] + ("被抓", "拘留", "判刑", "蹲监狱", "进监狱", "上门", "查封", "通缉"),
    SHAMING: FORBIDDEN["shaming"] + ("丢脸", "可耻", "丢不丢人", "赖账", "你这种人", "垃圾", "废物", "有病", "滚", "穷鬼", "没信用",
                                     "不讲信用", "没素质", "欠钱不还", "脸皮"),
    THIRD_PARTY: FORBIDDEN["third_party"],
    LEGAL_CLAIM: ("黑名单",) + FORBIDDEN["liability"] + ("不用还", "永久", "一辈子"),
    PROMISE: tuple(p for p in FORBIDDEN["invented"] if p != "黑名单") + (
        "免息", "停息", "全部减免", "全免", "肯定减免", "减免全部", "利息全免", "不收利息", "免手续费", "零手续费", "不收手续费"),
    PRESSURE: ("最后一次机会", "最后通牒", "必须今天", "今天必须", "马上还钱", "立刻还钱", "立即还钱", "限你", "别怪",
               "给你脸", "否则后果", "不然后果"),
}
# A denied legal consequence is a categorical reassurance the agent cannot give ("不会坐牢"):
# whether it holds depends on the case (DOMAIN: criminal line, civil claim).
_LEGAL_CONSEQUENCES: tuple[str, ...] = ("坐牢", "被抓", "拘留", "判刑", "犯罪", "被起诉", "起诉", "上征信", "影响征信", "刑事")
# Phrases that break a rule whatever precedes them.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (THREAT, re.compile(r"(?:不还|再不还|还不上|不还钱|不还款|拖着不还|不处理|不配合|不接电话)[^。！？；.!?;]{0,12}?"
                        r"(?:就|会|将|要|便)[^。！？；.!?;]{0,10}?(?:坐牢|抓|拘留|判刑|上门|曝光|通缉|查封|" + _PEOPLE + ")")),
    (THREAT, re.compile(r"法院(?:会|就会|将|马上)[^。！？；.!?;]{0,4}(?:判|抓|拘|查封|强制)")),
    (THIRD_PARTY, re.compile(r"(?:联系|通知|告诉|打给|打电话给|找|发给|上门找)(?:你|您)?的?" + _PEOPLE)),
    (THIRD_PARTY, re.compile(_PEOPLE + r"[^。！？，；,.!?;]{0,6}(?:欠|逾期|没还|未还|拖欠)")),
    (LEGAL_CLAIM, re.compile(r"征信[^。！？；，.!?;,]{0,6}(?:删除|消除|修复|洗白|撤销|抹掉)")),
    (LEGAL_CLAIM, re.compile(r"(?:已经|已|你这是|您这是|这就是|属于|涉嫌)(?:构成)?(?:犯罪|恶意透支|诈骗)")),
    (PROMISE, re.compile(r"(?:保证|一定|肯定|百分百|包)(?:能|可以|会)?(?:通过|批下来|批准|批|办下来|减免|停息|免)")),
    (PRESSURE, re.compile(r"[!！]{2,}")),
)
_DIGIT_SEPARATOR = re.compile(r"(?<=\d)[,.](?=\d)")
_TERM = re.compile(r"(\d{1,3})\s*(?:期|个月)")
_TERM_CONTEXT = re.compile(r"分期|分成|分\d|期还|个月还")
_REPORTED = re.compile(r"(?:您说|你说|您提到|您讲)[^，。！？；,.!?;]{0,4}$")  # "您说您丈夫也知道…": their words
_DENIED_TOLERANT = re.compile(r"(?:不|不会|不能|并不|没有)[^。！？；.!?;]{0,6}$")  # "不会告诉您的家人"


@dataclass(frozen=True)
class Finding:
    rule: str
    excerpt: str  # the words that triggered it, as the agent wrote them

    @property
    def blocks(self) -> bool:
        return self.rule in BLOCKING


@dataclass(frozen=True)
class WordingCheck:
    verdict: str  # ok, warn or block
    findings: tuple[Finding, ...]
    rewording: str | None  # the reply with each offending sentence replaced by the approved wording

    @property
    def rules(self) -> list[str]:
        return list(dict.fromkeys(f.rule for f in self.findings))


def check_wording(text: str, rules: ProductRules, rewordings: dict[str, str],
                  cardholder_texts: Iterable[str] = ()) -> WordingCheck:
    """The verdict on one reply; `rewordings` maps a rule to its approved sentence."""
    original = unicodedata.normalize("NFKC", text)
    findings = [Finding(PERSONAL_DATA, number) for number in unmasked_numbers(original)]
    plain = _DIGIT_SEPARATOR.sub("", _without_quotes(original, cardholder_texts))  # 1,140.35 ends no clause
    findings += _findings(plain, rules)
    if not findings:
        return WordingCheck(OK, (), None)
    verdict = BLOCK if any(f.blocks for f in findings) else WARN
    return WordingCheck(verdict, tuple(findings), _reworded(text, findings, rewordings))


def _findings(text: str, rules: ProductRules) -> list[Finding]:
    found: list[Finding] = []
    for rule, words in _WORDS.items():
        if rule == PROMISE and rules.interest_stops_on_personalized_plan:
            words = tuple(w for w in words if w != "停息")
        for word in words:
            for match in re.finditer(re.escape(word), text):
                if not _denied(text[:match.start()], far=rule == LEGAL_CLAIM):
                    found.append(Finding(rule, word))
    for word in _LEGAL_CONSEQUENCES:
        for match in re.finditer(re.escape(word), text):
            before = text[:match.start()]
            if _NEGATION.search(before) and not _ECHO.search(before) and not _within_grace(text, match.start()):
                found.append(Finding(CATEGORICAL, text[max(match.start() - 3, 0):match.end()]))
    for rule, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            before = text[:match.start()]
            if rule in (THIRD_PARTY, LEGAL_CLAIM, PROMISE) and (_DENIED_TOLERANT.search(before) or _REPORTED.search(before)):
                continue
            found.append(Finding(rule, match.group(0)))
    found += _term_findings(text, rules)
    return list(dict.fromkeys(found))


def _term_findings(text: str, rules: ProductRules) -> list[Finding]:
    """A term over the legal maximum is a promise the bank cannot keep; a term outside the standard
    ones needs the personalized plan's review, which the reply should say."""
    if not _TERM_CONTEXT.search(text):
        return []
    found = []
    for match in _TERM.finditer(text):
        term = int(match.group(1))
        if term > rules.personalized_max_months:
            found.append(Finding(PROMISE, match.group(0)))
        elif term not in rules.standard_terms and term > 1 and not re.search(r"个性化|审核|申请", text):
            found.append(Finding(REVIEW, match.group(0)))
    return found


def _within_grace(text: str, at: int) -> bool:
    """"宽限期内还上就不会上征信" is the rule itself (DOMAIN: credit report, grace period)."""
    sentence = re.split(r"[。.!?！？]", text[:at])[-1]
    return "宽限期" in sentence and "征信" in text[at:at + 4]


def _denied(before: str, far: bool = False) -> bool:
    """The word is denied ("不会上门", "并没有官方的“黑名单”") or is the cardholder's question said back."""
    return bool((_FAR_NEGATION if far else _NEGATION).search(before) or _ECHO.search(before))


def _without_quotes(text: str, cardholder_texts: Iterable[str]) -> str:
    """Quoted words the cardholder wrote are theirs: they are not checked as the agent's."""
    said = [unicodedata.normalize("NFKC", t) for t in cardholder_texts]
    return _QUOTED.sub(lambda m: "“…”" if any(m.group(1).strip() in t for t in said) else m.group(0), text)


def _reworded(text: str, findings: list[Finding], rewordings: dict[str, str]) -> str:
    """Each sentence that breaks a rule becomes that rule's approved sentence, once; numbers are masked.
    Sentences are matched in NFKC form (full-width digits) and kept as the agent wrote them."""
    used: set[str] = set()
    out = []
    for sentence in _SENTENCE_END.split(text):
        normal = unicodedata.normalize("NFKC", sentence)
        hits = [f.rule for f in findings if f.excerpt in normal and f.rule != PERSONAL_DATA]
        if not hits:
            out.append(mask_text(normal) if unmasked_numbers(normal) else sentence)
            continue
        rule = next(r for r in RULES if r in hits)
        if rule not in used and rewordings.get(rule):
            used.add(rule)
            out.append(rewordings[rule])
    return "".join(out).strip()
