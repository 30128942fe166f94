"""The trainers' workbench and the dashboard as the API serves them: one workbench per app, on
the project folder and the Rasa server of the app's settings, and the tracker store it reads.

The work itself is in bot.services.trainer_desk and bot.services.dashboard.
"""
from __future__ import annotations

from datetime import date, timedelta

from fastapi import Request
from sqlalchemy.engine import Engine

from api.core.config import ApiSettings
from bot.clock import bank_today
from bot.services.conversation_review import tracker_engine
from bot.services.dashboard import InvalidDateRange
from bot.services.trainer_desk import Bench
from bot.training.registry import RasaAdmin
from bot.training.workspace import Workspace

DEFAULT_DAYS = 30
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)  # no bank record is older; no query needs later
MAX_IMPORT_BYTES = 5_000_000  # about 50,000 lines of Chinese text


def workbench_for(settings: ApiSettings) -> Bench:
    return Bench(Workspace(settings.training_workspace.resolve()),
                 RasaAdmin(settings.rasa_url, settings.secret("rasa_api_token")))


def get_bench(request: Request) -> Bench:
    return request.app.state.workbench


def get_tracker(request: Request) -> Engine:
    return tracker_engine(request.app.state.settings.tracker_store_url)


def date_range(first: date | None, last: date | None) -> tuple[date, date]:
    """The days asked for, in Asia/Shanghai: by default the last 30 days up to today."""
    last = last or bank_today()
    if not all(EARLIEST <= day <= LATEST for day in (first or last, last)):
        raise InvalidDateRange(f"日期须在 {EARLIEST.isoformat()} 与 {LATEST.isoformat()} 之间")
    return first or max(EARLIEST, last - timedelta(days=DEFAULT_DAYS - 1)), last
