"""The Alembic migrations build exactly the schema the models describe, and the seed is repeatable."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from bot.clock import bank_today
from bot.data.db import MIGRATIONS_DIR, engine_for, session_scope
from bot.data.models import Base, Cardholder, ContactLog, Payment, Statement
from bot.data.seed import seed_demo
from bot.services.contact_log import log_contact


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


def test_the_newest_migration_goes_down_and_up_again_keeping_the_contact_log(database_url, sessions):
    """0007 (conversation events, the contact log's derived columns) rebuilds contact_log on SQLite:
    its rows survive the round trip, and the schema matches the models again afterwards."""
    with session_scope(sessions) as session:
        log_contact(session, "conv-kept", channel="web", verified=True, cardholder_id=None, intents=["greet"],
                    outcome="informed")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    engine_for(database_url).dispose()  # the pooled connections would hold the old table

    command.downgrade(config, "0006")
    with engine_for(database_url).connect() as connection:
        assert "conversation_events" not in inspect(connection).get_table_names()
        assert "user_turns" not in {c["name"] for c in inspect(connection).get_columns("contact_log")}
    engine_for(database_url).dispose()

    command.upgrade(config, "head")
    engine_for(database_url).dispose()
    with engine_for(database_url).connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    with sessions() as session:
        entry = session.scalars(select(ContactLog)).one()
        assert (entry.conversation_id, entry.intents, entry.outcome) == ("conv-kept", ["greet"], "informed")
        assert entry.user_turns is None and entry.first_event_at is None
