"""What the window asks of candidates: one unit of work per user action.

Each use case takes the database first and opens, commits or rolls back its own session
(app/services/unit_of_work.py); the steps are the building blocks of `records`,
`csv_exchange`, `import_preview` and `import_writing`, which take a session.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy.orm import Session

from app.config import backup_dir
from app.services.actor import Actor
from app.services.agreements import choices as agreement_choices
from app.services.candidates import (
    csv_exchange,
    import_preview,
    import_writing,
    list_export,
    records,
)
from app.services.candidates.import_preview import ImportPreview, KnownChoice
from app.services.candidates.import_writing import ImportResult
from app.services.candidates.records import (
    CandidateFile,
    CandidateInput,
    CandidateQuery,
    CandidateRow,
    DuplicateMatch,
)
from app.services.journal import audit_log as audit
from app.services.permissions import require_bulk_personal_data, require_candidate_editor
from app.services.reference import sites
from app.services.unit_of_work import Database, reads, writes
from app.storage.targets import refuse_overwriting_base

# ---------------------------------------------------------------- one file

get_candidate = reads(records.get_candidate)
season_and_site = reads(records.season_and_site)
allowed_next_stages = reads(records.allowed_next_stages)
change_stage = writes(records.change_stage)


@dataclass(frozen=True)
class OpenedFile:
    """A file as the view shows it: the form's values and whether an agreement can be made."""

    file: CandidateFile
    in_training: bool


@reads
def open_file(session: Session, candidate_id: int, *, actor: Actor) -> OpenedFile:
    file = records.get_candidate(session, candidate_id, actor=actor)
    return OpenedFile(file, agreement_choices.in_training(session, candidate_id))


# ---------------------------------------------------------------- saving a file


@dataclass(frozen=True)
class SamePersonDecision:
    """What the person at the desk chose about the look-alike files they were shown.

    `shown`: the ids of those files. `person_uuid`: the person the new file is a new
    application of, or None when it is another person ("Créer quand même").
    """

    shown: frozenset[int]
    person_uuid: str | None = None


@dataclass(frozen=True)
class SaveOutcome:
    """Either the saved file, read back as the form shows it, or (a new file only) the files
    that look like it, for the person to decide on first: then nothing was written."""

    file: CandidateFile | None = None
    look_alikes: list[DuplicateMatch] = field(default_factory=list)


@writes
def save_candidate(
    session: Session,
    data: CandidateInput,
    *,
    actor: Actor,
    candidate_id: int | None = None,
    expected_version: int | None = None,
    decision: SamePersonDecision | None = None,
) -> SaveOutcome:
    """Update a file, or create one once nobody it looks like is left undecided.

    A new file is validated, then compared with the base in the same session as its
    creation: look-alikes the person has not seen yet (all of them, without a decision)
    come back unsaved.
    """
    require_candidate_editor(actor)
    if candidate_id is not None:
        saved = records.update_candidate(
            session, candidate_id, data, expected_version=expected_version, actor=actor
        )
    else:
        records.validate_candidate(session, data)
        look_alikes = records.find_duplicates(session, data)
        if look_alikes and not _decided(decision, look_alikes):
            return SaveOutcome(look_alikes=look_alikes)
        person_uuid = decision.person_uuid if decision is not None else None
        saved = records.create_candidate(session, data, actor=actor, person_uuid=person_uuid)
    return SaveOutcome(file=records.get_candidate(session, saved.id, actor=actor))


def _decided(decision: SamePersonDecision | None, look_alikes: list[DuplicateMatch]) -> bool:
    return decision is not None and {match.id for match in look_alikes} <= decision.shown


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class ListStart:
    """The first ids of a search in display order, whether more follow, and how many match."""

    ids: list[int]
    more: bool
    total: int


@reads
def list_start(
    session: Session, query: CandidateQuery, *, sort: str, descending: bool, chunk: int
) -> ListStart:
    ids = records.search_ids(
        session, query, sort=sort, descending=descending, limit=chunk + 1, offset=0
    )
    more = len(ids) > chunk
    total = records.count(session, query) if more else len(ids)
    return ListStart(ids[:chunk], more, total)


