"""Personal-data rights: a person's full file (right of access), retention and anonymisation,
erasure on request. Coordination only. No Qt.

Decisions (see the README, "Sauvegarde et sécurité"):
- Anonymisation replaces what identifies a person and keeps what the funders' counts use:
  stage and its dates, season, site, filière, prescripteur, sex, QPV (yes / no), ZRR, diploma
  level, job seeker / RSA / Mission locale / NEET, the birth *year* (the date becomes 1 July of
  that year, so age bands stay right within a year), attendance at sessions, orientation
  levels. Names, contact, address, birth place, identifiers, RQTH, every free text (notes,
  comments, the project's texts, reasons) and the field values kept in the audit log go.
  The application is unlinked from the person's other applications (new person id).
- Erasure deletes every application of the person and everything attached, unless one of
  their internship agreements has a number: a numbered agreement was issued to the parties
  (and a signed one must be kept for its legal duration), so erasure is refused and
  anonymisation offered instead. `erase` is the whole action in one call: the deletion (with
  the search index merged in the same transaction), then the database files cleaned (VACUUM,
  write-ahead log emptied once other readers let it, retried), then the backups of this
  workstation's backup folder that still hold the person listed. What could not be cleaned is
  said in French in the returned report.
- Which tables hold data about a candidate, and what each right does with each of them (or
  why it leaves one alone), is `personal_tables`; `coverage` checks it against the schema.
"""

import json
import uuid as uuid_module
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from app.domain import (
    Activity,
    ActivityParticipant,
    Agreement,
    AgreementAbsence,
    AgreementDocument,
    AgreementEvent,
    AgreementSignature,
    Amendment,
    Appointment,
    AppSetting,
    AuditAction,
    AuditEntry,
    Candidate,
    CandidateAnonymisation,
    Criterion,
    LearnerNote,
    LearnerOutcome,
    Observation,
    OrientationDecision,
    ProfessionalProject,
    Stage,
    StageChange,
    Team,
    TeamMember,
)
from app.domain.account import ROLE_COORDINATION
from app.domain.agreement import AgreementStatus
from app.domain.appointment import AppointmentKind, Attendance, Attendee
from app.domain.orientation import Level
from app.domain.outcomes import Checkpoint, CheckSource
from app.domain.values import EXIT_TYPES
from app.services.actor import Actor
from app.services.errors import NotFoundError, PermissionDenied, UserFacingError, ValidationError
from app.services.journal import audit_log as audit
from app.services.permissions import role_of
from app.services.rgpd.links import rows_of, table_of
from app.services.rgpd.personal_tables import deleted_tables, replaced_tables
from app.services.versioning import record_change
from app.storage import Database
from app.storage.backup import copies_holding
from app.storage.database import sqlite_path
from app.storage.scrub import clean_files, merge_index, overwrite_deleted_content

RETENTION_KEY = "rgpd.retention_months"
DEFAULT_RETENTION_MONTHS = 24
MIN_RETENTION_MONTHS, MAX_RETENTION_MONTHS = 1, 120
ANONYMOUS_NAME = "Anonyme"

REASON_RETENTION = "conservation"
REASON_REQUEST = "demande"
ANONYMISATION_REASONS = {
    REASON_RETENTION: "durée de conservation dépassée",
    REASON_REQUEST: "à la demande de la personne",
}
# Erasure keeps only a category of reason in the log: a free text could name the person.
ERASURE_REASONS = {
    "demande": "demande d'effacement de la personne",
    "opposition": "opposition au traitement",
    "consentement": "retrait du consentement",
    "illicite": "données traitées sans base légale",
    "autre": "autre motif",
}


class ErasureRefused(UserFacingError):
    """The person's data must be kept (a numbered agreement); anonymisation is possible."""


def _require_coordination(actor: Actor, action: str) -> None:
    if role_of(actor) != ROLE_COORDINATION:
        raise PermissionDenied(f"Seule la coordination peut {action}.")


