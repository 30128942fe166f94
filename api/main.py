"""The API app: `uvicorn --factory api.main:create_app`, one process per instance.

Creating the app reads and checks the settings (outside APP_ENV=demo it refuses demo or short
secrets); the database engine is made on first use. The demo bank login and the interactive
API docs exist only in demo mode.

Several instances may run behind nginx: a cardholder's socket on one and the agent's on another
get each other's frames through Redis (REDIS_URL, api.services.fanout); without it live frames
stay in this process, which is right for one instance only. Everything else they share lives in
the database (pending messages are leased there, so every instance's sweep is safe) or, for the
throttles, in LIMITS_STORAGE_URL. Each instance answers /health, /ready and /metrics.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.core.config import ApiSettings, load_api_settings
from api.core.errors import install_error_handlers
from api.core.headers import SecurityHeaders
from api.routes import agents, bank, chat, dashboard, health, trainer
from api.routes.pages import pages_router
from api.services import desk
from api.services.fanout import RedisFanout, desk_refresher
from api.services.gateway import ChatGateway
from api.services.hub import Hub
from api.services.metrics import Metrics, RequestMetrics
from api.services.outbox import Database
from api.services.rasa_client import RasaClient
from api.services.readiness import Readiness
from api.services.throttle import Guards
from api.services.workbench import workbench_for
from bot import log_redaction
from bot.services.conversations import MessageLimits

log = logging.getLogger(__name__)
SWEEP_SECONDS = 10.0


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or load_api_settings()
    log_redaction.install(["uvicorn", "uvicorn.error", "uvicorn.access"])
    docs = {} if settings.is_demo else {"docs_url": None, "redoc_url": None, "openapi_url": None}
    app = FastAPI(title="逾期账单助手 API", version="0.1.0", lifespan=_lifespan, **docs)
    app.state.settings = settings
    app.state.guards = Guards.from_settings(settings)
    database, hub = Database(settings.database_url), Hub()
    fanout = _fanout(settings, database, hub)
    metrics = Metrics(hub, database, (lambda: fanout.listening) if fanout else None)
    app.state.fanout, app.state.metrics = fanout, metrics
    app.state.gateway = ChatGateway(
        database,
        hub,
        RasaClient(settings.rasa_url, settings.secret("rasa_api_token"), settings.rasa_timeout_seconds,
                   settings.rasa_max_concurrency, observe=metrics.observe_rasa),
        MessageLimits(max_chars=settings.max_message_chars, per_minute=settings.rate_limit_per_minute),
    )
    app.state.readiness = Readiness(database, settings.rasa_url, settings.secret("rasa_api_token"),
                                    settings.readiness_timeout_seconds, fanout)
    install_error_handlers(app)
    app.state.workbench = workbench_for(settings)
    routers = [health.router, chat.router, agents.router, trainer.router, dashboard.router,
               pages_router(settings.static_dir)]
    if settings.is_demo:
        routers.insert(0, bank.router)
    for router in routers:
        app.include_router(router)
    if settings.static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    app.add_middleware(SecurityHeaders, strict_transport=not settings.is_demo)
    if settings.forwarded_allow_ips:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.add_middleware(RequestMetrics, metrics=metrics)  # outermost: times everything below it
    return app


def _fanout(settings: ApiSettings, database: Database, hub: Hub) -> RedisFanout | None:
    """The Redis relay of live frames when REDIS_URL is set; None keeps them in this process."""
    if not settings.redis_url:
        return None
    if settings.limits_storage_url.startswith("memory"):
        log.warning("REDIS_URL is set but LIMITS_STORAGE_URL is memory://: each instance throttles on its own")
    return RedisFanout(hub, settings.redis_url, settings.redis_channel_prefix, settings.readiness_timeout_seconds,
                       desk_refresher(database, hub))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    gateway: ChatGateway = app.state.gateway
    fanout: RedisFanout | None = app.state.fanout
    loop = asyncio.get_running_loop()
    if fanout is not None:  # before the sweep: its frames go out through Redis
        await fanout.start()
    sweeper = loop.create_task(gateway.sweep_forever(SWEEP_SECONDS))
    loop.run_in_executor(None, desk.warm_knowledge)  # the agents' first search need not wait for jieba
    try:
        yield
    finally:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        await gateway.shutdown()
        if fanout is not None:
            await fanout.stop()
        await gateway.rasa.aclose()
