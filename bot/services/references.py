"""Reference numbers a cardholder can quote: a prefix, the bank's date and a random tail."""
from __future__ import annotations

import secrets

from bot.clock import bank_today

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_reference(prefix: str) -> str:
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"{prefix}{bank_today():%Y%m%d}{tail}"
