"""Database health check (`main.py check`): integrity, references, migration state, schema.

The check never migrates, creates or repairs anything: a SQLite file is opened in `mode=rw`
(no creation) without the application's pragmas, so a missing file stays missing and a
damaged one is left as it was found. Every failure becomes a French line of the report;
nothing raises to the caller. Imports no Qt.
"""

import errno
import logging
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.domain import Base
from app.domain.plural import plural
from app.errors import StorageError
from app.services.base_access import keys as base_keys
from app.services.errors import UserFacingError
from app.services.journal.audit_log import verify_journal
from app.storage import cipher, fulltext, key_file
from app.storage.database import BUSY_TIMEOUT_MS, make_engine, sqlite_path
from app.storage.errors import storage_reason
from app.storage.migrate import alembic_config, current_revision, head_revision
from app.storage.untrusted import normalise_sql

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
VERSION_TABLE = "alembic_version"
MAX_LISTED = 5

# Tables whose row counts the report shows, with their French name (singular, plural).
COUNTED_TABLES: tuple[tuple[str, str, str], ...] = (
    ("candidate", "candidat", "candidats"),
    ("appointment", "rendez-vous", "rendez-vous"),
)


def content_line(counts: dict[str, int]) -> str:
    """ "Contenu : 1 candidat, 12 rendez-vous." """
    words = {table: (one, many) for table, one, many in COUNTED_TABLES}
    content = ", ".join(
        plural(n, *words[t]) if t in words else f"{n} {t}" for t, n in counts.items()
    )
    return f"Contenu : {content}."


TABLE_LABELS: dict[str, str] = {
    "candidate": "candidats",
    "stage_change": "historique des étapes",
    "appointment": "rendez-vous",
    "attendee": "participants aux rendez-vous",
    "site": "sites",
    "filiere": "filières",
    "season": "saisons",
    "referrer": "prescripteurs",
    "stage": "étapes",
}

MIGRATION_CHECK = "Version du schéma"
SCHEMA_CHECK = "Schéma conforme à l'application"
AGREEMENTS_CHECK = "Conventions"
SEARCH_INDEX_CHECK = "Index de recherche"
JOURNAL_CHECK = "Journal"
JOURNAL_TRIGGERS_CHECK = "Déclencheurs du journal"
CONNECTION_CHECK = "Connexion à la base"
# The migration that last defined the journal's triggers (its TRIGGERS: name -> SQL), and the
# tables they guard; on PostgreSQL, the migration of the PL/pgSQL triggers (its FUNCTIONS:
# name -> (table, event, body)).
JOURNAL_TRIGGERS_REVISION = "0010"
SERVER_JOURNAL_TRIGGERS_REVISION = "0015"
JOURNAL_TABLES = ("audit_entry", "app_setting")
# pg_trigger.tgtype bits (PostgreSQL's TRIGGER_TYPE_*).
_ROW, _BEFORE = 1, 2
_EVENT_BITS = {"INSERT": 4, "DELETE": 8, "UPDATE": 16, "TRUNCATE": 32}


@dataclass
class CheckReport:
    """The outcome of `check_database`: one French line per check, and the row counts."""

    ok: bool
    lines: list[tuple[str, bool]] = field(default_factory=list)
    database: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    # Content to review that does not make the base unsound (e.g. agreements "à revoir").
    attention: list[str] = field(default_factory=list)

    def add(self, line: str, passed: bool) -> None:
        self.lines.append((line, passed))
        self.ok = self.ok and passed

    def describe(self) -> str:
        out = [f"Vérification de la base : {self.database}"] if self.database else []
        out += [f"{'OK' if passed else 'PROBLÈME':<9} {line}" for line, passed in self.lines]
        out += [f"{'À REVOIR':<9} {line}" for line in self.attention]
        if self.counts:
            out.append(content_line(self.counts))
        out.append("Base en bon état." if self.ok else "Des problèmes ont été trouvés.")
        return "\n".join(out)


