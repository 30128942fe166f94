"""Prometheus metrics of one gateway instance, served at GET /metrics (api.routes.health).

- HTTP requests: a count and a latency histogram by method, route template and status. The
  label is the template ("/api/agent/conversations/{conversation_id}"), never the path, so no
  conversation id or personal data reaches a label (and the number of series stays bounded).
- Rasa calls: a latency histogram and an error count by call ("message", "tracker", ...).
- Live sockets of this instance (cardholder / agent), the handoff queue (a COUNT in the bank
  database) and whether the Redis fan-out listens: read when scraped, so they are never stale.

Each app has a registry of its own: production runs one app per process (one uvicorn worker per
instance), and the tests build several apps in one process, each with its own figures.
/metrics is meant for the scraper on each instance's own port; nginx does not pass it from
outside, and METRICS_TOKEN, when set, is asked for besides.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Iterable

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.services.hub import Hub
from api.services.outbox import Database
from bot.data.models import HandoffRequest

log = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED, STATIC = "unmatched", "/static/{path}"
RASA_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


class Metrics:
    """The instance's registry and the measurements the app records into it."""

    media_type = CONTENT_TYPE_PLAIN_0_0_4  # what `render` writes

    def __init__(self, hub: Hub, database: Database, fanout_listening: Callable[[], bool] | None = None) -> None:
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        labels = ("method", "route", "status")
        self.requests = Counter("gateway_http_requests", "HTTP requests answered", labels, registry=self.registry)
        self.latency = Histogram("gateway_http_request_duration_seconds", "Time to answer an HTTP request", labels,
                                 registry=self.registry)
        self.rasa_latency = Histogram("gateway_rasa_request_duration_seconds", "Time of a call to Rasa, failed or not",
                                      ("call",), buckets=RASA_BUCKETS, registry=self.registry)
        self.rasa_errors = Counter("gateway_rasa_errors", "Calls to Rasa that failed", ("call", "error"),
                                   registry=self.registry)
        self.registry.register(LiveState(hub, database, fanout_listening))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method if method in METHODS else "other", route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def observe_rasa(self, call: str, seconds: float, error: Exception | None) -> None:
        """RasaClient's observer: every call's time, and what went wrong when it failed."""
        self.rasa_latency.labels(call).observe(seconds)
        if error is not None:
            self.rasa_errors.labels(call, rasa_error(error)).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


def rasa_error(error: Exception) -> str:
    """A short, bounded kind of failure (never the URL: it carries the token)."""
    if isinstance(error, httpx.HTTPStatusError):
        return f"http_{error.response.status_code}"
    if isinstance(error, httpx.TimeoutException):
        return "timeout"
    if isinstance(error, httpx.TransportError):
        return "connection"
    return "bad_reply" if isinstance(error, ValueError) else "other"


class LiveState(Collector):
    """Gauges read at scrape time: live sockets, the handoff queue, the Redis fan-out."""

    def __init__(self, hub: Hub, database: Database, fanout_listening: Callable[[], bool] | None) -> None:
        self._hub, self._database, self._fanout_listening = hub, database, fanout_listening

    def collect(self) -> Iterable[Metric]:
        cardholders, agents = self._hub.counts()
        sockets = GaugeMetricFamily("gateway_live_sockets", "Open WebSockets on this instance", labels=("side",))
        sockets.add_metric(("cardholder",), cardholders)
        sockets.add_metric(("agent",), agents)
        yield sockets
        waiting = self._waiting_handoffs()
        if waiting is not None:
            queue = GaugeMetricFamily("gateway_handoff_queue_length",
                                      "Handoffs waiting for an agent: live (in the queue) or for a callback",
                                      labels=("queue",))
            for name, count in waiting.items():
                queue.add_metric((name,), count)
            yield queue
        if self._fanout_listening is not None:
            yield GaugeMetricFamily("gateway_redis_fanout_up", "1 while this instance listens to Redis for live frames",
                                    value=1.0 if self._fanout_listening() else 0.0)

    def _waiting_handoffs(self) -> dict[str, int] | None:
        """One grouped COUNT of the waiting handoffs; None (gauge left out) when the database fails."""
        counts = {"live": 0, "callback": 0}
        try:
            with self._database.session() as session:
                rows = session.execute(
                    select(HandoffRequest.callback_requested, func.count())
                    .where(HandoffRequest.status == "waiting")
                    .group_by(HandoffRequest.callback_requested)
                )
                for callback, count in rows:
                    counts["callback" if callback else "live"] = int(count)
        except Exception as exc:  # noqa: BLE001 - /metrics still answers; /ready says what is down
            log.warning("metrics: the handoff queue could not be counted (%s)", type(exc).__name__)
            return None
        return counts


class RequestMetrics:
    """Pure ASGI middleware timing each HTTP request (sockets pass untouched)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500  # an exception before the answer is a 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.observe_request(scope["method"], route_template(scope), status,
                                         time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The matched route's template (the router leaves it in the scope), never the raw path."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    return STATIC if scope.get("path", "").startswith("/static/") else UNMATCHED
