"""Backups of a PostgreSQL base through the server's own tools, `pg_dump` and `pg_restore`.
Imports no Qt.

A SQLite base is copied by the application itself (`app.storage.backup`); a base on a server
is the administrator's to back up on a schedule (README, *Several desks*), and `main.py
backup` / `restore` run the client tools when they are installed on the workstation: on the
PATH, else in the usual installation folders (`TOOL_FOLDER_PATTERNS`).

The connection parameters come from the base's URL: host, port, user and database (and any
libpq option of its query string) as a connection string on the command line; the password
only through the `PGPASSWORD` environment variable of the tool's process, never on a command
line. The tools answer in English (`LC_MESSAGES=C`) so that their failures can be told in
French (`_tool_reason`).

Backup (`dump_database`): `pg_dump -Fc` (custom format, compressed) into a temporary file of
this process next to its final name, which is only given once the archive is read back:
`pg_restore --list` reads it, it holds every table of the base with its data, and its
`alembic_version` row is the base's revision. Archives are named like SQLite copies with the
suffix `.dump` (`fabrique@pc-accueil-2026-11-29_0812-manuelle.dump`), readable by their owner
only. They are not part of the rotation of `app.storage.backup`: the server's retention is
the administrator's.

Restore (`restore_archive`), in order; nothing is changed before step 4:
1. the archive is read (`pg_restore --list`): a custom-format archive holding the tables of
   the application and one `alembic_version` row of a revision this version knows (an archive
   of a newer version is refused); its entries are of kinds the application creates;
2. no other connection is open on the base (other desks must be closed first);
3. the current base, if it has tables, is kept first: `pg_dump` into the backup folder
   (`…-avant-restauration.dump`);
4. the base's objects the archive does not have (tables of a newer schema) are dropped, then
   `pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction` replaces
   the rest (extensions and the public schema are left as they are, created first if missing);
5. checks: the revision read back is the archive's, each table has as many rows as the
   archive; the schema is brought to this version's (`open_database`); then the caller's
   `verify` (the health check of `main.py check`).
When a step after 4 fails, the kept copy is restored the same way and the refusal says so.
"""

import contextlib
import glob
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from app.domain.plural import agrees, plural
from app.errors import StorageError, describe_os_error
from app.storage.backup import (
    FILE_MODE,
    PARTIAL_SUFFIX,
    SUFFIX,
    BackupFile,
    BackupReason,
    backup_name,
    describe_dated_file,
    parse_backup_name,
    prepare_backup_folder,
    sanitise_workstation,
    workstation_name,
)
from app.storage.durable import fsync_file, fsync_folder

log = logging.getLogger(__name__)

ARCHIVE_SUFFIX = ".dump"
VERSION_TABLE = "alembic_version"
APPLICATION_NAME = "fabrique-accueil-sauvegarde"
CONNECT_TIMEOUT_S = "10"
# Where the client tools are looked for when they are not on the PATH (highest version first).
TOOL_FOLDER_PATTERNS: tuple[str, ...] = (
    "/usr/lib/postgresql/*/bin",  # Debian, Ubuntu
    "/usr/pgsql-*/bin",  # Red Hat (PGDG packages)
    "/opt/homebrew/opt/libpq/bin",
    "/usr/local/opt/libpq/bin",
    "/Applications/Postgres.app/Contents/Versions/*/bin",
    "C:/Program Files/PostgreSQL/*/bin",
)
# The entries a dump of the application's base may hold (`pg_restore --list`, in pg_dump's
# words). Anything else (rules, policies, event triggers, foreign servers, large objects…) is
# not the application's, and such an archive is refused.
KNOWN_ENTRY_KINDS = (
    "MATERIALIZED VIEW DATA",
    "SEQUENCE OWNED BY",
    "TEXT SEARCH CONFIGURATION",
    "TEXT SEARCH DICTIONARY",
    "MATERIALIZED VIEW",
    "FK CONSTRAINT",
    "SEQUENCE SET",
    "DEFAULT ACL",
    "TABLE DATA",
    "CONSTRAINT",
    "EXTENSION",
    "STATISTICS",
    "COLLATION",
    "FUNCTION",
    "SEQUENCE",
    "TRIGGER",
    "COMMENT",
    "DEFAULT",
    "SCHEMA",
    "DOMAIN",
    "INDEX",
    "TABLE",
    "TYPE",
    "VIEW",
    "ACL",
)
# Entries left out of a restore: what belongs to the server's administrator rather than to
# the base's owner (an extension the administrator created, the public schema).
_SKIPPED_ON_RESTORE = re.compile(r"^(EXTENSION |SCHEMA - public\b|COMMENT - (EXTENSION|SCHEMA) )")