def check_database(url: str, key: bytes | None = None) -> CheckReport:
    """Check the database behind `url` without changing it; never raises.

    An encrypted base is read with `key`, else the key this process opened it with, else its
    open slot (a base no password protects yet).
    """
    path = sqlite_path(url)
    report = CheckReport(ok=True, database=str(path) if path else _display_url(url))
    if path is not None and key is None:
        key = cipher.known_key(path) or _open_slot_key(path)
    if url.startswith("sqlite") and path is not None and not _check_file(report, path, key):
        return report
    try:
        engine = _sqlite_engine(path, key) if path is not None else make_engine(url)
    except ImportError as error:
        log.warning("database driver missing: %s", error)
        driver = f"« {error.name} »" if error.name else "de base de données"
        report.add(f"Connexion à la base : pilote {driver} non installé.", False)
        return report
    except Exception:  # unknown dialect, malformed URL: tell the user, log the detail
        log.exception("cannot create an engine for the check")
        report.add("Connexion à la base : adresse de base non reconnue.", False)
        return report
    try:
        _check_contents(report, engine, is_sqlite=url.startswith("sqlite"))
    finally:
        engine.dispose()
    return report


# ---------------------------------------------------------------- the file itself


def _open_slot_key(path: Path) -> bytes | None:
    try:
        return base_keys.access_without_password(path, new_base=False)
    except (UserFacingError, StorageError):
        return None


def _check_file(report: CheckReport, path: Path, key: bytes | None) -> bool:
    """File present, readable, a SQLite database; False stops the check."""
    name = "Fichier de la base"
    try:
        if not path.exists():
            report.add(f"{name} : la base « {path} » n'existe pas.", False)
            return False
        if path.is_dir():
            report.add(f"{name} : « {path} » est un dossier, pas un fichier de base.", False)
            return False
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        writable = _writable(path)
    except OSError as error:
        report.add(f"{name} : lecture impossible ({_os_reason(error)}).", False)
        return False
    if header and header != SQLITE_HEADER:
        return _check_encrypted_file(report, path, key, writable)
    report.add(
        f"{name} : présent et lisible, non chiffré (il sera chiffré au prochain démarrage "
        "de l'application).",
        True,
    )
    report.add(*writable)
    return True


def _check_encrypted_file(
    report: CheckReport, path: Path, key: bytes | None, writable: tuple[str, bool]
) -> bool:
    name = "Fichier de la base"
    if not key_file.key_file_path(path).exists() and key is None:
        report.add(f"{name} : « {path} » n'est pas une base SQLite (contenu illisible).", False)
        return False
    if key is None:
        report.add(
            f"{name} : « {path} » est chiffré et protégé par mot de passe : indiquez le "
            "compte qui vérifie (--user) pour le lire.",
            False,
        )
        return False
    if not cipher.opens_with(path, key):
        report.add(
            f"{name} : « {path} » ne se lit pas avec sa clé (fichier endommagé, ou d'un "
            "autre logiciel).",
            False,
        )
        return False
    report.add(f"{name} : présent, chiffré et lisible.", True)
    report.add(*writable)
    return True


def _writable(path: Path) -> tuple[str, bool]:
    name = "Accès en écriture"
    mode = path.stat().st_mode
    if not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return f"{name} : le fichier est en lecture seule, rien ne pourra y être enregistré.", False
    if not os.access(path.parent, os.W_OK):
        return (
            f"{name} : le dossier « {path.parent} » est en lecture seule, "
            "la base ne pourra pas enregistrer.",
            False,
        )
    return f"{name} : possible.", True


def _os_reason(error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM):
        return "accès refusé"
    if error.errno == errno.ENOENT:
        return "fichier introuvable"
    return f"erreur système {error.errno}" if error.errno else "erreur système"


def _sqlite_engine(path: Path, key: bytes | None) -> Engine:
    """An engine that opens the existing file read-write (`mode=rw` never creates it)."""
    uri = path.resolve().as_uri() + "?mode=rw"

    def connect() -> Any:
        return cipher.connect(uri, key, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)

    return create_engine("sqlite://", module=cipher.driver(), creator=connect, poolclass=NullPool)


def _display_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(adresse de base illisible)"


# ---------------------------------------------------------------- the contents


