"""What the window asks of orientation: one unit of work per user action."""

import io
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app.config import backup_dir
from app.pdf.bilan import render_bilan
from app.pdf.output import write_pdf
from app.services.actor import Actor
from app.services.journal import audit_log as audit
from app.services.orientation import period
from app.services.orientation.activities import ActivityInfo
from app.services.orientation.cohorts import CohortInfo, LearnerInfo
from app.services.orientation.criteria import CriterionInfo
from app.services.permissions import can_read_orientation, require_orientation_reader, role_of
from app.services.unit_of_work import Database, reads, writes
from app.storage.targets import refuse_overwriting_base

# ---------------------------------------------------------------- cohorts and activities


@writes
def cohorts(session: Session, *, actor: Actor) -> list[CohortInfo]:
    """The cohorts the picker offers, the missing ones created first; none for a role that
    may not read observations (nothing is created for it either)."""
    if not can_read_orientation(role_of(actor)):
        return []
    return period.cohorts(session)


@reads
def activities(session: Session, cohort_id: int, *, actor: Actor) -> list[ActivityInfo]:
    require_orientation_reader(actor)
    return period.activities(session, cohort_id)


@reads
def cohort_learners(session: Session, cohort_id: int, *, actor: Actor) -> list[LearnerInfo]:
    require_orientation_reader(actor)
    return period.cohort_learners(session, cohort_id)


create_activity = writes(period.create_activity)
set_teams = writes(period.set_teams)

# ---------------------------------------------------------------- the evaluation grid


@reads
def criteria(session: Session, *, actor: Actor) -> list[CriterionInfo]:
    """Every criterion, the retired ones included (the grid's editor lists them all)."""
    require_orientation_reader(actor)
    return period.criteria(session, include_retired=True)


add_criterion = writes(period.add_criterion)
rename_criterion = writes(period.rename_criterion)
retire_criterion = writes(period.retire_criterion)

# ---------------------------------------------------------------- levels, notes and views

grid = reads(period.grid)
record_level = writes(period.record_level)
record_note = writes(period.record_note)
level_history = reads(period.level_history)
cohort_matrix = reads(period.cohort_matrix)
learner_page = reads(period.learner_page)

# ---------------------------------------------------------------- project and decision

save_project = writes(period.save_project)
decide = writes(period.decide)

# ---------------------------------------------------------------- bilan d'orientation


def print_bilan(
    database: Database, candidate_id: int, target: Path, *, actor: Actor, today: date
) -> None:
    """Write the learner's bilan d'orientation to `target` and journal the print: both or
    neither.

    A target that would overwrite the base or a backup is refused before anything is read.
    The file is written last, inside the unit of work: a refused read or a journal that
    cannot be written leaves no file, a file that cannot be written leaves no journal entry,
    and a file written before a failed commit is removed.
    """
    refuse_overwriting_base(
        target, database_url=database.url, backup_folder=backup_dir(), label="le fichier choisi"
    )
    written = False
    try:
        with database.session() as session:
            pdf = _journaled_bilan(session, candidate_id, actor=actor, today=today)
            write_pdf(target, lambda out: out.write(pdf))
            written = True
    except BaseException:
        if written:
            target.unlink(missing_ok=True)
        raise


def _journaled_bilan(session: Session, candidate_id: int, *, actor: Actor, today: date) -> bytes:
    """The bilan's PDF, its print already journaled in `session`."""
    data = period.bilan_data(session, candidate_id, actor=actor, today=today)
    pdf = io.BytesIO()
    render_bilan(data, pdf)
    audit.record_bilan_printed(session, candidate_id)
    session.flush()
    return pdf.getvalue()
