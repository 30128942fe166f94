"""Who a conversation is verified as, and the guard against guessing the identity answers.

Identity lives in the bank's database (`ConversationIdentity`), written only here: by the
gateway when a signed-in bank-site customer opens a conversation, and by the assistant when
the card and ID digits match. Slots only mirror it for the dialogue; an action that touches an
account asks this module, so a tracker that claims `verified` proves nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.data.models import Cardholder, ConversationIdentity, VerificationFailure, utcnow
from bot.domain.product_rules import ProductRules
from bot.domain.verification_lock import LockPolicy, attempts_left, locked_until
from bot.services.accounts import verify_identity

BANK_SESSION, CARD_AND_ID = "bank_session", "card_and_id"


@dataclass(frozen=True)
class AttemptKeys:
    """Where wrong answers are counted: this conversation, the client's address, the card typed."""

    conversation_id: str
    client: str | None = None
    card_last4: str | None = None

    def scoped(self) -> list[tuple[str, str]]:
        keys = [("conversation", self.conversation_id)]
        if self.client:
            keys.append(("client", self.client))
        if self.card_last4:
            keys.append(("card", self.card_last4))
        return keys


class Outcome(Enum):
    VERIFIED = "verified"
    MISMATCH = "mismatch"
    LOCKED = "locked"


@dataclass(frozen=True)
class Verification:
    """The answer to one verification attempt."""

    outcome: Outcome
    cardholder: Cardholder | None = None
    attempts_left: int = 0
    locked_until: datetime | None = None


def bind(session: Session, conversation_id: str, cardholder: Cardholder, method: str, expires_at: datetime) -> None:
    """Record that the conversation is verified as `cardholder` until `expires_at`."""
    identity = session.get(ConversationIdentity, conversation_id) or ConversationIdentity(conversation_id=conversation_id)
    identity.cardholder_id, identity.method = cardholder.id, method
    identity.verified_at, identity.expires_at = utcnow(), expires_at
    identity.pending_card_last4 = identity.pending_id_last6 = None
    session.add(identity)
    session.flush()


def bound_cardholder(session: Session, conversation_id: str, now: datetime | None = None) -> Cardholder | None:
    """The cardholder the conversation is verified as, while the verification lasts."""
    identity = session.get(ConversationIdentity, conversation_id)
    if identity is None or identity.cardholder is None or identity.expires_at is None:
        return None
    return identity.cardholder if as_utc(identity.expires_at) > (now or utcnow()) else None


def forget(session: Session, conversation_id: str) -> None:
    """The person says they are not the cardholder: the conversation is no longer verified."""
    session.execute(delete(ConversationIdentity).where(ConversationIdentity.conversation_id == conversation_id))


def remember(session: Session, conversation_id: str, *, card_last4: str | None = None,
             id_last6: str | None = None) -> tuple[str | None, str | None]:
    """Keep an answer until the other one arrives, so no slot has to; returns both as they stand."""
    identity = session.get(ConversationIdentity, conversation_id) or ConversationIdentity(conversation_id=conversation_id)
    identity.pending_card_last4 = card_last4 or identity.pending_card_last4
    identity.pending_id_last6 = id_last6 or identity.pending_id_last6
    session.add(identity)
    session.flush()
    return identity.pending_card_last4, identity.pending_id_last6


def pending_answers(session: Session, conversation_id: str) -> tuple[str | None, str | None]:
    """The card digits and the ID digits given so far, if any."""
    identity = session.get(ConversationIdentity, conversation_id)
    return (identity.pending_card_last4, identity.pending_id_last6) if identity else (None, None)


def lock_status(session: Session, keys: AttemptKeys, rules: ProductRules, now: datetime | None = None) -> datetime | None:
    """The end of the longest lock on any of the keys, or None when an attempt is allowed."""
    now = now or utcnow()
    ends = [
        locked_until(_failures(session, scope, key, rules, now), _policy(scope, rules), now)
        for scope, key in keys.scoped()
    ]
    return max((end for end in ends if end is not None), default=None)


def verify(
    session: Session, keys: AttemptKeys, id_last6: str, rules: ProductRules, ttl: timedelta,
    now: datetime | None = None,
) -> Verification:
    """Check the card and ID digits unless a lock forbids it; count a wrong answer everywhere.

    A lock is checked before the digits, so even the right answer is refused while it runs.
    Success clears the card's and the conversation's failures, not the address's: a guesser
    who knows one real identity cannot wash their address clean with it.
    """
    now = now or utcnow()
    until = lock_status(session, keys, rules, now)
    if until is not None:
        _forget_answers(session, keys.conversation_id)
        return Verification(Outcome.LOCKED, locked_until=until)
    holder = verify_identity(session, keys.card_last4 or "", id_last6)
    if holder is not None:
        bind(session, keys.conversation_id, holder, CARD_AND_ID, now + ttl)
        _clear(session, [pair for pair in keys.scoped() if pair[0] != "client"])
        return Verification(Outcome.VERIFIED, cardholder=holder)
    return wrong_answer(session, keys, rules, now)


def wrong_answer(session: Session, keys: AttemptKeys, rules: ProductRules, now: datetime | None = None) -> Verification:
    """Count a wrong answer against every key (a mismatch, or an answer that is no card or ID
    digits at all); the answers given so far are dropped, so the next try starts afresh."""
    now = now or utcnow()
    for scope, key in keys.scoped():
        session.add(VerificationFailure(scope=scope, key=key, failed_at=now))
    _forget_answers(session, keys.conversation_id)
    session.flush()
    until = lock_status(session, keys, rules, now)
    if until is not None:
        return Verification(Outcome.LOCKED, locked_until=until)
    return Verification(Outcome.MISMATCH, attempts_left=attempts_remaining(session, keys, rules, now))


def attempts_remaining(session: Session, keys: AttemptKeys, rules: ProductRules, now: datetime | None = None) -> int:
    """Wrong answers still allowed before a lock, by the strictest key."""
    now = now or utcnow()
    return min(
        attempts_left(_failures(session, scope, key, rules, now), _policy(scope, rules), now)
        for scope, key in keys.scoped()
    )


def _forget_answers(session: Session, conversation_id: str) -> None:
    identity = session.get(ConversationIdentity, conversation_id)
    if identity is not None:
        identity.pending_card_last4 = identity.pending_id_last6 = None


def _policy(scope: str, rules: ProductRules) -> LockPolicy:
    return rules.verification_client_lock if scope == "client" else rules.verification_lock


def _failures(session: Session, scope: str, key: str, rules: ProductRules, now: datetime) -> list[datetime]:
    """The key's wrong answers inside its policy's window."""
    since = now - _policy(scope, rules).window
    rows = session.scalars(
        select(VerificationFailure.failed_at).where(
            VerificationFailure.scope == scope, VerificationFailure.key == key, VerificationFailure.failed_at >= since
        )
    )
    return [as_utc(moment) for moment in rows]


def _clear(session: Session, pairs: list[tuple[str, str]]) -> None:
    for scope, key in pairs:
        session.execute(delete(VerificationFailure).where(VerificationFailure.scope == scope, VerificationFailure.key == key))