def _load(session: Session, candidate_id: int) -> Candidate:
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFoundError("Ce dossier n'existe plus.")
    return candidate


def applications_of(session: Session, candidate: Candidate) -> list[Candidate]:
    """Every application of the same person, oldest season first."""
    return list(
        session.scalars(
            select(Candidate)
            .where(Candidate.person_uuid == candidate.person_uuid)
            .order_by(Candidate.application_date, Candidate.id)
        )
    )


@dataclass(frozen=True)
class Person:
    name: str  # as the file shown names them
    application_ids: tuple[int, ...]


def person(session: Session, candidate_id: int) -> Person:
    """Who this application belongs to, and all their applications."""
    from app.services.candidates.records import display_name

    candidate = _load(session, candidate_id)
    ids = tuple(c.id for c in applications_of(session, candidate))
    return Person(display_name(candidate), ids)


def _text(value: Any, name: str = "") -> str | None:
    return audit.as_text(value, name)


# ---------------------------------------------------------------- right of access


def export_person(
    session: Session, candidate_id: int, *, actor: Actor, now: datetime | None = None
) -> dict[str, Any]:
    """Everything held about the person of this application, in a stable order."""
    _require_coordination(actor, "exporter les données d'une personne")
    candidate = _load(session, candidate_id)
    applications = applications_of(session, candidate)
    return {
        "export": {
            "objet": "Droit d'accès aux données personnelles (article 15 du RGPD)",
            "date": _text(now or datetime.now()),
            "identifiant_personne": candidate.person_uuid,
            "nombre_de_candidatures": len(applications),
        },
        "candidatures": [_application(session, c, actor) for c in applications],
    }


def _application(session: Session, candidate: Candidate, actor: Actor) -> dict[str, Any]:
    anonymised = session.scalar(
        select(CandidateAnonymisation).where(CandidateAnonymisation.candidate_id == candidate.id)
    )
    return {
        "identifiant": candidate.uuid,
        "dossier": {
            label: _text(getattr(candidate, name), name)
            for name, label in audit.field_labels("candidate").items()
        }
        | {"Étape actuelle": candidate.stage.label, "Créé le": _text(candidate.created_at)},
        "parcours": _history(session, candidate),
        "suivis": _outcomes(session, candidate),
        "rendez_vous": _appointments(session, candidate),
        "orientation": _orientation(session, candidate),
        "conventions": _agreements(session, candidate),
        "anonymisation": (
            {
                "date": _text(anonymised.anonymised_at),
                "motif": ANONYMISATION_REASONS.get(anonymised.reason, anonymised.reason),
            }
            if anonymised
            else None
        ),
        "journal": _journal(session, candidate, actor),
    }


def _outcomes(session: Session, candidate: Candidate) -> list[dict[str, Any]]:
    """The person's situation checked after leaving, at 3, 6 and 12 months."""
    outcomes = session.scalars(
        select(LearnerOutcome)
        .where(LearnerOutcome.candidate_id == candidate.id)
        .order_by(LearnerOutcome.checked_on, LearnerOutcome.id)
    )
    return [
        {
            "suivi": _label(Checkpoint, outcome.checkpoint),
            "situation": EXIT_TYPES.get(outcome.situation, outcome.situation),
            "verifie_le": _text(outcome.checked_on),
            "source": _label(CheckSource, outcome.check_source),
            "commentaire": outcome.comment,
            "par": outcome.recorded_by,
        }
        for outcome in outcomes
    ]


def _stage_label(session: Session, stage_id: int | None) -> str | None:
    stage = session.get(Stage, stage_id) if stage_id is not None else None
    return stage.label if stage is not None else None


def _history(session: Session, candidate: Candidate) -> list[dict[str, Any]]:
    changes = session.scalars(
        select(StageChange).where(StageChange.candidate_id == candidate.id).order_by(StageChange.id)
    )
    return [
        {
            "date": _text(change.changed_at),
            "de": _stage_label(session, change.from_stage_id),
            "vers": _stage_label(session, change.to_stage_id),
            "par": change.author,
            "commentaire": change.comment,
        }
        for change in changes
    ]


