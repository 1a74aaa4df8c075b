"""Reading a SQLite file the application did not just write (a copy to restore, an old backup)
without letting it run anything, write anything or hang. Imports no Qt.

Opening (`open_untrusted`): read-only (`mode=ro`), `PRAGMA trusted_schema = OFF` (the copy's
views, triggers and defaults may only call harmless functions), `PRAGMA query_only = ON`,
`PRAGMA cell_size_check = ON` (damaged pages are detected, not trusted), `PRAGMA mmap_size = 0`.
The connection is SQLCipher's (`app.storage.cipher`, keyed with the base's data key); where its
binding offers `setconfig` it is also put in SQLite's defensive mode
(`SQLITE_DBCONFIG_DEFENSIVE`). Today's binding, like Python 3.11's `sqlite3`, has no way to
set a `SQLITE_DBCONFIG_*` option (no `setconfig`, and no pragma sets defensive mode), so the
pragmas above and the read-only opening stand in for it: what defensive mode forbids is
writing the schema or the file, which `mode=ro` and `query_only` already forbid.

Time limits: every statement runs under a deadline (`UntrustedCopy.query(sql, seconds=…)`),
enforced by a progress handler that interrupts SQLite once the deadline is passed; the caller
gets `TooSlow`, never a hang.

Schema comparison (`schema_differences`): the copy's `sqlite_master` (type, name, table, SQL
text normalised for spacing, case and identifier quotes) against the schema the migrations
produce for the copy's revision, built once per revision by migrating an empty temporary base.
"""

import contextlib
import logging
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.storage import cipher

log = logging.getLogger(__name__)

QUICK_CHECK_SECONDS = 10.0  # reading the schema, the revision, one lookup
LONG_CHECK_SECONDS = 120.0  # integrity and reference checks of a whole copy
PROGRESS_STEPS = 1000  # SQLite virtual-machine steps between two looks at the clock
BUSY_TIMEOUT_S = 5.0

# Tables SQLite itself may add to any base (AUTOINCREMENT counters, ANALYZE statistics); they
# hold no code, and their presence depends on use, not on the schema.
SQLITE_OWN_TABLES = frozenset(
    {"sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"}
)
HARDENING_PRAGMAS = (
    "trusted_schema = OFF",
    "query_only = ON",
    "cell_size_check = ON",
    "mmap_size = 0",
)


class TooSlow(Exception):
    """A check on an untrusted copy passed its time limit and was interrupted."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"interrupted after {seconds:g} s")
        self.seconds = seconds


class UntrustedCopy:
    """A hardened, read-only connection whose every query has a time limit."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self._deadline = float("inf")
        connection.set_progress_handler(self._past_deadline, PROGRESS_STEPS)

    def _past_deadline(self) -> int:
        return 1 if time.monotonic() > self._deadline else 0

    def query(
        self, sql: str, parameters: Sequence[Any] = (), *, seconds: float = QUICK_CHECK_SECONDS
    ) -> list[tuple[Any, ...]]:
        """All rows of `sql`, or TooSlow once `seconds` have passed."""
        self._deadline = time.monotonic() + seconds
        try:
            return self.connection.execute(sql, parameters).fetchall()
        except cipher.error_types() as error:
            if time.monotonic() > self._deadline:
                raise TooSlow(seconds) from error
            raise
        finally:
            self._deadline = float("inf")


def harden(connection: Any) -> None:
    """Defensive mode where Python can set it (3.12+), then the hardening pragmas."""
    setconfig = getattr(connection, "setconfig", None)
    defensive = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
    trusted = getattr(sqlite3, "SQLITE_DBCONFIG_TRUSTED_SCHEMA", None)
    if setconfig is not None and defensive is not None:
        setconfig(defensive, True)
        if trusted is not None:
            setconfig(trusted, False)
    for pragma in HARDENING_PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")


@contextlib.contextmanager
def open_untrusted(path: Path, key: bytes | None = None) -> Iterator[UntrustedCopy]:
    """`path` opened read-only and hardened (never created), keyed with `key` (None: a plain
    copy); always closed."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    connection = cipher.connect(uri, key, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        harden(connection)
        yield UntrustedCopy(connection)
    finally:
        connection.close()


# ---------------------------------------------------------------- schema comparison


@dataclass(frozen=True, order=True)
class SchemaObject:
    """One row of `sqlite_master`, its SQL normalised."""

    type: str
    name: str
    table: str
    sql: str


_STRING = re.compile(r"('(?:[^']|'')*')")
_QUOTES = re.compile(r'["`\[\]]')
_SPACES = re.compile(r"\s+")
_AROUND_PUNCTUATION = re.compile(r" ?([(),;=]) ?")


def normalise_sql(sql: str | None) -> str:
    """The SQL text without what SQLite versions and renames vary in: spacing, keyword case,
    identifier quotes. String literals are kept as written."""
    if not sql:
        return ""
    parts = _STRING.split(sql)
    for index in range(0, len(parts), 2):  # outside string literals
        text = _QUOTES.sub("", parts[index]).lower()
        text = _SPACES.sub(" ", text)
        parts[index] = _AROUND_PUNCTUATION.sub(r"\1", text)
    return "".join(parts).strip()


def schema_objects(rows: Iterable[tuple[Any, ...]]) -> frozenset[SchemaObject]:
    """Rows (type, name, tbl_name, sql) of `sqlite_master`, SQLite's own tables left out."""
    return frozenset(
        SchemaObject(str(kind), str(name), str(table), normalise_sql(sql))
        for kind, name, table, sql in rows
        if not (kind == "table" and name in SQLITE_OWN_TABLES)
    )


