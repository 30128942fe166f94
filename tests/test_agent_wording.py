"""The compliance guard on an agent's own words: what is blocked, what is questioned, what passes."""
from __future__ import annotations

import pytest

from bot.domain.agent_phrases import load_phrases
from bot.domain.agent_wording import (
    BLOCK,
    CATEGORICAL,
    LEGAL_CLAIM,
    OK,
    PERSONAL_DATA,
    PRESSURE,
    PROMISE,
    REVIEW,
    SHAMING,
    THIRD_PARTY,
    THREAT,
    WARN,
    check_wording,
)
from bot.domain.product_rules import load_rules

RULES = load_rules()
PHRASES = load_phrases()


def check(text: str, cardholder: tuple[str, ...] = ()):
    return check_wording(text, RULES, PHRASES.rewordings, cardholder)


# (sentence an agent might type, verdict, the rule that decides it)
SENTENCES = [
    # calm, exact, kind: sent as written
    ("您好，我是客服小李，已经看到您和智能助手的对话记录。", OK, None),
    ("截至今天全部还清共需12,965.30元，其中利息221.90元、违约金63.40元。", OK, None),
    ("您可以办理12期分期，每月还款1,140.35元，年化利率14.31%。", OK, None),
    ("我们只与您本人沟通，不会联系您的家人。", OK, None),
    ("我们不会告诉您的同事，请放心。", OK, None),
    ("银行可以就欠款向法院提起民事诉讼，只有判决后仍不履行才可能被限制高消费。", OK, None),
    ("恶意透支构成犯罪需要同时满足：以非法占有为目的、透支本金5万元以上、经两次有效催收后超过3个月仍不归还。", OK, None),
    ("单纯还不上钱，本身不能证明有非法占有的目的。", OK, None),
    ("并没有官方的“黑名单”，征信如实记录还款情况。", OK, None),
    ("逾期记录自还清之日起保留5年。", OK, None),
    ("真实的逾期记录不能删除，收费的征信修复都是骗局，请谨防上当。", OK, None),
    ("在宽限期内还上最低还款额，就不会上征信。", OK, None),
    ("减免需要提交申请，审核后答复您，我不能保证一定通过。", OK, None),
    ("个性化分期最长60个月，需要提交申请并经过审核。", OK, None),
    ("您问会不会坐牢，我如实说明一下法律规定。", OK, None),
    ("您担心会不会上门，催收只针对您本人，不允许威胁和骚扰。", OK, None),
    ("您的卡号尾号6217，对吗？", OK, None),
    ("您刚才说“我就是不想还了”，我理解您现在很生气。", OK, None),
    ("我们理解您不是故意欠钱不还。", OK, None),
    ("请问您计划哪天还款？", OK, None),
    ("利息从到期还款日起按每日0.05%计算。", OK, None),
    ("我们不会上门，也不会联系与欠款无关的人。", OK, None),
    ("您说的停息挂账，银行叫个性化分期，需要审核，不能保证停息。", OK, None),
    ("分12期的话每月1,140.35元。", OK, None),
    ("您说您丈夫也知道这笔欠款，我们只和您本人沟通。", OK, None),
    ("逾期超过60天，卡片会暂停使用。", OK, None),
    # threats
    ("你再不还钱我们就起诉你。", BLOCK, THREAT),
    ("不还钱就等着坐牢吧", BLOCK, THREAT),
    ("如果今天不还，我们会派人上门。", BLOCK, THREAT),
    ("后果自负。", BLOCK, THREAT),
    ("我们已经准备给你发律师函了。", BLOCK, THREAT),
    ("法院会直接判你，到时候强制执行。", BLOCK, THREAT),
    ("你不配合的话警察会来抓你。", BLOCK, THREAT),
    ("拖着不还就会被拘留。", BLOCK, THREAT),
    ("走着瞧。", BLOCK, THREAT),
    # shaming
    ("你这种老赖我见多了。", BLOCK, SHAMING),
    ("欠钱不还还有理了？", BLOCK, SHAMING),
    ("真不要脸。", BLOCK, SHAMING),
    ("你就是个骗子。", BLOCK, SHAMING),
    ("这么点钱都还不上，丢不丢人。", BLOCK, SHAMING),
    # third parties
    ("再不还我们就通知你家人。", BLOCK, THIRD_PARTY),
    ("我们会联系你的单位。", BLOCK, THIRD_PARTY),
    ("我们会打给您的紧急联系人。", BLOCK, THIRD_PARTY),
    ("你通讯录里的人都会知道。", BLOCK, THIRD_PARTY),
    ("您丈夫欠了我们三万块。", BLOCK, THIRD_PARTY),
    # false legal or credit claims
    ("你已经上了黑名单。", BLOCK, LEGAL_CLAIM),
    ("交点钱我们可以帮您把征信删除。", BLOCK, LEGAL_CLAIM),
    ("逾期记录会永久保留。", BLOCK, LEGAL_CLAIM),
    ("你这是恶意透支，已经构成犯罪。", BLOCK, LEGAL_CLAIM),
    ("您是配偶，不用承担任何责任。", BLOCK, LEGAL_CLAIM),
    # promises outside the rules
    ("我给您申请免息，肯定能批下来。", BLOCK, PROMISE),
    ("办了个性化分期就停息。", BLOCK, PROMISE),
    ("违约金可以全部减免。", BLOCK, PROMISE),
    ("可以给您分72期。", BLOCK, PROMISE),
    ("这个分期不收手续费。", BLOCK, PROMISE),
    ("保证通过。", BLOCK, PROMISE),
    # personal data written in full
    ("您的卡号是6217 0000 1234 5678，对吗？", BLOCK, PERSONAL_DATA),
    ("身份证号11010519900307123X已核实。", BLOCK, PERSONAL_DATA),
    ("我们会打13812345678联系您。", BLOCK, PERSONAL_DATA),
    # warnings: the agent may send after confirming
    ("您放心，不会坐牢的。", WARN, CATEGORICAL),
    ("肯定不会被起诉。", WARN, CATEGORICAL),
    ("这是最后一次机会。", WARN, PRESSURE),
    ("今天必须还上！！", WARN, PRESSURE),
    ("可以给您分48期。", WARN, REVIEW),
    ("分18期也可以。", WARN, REVIEW),
]