def _appointments(session: Session, candidate: Candidate) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Attendee, Appointment)
        .join(Appointment, Attendee.appointment_id == Appointment.id)
        .where(Attendee.candidate_id == candidate.id)
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return [
        {
            "type": _label(AppointmentKind, appointment.kind),
            "date": _text(appointment.starts_at),
            "site": appointment.site.name,
            "salle": appointment.room,
            "avec": appointment.staff,
            "presence": _presence(attendee, appointment),
        }
        for attendee, appointment in rows
    ]


def _presence(attendee: Attendee, appointment: Appointment) -> str:
    """The attendance, or the cancellation (the appointment is kept, migration 0012)."""
    if appointment.cancelled_at is None:
        return _label(Attendance, attendee.attendance)
    when = _text(appointment.cancelled_at)
    return f"Rendez-vous annulé le {when} ({appointment.cancellation_reason})"


def _label(kind: Any, value: str) -> str:
    try:
        return str(kind(value).label)
    except ValueError:
        return value


def _orientation(session: Session, candidate: Candidate) -> dict[str, Any]:
    observations = session.execute(
        select(Observation, Activity, Criterion)
        .join(Activity, Observation.activity_id == Activity.id)
        .join(Criterion, Observation.criterion_id == Criterion.id)
        .where(Observation.candidate_id == candidate.id)
        .order_by(Activity.day, Observation.recorded_at, Observation.id)
    )
    notes = session.execute(
        select(LearnerNote, Activity)
        .join(Activity, LearnerNote.activity_id == Activity.id)
        .where(LearnerNote.candidate_id == candidate.id)
        .order_by(Activity.day, LearnerNote.recorded_at, LearnerNote.id)
    )
    teams = session.execute(
        select(Team, Activity)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .join(Activity, TeamMember.activity_id == Activity.id)
        .where(TeamMember.candidate_id == candidate.id)
        .order_by(Activity.day, Activity.id)
    )
    events = session.scalars(
        select(Activity)
        .join(ActivityParticipant, ActivityParticipant.activity_id == Activity.id)
        .where(ActivityParticipant.candidate_id == candidate.id)
        .order_by(Activity.day, Activity.id)
    )
    project = session.scalar(
        select(ProfessionalProject).where(ProfessionalProject.candidate_id == candidate.id)
    )
    decisions = session.scalars(
        select(OrientationDecision)
        .where(OrientationDecision.candidate_id == candidate.id)
        .order_by(OrientationDecision.decided_at, OrientationDecision.id)
    )
    return {
        "observations": [
            {
                "date": _text(activity.day),
                "activite": activity.title,
                "critere": f"{criterion.code} — {criterion.label}",
                "niveau": _label(Level, observation.level),
                "par": observation.author,
                "enregistree_le": _text(observation.recorded_at),
                "corrige_une_observation": observation.supersedes_id is not None,
            }
            for observation, activity, criterion in observations
        ],
        "commentaires": [
            {
                "date": _text(activity.day),
                "activite": activity.title,
                "par": note.author,
                "texte": note.text,
            }
            for note, activity in notes
        ],
        "equipes": [
            {"date": _text(activity.day), "activite": activity.title, "equipe": team.name}
            for team, activity in teams
        ],
        "evenements": [
            {"date": _text(event.day), "evenement": event.title, "lieu": event.place}
            for event in events
        ],
        "projet": _project(project),
        "decisions": [
            {
                "decision": _text(d.outcome, "outcome"),
                "filiere_retenue": _text(d.filiere),
                "motif": d.reason,
                "par": d.decided_by,
                "le": _text(d.decided_at),
            }
            for d in decisions
        ],
    }


def _project(project: ProfessionalProject | None) -> dict[str, Any] | None:
    if project is None:
        return None
    return {
        "filiere_visee": _text(project.filiere),
        "metier_vise": project.target_job,
        "etapes": project.steps,
        "statut": _text(project.status, "status"),
        "mis_a_jour_par": project.updated_by,
        "mis_a_jour_le": _text(project.updated_at),
    }