def _check_contents(report: CheckReport, engine: Engine, *, is_sqlite: bool) -> None:
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
    except SQLAlchemyError as error:
        name = "Ouverture de la base" if is_sqlite else CONNECTION_CHECK
        report.add(f"{name} : {_db_reason(error)}.", False)
        return
    if is_sqlite:
        _step(report, "Intégrité du fichier", engine, _integrity)
        _step(report, "Clés étrangères", engine, _foreign_keys)
    else:
        _step(report, CONNECTION_CHECK, engine, lambda c: _server_connection(report, c))
    revisions: list[str | None] = []

    def migration(connection: Connection) -> tuple[str, bool]:
        revisions.append(current_revision(engine))
        return _migration_state(connection, revisions[0])

    if _step(report, MIGRATION_CHECK, engine, migration) and revisions == [head_revision()]:
        _step(report, SCHEMA_CHECK, engine, _schema_drift)
        _step(report, SEARCH_INDEX_CHECK, engine, _search_index)
        if is_sqlite:
            _step(report, JOURNAL_TRIGGERS_CHECK, engine, _journal_triggers)
        elif engine.dialect.name == "postgresql":
            _step(report, JOURNAL_TRIGGERS_CHECK, engine, _server_journal_triggers)
        _step(report, JOURNAL_CHECK, engine, _journal_chain)
        _step(report, AGREEMENTS_CHECK, engine, lambda c: _agreements_to_review(report, c))
    _step(report, "Contenu", engine, lambda c: _counts(report, c, tables), silent=True)


def _step(
    report: CheckReport,
    name: str,
    engine: Engine,
    check: Callable[[Connection], tuple[str, bool] | None],
    *,
    silent: bool = False,
) -> bool:
    """Run one check on its own connection; a database error becomes a French line."""
    try:
        with engine.connect() as connection:
            outcome = check(connection)
    except SQLAlchemyError as error:
        log.warning("check %r failed: %s", name, error)
        report.add(f"{name} : vérification impossible ({_db_reason(error)}).", False)
        return False
    except Exception:
        log.exception("check %r failed", name)
        report.add(f"{name} : vérification impossible (le détail est dans le journal).", False)
        return False
    if outcome is None:
        return True
    detail, passed = outcome
    if not silent:
        report.add(f"{name} : {detail}", passed)
    return passed


def _db_reason(error: SQLAlchemyError) -> str:
    original = error.orig if isinstance(error, DBAPIError) else None
    if isinstance(error, DatabaseError) and type(original).__module__.startswith("psycopg"):
        return storage_reason(error)  # a server's error: by its SQLSTATE
    message = str(original or error).lower()
    if "not a database" in message or "encrypted" in message:
        return "le fichier n'est pas une base SQLite lisible, il est endommagé ou chiffré"
    if "malformed" in message or "corrupt" in message:
        return "le fichier est endommagé"
    if "locked" in message or "busy" in message:
        return "la base est verrouillée par un autre programme, réessayer plus tard"
    if "readonly" in message or "read-only" in message:
        return "la base est en lecture seule"
    if "unable to open" in message:
        return "impossible d'ouvrir le fichier : déplacé, supprimé ou dossier inaccessible"
    return "la base ne répond pas normalement, le détail est dans le journal"


def _integrity(connection: Connection) -> tuple[str, bool]:
    messages = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check")]
    if messages == ["ok"]:
        return "aucune anomalie.", True
    shown = " ; ".join(messages[:MAX_LISTED])
    extra = len(messages) - MAX_LISTED
    more = f" (et {plural(extra, 'autre')})" if extra > 0 else ""
    return f"{plural(len(messages), 'anomalie')} : {shown}{more}.", False


def _foreign_keys(connection: Connection) -> tuple[str, bool]:
    broken: dict[str, int] = {}
    parents: dict[str, set[str]] = {}
    for table, _rowid, parent, _fkid in connection.exec_driver_sql("PRAGMA foreign_key_check"):
        broken[table] = broken.get(table, 0) + 1
        parents.setdefault(table, set()).add(parent)
    if not broken:
        return "aucune référence cassée.", True
    parts = [
        f"{plural(count, 'ligne')} de {_table_label(table)} pointant vers une ligne absente de "
        + ", ".join(sorted(parents[table]))
        for table, count in sorted(broken.items())
    ]
    return f"références cassées : {' ; '.join(parts)}.", False


def _table_label(table: str) -> str:
    label = TABLE_LABELS.get(table)
    return f"{table} ({label})" if label else table


