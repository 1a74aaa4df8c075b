"""Alembic environment: runs on the connection handed over by app.storage.migrate."""

from alembic import context

from app.domain import Base
from app.storage.fulltext import include_in_schema_comparison

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("app.storage.migrate passes a connection to Alembic")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_in_schema_comparison,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
