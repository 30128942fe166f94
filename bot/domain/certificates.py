"""Which certificate or objection a cardholder asks for, read from their words.

DOMAIN (credit-report objection): a record a cardholder believes wrong can be objected to, and is
checked and answered in writing within 20 days; no paid "征信修复" can remove a true record.
"""
from __future__ import annotations

import re

SETTLEMENT, NON_MALICIOUS, CREDIT_OBJECTION, REMOVAL = "settlement", "non_malicious", "credit_objection", "removal"

_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (NON_MALICIOUS, re.compile(r"非恶意")),
    (CREDIT_OBJECTION, re.compile(r"异议|有误|错误|不对|更正|不是我的|报错")),
    (REMOVAL, re.compile(r"删|消除|撤销|修复|洗白|去掉|抹掉")),
    (SETTLEMENT, re.compile(r"结清|还清|还完|销户|还款证明|证明|凭证|说明")),
)


def certificate_kind(text: str) -> str:
    """The first kind whose words the text uses; a plain request for "a certificate" is a settlement one."""
    return next((kind for kind, words in _KINDS if words.search(text or "")), SETTLEMENT)
