"""Bank data: SQLAlchemy models, sessions, repositories, seed data and migrations."""
