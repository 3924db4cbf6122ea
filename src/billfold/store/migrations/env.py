from __future__ import annotations

from alembic import context

from billfold.store.tables import metadata

engine = context.config.attributes.get("engine")
assert engine is not None, "run migrations through billfold.store.migrate"

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
