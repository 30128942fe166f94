"""The API app: `uvicorn api.main:app` (one process: live sockets are fanned out in memory).

Creating the app only reads the environment; the database engine is made on first use.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.core.config import ApiSettings
from api.core.errors import install_error_handlers
from api.routes import agents, bank, chat
from api.routes.pages import pages_router
from api.services.gateway import ChatGateway
from api.services.hub import Hub
from api.services.outbox import Database
from api.services.rasa_client import RasaClient
from bot.services.conversations import MessageLimits

log = logging.getLogger(__name__)


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings.from_env()
    app = FastAPI(title="逾期账单助手 API", version="0.1.0", lifespan=_lifespan)
    app.state.settings = settings
    app.state.gateway = ChatGateway(
        Database(settings.database_url),
        Hub(),
        RasaClient(settings.rasa_url, settings.rasa_api_token, settings.rasa_timeout_seconds,
                   settings.gateway_shared_secret),
        MessageLimits(max_chars=settings.max_message_chars, per_minute=settings.rate_limit_per_minute),
    )
    install_error_handlers(app)
    for router in (bank.router, chat.router, agents.router, pages_router(settings.static_dir)):
        app.include_router(router)
    if settings.static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    demo = app.state.settings.demo_secrets_in_use()
    if demo:
        log.warning("demo-only secrets in use (set them in production): %s", ", ".join(demo))
    yield
    await app.state.gateway.shutdown()


app = create_app()
