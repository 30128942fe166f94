"""One settings object, read from the environment, with safe demo defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
BANK_TIMEZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Settings:
    database_url: str
    channel: str

    @classmethod
    def from_env(cls) -> "Settings":
        default_db = f"sqlite:///{REPO_ROOT / 'var' / 'bank.db'}"
        return cls(
            database_url=os.environ.get("DATABASE_URL", default_db),
            channel=os.environ.get("CONTACT_CHANNEL", "web"),
        )
