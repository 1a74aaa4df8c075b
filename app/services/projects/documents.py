"""The paper of the call for projects: the acknowledgement of receipt and the decision letter
sent to the structure, and the fiche projet given to the team. No Qt.

The building blocks read the project from the base into the documents' data
(app/pdf/project_data.py), already in French; the use cases check the actor, render the PDF,
journal the print and write the file in one unit of work: both or neither.
"""

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from babel.dates import format_date as babel_date
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.config import backup_dir
from app.domain import Activity, AuditAction, Cohort, Team, TeamMember
from app.domain.projects import (
    DeliverableKind,
    MilestoneState,
    Project,
    ProjectActivity,
    ProjectCall,
    ProjectFiliere,
    ProjectState,
    ProjectStateChange,
)
from app.domain.text import fold
from app.errors import UserFacingError
from app.pdf.output import write_pdf
from app.pdf.project_data import (
    NOT_RETAINED,
    RETAINED,
    WAITING_LIST,
    AcknowledgementData,
    Addressee,
    DecisionLetterData,
    Letterhead,
    MilestoneLine,
    ProjectLetter,
    ProjectSheetData,
    TeamLine,
)
from app.services.actor import Actor
from app.services.candidates.records import display_name
from app.services.errors import NotFoundError
from app.services.hosts.directory import format_identifier
from app.services.journal import audit_log as audit
from app.services.permissions import require_project_editor, require_project_reader
from app.services.projects.calls import project_reference
from app.services.projects.eligibility import eligibility_warnings
from app.services.settings.organisation import get_organisation
from app.services.unit_of_work import Database, reads, writes
from app.services.validation import format_date, format_phone
from app.storage.targets import refuse_overwriting_base

__all__ = [
    "ACKNOWLEDGEMENT",
    "DECISION",
    "DOCUMENTS",
    "PROJECT_SHEET",
    "acknowledgement_data",
    "decision_letter_data",
    "document_filename",
    "expected_decision",
    "print_acknowledgement",
    "print_decision_letter",
    "print_project_sheet",
    "project_sheet_data",
]

# The documents, as the file names and the journal call them.
ACKNOWLEDGEMENT = "Accusé de réception"
DECISION = "Lettre de décision"
PROJECT_SHEET = "Fiche projet"
DOCUMENTS = (ACKNOWLEDGEMENT, DECISION, PROJECT_SHEET)
_PRINTED = {ACKNOWLEDGEMENT: "imprimé", DECISION: "imprimée", PROJECT_SHEET: "imprimée"}

# The decision a letter announces, by the project's state: a project given to a team (or
# delivered, closed) was retained; the letter can be printed again.
_DECISION_OF_STATE = {
    ProjectState.RETAINED: RETAINED,
    ProjectState.IN_PROGRESS: RETAINED,
    ProjectState.DELIVERED: RETAINED,
    ProjectState.CLOSED: RETAINED,
    ProjectState.WAITING_LIST: WAITING_LIST,
    ProjectState.NOT_RETAINED: NOT_RETAINED,
}
NO_DECISION = (
    "Le projet {reference} n'a pas encore de décision (état : {state}) : la lettre de "
    "décision s'imprime une fois le projet retenu, placé sur liste d'attente ou non retenu."
)
NO_REASON = (
    "Le motif du refus du projet {reference} n'est pas renseigné : indiquez-le avant "
    "d'imprimer la lettre de décision."
)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


# ---------------------------------------------------------------- reading the project


def _project(session: Session, project_id: int) -> Project:
    project = session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(
            joinedload(Project.call).joinedload(ProjectCall.season),
            joinedload(Project.host),
            selectinload(Project.filiere_links).joinedload(ProjectFiliere.filiere),
            selectinload(Project.milestones),
        )
    )
    if project is None:
        raise NotFoundError("Ce projet n'existe plus.")
    return project


def _reference(project: Project) -> str:
    return project_reference(project.call.season.label, project.number)


def _lines(*parts: str | None) -> tuple[str, ...]:
    """The non-empty lines of these texts (a typed address may hold line breaks)."""
    return tuple(
        line.strip() for part in parts for line in (part or "").splitlines() if line.strip()
    )


def _structure_address(project: Project) -> tuple[str, ...]:
    host = project.host
    town = " ".join(part for part in (host.postal_code or "", host.city or "") if part)
    return _lines(host.address, town)


def _sentence(text: str) -> str:
    """A warning written to follow a colon, made to start a bullet: capital first letter."""
    return text[:1].upper() + text[1:]


def _letterhead(session: Session) -> Letterhead:
    organisation = get_organisation(session)
    return Letterhead(organisation.nom, organisation.adresse, organisation.logo)