TOOL_MISSING = (
    "{tool} est introuvable sur ce poste : installez les outils clients de PostgreSQL "
    "(paquet « postgresql-client » sous Debian ou Ubuntu, ou l'installateur de PostgreSQL sous "
    "Windows), ou faites la {what} à la main avec pg_dump et pg_restore (README, « Plusieurs "
    "postes »)."
)
UNCHANGED = "La base n'a pas été modifiée."


# ---------------------------------------------------------------- the tools


def is_server_url(url: str) -> bool:
    """Whether the base is a PostgreSQL server's (the backups are then pg_dump archives)."""
    return url.startswith("postgresql")


def find_tool(name: str) -> Path | None:
    """The client tool `name` (pg_dump, pg_restore): on the PATH, else in the usual folders
    of a PostgreSQL installation, the highest version first; None when absent."""
    found = shutil.which(name)
    if found:
        return Path(found)
    candidates: list[Path] = []
    for pattern in TOOL_FOLDER_PATTERNS:
        for folder in glob.glob(pattern):
            for executable in (name, f"{name}.exe"):
                path = Path(folder) / executable
                if path.is_file() and os.access(path, os.X_OK):
                    candidates.append(path)
    candidates.sort(key=_version_key, reverse=True)
    return candidates[0] if candidates else None


def _version_key(path: Path) -> tuple[int, ...]:
    """Orders `/usr/lib/postgresql/16/bin/pg_dump` after `…/9.6/…`."""
    return tuple(int(number) for number in re.findall(r"\d+", str(path.parent)))


def _require_tool(name: str, what: str) -> Path:
    tool = find_tool(name)
    if tool is None:
        raise StorageError(TOOL_MISSING.format(tool=name, what=what))
    return tool


def require_tools(*, restore: bool = False) -> None:
    """A French refusal when the tools a backup (or a restore) needs are missing."""
    _require_tool("pg_dump", "restauration" if restore else "sauvegarde")
    if restore:
        _require_tool("pg_restore", "restauration")


# ---------------------------------------------------------------- connecting


@dataclass(frozen=True)
class ServerBase:
    """Where the tools connect: a connection string without the password, and the
    environment that carries it."""

    conninfo: str
    environment: dict[str, str]
    shown_as: str  # « base sur hôte:port », for messages
    host: str
    database: str