def _migration_state(connection: Connection, current: str | None) -> tuple[str, bool]:
    """Passed when at head or merely behind; the schema comparison runs only at head."""
    head = head_revision()
    if current == head:
        return f"à jour (révision {head}).", True
    if current is None:
        tables = set(inspect(connection).get_table_names()) - {VERSION_TABLE}
        if not tables:
            return "base vide / non initialisée.", False
        return (
            "aucune révision enregistrée alors que des tables existent "
            "(base créée hors de l'application ?).",
            False,
        )
    if current in _known_revisions():
        # Not a fault: the application upgrades the schema when it opens the base.
        return (
            f"en retard : révision {current}, attendue {head} — "
            "elle sera mise à jour au prochain démarrage.",
            True,
        )
    return (
        f"révision inconnue {current} (attendue {head}) : base créée par une version "
        "plus récente de l'application ?",
        False,
    )


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory  # Alembic stays out of the start-up

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def _search_index(connection: Connection) -> tuple[str, bool]:
    if fulltext.check(connection):
        return "conforme aux dossiers.", True
    return (
        "ne correspond plus aux dossiers, la recherche peut en oublier : restaurer une "
        "sauvegarde récente (Fichier › Restaurer une sauvegarde…, ou pg_restore sur un "
        "serveur).",
        False,
    )


@cache
def expected_journal_triggers() -> dict[str, str]:
    """The journal's triggers as the migration writes them: name -> normalised SQL."""
    from alembic.script import ScriptDirectory  # Alembic stays out of the start-up

    script = ScriptDirectory.from_config(alembic_config())
    module = script.get_revision(JOURNAL_TRIGGERS_REVISION).module
    return {name: normalise_sql(sql) for name, sql in module.TRIGGERS.items()}


def _journal_triggers(connection: Connection) -> tuple[str, bool]:
    """Each trigger keeping the journal append-only is there, as the migration wrote it, and
    no other trigger touches the journal's tables."""
    found = {
        str(name): (str(table), str(sql or ""))
        for name, table, sql in connection.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        )
    }
    expected = expected_journal_triggers()
    problems = []
    for name, sql in expected.items():
        if name not in found:
            problems.append(f"le déclencheur « {name} » est absent")
        elif normalise_sql(found[name][1]) != sql:
            problems.append(f"le déclencheur « {name} » a été modifié")
    for name, (table, sql) in sorted(found.items()):
        touches = table in JOURNAL_TABLES or any(t in sql.lower() for t in JOURNAL_TABLES)
        if name not in expected and touches:
            problems.append(f"un déclencheur en trop « {name} » agit sur le journal")
    if problems:
        return (
            f"{' ; '.join(problems)} : le journal n'est plus protégé contre les modifications.",
            False,
        )
    return f"présents et conformes ({len(expected)}).", True


@cache
def expected_server_journal_triggers() -> dict[str, tuple[str, int, str]]:
    """The journal's PostgreSQL triggers as the migration writes them: name -> (table,
    pg_trigger.tgtype, normalised body of the trigger function)."""
    from alembic.script import ScriptDirectory  # Alembic stays out of the start-up

    script = ScriptDirectory.from_config(alembic_config())
    module = script.get_revision(SERVER_JOURNAL_TRIGGERS_REVISION).module
    return {
        name: (table, _ROW | _BEFORE | _EVENT_BITS[event], normalise_sql(body))
        for name, (table, event, body) in module.FUNCTIONS.items()
    }


def _server_journal_triggers(connection: Connection) -> tuple[str, bool]:
    """PostgreSQL: each trigger keeping the journal append-only is there, enabled, on its
    table and event, calling its function as the migration wrote it; no other trigger acts on
    the journal's tables."""
    rows = connection.exec_driver_sql(
        "SELECT t.tgname, c.relname, t.tgtype, t.tgenabled, p.proname, p.prosrc "
        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
    )
    found = {str(row[0]): row[1:] for row in rows}
    expected = expected_server_journal_triggers()
    problems = []
    for name, (table, tgtype, body) in expected.items():
        if name not in found:
            problems.append(f"le déclencheur « {name} » est absent")
            continue
        on, kind, enabled, function, source = found[name]
        if enabled not in ("O", "A"):  # disabled, or firing on a replica only
            problems.append(f"le déclencheur « {name} » est désactivé")
        elif (on, kind, function) != (table, tgtype, name) or normalise_sql(
            _function_body(str(source))
        ) != body:
            problems.append(f"le déclencheur « {name} » a été modifié")
    for name, (table, *_rest) in sorted(found.items()):
        if name not in expected and table in JOURNAL_TABLES:
            problems.append(f"un déclencheur en trop « {name} » agit sur le journal")
    if problems:
        return (
            f"{' ; '.join(problems)} : le journal n'est plus protégé contre les modifications.",
            False,
        )
    return f"présents et conformes ({len(expected)}).", True