@reads
def list_ids(
    session: Session,
    query: CandidateQuery,
    *,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> list[int]:
    """The next ids of a search, as the list is scrolled."""
    return records.search_ids(
        session, query, sort=sort, descending=descending, limit=limit, offset=offset
    )


@reads
def list_rows(session: Session, ids: list[int]) -> dict[int, CandidateRow]:
    """One page of the list's rows."""
    return records.rows(session, ids)


# ---------------------------------------------------------------- CSV


@reads
def preview_import(
    session: Session,
    path: Path,
    *,
    known: KnownChoice | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> ImportPreview:
    """Every row of the file checked, with what importing it would do; nothing saved, no
    lock taken. `progress(line, lines)` returning False cancels the reading."""
    return import_preview.preview_import(session, path, known=known, progress=progress)


@writes
def apply_import(
    session: Session,
    path: Path,
    *,
    valid_only: bool,
    actor: Actor,
    overwrite_newer: bool = False,
    progress: Callable[[int, int], bool] | None = None,
    known: KnownChoice = KnownChoice.IGNORE,
) -> ImportResult:
    """Read the file and import it whole, or nothing; `progress` returning False cancels
    (nothing is saved)."""
    return import_writing.apply_import(
        session,
        path,
        valid_only=valid_only,
        actor=actor,
        overwrite_newer=overwrite_newer,
        progress=progress,
        known=known,
    )


@writes
def import_previewed(
    session: Session,
    preview: ImportPreview,
    *,
    valid_only: bool,
    actor: Actor,
    overwrite_newer: bool = False,
    progress: Callable[[int, int], bool] | None = None,
) -> ImportResult:
    """Import what a preview showed, with the choices made on its rows of people already
    known; refused whole if the base changed meanwhile under what it showed."""
    return import_writing.apply_preview(
        session,
        preview,
        valid_only=valid_only,
        actor=actor,
        overwrite_newer=overwrite_newer,
        progress=progress,
    )


EXPORT_LABEL = "le fichier choisi"


def export_candidates(
    database: Database,
    path: Path,
    *,
    season: str | None,
    site_id: int | None,
    actor: Actor,
) -> int:
    """Write the candidates of a season (all of them without one), of one site if given, and
    journal the export; never over the base or one of its backups. Returns the number of
    files written.

    All or nothing: the rows go to a file beside `path`, which replaces it only once the
    journal entry is committed; a failure before leaves `path` as it was and no entry.
    """
    require_bulk_personal_data(actor)
    refuse_overwriting_base(
        path, database_url=database.url, backup_folder=backup_dir(), label=EXPORT_LABEL
    )
    return csv_exchange.write_atomically(
        path,
        lambda handle: _export_and_journal(database, handle, season=season, site_id=site_id),
    )


@writes
def _export_and_journal(
    session: Session, handle: TextIO, *, season: str | None, site_id: int | None
) -> int:
    site = next((o.code for o in sites(session) if o.id == site_id), None)
    written = csv_exchange.export_candidates(session, handle, season=season, site=site)
    audit.record_export(session, "candidats (CSV)", written, audit.export_scope(season, site))
    return written


# ---------------------------------------------------------------- the list as shown


def export_shown_candidates(
    database: Database,
    path: Path,
    query: CandidateQuery,
    *,
    actor: Actor,
    sort: str = "name",
    descending: bool = False,
) -> int:
    """Write exactly the files the list shows for `query`, in its order, as the candidate
    CSV (importable back), and journal the export with its filters; never over the base or
    one of its backups. Returns the number of files written.

    All or nothing, as `export_candidates`: `path` is replaced only once the journal entry
    is committed."""
    require_bulk_personal_data(actor)
    refuse_overwriting_base(
        path, database_url=database.url, backup_folder=backup_dir(), label=EXPORT_LABEL
    )
    return csv_exchange.write_atomically(
        path,
        lambda handle: _export_shown_and_journal(
            database, handle, query, sort=sort, descending=descending
        ),
    )


@writes
def _export_shown_and_journal(
    session: Session, handle: TextIO, query: CandidateQuery, *, sort: str, descending: bool
) -> int:
    ids = list_export.shown_ids(session, query, sort=sort, descending=descending)
    written = list_export.write_candidates(session, ids, handle)
    scope = ", ".join(list_export.describe_query(session, query))
    audit.record_export(session, "candidats (CSV de la liste affichée)", written, scope)
    return written


@writes
def candidate_list_pdf(
    session: Session,
    query: CandidateQuery,
    columns: Sequence[str],
    *,
    actor: Actor,
    sort: str = "name",
    descending: bool = False,
    today: date | None = None,
) -> bytes:
    """The list as shown for `query`, in its order, with the chosen `columns` (keys of
    list_export.LIST_COLUMNS), as a PDF; journaled with its filters and row count."""
    require_bulk_personal_data(actor)
    printed = list_export.print_list(
        session, query, columns, sort=sort, descending=descending, today=today or date.today()
    )
    audit.record_export(session, "candidats (liste imprimée, PDF)", printed.count, printed.scope)
    return printed.pdf
