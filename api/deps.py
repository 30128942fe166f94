"""Shared dependencies: settings, the unit of work of a request, who is calling, and from where.

Every role check is one dependency here: `current_conversation` (a cardholder's conversation
token), `current_agent` (an agent or supervisor), `require_supervisor`, `require_trainer`.
"""
from __future__ import annotations

from typing import Iterator

from fastapi import Depends, Header, Request

from api.core.config import ApiSettings
from api.core.errors import ApiError
from api.core.identity import CustomerIdentity
from api.core.security import InvalidToken
from api.services import auth
from api.services.gateway import ChatGateway
from api.services.outbox import Unit, unit_of_work
from api.services.throttle import Guards
from bot.data.models import AgentAccount
from bot.services.agents import is_supervisor, is_trainer


def get_settings(request: Request) -> ApiSettings:
    return request.app.state.settings


def get_gateway(request: Request) -> ChatGateway:
    return request.app.state.gateway


def get_guards(request: Request) -> Guards:
    return request.app.state.guards


def client_address(request: Request) -> str:
    """The caller's address: the peer, or the forwarded one when a trusted proxy is configured."""
    return request.client.host if request.client else "unknown"


def get_unit(gateway: ChatGateway = Depends(get_gateway)) -> Iterator[Unit]:
    """One transaction per request, committed before the response is sent; frames go out after.

    FastAPI ends it only after validating the response, which for a plain `def` route waits for
    a worker thread again; when a burst has every worker thread waiting for a pooled connection,
    the requests holding the connections wait for a thread, and all wait out the pool timeout.
    The cardholders' routes (the bursts) therefore run their work in `gateway.in_unit`, which
    returns its connection before the route returns; the staff's routes keep this one."""
    with unit_of_work(gateway.database, gateway.hub) as unit:
        yield unit


def bearer_token(authorization: str | None = Header(None)) -> str | None:
    """The token of an `Authorization: Bearer` header; None when there is no header at all."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("expected an Authorization: Bearer header")
    return token.strip()


def current_conversation(
    token: str | None = Depends(bearer_token), gateway: ChatGateway = Depends(get_gateway),
    settings: ApiSettings = Depends(get_settings),
) -> CustomerIdentity:
    """Checked in a unit of its own that ends before the route runs: the cardholder's routes open
    their own units, and a request holding two pooled connections at once can wait forever for
    the second when every thread does the same under load."""
    return gateway.in_unit(lambda unit: auth.conversation_identity(unit.session, settings, token))


def current_agent(
    token: str | None = Depends(bearer_token), unit: Unit = Depends(get_unit),
    settings: ApiSettings = Depends(get_settings),
) -> AgentAccount:
    return auth.agent_account(unit.session, settings, token)


def require_supervisor(agent: AgentAccount = Depends(current_agent)) -> AgentAccount:
    if not is_supervisor(agent):
        raise ApiError("forbidden")
    return agent


def require_trainer(
    token: str | None = Depends(bearer_token), unit: Unit = Depends(get_unit),
    settings: ApiSettings = Depends(get_settings),
) -> AgentAccount:
    """A trainer: masked conversations and the training data, never the bank's records."""
    account = auth.staff_account(unit.session, settings, token)
    if not is_trainer(account):
        raise ApiError("forbidden")
    return account
