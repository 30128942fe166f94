"""Tokens (JWT HS256 with an expiry and a kind) and password hashing for the API.

Each kind of token has its own secret and a `typ` claim, so a bank-site token cannot be
used as a conversation token or an agent token, and the other way round.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt

from bot.services.passwords import hash_password, verify_password

__all__ = ["ExpiredToken", "InvalidToken", "IssuedToken", "TokenError", "hash_password", "issue_token",
           "read_token", "verify_password"]
_ALGORITHM = "HS256"


class TokenError(Exception):
    """A token was refused; `code` is what the client is told."""

    code = "invalid_token"


class InvalidToken(TokenError):
    """Malformed, signed with another secret, of another kind, or missing claims."""


class ExpiredToken(TokenError):
    """Well formed and genuine but past its expiry: sign in again."""

    code = "expired_token"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def issue_token(
    secret: str, kind: str, subject: str, minutes: int, not_after: datetime | None = None, **claims: Any
) -> IssuedToken:
    """A signed token of `kind` for `subject`, valid for `minutes` and never past `not_after`."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    expires = now + timedelta(minutes=minutes)
    if not_after is not None:
        expires = min(expires, not_after)
    payload = {**claims, "sub": subject, "typ": kind, "iat": now, "exp": expires}
    return IssuedToken(jwt.encode(payload, secret, algorithm=_ALGORITHM), expires)


def read_token(secret: str, kind: str, token: str | None) -> dict[str, Any]:
    """The claims of a genuine, unexpired token of `kind`; raises a TokenError otherwise."""
    if not token:
        raise InvalidToken("no token")
    try:
        claims = jwt.decode(token, secret, algorithms=[_ALGORITHM], options={"require": ["exp", "sub", "typ"]})
    except jwt.ExpiredSignatureError as exc:
        raise ExpiredToken("the token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidToken(f"the token is not valid: {exc}") from exc
    if claims.get("typ") != kind:
        raise InvalidToken(f"a {claims.get('typ')!r} token cannot be used as a {kind!r} token")
    return claims