@pytest.mark.parametrize("text, verdict, rule", SENTENCES)
def test_agent_sentences(text, verdict, rule):
    result = check(text)
    assert result.verdict == verdict, (text, result.findings)
    if rule is not None:
        assert rule in result.rules, (text, result.findings)


def test_the_table_is_large_and_covers_every_rule():
    assert len(SENTENCES) >= 60
    assert {rule for _, _, rule in SENTENCES if rule} == {THREAT, SHAMING, THIRD_PARTY, LEGAL_CLAIM, PROMISE,
                                                          PERSONAL_DATA, CATEGORICAL, PRESSURE, REVIEW}


def test_the_cardholders_words_quoted_back_are_theirs_but_unknown_quotes_are_the_agents():
    said = ("你们是不是把我当老赖了",)
    assert check("您说“把我当老赖”，我们绝对没有这个意思。", said).verdict == OK
    assert check("您说“把我当老赖”，我们绝对没有这个意思。").verdict == BLOCK  # nobody said it: the agent's word


def test_a_blocked_reply_gets_the_approved_rewording_in_place_of_the_bad_sentence():
    result = check("张先生您好。你再不还钱我们就起诉你。今天能还多少？")
    assert result.verdict == BLOCK
    assert result.rewording.startswith("张先生您好。") and result.rewording.endswith("今天能还多少？")
    assert "起诉你" not in result.rewording and PHRASES.rewordings[THREAT] in result.rewording
    assert check(result.rewording).verdict == OK


def test_numbers_are_masked_in_the_rewording():
    result = check("您的卡号是6217000012345678，对吗？")
    assert "6217000012345678" not in result.rewording and "5678" in result.rewording


@pytest.mark.parametrize("rule", sorted(PHRASES.rewordings))
def test_every_approved_rewording_passes_the_guard_itself(rule):
    text = PHRASES.rewordings[rule].replace("{retention_years}", "5").replace("{max_months}", "60") \
        .replace("{standard_terms}", "3/6/12/24/36")
    assert check(text).verdict == OK, text


def test_every_suggested_phrase_passes_the_guard():
    for phrase in PHRASES.suggestions:
        assert check(phrase.text).verdict == OK, phrase.id


def test_figures_written_with_separators_do_not_hide_a_threat():
    assert check("你不还12,965.30元就等着我们上门。").verdict == BLOCK
