"""The action server: rasa-sdk's app behind a shared secret, on localhost unless told otherwise.

`python -m actions.server` is what `make run` starts. Rasa sends
`Authorization: Bearer <ACTION_SERVER_TOKEN>` (endpoints.yml); any request without it gets a
401 and nothing else. /health stays open for start-up scripts and tells nothing.
ACTION_HOST (default 127.0.0.1) puts the server on a private network when Rasa runs elsewhere.
The SDK's own error handler answers a failure with the request body, that is the whole
tracker: here a failure answers with the action's name only.
"""
from __future__ import annotations

import hmac
import logging

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request

from bot import log_redaction
from bot.settings import get_settings

log = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})


def build_app(token: str) -> Sanic:
    """The SDK's app with every action of `actions`, answering only to the shared secret."""
    app = create_app("actions", cors_origins=None)
    expected = f"Bearer {token}".encode()

    @app.middleware("request")
    async def require_secret(request: Request):  # type: ignore[no-untyped-def]
        if request.path in OPEN_PATHS:
            return None
        given = (request.headers.get("authorization") or "").encode()
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception):  # type: ignore[no-untyped-def]
        log.error("action request %s failed: %s", request.path, type(exception).__name__)
        return response.json({"error": "the action failed"}, status=500)

    return app


def main() -> None:
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("sanic.access").setLevel(logging.WARNING)
    log_redaction.install()
    app = build_app(settings.secret("action_server_token"))
    log.info("action server on %s:%s", settings.action_host, settings.action_port)
    app.run(host=settings.action_host, port=settings.action_port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
