"""Gets the databases ready before any process starts: `python -m bot.data.prepare_storage`.

On PostgreSQL the bank and tracker databases are created if they do not exist yet (the role in
the URL needs CREATEDB for that; a bank's DBA usually creates them instead, and then this only
checks). The bank schema is migrated to the newest Alembic revision and, in demo mode, the demo
cardholders and agents are seeded; Rasa's tracker tables are created once here, not by several
Rasa instances racing at start.
"""
from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.settings import get_settings


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database named in `url` if missing; True when it was created."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql") or not target.database:
        return False
    maintenance = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    try:
        with maintenance.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": target.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
            return not exists
    finally:
        maintenance.dispose()


def create_tracker_tables(url: str) -> None:
    """Rasa's own tables (`events`), as Rasa itself creates them."""
    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore(host=url).engine.dispose()


def main() -> None:
    import os

    from bot.data import seed

    settings = get_settings()
    tracker_url = os.environ.get("TRACKER_STORE_URL", "")
    for url in (settings.database_url, tracker_url):
        if url and ensure_database(url):
            print(f"created database {make_url(url).database}")
    seed.main([])
    if tracker_url:
        create_tracker_tables(tracker_url)


if __name__ == "__main__":
    main()
