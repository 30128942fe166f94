"""Every error leaves the API as {"detail": {"code": ..., "message": <Chinese for the user>}}."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.core.security import TokenError
from api.services.rasa_client import RasaUnavailable
from api.services.throttle import Throttled
from bot.services.errors import ExplainedError, ServiceError

log = logging.getLogger(__name__)
DATABASE_RETRY_SECONDS = 5

# code -> (HTTP status, what the person in front of the page is told)
ERRORS: dict[str, tuple[int, str]] = {
    "invalid_token": (401, "登录信息无效，请重新登录。"),
    "expired_token": (401, "登录已过期，请重新登录。"),
    "bad_credentials": (401, "账号或密码不正确。"),
    "forbidden": (403, "您没有权限执行此操作。"),
    "conversation_not_found": (404, "对话不存在，请重新发起对话。"),
    "empty_message": (422, "请输入消息内容。"),
    "message_too_long": (413, "消息太长了，请分几条发送。"),
    "rate_limited": (429, "您发送得太快了，请稍后再试。"),
    "too_many_attempts": (429, "尝试次数过多，为保护账户安全，请{minutes}分钟后再试。"),
    "too_many_conversations": (429, "发起新对话过于频繁，请{minutes}分钟后再试。"),
    "handoff_not_found": (404, "转接请求不存在。"),
    "already_claimed": (409, "该对话已被其他客服接入。"),
    "handoff_closed": (409, "该转接已经结束。"),
    "not_assigned": (403, "您没有接入这个对话，不能操作。"),
    "not_visible": (403, "您无权查看这个对话。"),
    "agent_not_found": (404, "客服账号不存在或已停用。"),
    "invalid_account": (422, "账号信息不符合要求。"),
    "customer_not_verified": (409, "客户身份尚未核实，暂不能办理。"),
    "account_not_found": (409, "未找到客户的信用卡账户。"),
    "not_positive": (422, "还款金额必须大于零。"),
    "in_past": (422, "还款日期不能早于今天。"),
    "too_far": (422, "还款日期超出了允许登记的范围。"),
    "invalid_term": (422, "不支持这个分期期数。"),
    "complaint_not_found": (404, "投诉记录不存在。"),
    "assistant_unavailable": (503, "智能助手暂时无法连接，请稍后再试。"),
    "database_unavailable": (503, "服务暂时不可用，请稍后再试。"),
    "invalid_request": (422, "请求内容不正确，请检查后再试。"),
    "reply_blocked": (422, "这条回复不符合合规要求，未发送。请参考建议的说法修改。"),
    "reply_needs_confirmation": (409, "这条回复有需要注意的说法，请确认后再发送。"),
    "invalid_date_range": (422, "日期范围不正确：开始日期不能晚于结束日期，且最多一年。"),
    # the trainers' workbench: the exception's own message says what to fix
    "invalid_training_data": (422, "训练数据无法按要求修改。"),
    "invalid_training_record": (422, "请求内容不正确。"),
    "invalid_mark": (422, "标记内容不正确。"),
    "import_not_found": (404, "导入的语料不存在。"),
    "job_not_found": (404, "任务不存在。"),
    "model_error": (409, "模型操作未完成。"),
    "evaluation_error": (409, "评估未完成。"),
    "rasa_unavailable": (503, "无法连接 Rasa 服务。"),
    "tracker_unavailable": (503, "无法读取对话记录库。"),
}
RETRY_AFTER_SECONDS = "60"


class ApiError(Exception):
    """Raised by routes and dependencies for a refusal that has no service behind it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def error_response(code: str, retry_after: int | None = None, message: str | None = None,
                   **extra: object) -> JSONResponse:
    status, generic = ERRORS.get(code, (400, "请求无法处理。"))
    message = message or generic
    headers: dict[str, str] | None = None
    if status == 429:
        wait = retry_after or int(RETRY_AFTER_SECONDS)
        headers = {"Retry-After": str(wait)}
        message = message.format(minutes=max((wait + 59) // 60, 1))
    if status == 503 and retry_after:
        headers = {"Retry-After": str(retry_after)}
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    body = {"detail": {"code": code, "message": message, **extra}}
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Map service refusals, token problems, validation and plain HTTP errors to the one format."""

    async def coded(_request: Request, exc: Exception) -> JSONResponse:
        explained = str(exc) if isinstance(exc, ExplainedError) else None
        return error_response(getattr(exc, "code", "invalid_request"), getattr(exc, "retry_after", None), explained)

    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        """Which fields were wrong, never the values sent (they may be passwords or card digits)."""
        fields = sorted({".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0]) for error in exc.errors()})
        return error_response("invalid_request", fields=fields)

    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "请求无法处理。"
        return JSONResponse({"detail": {"code": f"http_{exc.status_code}", "message": message}},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    async def database_down(_request: Request, exc: Exception) -> JSONResponse:
        """The database restarting, unreachable or with every pooled connection busy: a clear
        503 the client may retry; nothing half-written stays (the unit of work rolled back)."""
        cause = getattr(exc, "orig", None) or exc
        # the driver's first line says which ("database is locked", "connection refused"); the
        # engines hide parameters, so no value is in it
        log.warning("database unavailable: %s: %.200s", type(cause).__name__, str(cause).splitlines()[0] if str(cause) else "")
        return error_response("database_unavailable", DATABASE_RETRY_SECONDS)

    for kind in (ServiceError, TokenError, ApiError, RasaUnavailable, Throttled):
        app.add_exception_handler(kind, coded)
    for kind in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(kind, database_down)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)


def error_frame(code: str, **extra: object) -> dict[str, object]:
    """The WebSocket form of an error: {"type": "error", "code": ..., "message": ...}."""
    return {"type": "error", "code": code, "message": ERRORS.get(code, (400, "请求无法处理。"))[1], **extra}
