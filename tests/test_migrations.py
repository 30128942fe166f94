"""The Alembic migrations build exactly the schema the models describe, and the seed is repeatable."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from bot.clock import bank_today
from bot.data.db import engine_for, session_scope
from bot.data.models import Base, Cardholder, Payment, Statement
from bot.data.seed import seed_demo


def test_migrated_schema_matches_the_models(database_url):
    with engine_for(database_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_seed_is_idempotent_and_reset_rebuilds_figures(sessions):
    with session_scope(sessions) as session:
        assert seed_demo(session, bank_today()) == 0
        assert seed_demo(session, bank_today(), reset=True) == 3
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Cardholder)) == 3
        assert session.scalar(select(func.count()).select_from(Statement)) == 3
        assert session.scalar(select(func.count()).select_from(Payment)) == 1
