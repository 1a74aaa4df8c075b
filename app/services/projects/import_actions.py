"""What the window and the command line ask of the projects CSV: the import's preview, the
import itself, the export. Coordination only; one unit of work each."""

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sqlalchemy.orm import Session

from app.config import backup_dir
from app.services.actor import Actor
from app.services.candidates.csv_exchange import write_atomically
from app.services.journal import audit_log as audit
from app.services.permissions import require_project_editor
from app.services.projects import csv_exchange, import_preview
from app.services.projects.import_preview import ProjectImportPreview, ProjectImportResult
from app.services.unit_of_work import Database, reads, writes
from app.storage.targets import refuse_overwriting_base

EXPORT_LABEL = "le fichier choisi"


@reads
def preview_import(
    session: Session,
    path: Path,
    *,
    actor: Actor,
    progress: Callable[[int, int], bool] | None = None,
) -> ProjectImportPreview:
    """Every row of the file tried, with what importing it would do; nothing is saved."""
    return import_preview.preview_import(session, path, actor=actor, progress=progress)


@writes
def import_previewed(
    session: Session, preview: ProjectImportPreview, *, valid_only: bool, actor: Actor
) -> ProjectImportResult:
    """Import what the preview showed, all of it or nothing."""
    return import_preview.import_previewed(session, preview, valid_only=valid_only, actor=actor)


def export_projects(database: Database, path: Path, *, season: str | None, actor: Actor) -> int:
    """Write the projects (of one season when given) and journal the export; never over the
    base or one of its backups. Returns the number of projects written.

    All or nothing: `path` is replaced only once the journal entry is committed."""
    require_project_editor(actor)
    refuse_overwriting_base(
        path, database_url=database.url, backup_folder=backup_dir(), label=EXPORT_LABEL
    )
    return write_atomically(
        path, lambda handle: _export_and_journal(database, handle, season=season)
    )


@writes
def _export_and_journal(session: Session, handle: TextIO, *, season: str | None) -> int:
    written = csv_exchange.export_projects(session, handle, season=season)
    audit.record_export(session, "projets (CSV)", written, audit.export_scope(season))
    return written
