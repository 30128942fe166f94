"""Engines and sessions; the schema is created and upgraded by Alembic migrations."""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their folder, foreign keys and a busy timeout.

    A SQLite file keeps a pool of open connections (SQLAlchemy 1.4 would open one per session,
    and every opening sets the pragmas again); a server database's connections are pinged first.
    """
    file_sqlite = url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:")
    if file_sqlite:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    pooling = {"poolclass": QueuePool, "pool_size": 10, "max_overflow": 30} if file_sqlite else {"pool_pre_ping": True}
    # hide_parameters: an error never repeats the values it was writing (a message, an ID).
    engine = create_engine(url, future=True, hide_parameters=True, connect_args=_connect_args(url), **pooling)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _connect_args(url: str) -> dict:
    return {"timeout": 30, "check_same_thread": False} if url.startswith("sqlite") else {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def session_factory(url: str | None = None) -> sessionmaker:
    return sessionmaker(engine_for(url or get_settings().database_url), future=True, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker) -> Iterator[Session]:
    """A unit of work: committed when the block ends, rolled back on any error."""
    session: Session = factory()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def migrate(url: str) -> None:
    """Bring the schema at `url` to the newest migration."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    make_engine(url).dispose()  # creates the SQLite folder
    command.upgrade(config, "head")
