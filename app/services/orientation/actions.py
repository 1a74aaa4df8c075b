"""What the window asks of orientation: one unit of work per user action."""

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app.config import backup_dir
from app.pdf.bilan import render_bilan
from app.pdf.output import write_pdf
from app.services.actor import Actor
from app.services.journal import audit_log as audit
from app.services.orientation import activities as orientation_activities
from app.services.orientation import bilan as orientation_bilan
from app.services.orientation import cohorts as orientation_cohorts
from app.services.orientation import criteria as orientation_criteria
from app.services.orientation import decisions, events, locks, progress, projects
from app.services.orientation import grid as orientation_grid
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
    return orientation_cohorts.cohorts(session)


@reads
def activities(session: Session, cohort_id: int, *, actor: Actor) -> list[ActivityInfo]:
    """The cohort's activities by date, each event with who took part."""
    require_orientation_reader(actor)
    found = orientation_activities.activities(session, cohort_id)
    people = events.participants(session, (a.id for a in found))
    return [replace(a, participants=tuple(people[a.id])) for a in found]


@reads
def cohort_learners(session: Session, cohort_id: int, *, actor: Actor) -> list[LearnerInfo]:
    require_orientation_reader(actor)
    return orientation_cohorts.cohort_learners(session, cohort_id)


create_activity = writes(orientation_activities.create_activity)
update_activity = writes(orientation_activities.update_activity)
set_teams = writes(orientation_activities.set_teams)
save_event = writes(events.save_event)
set_participants = writes(events.set_participants)


@reads
def write_refusal(
    session: Session, cohort_id: int, *, actor: Actor, today: date | None = None
) -> str:
    """Why `actor` may not write in this cohort today (its season is over), or ""."""
    require_orientation_reader(actor)
    return locks.write_refusal(orientation_cohorts.load_cohort(session, cohort_id), actor, today)


# ---------------------------------------------------------------- the evaluation grid


@reads
def criteria(session: Session, *, actor: Actor) -> list[CriterionInfo]:
    """Every criterion, the retired ones included (the grid's editor lists them all)."""
    require_orientation_reader(actor)
    return orientation_criteria.criteria(session, include_retired=True)


add_criterion = writes(orientation_criteria.add_criterion)
rename_criterion = writes(orientation_criteria.rename_criterion)
retire_criterion = writes(orientation_criteria.retire_criterion)

# ---------------------------------------------------------------- levels, notes and views

grid = reads(orientation_grid.grid)
record_level = writes(orientation_grid.record_level)
record_note = writes(orientation_grid.record_note)
level_history = reads(orientation_grid.level_history)
cohort_matrix = reads(progress.cohort_matrix)
learner_page = reads(progress.learner_page)

# ---------------------------------------------------------------- project and decision

save_project = writes(projects.save_project)
decide = writes(decisions.decide)
reopen_decision = writes(decisions.reopen)

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
    data = orientation_bilan.bilan_data(session, candidate_id, actor=actor, today=today)
    pdf = io.BytesIO()
    render_bilan(data, pdf)
    audit.record_bilan_printed(session, candidate_id)
    session.flush()
    return pdf.getvalue()
