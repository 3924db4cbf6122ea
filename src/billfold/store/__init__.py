"""Storage: SQLAlchemy Core tables, one engine factory per dialect, Alembic migrations."""