def _function_body(source: str) -> str:
    """A PL/pgSQL function's source without its BEGIN … END; (as the migration writes it)."""
    text = source.strip()
    if text.upper().startswith("BEGIN") and text.upper().endswith("END;"):
        return text[len("BEGIN") : -len("END;")]
    return text


def _server_connection(report: CheckReport, connection: Connection) -> tuple[str, bool]:
    """The server and the account the desks connect with; a superuser account is worth a
    warning (it may disable the journal's triggers), not a failure."""
    user, superuser = connection.exec_driver_sql(
        "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
    ).one()
    version = ".".join(str(part) for part in connection.dialect.server_version_info or ())
    if superuser:
        report.attention.append(
            f"Le compte « {user} » est superutilisateur du serveur : il peut désactiver les "
            "protections du journal. Donnez à l'application un compte ordinaire, propriétaire "
            "de la base (voir le README)."
        )
    return f"établie (PostgreSQL {version}, compte « {user} »).", True


def _journal_chain(connection: Connection) -> tuple[str, bool]:
    verdict = verify_journal(connection)
    return verdict.detail, verdict.ok


def _schema_drift(connection: Connection) -> tuple[str, bool]:
    from alembic.autogenerate import compare_metadata  # Alembic stays out of the start-up
    from alembic.runtime.migration import MigrationContext

    options = {"compare_type": True, "include_name": fulltext.include_in_schema_comparison}
    context = MigrationContext.configure(connection, opts=options)
    differences = compare_metadata(context, Base.metadata)
    if not differences:
        return "tables, colonnes et index attendus.", True
    described = list(_describe_differences(differences))
    shown = " ; ".join(described[:MAX_LISTED])
    extra = len(described) - MAX_LISTED
    more = f" (et {plural(extra, 'autre')})" if extra > 0 else ""
    return f"{plural(len(described), 'différence')} : {shown}{more}.", False


def _describe_differences(differences: Iterable[Any]) -> Iterable[str]:
    """Alembic's diff tuples in French: ("add_table", table), [("modify_type", …)], …"""
    for diff in differences:
        if isinstance(diff, list):
            yield from _describe_differences(diff)
            continue
        kind = diff[0]
        if kind == "add_table":
            yield f"table manquante {diff[1].name}"
        elif kind == "remove_table":
            yield f"table en trop {diff[1].name}"
        elif kind == "add_column":
            yield f"colonne manquante {diff[2]}.{diff[3].name}"
        elif kind == "remove_column":
            yield f"colonne en trop {diff[2]}.{diff[3].name}"
        elif kind.startswith("modify_"):
            yield f"colonne modifiée {diff[2]}.{diff[3]}"
        elif kind in ("add_index", "add_constraint", "add_fk"):
            yield f"index ou contrainte manquant {diff[1].name}"
        elif kind in ("remove_index", "remove_constraint", "remove_fk"):
            yield f"index ou contrainte en trop {diff[1].name}"
        else:
            yield f"différence {kind}"


def _agreements_to_review(report: CheckReport, connection: Connection) -> tuple[str, bool]:
    """Agreements saved under earlier rules that break the law now: listed, not a failure
    (they stay readable and printable; coordination amends or leaves them)."""
    from app.services.agreements.listing import list_agreements

    with Session(bind=connection) as session:
        rows = [row for row in list_agreements(session, today=date.today()) if row.to_review]
    for row in rows:
        label = row.number or f"brouillon de {row.learner}"
        report.attention.append(f"Convention {label} ({row.learner}) : {row.to_review[0]}")
    if not rows:
        return "aucune convention à revoir.", True
    return (
        f"{plural(len(rows), 'convention')} à revoir selon les règles en vigueur "
        "(détail ci-dessous).",
        True,
    )


def _counts(report: CheckReport, connection: Connection, tables: set[str]) -> None:
    for table, _one, _many in COUNTED_TABLES:
        if table in tables:
            model_table = Base.metadata.tables[table]
            count = connection.scalar(select(func.count()).select_from(model_table))
            report.counts[table] = int(count or 0)
