"""No token, card number, ID number or phone number in any log line a process writes.

Installed on every handler of a process (the API's uvicorn loggers, the action server's), so a
library that quotes a URL with `?token=`, an exception that repeats a header, or a message
that repeats what a cardholder typed is cut before it reaches a file. Text is also kept out of
logs at the source: database errors hide their parameters (bot.data.db), and actions log the
conversation id, never the message.
"""
from __future__ import annotations

import logging
import re
from typing import Iterable

from bot.domain.compliance import mask_text

_SECRET_PARAM = re.compile(r"(?i)\b(token|access_token|auth_token|ticket|password|secret)=([^&\s\"']+)")
_BEARER = re.compile(r"(?i)\bBearer\s+[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
_SECRET_JSON = re.compile(r'(?i)("(?:token|password|secret)"\s*:\s*")[^"]*(")')


def redact(text: str) -> str:
    """`text` with secrets and personal numbers replaced."""
    text = _SECRET_PARAM.sub(r"\1=[redacted]", text)
    text = _BEARER.sub("Bearer [redacted]", text)
    text = _JWT.sub("[token]", text)
    text = _SECRET_JSON.sub(r"\1[redacted]\2", text)
    return mask_text(text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and its traceback) with `redact` before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install(logger_names: Iterable[str] = ()) -> None:
    """Add the filter to every handler of the root logger and of `logger_names` (once each)."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logger_names)]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