def _french_day(day: date) -> str:
    """ "6 décembre 2026"; the first of the month is "1er décembre 2026"."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {babel_date(day, 'MMMM y', locale='fr_FR')}"


def expected_decision(closes_on: date) -> str:
    """When the structures may expect the decision: by the end of the month after the call
    closes ("fin février 2027" for a call closing on 31 January 2027)."""
    year, month = (
        (closes_on.year + 1, 1)
        if closes_on.month == 12
        else (
            closes_on.year,
            closes_on.month + 1,
        )
    )
    return f"fin {babel_date(date(year, month, 1), 'MMMM y', locale='fr_FR')}"


def _letter(session: Session, project: Project, *, actor: Actor, today: date) -> ProjectLetter:
    organisation = get_organisation(session)
    return ProjectLetter(
        letterhead=_letterhead(session),
        reference=_reference(project),
        title=project.title,
        addressee=Addressee(
            structure=project.host.name,
            contact_name=project.contact_name or "",
            contact_function=project.contact_function or "",
            address_lines=_structure_address(project),
        ),
        issued_at=organisation.ville_signature or "",
        issued_on=today,
        issued_on_text=_french_day(today),
        signatory=actor.display_name,
        contact_line=f"{actor.display_name}, coordination" if actor.display_name else "",
    )


# ---------------------------------------------------------------- building blocks


def acknowledgement_data(
    session: Session, project_id: int, *, actor: Actor, today: date
) -> AcknowledgementData:
    """The acknowledgement of receipt, with the eligibility warnings as points to check."""
    project = _project(session, project_id)
    return AcknowledgementData(
        letter=_letter(session, project, actor=actor, today=today),
        season_label=project.call.season.label,
        submitted_on=format_date(project.submitted_on),
        call_closes_on=format_date(project.call.closes_on),
        decision_expected=expected_decision(project.call.closes_on),
        points_to_check=tuple(_sentence(w) for w in eligibility_warnings(project, project.call)),
    )


def _decision_change(session: Session, project: Project, state: str) -> ProjectStateChange | None:
    """The latest change of the project into `state`: its date and reason are the decision's."""
    return session.scalar(
        select(ProjectStateChange)
        .where(ProjectStateChange.project_id == project.id, ProjectStateChange.state == state)
        .order_by(ProjectStateChange.changed_at.desc(), ProjectStateChange.id.desc())
        .limit(1)
    )


def _decision_of(project: Project) -> str:
    try:
        decision = _DECISION_OF_STATE.get(ProjectState(project.state))
        label = ProjectState(project.state).label
    except ValueError:
        decision, label = None, project.state
    if decision is None:
        raise UserFacingError(NO_DECISION.format(reference=_reference(project), state=label))
    return decision


def decision_letter_data(
    session: Session, project_id: int, *, actor: Actor, today: date
) -> DecisionLetterData:
    """The decision letter; refused in French for a project without a decision, or not
    retained without a reason."""
    project = _project(session, project_id)
    decision = _decision_of(project)
    change = _decision_change(session, project, decision)
    reason = (change.reason if change is not None else "") or ""
    if decision == project.state and not reason.strip():
        reason = project.state_reason or ""
    if decision == NOT_RETAINED and not reason.strip():
        raise UserFacingError(NO_REASON.format(reference=_reference(project)))
    return DecisionLetterData(
        letter=_letter(session, project, actor=actor, today=today),
        decision=decision,
        decided_on=format_date(change.changed_at.date()) if change is not None else "",
        reason=reason.strip(),
        submitted_on=format_date(project.submitted_on),
        calendar=project.calendar or "",
    )


def _teams(session: Session, project: Project) -> tuple[TeamLine, ...]:
    """The teams realising the project, cohort by cohort; learners in alphabetical order."""
    links = session.scalars(
        select(ProjectActivity)
        .where(ProjectActivity.project_id == project.id)
        .options(
            joinedload(ProjectActivity.activity)
            .joinedload(Activity.cohort)
            .options(joinedload(Cohort.season), joinedload(Cohort.site)),
            joinedload(ProjectActivity.activity)
            .selectinload(Activity.teams)
            .selectinload(Team.members)
            .joinedload(TeamMember.candidate),
        )
        .order_by(ProjectActivity.id)
    )
    lines: list[TeamLine] = []
    for link in links:
        cohort = link.activity.cohort
        label = f"Saison {cohort.season.label} — {cohort.site.name}"
        for team in sorted(link.activity.teams, key=lambda t: (t.position, t.id)):
            learners = sorted((display_name(m.candidate) for m in team.members), key=fold)
            lines.append(TeamLine(label, team.name, tuple(learners)))
    return tuple(lines)


def _milestones(project: Project) -> tuple[MilestoneLine, ...]:
    return tuple(
        MilestoneLine(
            title=milestone.title,
            due_on=format_date(milestone.due_on),
            state_label=_label(MilestoneState, milestone.state),
            done_on=format_date(milestone.done_on) if milestone.done_on else "",
        )
        for milestone in project.milestones
    )


def _label(
    kind: type[MilestoneState] | type[DeliverableKind] | type[ProjectState], code: str
) -> str:
    try:
        return kind(code).label
    except ValueError:
        return code


