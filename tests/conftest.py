"""Shared fixtures: the product rules, a temporary migrated database seeded with the demo data.

The database is a SQLite file unless TEST_DATABASE_URL names a PostgreSQL server (tests/databases.py).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import hypothesis
import pytest
from sqlalchemy.engine import make_url

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("APP_ENV", "demo")  # the tests run the demo configuration, as `make run` does

from bot.clock import bank_today  # noqa: E402
from bot.data.db import migrate, session_factory, session_scope  # noqa: E402
from bot.data.seed import seed_demo  # noqa: E402
from bot.domain.product_rules import ProductRules, load_rules  # noqa: E402
from bot.settings import get_settings  # noqa: E402
from tests import databases  # noqa: E402
from tests.domain_files import full_domain  # noqa: E402
from tests.servers import assistant  # noqa: E402,F401  (the real Rasa and action servers, once per session)

# The cluster tests start a cluster of their own: `make test-cluster` runs them (TEST_CLUSTER=1).
collect_ignore = [] if os.environ.get("TEST_CLUSTER") else ["cluster"]

# Property tests explore new examples on a developer's machine; CI replays a fixed set, so a run
# fails because of a change, not because of the draw. A bug found locally becomes a table row.
hypothesis.settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rules() -> ProductRules:
    return load_rules(REPO / "bot" / "product_rules.yml")


@pytest.fixture(scope="session")
def domain() -> dict:
    return full_domain()


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory) -> Iterator[Path | str]:
    """Migrating once and copying keeps a fresh database per test cheap: a SQLite file, or with
    TEST_DATABASE_URL the name of a PostgreSQL template database, dropped when the session ends."""
    server = databases.server_url()
    if server is None:
        path = tmp_path_factory.mktemp("template") / "bank.db"
        migrate(f"sqlite:///{path}")
        yield path
        return
    url = databases.create_database(server, databases.unique_name("bank_template"))
    try:
        migrate(url)
        yield make_url(url).database
    finally:
        databases.drop_database(server, url)


@pytest.fixture
def database_url(tmp_path, _migrated_template, monkeypatch) -> Iterator[str]:
    """A migrated, seeded database of this test's own, also used by the actions."""
    server = databases.server_url()
    if server is None:
        path = tmp_path / "bank.db"
        path.write_bytes(_migrated_template.read_bytes())
        url = f"sqlite:///{path}"
    else:
        url = databases.create_database(server, databases.unique_name("bank_test"), template=_migrated_template)
    from actions import context

    try:
        with session_scope(session_factory(url)) as session:
            seed_demo(session, bank_today())
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        context._factory.cache_clear()
        yield url
    finally:
        get_settings.cache_clear()
        context._factory.cache_clear()
        if server is not None:
            databases.drop_database(server, url)


@pytest.fixture
def sessions(database_url):
    return session_factory(database_url)


@pytest.fixture
def in_service_hours(monkeypatch):
    """Handoffs queue for a live agent whatever the time of day the tests run."""
    from bot.services import handoff

    monkeypatch.setattr(handoff, "within_service_hours", lambda moment, rules: True)
