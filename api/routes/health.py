"""Operations: liveness (/health), readiness (/ready) and Prometheus metrics (/metrics).

/health touches nothing (the process answers, so it is alive); /ready asks the dependencies
(api.services.readiness) and answers 503 naming what fails, so the load balancer sends no one to
an instance that cannot serve. /metrics is for the scraper on each instance's own port (nginx
does not pass it from outside); with METRICS_TOKEN set it wants `Authorization: Bearer <token>`.
"""
from __future__ import annotations

import hmac
from typing import Dict, Literal, Optional

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import SecretStr

from api.core.config import ApiSettings
from api.core.security import InvalidToken
from api.deps import get_settings
from api.schemas import ErrorBody, Schema
from api.services.metrics import Metrics
from api.services.readiness import Readiness

router = APIRouter(tags=["operations"])


class HealthOut(Schema):
    status: Literal["ok"]


class CheckOut(Schema):
    ok: bool
    reason: Optional[str] = None


class ReadyOut(Schema):
    status: Literal["ready", "unavailable"]
    checks: Dict[str, CheckOut]


@router.get("/health", response_model=HealthOut)
async def health() -> HealthOut:
    return HealthOut(status="ok")


@router.get("/ready", response_model=ReadyOut,
            responses={503: {"model": ReadyOut, "description": "a dependency fails; `checks` says which and why"}})
async def ready(request: Request) -> JSONResponse:
    readiness: Readiness = request.app.state.readiness
    results = await readiness.run()
    checks = {name: CheckOut(ok=reason is None, reason=reason) for name, reason in results.items()}
    ok = all(check.ok for check in checks.values())
    body = ReadyOut(status="ready" if ok else "unavailable", checks=checks)
    return JSONResponse(body.dict(), status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


@router.get("/metrics", response_class=Response, responses={
    200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text format"},
    401: {"model": ErrorBody, "description": "METRICS_TOKEN is set and the bearer token is not it"},
})
def metrics(request: Request, settings: ApiSettings = Depends(get_settings)) -> Response:
    """A sync route on purpose: the queue gauge counts in the database when scraped."""
    if not _token_accepted(settings, request.headers.get("authorization")):
        raise InvalidToken("the metrics token is required")
    registry: Metrics = request.app.state.metrics
    return Response(registry.render(), media_type=registry.media_type, headers={"Cache-Control": "no-store"})


def _token_accepted(settings: ApiSettings, authorization: str | None) -> bool:
    """No METRICS_TOKEN: open. Otherwise the bearer token must equal it (compared in constant time)."""
    expected = settings.metrics_token
    secret = expected.get_secret_value() if isinstance(expected, SecretStr) else (expected or "")
    if not secret:
        return True
    scheme, _, token = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), secret.encode())