def _agreements(session: Session, candidate: Candidate) -> list[dict[str, Any]]:
    agreements = session.scalars(
        select(Agreement).where(Agreement.candidate_id == candidate.id).order_by(Agreement.id)
    )
    return [_agreement(session, agreement) for agreement in agreements]


def _agreement(session: Session, agreement: Agreement) -> dict[str, Any]:
    values = {
        label: _text(getattr(agreement, name), name)
        for name, label in audit.field_labels("agreement").items()
    }
    amendments = session.scalars(
        select(Amendment).where(Amendment.agreement_id == agreement.id).order_by(Amendment.rank)
    )
    signatures = session.scalars(
        select(AgreementSignature)
        .where(AgreementSignature.agreement_id == agreement.id)
        .order_by(AgreementSignature.id)
    )
    events = session.scalars(
        select(AgreementEvent)
        .where(AgreementEvent.agreement_id == agreement.id)
        .order_by(AgreementEvent.at, AgreementEvent.id)
    )
    absences = session.scalars(
        select(AgreementAbsence)
        .where(AgreementAbsence.agreement_id == agreement.id)
        .order_by(AgreementAbsence.day, AgreementAbsence.half_day.desc())
    )
    documents = session.scalars(
        select(AgreementDocument)
        .where(AgreementDocument.agreement_id == agreement.id)
        .order_by(AgreementDocument.id)
    )
    return {
        "identifiant": agreement.uuid,
        "convention": values,
        "avenants": [
            {
                "numero": a.rank,
                "changements": _json_or_text(a.changes),
                "motif": a.reason,
                "signe_le": _text(a.signed_on),
                "par": a.created_by,
                "le": _text(a.created_at),
            }
            for a in amendments
        ],
        "signatures": [
            {
                "signataire": _text(s.signatory, "signatory"),
                "le": _text(s.signed_on),
                "hors_application": s.outside_app,
                "enregistree_par": s.recorded_by,
            }
            for s in signatures
        ],
        "historique": [
            {
                "le": _text(e.at),
                "par": e.author,
                "de": _text(e.from_status, "status"),
                "vers": _text(e.to_status, "status"),
                "commentaire": e.comment,
            }
            for e in events
        ],
        "absences": [
            {
                "date": _text(a.day),
                "demi_journee": _text(a.half_day, "half_day"),
                "nature": _text(a.kind, "kind"),
                "minutes_de_retard": a.minutes,
                "justifiee": a.justified,
                "motif": a.reason,
                "justificatif_recu": a.document_received,
                "enregistree_par": a.recorded_by,
                "le": _text(a.recorded_at),
            }
            for a in absences
        ],
        "documents_delivres": [
            {"document": d.kind, "numero": d.number, "le": _text(d.issued_on), "par": d.issued_by}
            for d in documents
        ],
    }


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _journal(session: Session, candidate: Candidate, actor: Actor) -> list[dict[str, Any]]:
    rows = audit.list_entries(session, actor=actor, candidate_uuids=[candidate.uuid], limit=100_000)
    return [
        {
            "date": _text(row.at),
            "par": row.author,
            "action": row.action_label,
            "objet": row.entity_label,
            "resume": row.summary,
            "changements": {c.label: [c.before, c.after] for c in row.changes} or None,
        }
        for row in reversed(rows)
    ]