def server_base(url: str) -> ServerBase:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StorageError("Adresse de base de données non reconnue.") from error
    if not parsed.database:
        raise StorageError(
            "L'adresse de la base ne nomme pas de base de données (…/NOM_DE_LA_BASE à la fin)."
        )
    options: dict[str, str] = {"dbname": parsed.database, "application_name": APPLICATION_NAME}
    if parsed.host:
        options["host"] = parsed.host
    if parsed.port:
        options["port"] = str(parsed.port)
    if parsed.username:
        options["user"] = parsed.username
    for key, value in parsed.query.items():
        options[key] = value if isinstance(value, str) else value[-1]
    conninfo = " ".join(f"{key}={_conninfo_value(value)}" for key, value in options.items())
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LC_ALL", "LANGUAGE", "PGPASSWORD")
    }
    environment["LC_MESSAGES"] = "C"  # messages in English: `_tool_reason` reads them
    environment.setdefault("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT_S)
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    elif "PGPASSWORD" in os.environ:
        environment["PGPASSWORD"] = os.environ["PGPASSWORD"]
    host = options.get("host", "localhost")
    where = f"{host}:{options['port']}" if "port" in options else host
    return ServerBase(
        conninfo, environment, f"« {parsed.database} » sur {where}", host, parsed.database
    )


def _conninfo_value(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


@contextlib.contextmanager
def _engine(url: str) -> Iterator[Engine]:
    from app.storage.database import make_engine

    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _run(tool: Path, arguments: list[str], base: ServerBase) -> subprocess.CompletedProcess[str]:
    """A tool run to its end; its output is read as text (messages, lists)."""
    command = [str(tool), *arguments]
    log.info("running %s", " ".join(command[:1] + [a for a in arguments if "=" not in a]))
    return subprocess.run(
        command,
        env=base.environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )


def _tool_reason(stderr: str, base: ServerBase | None = None) -> str:
    """Why a tool failed, in French, from its English message."""
    message = stderr.lower()
    where = base.shown_as if base is not None else "la base"
    host = f"« {base.host} »" if base is not None else "du serveur"
    if "no space left on device" in message or "disk full" in message:
        return "le disque est plein"
    if "could not translate host name" in message or "name or service not known" in message:
        return f"le nom de serveur {host} est inconnu (adresse erronée, ou réseau coupé)"
    if "connection refused" in message:
        return (
            f"le serveur {host} refuse la connexion (PostgreSQL arrêté, ou adresse ou port erronés)"
        )
    if "timeout expired" in message or "timed out" in message:
        return f"le serveur {host} ne répond pas (réseau coupé, ou pare-feu)"
    if "password authentication failed" in message or "no password supplied" in message:
        return "le serveur a refusé l'identifiant ou le mot de passe de l'adresse de la base"
    if "does not exist" in message and "database" in message:
        return (
            f"la base {where} n'existe pas sur le serveur (la créer d'abord : README, "
            "« Plusieurs postes »)"
        )
    if "server version mismatch" in message:
        return (
            "ce pg_dump est plus ancien que le serveur : installez les outils clients de "
            "PostgreSQL de la version du serveur (ou d'une plus récente)"
        )
    if "unsupported version" in message and "file header" in message:
        return (
            "l'archive a été faite par un pg_dump plus récent que ce pg_restore : installez "
            "des outils clients de PostgreSQL plus récents"
        )
    if (
        "does not appear to be a valid archive" in message
        or "did not find magic string" in message
        or "input file is too short" in message
    ):
        return "ce n'est pas une archive pg_dump au format personnalisé (pg_dump -Fc)"
    if "lock timeout" in message or "deadlock" in message:
        return "la base est occupée par un autre poste : fermez l'application sur les autres postes"
    if "permission denied" in message or "must be owner" in message:
        return "le rôle de l'adresse de la base n'a pas les droits nécessaires (permission refusée)"
    if "could not write" in message or "could not open output file" in message:
        return "le fichier de sauvegarde ne peut pas être écrit (dossier, support ou droits)"
    return "l'outil a échoué, le détail est dans le journal technique"


# ---------------------------------------------------------------- archive names


def archive_name(
    base: str, workstation: str, taken_at: datetime, reason: BackupReason, rank: int = 1
) -> str:
    """« fabrique@pc-accueil-2026-11-29_0812-manuelle.dump »"""
    return backup_name(base, workstation, taken_at, reason, rank)[: -len(SUFFIX)] + ARCHIVE_SUFFIX


def parse_archive_name(path: Path) -> BackupFile | None:
    """What an archive's file name says; None for any other file."""
    if path.suffix != ARCHIVE_SUFFIX:
        return None
    parsed = parse_backup_name(path.with_name(path.stem + SUFFIX))
    if parsed is None:
        return None
    return BackupFile(path, parsed.base, parsed.taken_at, parsed.reason, parsed.workstation)


def describe_archive(path: Path) -> str:
    """The date an archive was taken, in French, from its name or else from the file."""
    return describe_dated_file(path, parse_archive_name(path))


def _reserve(folder: Path, base: str, taken_at: datetime, reason: BackupReason) -> Path:
    """A final name no file has yet (the partial file is this process's own)."""
    workstation = sanitise_workstation(workstation_name())
    rank = 1
    while True:
        target = folder / archive_name(base, workstation, taken_at, reason, rank)
        rank += 1
        if not target.exists() and not _partial(target).exists():
            return target


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}{PARTIAL_SUFFIX}")


# ---------------------------------------------------------------- reading an archive


@dataclass(frozen=True)
class ArchiveEntry:
    kind: str  # "TABLE", "TABLE DATA", "FK CONSTRAINT"…
    schema: str  # "-" for entries without a schema
    name: str  # the rest of the line: the name (and table) without the owner
    line: str  # the whole line, as `pg_restore -L` reads it
    text: str  # the line after its ids: « TABLE public candidate fabrique »


@dataclass(frozen=True)
class ArchiveContents:
    entries: list[ArchiveEntry]
    revision: str
    unknown: list[str] = field(default_factory=list)  # lines of kinds not the application's

    def tables(self, kind: str = "TABLE") -> set[str]:
        """The tables (or, with "TABLE DATA", the tables whose rows it holds)."""
        return {entry.name.split(" ")[0] for entry in self.entries if entry.kind == kind}


_TOC_LINE = re.compile(r"^\d+;\s+\d+\s+\d+\s+(?P<rest>.+)$")


def _parse_entries(listing: str) -> tuple[list[ArchiveEntry], list[str]]:
    entries: list[ArchiveEntry] = []
    unknown: list[str] = []
    for line in listing.splitlines():
        match = _TOC_LINE.match(line.strip())
        if match is None:
            continue  # comments (`;`) and blank lines
        rest = match["rest"]
        kind = next((k for k in KNOWN_ENTRY_KINDS if rest.startswith(k + " ")), None)
        if kind is None:
            unknown.append(rest)
            continue
        words = rest[len(kind) + 1 :].split(" ")
        schema = words[0] if words else "-"
        name = " ".join(words[1:-1]) if len(words) > 2 else " ".join(words[1:])
        entries.append(ArchiveEntry(kind, schema, name, line.strip(), rest))
    return entries, unknown


def read_archive(path: Path) -> ArchiveContents:
    """The archive's entries and its revision; a French refusal for a file that is not an
    archive of this application, or is one of a newer version."""
    path = Path(path).expanduser()
    shown = f"« {path} »"
    if not path.is_file():
        raise StorageError(f"La sauvegarde {shown} n'existe pas.")
    pg_restore = _require_tool("pg_restore", "restauration")
    listing = _run(pg_restore, ["--list", str(path)], _local())
    if listing.returncode != 0:
        log.warning("pg_restore --list %s failed: %s", path, listing.stderr.strip())
        raise StorageError(
            f"La sauvegarde {shown} est illisible : {_tool_reason(listing.stderr)}. {UNCHANGED}"
        )
    entries, unknown = _parse_entries(listing.stdout)
    data = _run(pg_restore, ["--data-only", "-t", VERSION_TABLE, "-f", "-", str(path)], _local())
    if data.returncode != 0:
        log.warning("alembic_version of %s unreadable: %s", path, data.stderr.strip())
        raise StorageError(
            f"La sauvegarde {shown} est illisible : {_tool_reason(data.stderr)}. {UNCHANGED}"
        )
    revisions = _copy_rows(data.stdout)
    contents = ArchiveContents(entries, revisions[0] if len(revisions) == 1 else "", unknown)
    if VERSION_TABLE not in contents.tables() or len(revisions) != 1:
        raise StorageError(
            f"{shown} n'est pas une sauvegarde de Fabrique Accueil (aucune version de schéma) : "
            f"elle n'a pas été restaurée. {UNCHANGED}"
        )
    _refuse_unknown_revision(contents.revision, shown)
    return contents


def _local() -> ServerBase:
    """The environment of a tool that reads a file only."""
    environment = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANGUAGE")}
    environment["LC_MESSAGES"] = "C"
    return ServerBase("", environment, "", "", "")


def _copy_rows(script: str) -> list[str]:
    """The rows of the one COPY block of a `--data-only -t TABLE` script (first column)."""
    rows: list[str] = []
    inside = False
    for line in script.splitlines():
        if not inside:
            inside = line.startswith("COPY ")
        elif line == "\\.":
            inside = False
        else:
            rows.append(line.split("\t")[0])
    return rows


def _refuse_unknown_revision(revision: str, shown: str) -> None:
    from app.storage.backup import _known_revisions
    from app.storage.migrate import head_revision

    if revision not in _known_revisions():
        raise StorageError(
            f"La sauvegarde {shown} vient d'une version plus récente de l'application "
            f"(schéma {revision}, celui-ci s'arrête à {head_revision()}) : mettez l'application "
            f"à jour avant de la restaurer. {UNCHANGED}"
        )


def archive_row_counts(path: Path) -> dict[str, int]:
    """How many rows each table of the archive holds (its COPY blocks read as they stream:
    one line per row in COPY's text format)."""
    pg_restore = _require_tool("pg_restore", "restauration")
    command = [str(pg_restore), "--data-only", "-f", "-", str(path)]
    counts: dict[str, int] = {}
    table: str | None = None
    with subprocess.Popen(
        command,
        env=_local().environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        for line in process.stdout:
            if table is None:
                if line.startswith(b"COPY "):
                    table = _copied_table(line)
                    counts[table] = 0
            elif line in (b"\\.\n", b"\\.\r\n"):
                table = None
            else:
                counts[table] += 1
        stderr = process.stderr.read().decode("utf-8", "replace")
    if process.returncode != 0:
        log.warning("pg_restore --data-only %s failed: %s", path, stderr.strip())
        raise StorageError(f"La sauvegarde « {path} » est illisible : {_tool_reason(stderr)}.")
    return counts


def _copied_table(line: bytes) -> str:
    """`COPY public.candidate (id, …) FROM stdin;` -> candidate"""
    qualified = line.decode("utf-8", "replace").split(" ")[1]
    return qualified.rsplit(".", 1)[-1].strip('"')


# ---------------------------------------------------------------- backing up


def dump_database(
    url: str, folder: Path, *, reason: BackupReason | str, now: datetime | None = None
) -> Path:
    """`pg_dump -Fc` of the base into `folder`, read back before it takes its name; returns
    the archive's path. Every failure is a StorageError in French; nothing is left behind."""
    reason = BackupReason(reason)
    pg_dump = _require_tool("pg_dump", "sauvegarde")
    base = server_base(url)
    folder = prepare_backup_folder(folder)
    target = _reserve(folder, base.database, now or datetime.now(), reason)
    partial = _partial(target)
    try:
        done = _run(pg_dump, ["-Fc", "--no-password", "-f", str(partial), base.conninfo], base)
        if done.returncode != 0:
            log.warning("pg_dump of %s failed: %s", base.shown_as, done.stderr.strip())
            raise StorageError(
                f"La sauvegarde de la base {base.shown_as} a échoué : "
                f"{_tool_reason(done.stderr, base)}."
            )
        _make_private(partial)
        _check_archive(partial, url, base)
        fsync_file(partial)
        os.replace(partial, target)
        fsync_folder(folder)
    except OSError as error:
        log.warning("archive of %s not written: %s", base.shown_as, error)
        raise StorageError(
            f"La sauvegarde n'a pas pu être écrite dans « {folder} » : {describe_os_error(error)}."
        ) from error
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    log.info("archive %s written (%s)", target, reason.value)
    return target


def _make_private(path: Path) -> None:
    if os.name == "posix":
        os.chmod(path, FILE_MODE)


def _check_archive(path: Path, url: str, base: ServerBase) -> None:
    """The archive just written reads back, with every table of the base, their rows, and
    the base's revision."""
    try:
        contents = read_archive(path)
    except StorageError as error:
        log.warning("archive of %s does not read back: %s", base.shown_as, error)
        raise StorageError(
            f"La sauvegarde de la base {base.shown_as} a été écrite mais ne se relit pas : "
            "elle a été supprimée. Le détail est dans le journal technique."
        ) from error
    tables, revision = _live_tables(url)
    missing = sorted(tables - contents.tables())
    without_rows = sorted(tables - contents.tables("TABLE DATA"))
    if missing or without_rows or contents.revision != revision:
        log.warning(
            "archive of %s incomplete: missing %s, without rows %s, revision %s (base %s)",
            base.shown_as,
            missing,
            without_rows,
            contents.revision,
            revision,
        )
        raise StorageError(
            f"La sauvegarde de la base {base.shown_as} est incomplète (tables : "
            f"{', '.join(missing or without_rows) or 'version du schéma'}) : elle a été "
            "supprimée. Le détail est dans le journal technique."
        )


def has_tables(url: str) -> bool:
    """Whether the base has any table (an empty database on the server has none)."""
    return bool(_live_tables(url)[0])


def _live_tables(url: str) -> tuple[set[str], str | None]:
    """The tables of the base's schema and its revision."""
    try:
        with _engine(url) as engine, engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = (
                connection.scalar(text(f"SELECT version_num FROM {VERSION_TABLE}"))
                if VERSION_TABLE in tables
                else None
            )
    except SQLAlchemyError as error:
        raise _database_error(error, url) from error
    return tables, revision


def _database_error(error: SQLAlchemyError, url: str) -> StorageError:
    """libpq's message (a server that cannot be reached has no SQLSTATE) told in French."""
    base = server_base(url)
    original = getattr(error, "orig", None) or error
    log.warning("server base %s: %s", base.shown_as, original)
    return StorageError(f"Connexion à la base impossible : {_tool_reason(str(original), base)}.")


# ---------------------------------------------------------------- restoring


def restore_archive(
    archive: Path,
    url: str,
    *,
    backup_folder: Path,
    verify: Callable[[], None] | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Replace the base at `url` by the archive, following the module's steps; returns the
    archive that keeps the replaced base (None when the base had no table). `verify` raises a
    StorageError when the restored base is not sound."""
    archive = Path(archive).expanduser()
    base = server_base(url)
    require_tools(restore=True)
    contents = read_archive(archive)
    _refuse_foreign_entries(contents, archive)
    _refuse_incomplete(contents, archive)
    had_tables = _refuse_other_connections(url, base)
    kept = (
        dump_database(url, backup_folder, reason=BackupReason.BEFORE_RESTORE, now=now)
        if had_tables
        else None
    )
    touched = False
    try:
        touched = _drop_objects_not_in(contents, url) > 0
        _create_missing_extensions(contents, url)
        _pg_restore(archive, contents, base)
        touched = True
        _check_restored(archive, contents, url)
        _migrate(url)
        if verify is not None:
            verify()
    except StorageError as error:
        if not touched:
            raise StorageError(f"{_sentence(str(error))} {UNCHANGED}") from error
        if kept is None:
            raise StorageError(
                f"La restauration a échoué : {error}. La base n'avait pas de tables avant."
            ) from error
        _put_back(kept, url, base, error)
    log.info("base %s restored from %s (previous kept in %s)", base.shown_as, archive, kept)
    return kept


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _refuse_foreign_entries(contents: ArchiveContents, archive: Path) -> None:
    if contents.unknown:
        log.warning("archive %s holds foreign entries: %s", archive, contents.unknown)
        shown = " ; ".join(contents.unknown[:3])
        raise StorageError(
            f"La sauvegarde « {archive} » contient des objets que l'application ne crée pas "
            f"({shown}) : restauration refusée, elle a été modifiée ou vient d'une autre base. "
            f"{UNCHANGED}"
        )


def _refuse_incomplete(contents: ArchiveContents, archive: Path) -> None:
    """An archive of this version's schema must hold every table of the application."""
    from app.domain import Base
    from app.storage.migrate import head_revision

    missing = set() if contents.revision != head_revision() else set(Base.metadata.tables)
    missing -= contents.tables()
    without_rows = contents.tables() - contents.tables("TABLE DATA")
    if missing or without_rows:
        names = ", ".join(sorted(missing | without_rows)[:5])
        raise StorageError(
            f"La sauvegarde « {archive} » est incomplète (tables {names}) : restauration "
            f"refusée. {UNCHANGED}"
        )


def _refuse_other_connections(url: str, base: ServerBase) -> set[str]:
    """The tables of the base; a refusal while other desks (or tools) are connected to it."""
    try:
        with _engine(url) as engine, engine.connect() as connection:
            others = connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                )
            )
            tables = set(inspect(connection).get_table_names())
    except SQLAlchemyError as error:
        raise _database_error(error, url) from error
    if others:
        raise StorageError(
            f"{plural(int(others), 'autre connexion')} "
            f"{agrees(int(others), 'est ouverte', 'sont ouvertes')} sur la base "
            f"{base.shown_as} (des postes où l'application est ouverte) : fermez-la sur les "
            f"autres postes avant de restaurer. {UNCHANGED}"
        )
    return tables


def _pg_restore(archive: Path, contents: ArchiveContents, base: ServerBase) -> None:
    """The archive's objects in place of the base's, in one transaction (all or nothing)."""
    pg_restore = _require_tool("pg_restore", "restauration")
    lines = [e.line for e in contents.entries if not _SKIPPED_ON_RESTORE.match(e.text)]
    listing = _write_list(lines, archive)
    try:
        done = _run(
            pg_restore,
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                "-L",
                str(listing),
                "-d",
                base.conninfo,
                str(archive),
            ],
            base,
        )
    finally:
        with contextlib.suppress(OSError):
            listing.unlink(missing_ok=True)
    if done.returncode != 0:
        log.warning("pg_restore into %s failed: %s", base.shown_as, done.stderr.strip())
        raise StorageError(
            f"pg_restore n'a pas pu restaurer la sauvegarde dans la base {base.shown_as} : "
            f"{_tool_reason(done.stderr, base)}"
        )


