"""PostgreSQL databases for the tests, when TEST_DATABASE_URL names a server (unset: SQLite files).

TEST_DATABASE_URL is a server URL whose database part is the maintenance database to connect
to (postgresql://postgres@127.0.0.1:5432/postgres). A session migrates one template database;
each test gets `CREATE DATABASE ... TEMPLATE ...`, a copy much faster than migrating again,
though still about a third of a second, so copies are made ahead and dropped in a background
thread while the tests run. Every name is unique, so several runs can share one server.
"""
from __future__ import annotations

import os
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

from bot.data.db import engine_for

ENV_VAR = "TEST_DATABASE_URL"


def server_url() -> URL | None:
    """The PostgreSQL server the tests should use, or None for SQLite."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return None
    url = make_url(raw)
    if not url.drivername.startswith("postgresql"):
        raise RuntimeError(f"{ENV_VAR} must be a postgresql:// URL, not {url.drivername}")
    return url


def unique_name(prefix: str) -> str:
    """A database name no other run or worker uses (lowercase: PostgreSQL folds unquoted names)."""
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"


@lru_cache(maxsize=None)
def _admin(server: URL) -> Engine:
    """CREATE and DROP DATABASE cannot run inside a transaction, hence autocommit; no pool, so
    no idle connection to the maintenance database outlives a statement."""
    return create_engine(server, isolation_level="AUTOCOMMIT", future=True, poolclass=NullPool)


def _execute(server: URL, statement: str) -> None:
    with _admin(server).connect() as connection:
        connection.execute(text(statement))


def create_database(server: URL, name: str, template: str | None = None) -> str:
    """Create database `name` (a copy of `template` if given); its URL, password kept."""
    copy = f' TEMPLATE "{template}"' if template else ""
    _execute(server, f'CREATE DATABASE "{name}"{copy}')
    return server.set(database=name).render_as_string(hide_password=False)


def drop_database(server: URL, url: str) -> None:
    """Drop the database at `url`, closing this process's pooled connections to it first.

    WITH (FORCE) also ends connections held elsewhere (a session a test leaked, a server
    subprocess), so a drop never waits on them.
    """
    engine_for(url).dispose()
    name = make_url(url).database
    _execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class TemplateCopies:
    """Copies of a migrated template database, one per test, made `ahead` of being asked for.

    One worker thread creates and drops, in order, so the tests (CPU-bound) keep the other
    processor. Copying while another caller copies the same template is fine: CREATE DATABASE
    only needs nobody connected to the template.
    """

    def __init__(self, server: URL, template: str, prefix: str = "bank_test", ahead: int = 2) -> None:
        self.server, self.template, self.prefix, self.ahead = server, template, prefix, ahead
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")
        self._ready: deque[Future[str]] = deque()
        self._drops: list[Future[None]] = []
        self._fill()

    def _fill(self) -> None:
        while len(self._ready) < self.ahead:
            self._ready.append(self._worker.submit(create_database, self.server, unique_name(self.prefix), self.template))

    def take(self) -> str:
        """The URL of a fresh copy of the template, this caller's to use and give back."""
        url = self._ready.popleft().result()
        self._fill()
        return url

    def give_back(self, url: str) -> None:
        """Drop the copy once this process's connections to it are closed (not waiting for the drop)."""
        engine_for(url).dispose()
        self._drops.append(self._worker.submit(drop_database, self.server, url))

    def close(self) -> None:
        """Drop the copies nobody took and wait for every drop; one that failed is raised here."""
        while self._ready:
            try:
                url = self._ready.popleft().result()
            except Exception:  # a copy that could not be made has nothing to drop
                continue
            self.give_back(url)
        self._worker.shutdown(wait=True)
        for drop in self._drops:
            drop.result()
