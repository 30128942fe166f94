"""INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL: two writers creating the same row
(the consumer and the action server, or two consumers) both succeed instead of one failing."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_DIALECTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_if_absent(session: Session, table: Table, values: dict[str, Any], unique: Sequence[str]) -> bool:
    """Insert the row unless one with the same `unique` columns exists; True when it was inserted."""
    dialect = session.get_bind().dialect.name
    if dialect not in _DIALECTS:
        raise NotImplementedError(f"insert_if_absent has no statement for {dialect}")
    statement = _DIALECTS[dialect](table).values(**values).on_conflict_do_nothing(index_elements=list(unique))
    return session.execute(statement).rowcount == 1
