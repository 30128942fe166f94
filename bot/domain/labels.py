"""The Chinese names of record kinds and statuses, in one place for the assistant and the console."""
from __future__ import annotations

CASE_KINDS: dict[str, str] = {
    "promise": "还款承诺",
    "plan": "账单分期",
    "dispute": "账单异议",
    "payment_trace": "还款查询",
    "complaint": "投诉",
    "hardship": "个性化分期申请",
    "fee_waiver": "减免申请",
    "certificate": "证明或异议申请",
    "contact_preference": "联系偏好",
}
CASE_STATUSES: dict[str, str] = {
    "open": "处理中",
    "in_review": "审核中",
    "resolved": "已处理",
    "rejected": "未通过",
    "active": "已生效",
    "cancelled": "已取消",
    "replaced": "已被新计划代替",
    "kept": "已履行",
    "broken": "未按时履行",
}

# --- the agent console's labels (served once by GET /api/agent/labels) ---------------------------
INTENTS: dict[str, str] = {
    "greet": "问候", "goodbye": "道别", "thank": "致谢", "affirm": "肯定", "deny": "否定",
    "bot_challenge": "询问是否机器人", "ask_balance": "查询欠款", "ask_consequence": "询问逾期影响",
    "ask_fee": "询问费用", "request_installment": "申请分期", "promise_to_pay": "承诺还款",
    "claim_paid": "称已还款", "ask_payment_method": "询问还款方式", "dispute_bill": "账单异议",
    "report_hardship": "还款困难", "request_fee_waiver": "申请减免", "complain": "投诉",
    "request_human": "要求人工", "refuse_to_pay": "拒绝还款", "not_cardholder": "非持卡人",
    "inform": "提供信息", "out_of_scope": "超出范围", "report_fraud": "卡片盗刷或遗失", "stop_contact": "联系偏好",
    "distress": "情绪危机", "ask_case_status": "查询办理进度", "change_promise": "修改还款承诺",
    "request_certificate": "申请证明或异议", "verify_collector": "核实催收身份",
}
UNSURE_INTENT = "未能确定"  # nlu_fallback, or no intent: never a raw name on the console
HANDOFF_REASONS: dict[str, str] = {
    "distress": "情绪危机", "complaint": "投诉", "hardship": "困难", "assistant_unavailable": "助手故障",
    "requested": "主动转人工", "verification_failed": "身份核实失败", "personalized_installment": "个性化分期",
    "dispute": "账单异议", "fee_waiver": "减免申请", "fallback": "助手未能理解",
}
SENTIMENTS: dict[str, str] = {"neutral": "平稳", "negative": "不满", "distressed": "严重困扰"}
MODES: dict[str, str] = {"bot": "智能助手服务中", "waiting": "等待人工", "agent": "人工服务中", "callback": "待回电",
                         "closed": "已结束"}
HANDOFF_STATUSES: dict[str, str] = {"waiting": "等待中", "claimed": "已领取", "closed": "已结束"}
COMPLAINT_CATEGORIES: dict[str, str] = {"harassment": "催收骚扰", "third_party_contact": "联系第三方",
                                        "attitude": "服务态度", "other": "其他"}
OUTCOMES: dict[str, str] = {  # how an agent closes a conversation (the contact log's outcome)
    "informed": "已解答", "promise_recorded": "已登记还款承诺", "plan_booked": "已办理分期", "case_opened": "已受理案件",
    "complaint": "投诉已处理", "declined": "客户拒绝方案", "not_cardholder": "非持卡人",
    "verification_failed": "身份核实失败",
}
ENTITIES: dict[str, str] = {"amount": "金额", "date": "日期", "installment_term": "期数", "card_last4": "卡号末四位",
                            "id_last6": "证件后六位"}
OFFERS: dict[str, str] = {  # next best action kinds (bot.domain.assist)
    "care": "先关心安全，提供心理援助热线", "verify": "先核实身份", "dispute": "登记账单异议",
    "promise": "登记还款承诺", "installment": "标准账单分期", "personalized": "申请个性化分期",
    "ask_budget": "先了解每月能还多少", "nothing_due": "目前没有欠款",
}
OFFER_FIGURES: dict[str, str] = {  # an offer's or the calculator's figures (bot.domain.figures.plan_figures)
    "term": "期数", "principal": "本金", "monthly": "每期还款", "last": "最后一期", "fee": "总手续费",
    "annual_rate": "年化利率", "total": "总还款额", "date": "还款日期", "amount": "还款金额", "budget": "每月可还",
    "max_months": "最长期数",
}
FIGURES: dict[str, str] = {  # the handoff summary's figures, in the order the console lists them
    "total_due": "应还总额", "outstanding_principal": "未还本金", "interest_to_date": "利息", "late_fee": "违约金",
    "minimum_unpaid": "未还最低还款额", "days_overdue": "逾期天数", "due_date": "到期还款日",
    "credit_reported": "已报送征信", "card_suspended": "卡片已止付",
}


def intent_label(name: str | None) -> str:
    return INTENTS.get(name or "", UNSURE_INTENT)