def project_sheet_data(session: Session, project_id: int, *, today: date) -> ProjectSheetData:
    """The fiche projet of any project (the team's working copy)."""
    project = _project(session, project_id)
    host = project.host
    filieres = sorted(
        (link.filiere for link in project.filiere_links), key=lambda f: (f.position, f.label)
    )
    return ProjectSheetData(
        letterhead=_letterhead(session),
        reference=_reference(project),
        title=project.title,
        season_label=project.call.season.label,
        state_label=_label(ProjectState, project.state),
        structure=host.name,
        structure_identifier=format_identifier(host.siret, host.rna),
        structure_address=_structure_address(project),
        filieres=tuple(f.label for f in filieres),
        contact_name=project.contact_name or "",
        contact_function=project.contact_function or "",
        contact_phone=format_phone(project.contact_phone),
        contact_email=project.contact_email or "",
        contact_availability=project.contact_availability or "",
        need=project.need or "",
        audience=project.audience or "",
        deliverable_kind_label=_label(DeliverableKind, project.deliverable_kind),
        deliverable=project.deliverable or "",
        existing=project.existing or "",
        provided_content=project.provided_content or "",
        data_constraints=project.data_constraints or "",
        accessibility_constraints=project.accessibility_constraints or "",
        calendar=project.calendar or "",
        maintainer=project.maintainer or "",
        licence_accepted=bool(project.licence_accepted),
        milestones=_milestones(project),
        teams=_teams(session, project),
        delivered_on=format_date(project.delivered_on) if project.delivered_on else "",
        printed_on=today,
    )


# ---------------------------------------------------------------- file names and journal


def _file_name(document: str, reference: str, structure: str) -> str:
    """ "AAP-2026-003 - Accusé de réception - Association Dynamob.pdf"."""
    name = " ".join(f"{reference} - {document} - {structure}".split())
    return _UNSAFE.sub(" ", name).strip() + ".pdf"


@reads
def document_filename(session: Session, project_id: int, document: str, *, actor: Actor) -> str:
    """The name the save dialog suggests for one of DOCUMENTS of this project."""
    require_project_reader(actor)
    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r}")
    project = _project(session, project_id)
    return _file_name(document, _reference(project), project.host.name)


def _journal(session: Session, project: Project, what: str, *, actor: Actor) -> None:
    audit.record(
        session,
        AuditAction.IMPRESSION,
        project,
        f"{what} {_PRINTED[what]} : projet {_reference(project)} ({project.host.name})",
        author=actor.author,
    )


# ---------------------------------------------------------------- use cases

PdfStep = Callable[[Session], bytes]


def _print(database: Database, target: Path, build: PdfStep) -> None:
    """Write the PDF `build` makes (journaling its print) to `target`: both or neither.

    A target that would overwrite the base or a backup is refused before anything is read.
    The file is written last, inside the unit of work: a refusal or a journal that cannot be
    written leaves no file, a file that cannot be written leaves no journal entry, and a file
    written before a failed commit is removed.
    """
    refuse_overwriting_base(
        target, database_url=database.url, backup_folder=backup_dir(), label="le fichier choisi"
    )
    written = False

    @writes
    def print_step(session: Session) -> None:
        nonlocal written
        pdf = build(session)
        session.flush()
        write_pdf(target, lambda out: out.write(pdf))
        written = True

    try:
        print_step(database)
    except BaseException:
        if written:
            target.unlink(missing_ok=True)
        raise


def print_acknowledgement(
    database: Database, project_id: int, target: Path, *, actor: Actor, today: date | None = None
) -> None:
    """The acknowledgement of receipt to `target`, journaled. Coordination only."""
    require_project_editor(actor)

    def build(session: Session) -> bytes:
        from app.pdf.project_letters import render_acknowledgement

        data = acknowledgement_data(session, project_id, actor=actor, today=today or date.today())
        pdf = io.BytesIO()
        render_acknowledgement(data, pdf)
        _journal(session, _project(session, project_id), ACKNOWLEDGEMENT, actor=actor)
        return pdf.getvalue()

    _print(database, target, build)


def print_decision_letter(
    database: Database, project_id: int, target: Path, *, actor: Actor, today: date | None = None
) -> None:
    """The decision letter to `target`, journaled; refused (French) for a project without a
    decision. Coordination only."""
    require_project_editor(actor)

    def build(session: Session) -> bytes:
        from app.pdf.project_letters import render_decision_letter

        data = decision_letter_data(session, project_id, actor=actor, today=today or date.today())
        pdf = io.BytesIO()
        render_decision_letter(data, pdf)
        _journal(session, _project(session, project_id), DECISION, actor=actor)
        return pdf.getvalue()

    _print(database, target, build)


def print_project_sheet(
    database: Database, project_id: int, target: Path, *, actor: Actor, today: date | None = None
) -> None:
    """The fiche projet to `target`, journaled. Coordination and trainers."""
    require_project_reader(actor)

    def build(session: Session) -> bytes:
        from app.pdf.project_sheet import render_project_sheet

        data = project_sheet_data(session, project_id, today=today or date.today())
        pdf = io.BytesIO()
        render_project_sheet(data, pdf)
        _journal(session, _project(session, project_id), PROJECT_SHEET, actor=actor)
        return pdf.getvalue()

    _print(database, target, build)