MASTER_QUERY = "SELECT type, name, tbl_name, sql FROM sqlite_master"


def read_schema(copy: UntrustedCopy) -> frozenset[SchemaObject]:
    return schema_objects(copy.query(MASTER_QUERY, seconds=QUICK_CHECK_SECONDS))


@cache
def migrated_schema(revision: str) -> frozenset[SchemaObject]:
    """The schema the migrations produce for `revision`, from an empty temporary base."""
    from alembic import command

    from app.storage.database import make_engine
    from app.storage.migrate import alembic_config

    with tempfile.TemporaryDirectory(prefix="fabrique-schema-") as folder:
        path = Path(folder) / "schema.sqlite"
        engine = make_engine("sqlite:///" + str(path))
        try:
            config = alembic_config()
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        finally:
            engine.dispose()
        reader = sqlite3.connect(path)
        try:
            rows = reader.execute(MASTER_QUERY).fetchall()
        finally:
            reader.close()
    log.info("schema of revision %s built (%d objects)", revision, len(rows))
    return schema_objects(rows)


# What each kind of object is called in a French sentence.
_INDEFINITE = {
    "table": "une table",
    "index": "un index",
    "trigger": "un déclencheur",
    "view": "une vue",
}
_DEFINITE = {"table": "la table", "index": "l'index", "trigger": "le déclencheur", "view": "la vue"}
_EXPECTED = {
    "table": "de la table attendue",
    "index": "de l'index attendu",
    "trigger": "du déclencheur attendu",
    "view": "de la vue attendue",
}
_FEMININE = {"table", "view"}


@dataclass(frozen=True)
class SchemaDifference:
    """An object of the copy that the migrations do not produce, or the reverse."""

    kind: str  # "extra", "missing", "changed", "replaced"
    name: str
    type: str  # the copy's type ("missing": the expected one)
    expected_type: str = ""  # "replaced": the type the migrations give this name

    def describe(self) -> str:
        """« la copie contient un déclencheur inconnu « promote_all » » (no capital, no stop)."""
        feminine = self.type in _FEMININE
        a = _INDEFINITE.get(self.type, "un objet")
        if self.kind == "extra":
            return f"la copie contient {a} inconnu{'e' if feminine else ''} « {self.name} »"
        if self.kind == "missing":
            the = _DEFINITE.get(self.type, "l'objet")
            return f"il manque à la copie {the} « {self.name} »"
        if self.kind == "replaced":
            expected = _EXPECTED.get(self.expected_type, "de l'objet attendu")
            return f"la copie contient {a} « {self.name} » à la place {expected}"
        return (
            f"la copie contient {a} « {self.name} » différent{'e' if feminine else ''} de "
            f"{'celle' if feminine else 'celui'} de l'application"
        )


_TYPE_ORDER = {"table": 0, "view": 1, "trigger": 2, "index": 3}


def _order(item: SchemaObject) -> tuple[int, str]:
    return _TYPE_ORDER.get(item.type, 4), item.name


def schema_differences(
    found: frozenset[SchemaObject], expected: frozenset[SchemaObject]
) -> list[SchemaDifference]:
    """What differs: replaced, extra, missing, then changed objects, tables first. The indexes
    and triggers of a table that is itself extra or missing are not listed again."""
    found_by_key = {(o.type, o.name): o for o in found}
    expected_by_key = {(o.type, o.name): o for o in expected}
    expected_type = {o.name: o.type for o in expected if o.type in ("table", "view")}
    found_type = {o.name: o.type for o in found if o.type in ("table", "view")}
    extra_objects = sorted(
        (o for k, o in found_by_key.items() if k not in expected_by_key), key=_order
    )
    missing_objects = sorted(
        (o for k, o in expected_by_key.items() if k not in found_by_key), key=_order
    )
    whole = {o.name for o in extra_objects + missing_objects if o.type in ("table", "view")}
    replaced, extra, missing = [], [], []
    for item in extra_objects:
        other = expected_type.get(item.name)
        if item.type in ("table", "view") and other is not None and other != item.type:
            replaced.append(SchemaDifference("replaced", item.name, item.type, other))
        elif item.name == item.table or item.table not in whole:
            extra.append(SchemaDifference("extra", item.name, item.type))
    for item in missing_objects:
        if item.type in ("table", "view") and found_type.get(item.name, item.type) != item.type:
            continue  # said by "replaced"
        if item.name == item.table or item.table not in whole:
            missing.append(SchemaDifference("missing", item.name, item.type))
    changed = [
        SchemaDifference("changed", item.name, item.type)
        for key, item in sorted(found_by_key.items(), key=lambda pair: _order(pair[1]))
        if key in expected_by_key and expected_by_key[key] != item
    ]
    return replaced + extra + missing + changed


def describe_differences(differences: Sequence[SchemaDifference], shown: int = 4) -> str:
    """« La copie contient … ; il manque … » (capitalised, no stop), at most `shown` listed."""
    sentences = [difference.describe() for difference in differences[:shown]]
    rest = len(differences) - shown
    if rest > 0:
        sentences.append(f"et {rest} autre{'s' if rest > 1 else ''} différence{'s' * (rest > 1)}")
    text = " ; ".join(sentences)
    return text[:1].upper() + text[1:]
