"""The base of every refusal a use case can give; the API turns `code` into an HTTP answer."""
from __future__ import annotations


class ServiceError(Exception):
    """A use case refused to act; `code` is stable for clients, the message is for developers."""

    code = "service_error"


class ExplainedError(ServiceError):
    """A refusal whose message is written for the staff member who asked (in Chinese), because only
    the reason tells them what to fix (which example, which model, which row of a file)."""
