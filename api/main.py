"""The API app: `uvicorn --factory api.main:create_app` (one process: live sockets are fanned out in memory).

Creating the app reads and checks the settings (outside APP_ENV=demo it refuses demo or short
secrets); the database engine is made on first use. The demo bank login and the interactive
API docs exist only in demo mode.
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
from api.routes import agents, bank, chat, dashboard, trainer
from api.routes.pages import pages_router
from api.services import desk
from api.services.gateway import ChatGateway
from api.services.hub import Hub
from api.services.outbox import Database
from api.services.rasa_client import RasaClient
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
    app.state.gateway = ChatGateway(
        Database(settings.database_url),
        Hub(),
        RasaClient(settings.rasa_url, settings.secret("rasa_api_token"), settings.rasa_timeout_seconds,
                   settings.rasa_max_concurrency),
        MessageLimits(max_chars=settings.max_message_chars, per_minute=settings.rate_limit_per_minute),
    )
    install_error_handlers(app)
    app.state.workbench = workbench_for(settings)
    routers = [chat.router, agents.router, trainer.router, dashboard.router, pages_router(settings.static_dir)]
    if settings.is_demo:
        routers.insert(0, bank.router)
    for router in routers:
        app.include_router(router)
    if settings.static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    app.add_middleware(SecurityHeaders, strict_transport=not settings.is_demo)
    if settings.forwarded_allow_ips:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    gateway: ChatGateway = app.state.gateway
    loop = asyncio.get_running_loop()
    sweeper = loop.create_task(gateway.sweep_forever(SWEEP_SECONDS))
    loop.run_in_executor(None, desk.warm_knowledge)  # the agents' first search need not wait for jieba
    try:
        yield
    finally:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        await gateway.shutdown()
        await gateway.rasa.aclose()