def _write_list(lines: list[str], archive: Path) -> Path:
    """The entries to restore, as `pg_restore -L` reads them, in a private temporary file
    (names of objects only, no data)."""
    import tempfile

    handle, name = tempfile.mkstemp(prefix="fabrique-restauration-", suffix=".liste")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    log.info("restore list of %s: %d entries", archive.name, len(lines))
    return Path(name)


def _drop_objects_not_in(contents: ArchiveContents, url: str) -> int:
    """Drop the tables, views, sequences, functions and types of the base's schema the archive
    does not have (a newer schema's): `--clean` drops only what the archive holds. Returns how
    many were dropped."""
    in_archive = {
        "r": contents.tables(),
        "v": {e.name.split(" ")[0] for e in contents.entries if e.kind == "VIEW"},
        "m": {e.name.split(" ")[0] for e in contents.entries if e.kind == "MATERIALIZED VIEW"},
        "S": {e.name.split(" ")[0] for e in contents.entries if e.kind == "SEQUENCE"},
        "f": {e.name.split("(")[0] for e in contents.entries if e.kind == "FUNCTION"},
        "t": {e.name.split(" ")[0] for e in contents.entries if e.kind in ("TYPE", "DOMAIN")},
    }
    drop = {"r": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    try:
        with _engine(url) as engine, engine.begin() as connection:
            relations = connection.execute(
                text(
                    "SELECT c.relname, c.relkind FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
                    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid "
                    "AND d.deptype IN ('e', 'a', 'i'))"
                )
            ).all()
            functions = connection.execute(
                text(
                    "SELECT p.oid::regprocedure::text, p.proname FROM pg_proc p "
                    "JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_depend "
                    "d WHERE d.objid = p.oid AND d.deptype = 'e')"
                )
            ).all()
            types = connection.execute(
                text(
                    "SELECT t.typname FROM pg_type t "
                    "JOIN pg_namespace n ON n.oid = t.typnamespace "
                    "WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd') "
                    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid "
                    "AND d.deptype = 'e')"
                )
            ).all()
            statements = [
                f'DROP {drop["r" if kind == "p" else kind]} IF EXISTS "{name}" CASCADE'
                for name, kind in relations
                if name not in in_archive["r" if kind == "p" else kind]
            ]
            statements += [
                f"DROP FUNCTION IF EXISTS {signature} CASCADE"
                for signature, name in functions
                if name not in in_archive["f"]
            ]
            statements += [
                f'DROP TYPE IF EXISTS "{name}" CASCADE'
                for (name,) in types
                if name not in in_archive["t"]
            ]
            for statement in statements:
                log.info("before the restore: %s", statement)
                connection.execute(text(statement))
    except SQLAlchemyError as error:
        raise _database_error(error, url) from error
    return len(statements)


def _create_missing_extensions(contents: ArchiveContents, url: str) -> None:
    """Extensions are left out of the restore (an administrator's may exist already): the
    archive's missing ones are created first when the role may (else pg_restore says what
    fails)."""
    names = [e.name.split(" ")[0] for e in contents.entries if e.kind == "EXTENSION"]
    for name in names:
        try:
            with _engine(url) as engine, engine.begin() as connection:
                connection.execute(text(f'CREATE EXTENSION IF NOT EXISTS "{name}"'))
        except SQLAlchemyError as error:
            log.warning("extension %s not created before the restore: %s", name, error)


def _check_restored(archive: Path, contents: ArchiveContents, url: str) -> None:
    """The revision read back is the archive's; each table has the archive's rows."""
    expected = archive_row_counts(archive)
    try:
        with _engine(url) as engine, engine.connect() as connection:
            revision = connection.scalar(text(f"SELECT version_num FROM {VERSION_TABLE}"))
            found = {
                table: int(connection.scalar(text(f'SELECT count(*) FROM "{table}"')) or 0)
                for table in expected
            }
    except SQLAlchemyError as error:
        raise _database_error(error, url) from error
    if revision != contents.revision:
        raise StorageError(
            f"la version du schéma relue ({revision}) n'est pas celle de la sauvegarde "
            f"({contents.revision})"
        )
    different = [t for t in sorted(expected) if found[t] != expected[t]]
    if different:
        detail = ", ".join(f"{t} : {found[t]} au lieu de {expected[t]}" for t in different[:3])
        raise StorageError(f"des lignes manquent ou sont en trop ({detail})")


def _migrate(url: str) -> None:
    from app.storage.database import open_database

    try:
        open_database(url).dispose()
    except StorageError as error:
        raise StorageError(
            f"la base restaurée n'a pas pu être mise au niveau de cette version ({error})"
        ) from error


def _put_back(kept: Path, url: str, base: ServerBase, error: StorageError) -> None:
    """The restore failed after the base was touched: the kept archive goes back in place."""
    log.warning("restore into %s failed, putting back %s: %s", base.shown_as, kept, error)
    try:
        contents = read_archive(kept)
        _drop_objects_not_in(contents, url)
        _pg_restore(kept, contents, base)
        _check_restored(kept, contents, url)
    except StorageError as second:
        log.error("putting back %s into %s failed: %s", kept, base.shown_as, second)
        raise StorageError(
            f"La restauration a échoué ({error}), et la base n'a pas pu être remise dans son "
            f"état d'avant ({second}). La base d'avant est conservée dans « {kept} » : "
            f"restaurez-la (main.py restore « {kept} » --db …) ou avec pg_restore."
        ) from error
    raise StorageError(
        f"La restauration a été annulée : {error}. La base a été remise dans son état d'avant "
        f"(copie conservée dans « {kept} »)."
    ) from error
