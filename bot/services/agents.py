"""Agent console accounts: creation, sign-in and the list a supervisor sees."""
from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.data.models import AgentAccount, HandoffRequest
from bot.services.errors import ServiceError
from bot.services.passwords import hash_password, verify_password

SUPERVISOR = "supervisor"
TRAINER = "trainer"
ROLES: tuple[str, ...] = ("agent", SUPERVISOR, TRAINER)
CONSOLE_ROLES: tuple[str, ...] = ("agent", SUPERVISOR)
MIN_PASSWORD_LENGTH = 8


class HasRole(Protocol):
    role: str


def is_supervisor(person: HasRole) -> bool:
    """The one supervisor check: route dependencies, socket fan-out and desk rules all ask here."""
    return person.role == SUPERVISOR


def works_the_desk(person: HasRole) -> bool:
    """Agents and supervisors answer cardholders; a trainer never sees the bank's data."""
    return person.role in CONSOLE_ROLES


def is_trainer(person: HasRole) -> bool:
    return person.role == TRAINER


class AccountError(ServiceError):
    """An account cannot be created as asked."""

    code = "invalid_account"


def create_agent(session: Session, username: str, display_name: str, role: str, password: str) -> AgentAccount:
    """A new console account; the password is kept only as a salted hash."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if not username or not display_name:
        raise AccountError("username and display name are required")
    if agent_by_username(session, username) is not None:
        raise AccountError(f"an account named {username!r} already exists")
    account = AgentAccount(
        username=username, display_name=display_name, role=role, password_hash=hash_password(password), active=True
    )
    session.add(account)
    session.flush()
    return account


def deactivate_agent(session: Session, username: str) -> AgentAccount:
    """The account can no longer sign in; its tokens and open sockets stop working."""
    account = _existing(session, username)
    account.active = False
    session.flush()
    return account


def set_role(session: Session, username: str, role: str) -> AgentAccount:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    account = _existing(session, username)
    account.role = role
    session.flush()
    return account


def _existing(session: Session, username: str) -> AgentAccount:
    account = agent_by_username(session, username)
    if account is None:
        raise AccountError(f"no account named {username!r}")
    return account


def agent_by_username(session: Session, username: str) -> AgentAccount | None:
    return session.scalar(select(AgentAccount).where(AgentAccount.username == username))


def authenticate(session: Session, username: str, password: str) -> AgentAccount | None:
    """The active account with this username and password, else None (no hint which was wrong)."""
    account = agent_by_username(session, username)
    if account is None or not account.active:
        verify_password(password, _dummy_hash())  # the same work either way: no timing hint
        return None
    return account if verify_password(password, account.password_hash) else None


def active_counts(session: Session) -> dict[int, int]:
    """How many conversations each agent holds right now."""
    rows = session.execute(
        select(HandoffRequest.assigned_agent_id, func.count())
        .where(HandoffRequest.status == "claimed", HandoffRequest.assigned_agent_id.is_not(None))
        .group_by(HandoffRequest.assigned_agent_id)
    )
    return {agent_id: count for agent_id, count in rows}


def list_agents(session: Session) -> list[AgentAccount]:
    """The active accounts that take conversations (trainers do not)."""
    return list(session.scalars(
        select(AgentAccount)
        .where(AgentAccount.active.is_(True), AgentAccount.role.in_(CONSOLE_ROLES))
        .order_by(AgentAccount.username)
    ))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("no-such-account")
