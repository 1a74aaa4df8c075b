"""Schema migrations with Alembic, driven from code (no alembic.ini needed at run time).

Alembic is imported only when a migration has to run: opening an up-to-date base reads the
revision with one query, which keeps it out of the application's start-up.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"
# The newest revision in migrations/versions; a test checks that it is Alembic's head.
HEAD_REVISION = "0016"
# The key of the advisory lock a migration holds on PostgreSQL (one migration at a time).
MIGRATION_LOCK_KEY = 0xFAB1D1E


def alembic_config() -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    return HEAD_REVISION


def script_head_revision() -> str:
    """The head as Alembic reads it from the scripts (slower: parses every migration)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        revisions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    return str(revisions[0][0]) if len(revisions) == 1 else None


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != HEAD_REVISION


def upgrade_to_head(engine: Engine) -> None:
    _run(engine, "upgrade", "head")


def downgrade_to(engine: Engine, revision: str) -> None:
    _run(engine, "downgrade", revision)


def _run(engine: Engine, action: str, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two seats starting on a new base at once: one migrates, the other waits here
            # until it has committed, then finds the schema at head (nothing to run).
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        config.attributes["connection"] = connection
        if action == "upgrade":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)
