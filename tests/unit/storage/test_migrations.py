"""Alembic migrations produce exactly the models' schema; pragmas; database URL resolution."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, Integer, inspect

from app.config import DATA_DIR_ENV, DB_ENV, database_url
from app.domain import Base
from app.storage import Database, open_database
from app.storage.database import make_engine
from app.storage.fulltext import FTS_TABLE, UNMAPPED_NAMES, include_in_schema_comparison
from app.storage.migrate import (
    current_revision,
    downgrade_to,
    head_revision,
    script_head_revision,
    upgrade_to_head,
)

VERSION_TABLE = "alembic_version"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine("sqlite:///" + str(tmp_path / "schema.sqlite"))
    yield engine
    engine.dispose()


def _drift(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        options = {"compare_type": True, "include_name": include_in_schema_comparison}
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, Base.metadata))


def _snapshot(engine: Engine) -> dict[str, Any]:
    """Everything the inspector sees of the schema, in a comparable form."""
    inspector = inspect(engine)
    snapshot: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        snapshot[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(table)
            ],
            "pk": inspector.get_pk_constraint(table),
            "fks": sorted(
                (fk["name"] or "", tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(table)
            ),
            "uniques": sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "indexes": sorted(
                (i["name"] or "", tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
        }
    return snapshot


def _model_tables() -> list[str]:
    return [t.name for t in Base.metadata.sorted_tables]


# ---------------------------------------------------------------- upgrade / downgrade


def test_the_head_revision_constant_is_alembics_head() -> None:
    # Bump HEAD_REVISION in app/storage/migrate.py with each new migration.
    assert head_revision() == script_head_revision()


def test_opening_an_up_to_date_base_does_not_load_alembic(tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "base.sqlite")
    open_database(url).dispose()
    script = (
        "import sys; from app.storage import open_database; "
        f"open_database({url!r}).dispose(); "
        "print(any(name == 'alembic' or name.startswith('alembic.') for name in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "False"


def test_upgrade_from_empty_gives_exactly_the_models_schema(engine: Engine) -> None:
    upgrade_to_head(engine)

    assert current_revision(engine) == head_revision()
    assert _drift(engine) == []
    inspector = inspect(engine)
    tables = set(inspector.get_table_names()) - {VERSION_TABLE}
    assert tables - UNMAPPED_NAMES == set(_model_tables())
    assert FTS_TABLE in tables  # the search index, outside the models
    for table in Base.metadata.sorted_tables:
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, (
                f"{table.name}.{column.name}"
            )
            reflected = columns[column.name]["type"]
            assert reflected._type_affinity is column.type._type_affinity, (
                f"{table.name}.{column.name}"
            )


def test_indexes_of_the_models_exist(engine: Engine) -> None:
    upgrade_to_head(engine)
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        reflected = {i["name"] for i in inspector.get_indexes(table.name)}
        assert {str(i.name) for i in table.indexes} <= reflected, table.name


def test_downgrade_to_base_then_upgrade_again_gives_the_same_schema(engine: Engine) -> None:
    upgrade_to_head(engine)
    before = _snapshot(engine)

    downgrade_to(engine, "base")
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {VERSION_TABLE}

    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()
    assert _snapshot(engine) == before
    assert _drift(engine) == []


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade_to_head(engine)
    before = _snapshot(engine)
    upgrade_to_head(engine)
    assert _snapshot(engine) == before


# ---------------------------------------------------------------- keys and names


@pytest.mark.parametrize("table_name", _model_tables())
def test_every_table_has_an_integer_id_and_a_unique_uuid(table_name: str) -> None:
    table = Base.metadata.tables[table_name]
    assert [c.name for c in table.primary_key.columns] == ["id"]
    assert isinstance(table.c.id.type, Integer)
    assert "uuid" in table.c
    assert table.c.uuid.unique
    assert not table.c.uuid.nullable


def test_migrated_tables_have_integer_id_and_unique_uuid(engine: Engine) -> None:
    upgrade_to_head(engine)
    inspector = inspect(engine)
    for table in _model_tables():
        assert inspector.get_pk_constraint(table)["constrained_columns"] == ["id"], table
        id_column = next(c for c in inspector.get_columns(table) if c["name"] == "id")
        assert isinstance(id_column["type"], Integer), table
        uniques = [tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)]
        assert ("uuid",) in uniques, table


def test_constraints_follow_the_naming_convention(engine: Engine) -> None:
    upgrade_to_head(engine)
    inspector = inspect(engine)
    for table in _model_tables():
        assert inspector.get_pk_constraint(table)["name"] == f"pk_{table}"
        for unique in inspector.get_unique_constraints(table):
            assert unique["name"] == f"uq_{table}_{unique['column_names'][0]}", table
        for fk in inspector.get_foreign_keys(table):
            expected = f"fk_{table}_{fk['constrained_columns'][0]}_{fk['referred_table']}"
            assert fk["name"] == expected, table
        for index in inspector.get_indexes(table):
            assert index["name"] is not None
            assert index["name"].startswith("ix_"), index["name"]


def test_model_metadata_names_every_constraint() -> None:
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            assert constraint.name, f"unnamed constraint on {table.name}"


# ---------------------------------------------------------------- connections


def test_sqlite_connections_get_the_workstation_pragmas(tmp_path: Path) -> None:
    database = Database("sqlite:///" + str(tmp_path / "pragmas.sqlite"))
    try:
        with database.engine.connect() as connection:

            def pragma(name: str) -> Any:
                return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

            assert pragma("foreign_keys") == 1
            assert str(pragma("journal_mode")).lower() == "wal"
            assert pragma("busy_timeout") > 0
            assert pragma("synchronous") == 2
    finally:
        database.dispose()


def test_open_database_creates_and_migrates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there.sqlite"
    database = open_database("sqlite:///" + str(path))
    try:
        assert path.is_file()
        assert current_revision(database.engine) == head_revision()
        assert _drift(database.engine) == []
    finally:
        database.dispose()


def test_open_database_without_migrate_leaves_the_schema_alone(tmp_path: Path) -> None:
    database = open_database("sqlite:///" + str(tmp_path / "raw.sqlite"), migrate=False)
    try:
        assert current_revision(database.engine) is None
        assert inspect(database.engine).get_table_names() == []
    finally:
        database.dispose()


def test_display_name_of_a_sqlite_database_is_its_path(tmp_path: Path) -> None:
    path = tmp_path / "shown.sqlite"
    database = Database("sqlite:///" + str(path))
    try:
        assert database.display_name == str(path)
    finally:
        database.dispose()


# ---------------------------------------------------------------- database URL


def test_database_url_resolves_a_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = database_url("sub/base.sqlite")
    assert url == "sqlite:///" + str((tmp_path / "sub" / "base.sqlite").resolve())


def test_database_url_expands_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # Windows
    assert database_url("~/base.sqlite") == "sqlite:///" + str((tmp_path / "base.sqlite").resolve())


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://fabrique:secret@serveur/fabrique",
        "sqlite:///relative.sqlite",
        "sqlite:////absolute/base.sqlite",
    ],
)
def test_database_url_keeps_a_url_as_is(url: str) -> None:
    assert database_url(url) == url


def test_database_url_uses_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env.sqlite"))
    assert database_url(None) == "sqlite:///" + str((tmp_path / "env.sqlite").resolve())
    monkeypatch.setenv(DB_ENV, "postgresql+psycopg://u@h/db")
    assert database_url(None) == "postgresql+psycopg://u@h/db"


def test_database_url_option_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env.sqlite"))
    assert database_url(str(tmp_path / "arg.sqlite")).endswith("arg.sqlite")


def test_database_url_defaults_to_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "données"
    monkeypatch.setenv(DATA_DIR_ENV, str(data))
    assert database_url(None) == "sqlite:///" + str((data / "fabrique.sqlite").resolve())
    assert data.is_dir()


def test_drift_detection_is_not_vacuous(engine: Engine) -> None:
    """The comparison above would notice a missing index or an extra column."""
    upgrade_to_head(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_candidate_phone")
        connection.exec_driver_sql("ALTER TABLE candidate ADD COLUMN extra TEXT")
    kinds = {diff[0] for diff in _drift(engine) if isinstance(diff, tuple)}
    assert {"add_index", "remove_column"} <= kinds
