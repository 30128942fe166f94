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