def person_json(data: dict[str, Any]) -> str:
    """The export as UTF-8 JSON text: indented, keys in a fixed order, accents as typed."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class PersonExport:
    json_path: Path
    pdf_path: Path
    applications: int


def write_person_export(
    session: Session,
    candidate_id: int,
    json_path: Path,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> PersonExport:
    """Write the JSON file and, beside it, the readable PDF; log the export (no file names)."""
    from app.pdf.output import write_pdf
    from app.pdf.person_file import Issuer, render_person_file
    from app.services.settings.organisation import get_organisation

    now = now or datetime.now()
    data = export_person(session, candidate_id, actor=actor, now=now)
    organisation = get_organisation(session)
    issuer = Issuer(organisation.nom, organisation.adresse, organisation.logo)
    pdf_path = json_path.with_suffix(".pdf")
    text = person_json(data)
    write_pdf(json_path, lambda handle: handle.write(text.encode("utf-8")))
    render_person_file(data, pdf_path, issuer=issuer, printed_on=now.date())
    candidate = _load(session, candidate_id)
    count = len(data["candidatures"])
    audit.record(
        session,
        AuditAction.EXPORT,
        candidate,
        f"Export des données de la personne (droit d'accès) : {count} candidature"
        + ("s" if count > 1 else "")
        + ", JSON et PDF",
    )
    return PersonExport(json_path, pdf_path, count)


# ---------------------------------------------------------------- retention


def retention_months(session: Session) -> int:
    setting = session.scalar(select(AppSetting).where(AppSetting.key == RETENTION_KEY))
    try:
        months = int(setting.value) if setting is not None else DEFAULT_RETENTION_MONTHS
    except ValueError:
        return DEFAULT_RETENTION_MONTHS
    return (
        months
        if MIN_RETENTION_MONTHS <= months <= MAX_RETENTION_MONTHS
        else DEFAULT_RETENTION_MONTHS
    )


def set_retention_months(session: Session, months: int, *, actor: Actor) -> int:
    _require_coordination(actor, "changer la durée de conservation")
    if not MIN_RETENTION_MONTHS <= months <= MAX_RETENTION_MONTHS:
        raise ValidationError(
            {
                "duree": f"La durée de conservation va de {MIN_RETENTION_MONTHS} à "
                f"{MAX_RETENTION_MONTHS} mois."
            }
        )
    setting = session.scalar(select(AppSetting).where(AppSetting.key == RETENTION_KEY))
    if setting is None:
        setting = AppSetting(key=RETENTION_KEY)
        session.add(setting)
    before = setting.value or str(DEFAULT_RETENTION_MONTHS)
    setting.value = str(months)
    if before != str(months):
        audit.record(
            session,
            AuditAction.MODIFICATION,
            None,
            "Durée de conservation des candidatures modifiée",
            entity_type="retention",
            changes={"months": [f"{before} mois", f"{months} mois"]},
        )
    return months


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the last day of the month when it does not exist)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate_day in range(day.day, 0, -1):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class RetentionCandidate:
    id: int
    uuid: str
    name: str
    season: str
    site: str
    stage: str
    last_activity: date


def _day(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def retention_candidates(
    session: Session, today: date, months: int | None = None
) -> list[RetentionCandidate]:
    """Applications that never entered training and show no activity for `months` (the
    setting by default): last stage change, appointment, saved change (`last_action_at`, not
    the row's technical `updated_at`, which an import resets) or application date.
    Oldest activity first."""
    from app.services.candidates.records import display_name

    months = retention_months(session) if months is None else months
    limit = months_before(today, months)
    entered = (
        select(StageChange.candidate_id)
        .join(Stage, StageChange.to_stage_id == Stage.id)
        .where(Stage.counts_as_entry.is_(True))
    )
    anonymised = select(CandidateAnonymisation.candidate_id)
    candidates = session.scalars(
        select(Candidate)
        .join(Stage, Candidate.stage_id == Stage.id)
        .where(
            Stage.counts_as_entry.is_(False),
            Candidate.id.not_in(entered),
            Candidate.id.not_in(anonymised),
        )
    ).all()
    last_change = dict(
        session.execute(
            select(StageChange.candidate_id, func.max(StageChange.changed_at)).group_by(
                StageChange.candidate_id
            )
        )
        .tuples()
        .all()
    )
    last_appointment = dict(
        session.execute(
            select(Attendee.candidate_id, func.max(Appointment.starts_at))
            .join(Appointment, Attendee.appointment_id == Appointment.id)
            .group_by(Attendee.candidate_id)
        )
        .tuples()
        .all()
    )
    found: list[RetentionCandidate] = []
    for c in candidates:
        moments = (
            c.last_action_at,
            c.stage_changed_at,
            c.application_date,
            last_change.get(c.id),
            last_appointment.get(c.id),
        )
        last = max(d for d in map(_day, moments) if d is not None)
        if last < limit:
            found.append(
                RetentionCandidate(
                    c.id, c.uuid, display_name(c), c.season.label, c.site.name, c.stage.label, last
                )
            )
    return sorted(found, key=lambda r: (r.last_activity, r.name))


# ---------------------------------------------------------------- anonymisation


_CLEARED = (
    "civility",
    "pathway_end_reason",
    "usage_name",
    "birth_place",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
    "job_seeker_id",
    "job_seeker_since",
    "rqth",
    "qpv_name",
    "last_class",
    "work_experience_text",
    "referrer_contact",
    "source",
    "availability",
    "notes",
    "email_key",
    "name_key",
    "usage_name_key",
    "first_name_key",
)


def anonymise(
    session: Session,
    ids: Iterable[int],
    *,
    actor: Actor,
    reason: str = REASON_RETENTION,
    now: datetime | None = None,
) -> int:
    """Replace the identity of these applications (see the module's decisions); how many."""
    _require_coordination(actor, "anonymiser des dossiers")
    now = now or datetime.now()
    session.info[audit.SUPPRESS_KEY] = True
    overwrite_deleted_content(session)
    done = 0
    for candidate_id in ids:
        candidate = _load(session, candidate_id)
        if _is_anonymised(session, candidate):
            continue
        _anonymise_one(session, candidate, now, actor.author)
        audit.record(
            session,
            AuditAction.ANONYMISATION,
            candidate,
            f"Dossier anonymisé ({ANONYMISATION_REASONS.get(reason, reason)})",
            author=actor.author,
        )
        session.add(
            CandidateAnonymisation(candidate_id=candidate.id, anonymised_at=now, reason=reason)
        )
        done += 1
    session.flush()
    return done


def _is_anonymised(session: Session, candidate: Candidate) -> bool:
    return (
        session.scalar(
            select(CandidateAnonymisation.id).where(
                CandidateAnonymisation.candidate_id == candidate.id
            )
        )
        is not None
    )


def _anonymise_one(session: Session, candidate: Candidate, now: datetime, author: str) -> None:
    audit.redact_about(session, [candidate.uuid])
    _replace_identity(candidate, now, author)
    for model, replaced in replaced_tables():
        table = table_of(model)
        values = {
            name: _replacement(table.c[name], value) for name, value in replaced.values.items()
        }
        session.execute(update(model).where(rows_of(table, candidate.id)).values(values))
    agreement_ids = select(Agreement.id).where(Agreement.candidate_id == candidate.id)
    _forget_representative_in_amendments(session, agreement_ids)


def _replace_identity(candidate: Candidate, now: datetime, author: str) -> None:
    for name in _CLEARED:
        setattr(candidate, name, None)
    candidate.last_name = ANONYMOUS_NAME
    candidate.first_name = f"n° {candidate.id}"
    if candidate.birth_date is not None:
        candidate.birth_date = date(candidate.birth_date.year, 7, 1)
    candidate.person_uuid = str(uuid_module.uuid4())
    candidate.search_text = ANONYMOUS_NAME.lower()
    record_change(candidate, author=author, now=now)  # a later stale save names who


def _replacement(column: Any, value: str | None) -> Any:
    """What anonymisation writes (see `Replaced`): a text only where something was written."""
    if value is None:
        return None
    return case((column.is_(None), None), else_=value)


def _forget_representative_in_amendments(session: Session, agreement_ids: Any) -> None:
    """Amendments keep the agreement's whole terms and the texts of what changed: the minor's
    legal representative goes from both, as from the agreement."""
    for amendment in session.scalars(
        select(Amendment).where(Amendment.agreement_id.in_(agreement_ids))
    ):
        changes = json.loads(amendment.changes or "{}")
        changes.pop("representant_legal", None)
        amendment.changes = json.dumps(changes, ensure_ascii=False)
        if amendment.terms:
            terms = json.loads(amendment.terms)
            terms["legal_representative"] = ""
            amendment.terms = json.dumps(terms, ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------- erasure


def erasure_blockers(session: Session, candidate_id: int) -> list[str]:
    """Numbers of the person's agreements that forbid erasure (numbered ones)."""
    candidate = _load(session, candidate_id)
    ids = [c.id for c in applications_of(session, candidate)]
    return list(
        session.scalars(
            select(Agreement.number)
            .where(Agreement.candidate_id.in_(ids), Agreement.number.is_not(None))
            .order_by(Agreement.number)
        )
    )


def erase_person(session: Session, candidate_id: int, *, actor: Actor, reason: str) -> int:
    """Delete every application of the person and all that is attached; how many.

    Refused (ErasureRefused) when an agreement was numbered: signed or issued, it is kept.
    The log keeps one entry per application: its uuid, "effacement sur demande" and the
    reason's category, and loses the values it held about the person. The search index is
    merged in the same transaction, so it keeps no word of the person either. The database
    files still hold traces until `app.storage.scrub.clean_files`: `erase` does both.
    """
    return _erase(session, candidate_id, actor=actor, reason=reason).applications


@dataclass(frozen=True)
class _Erased:
    applications: int
    uuids: tuple[str, ...]
    first_recorded: datetime | None


def _erase(session: Session, candidate_id: int, *, actor: Actor, reason: str) -> _Erased:
    _require_coordination(actor, "effacer les données d'une personne")
    if reason not in ERASURE_REASONS:
        raise ValidationError({"motif": "Choisissez le motif de l'effacement."})
    blockers = erasure_blockers(session, candidate_id)
    if blockers:
        signed = _signed(session, blockers)
        what = "signée" if signed else "numérotée"
        raise ErasureRefused(
            f"L'effacement est refusé : la personne a une convention de stage {what} "
            f"({', '.join(blockers)}), qui doit être conservée pendant sa durée légale. "
            "Vous pouvez anonymiser ses dossiers : l'identité, les coordonnées et les textes "
            "libres sont remplacés ; la convention signée reste archivée sur papier ou en "
            "copie numérisée."
        )
    session.info[audit.SUPPRESS_KEY] = True
    overwrite_deleted_content(session)
    applications = applications_of(session, _load(session, candidate_id))
    uuids = [c.uuid for c in applications]
    recorded = [c.created_at for c in applications if c.created_at is not None]
    audit.redact_about(session, uuids)
    session.flush()
    for candidate in applications:
        _delete_attached(session, candidate.id)
    session.expunge_all()
    for uuid in uuids:
        audit.record(
            session,
            AuditAction.EFFACEMENT,
            None,
            f"Effacement sur demande — motif : {ERASURE_REASONS[reason]}",
            entity_type="candidate",
            entity_uuid=uuid,
            candidate_uuid=uuid,
            author=actor.author,
        )
    session.flush()
    merge_index(session)
    return _Erased(len(applications), tuple(uuids), min(recorded) if recorded else None)


@dataclass(frozen=True)
class HeldBackup:
    """A backup file that still holds the erased person (or may: unreadable)."""

    path: Path
    description: str  # « du 29/11/2026 à 08:12 (au démarrage) »
    certain: bool

    def line(self) -> str:
        doubt = "" if self.certain else " — illisible, peut la contenir"
        return f"{self.path.name} ({self.description}){doubt}"


@dataclass(frozen=True)
class ErasureReport:
    """What `erase` did, and what it could not do, for the coordinator."""

    applications: int
    files_cleaned: bool
    problems: tuple[str, ...]  # French: what remains in the database files, and why
    backups: tuple[HeldBackup, ...]
    backup_folder: Path | None

    @property
    def complete(self) -> bool:
        return self.files_cleaned and not self.backups

    def summary(self) -> str:
        files = f"{self.applications} dossier{'s' if self.applications > 1 else ''}"
        return f"Les données de la personne ont été effacées de la base ({files})."

    def details(self) -> str | None:
        """What remains (traces in the files, backups holding the person), in French; None
        when nothing remains anywhere."""
        if self.complete:
            return None
        parts = []
        if self.problems:
            parts.append(
                "Le fichier de la base n'a pas pu être entièrement nettoyé : "
                + " ; ".join(self.problems)
                + "."
            )
        if self.backups:
            lines = "\n".join(f"• {held.line()}" for held in self.backups)
            parts.append(
                f"Ces sauvegardes du dossier « {self.backup_folder} », prises avant "
                f"l'effacement, contiennent encore la personne :\n{lines}\n"
                "Supprimez-les si elles ne doivent pas être gardées ; sinon elles disparaîtront "
                "avec la rotation des sauvegardes. Les copies faites ailleurs (clé USB, autre "
                "dossier) ne sont pas listées ici."
            )
        return "\n\n".join(parts)

    def notice(self) -> str:
        """The whole report in French: the summary, then the details if any."""
        details = self.details()
        return self.summary() if details is None else f"{self.summary()}\n\n{details}"


def erase(
    database: Database,
    candidate_id: int,
    *,
    actor: Actor,
    reason: str,
    backup_folder: Path | None = None,
) -> ErasureReport:
    """Erase the person (`erase_person`) in one unit of work, then clean the database files
    and list the backups that still hold them (this workstation's backup folder by default).

    Refusals (permission, reason, a numbered agreement) are raised before anything changes;
    cleaning that could not be done is reported, never raised: the erasure itself is done.
    """
    with database.session() as session:
        erased = _erase(session, candidate_id, actor=actor, reason=reason)
    # PostgreSQL rewrites these tables (the journal keeps the redacted values' old versions).
    touched = [table_of(model).name for model in deleted_tables()]
    touched.append(table_of(AuditEntry).name)
    cleanup = clean_files(database.engine, merge=False, tables=touched)
    problems: list[str] = []
    if not cleanup.file_rebuilt:
        problems.append(
            "il n'a pas pu être compacté (base occupée) : l'espace libéré peut garder des "
            "traces des données effacées jusqu'au prochain effacement ou à la prochaine "
            "anonymisation"
        )
    if not cleanup.log_emptied:
        problems.append(
            f"après {cleanup.attempts} essais, le journal d'écriture de la base (fichier "
            "« -wal ») garde encore des traces des données effacées, car une autre fenêtre ou "
            "un autre poste lisait la base ; elles disparaîtront quand l'application sera "
            "fermée partout"
        )
    folder, held = _backups_holding(database, erased, backup_folder)
    return ErasureReport(
        erased.applications, cleanup.complete, tuple(problems), tuple(held), folder
    )


def _backups_holding(
    database: Database, erased: _Erased, folder: Path | None
) -> tuple[Path | None, list[HeldBackup]]:
    path = sqlite_path(database.url)
    if path is None:
        return None, []  # another engine: its administrator's backups are not ours to read
    if folder is None:
        from app.config import backup_dir

        folder = backup_dir()
    since = erased.first_recorded - timedelta(days=1) if erased.first_recorded else None
    held = copies_holding(
        folder, path.stem, "candidate", "uuid", erased.uuids, since=since, key=database.key
    )
    return folder, [
        HeldBackup(copy.backup.path, copy.backup.describe(), copy.certain) for copy in held
    ]


def _signed(session: Session, numbers: list[str]) -> bool:
    unsigned = {AgreementStatus.READY.value, AgreementStatus.CANCELLED.value}
    statuses = session.scalars(select(Agreement.status).where(Agreement.number.in_(numbers)))
    return any(status not in unsigned for status in statuses)


def _delete_attached(session: Session, cid: int) -> None:
    """Delete the application and every row about it (the `Deleted` personal tables)."""
    for model in deleted_tables():
        session.execute(delete(model).where(rows_of(table_of(model), cid)))
