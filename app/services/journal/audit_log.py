"""The audit log: every creation, change and deletion of the records that matter, captured
from the session itself, plus explicit entries for printing and exports. No Qt.

`attach(database, get_author)` makes every session of that database record what it writes,
in the name returned by `get_author()` (the signed-in user in the window, "ligne de commande
(<os user>)" in the CLI). A session may name its author itself in `session.info["author"]`.

Changes are gathered at each flush and written once, just before the commit, so one user
action gives one entry per record, with the field-level values before and after. Nothing is
written for a session that is rolled back. Entries are append-only (database triggers);
reading them is for coordination only.

Every entry, however it is added, is chained when it is flushed (`_chain_new_entries`): it
gets the next id, the digest of its `changes` and an HMAC linking it to the previous entry,
keyed with the base's journal key; the seal of the last entry is updated in the same
transaction. The first statement of that work writes the seal's row, so the transaction holds
the write lock before it reads the last entry: two writers cannot chain onto the same entry
(SQLite has one writer; on PostgreSQL the same UPDATE locks the row). `verify_journal`
recomputes everything for `check`.
"""

import hmac
import json
import logging
import secrets
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, func, insert, inspect, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.domain import (
    Activity,
    Agreement,
    AgreementAbsence,
    AgreementDocument,
    AgreementSignature,
    Amendment,
    AuditAction,
    AuditEntry,
    Candidate,
    Host,
    LearnerNote,
    OrganisationSettings,
    OrientationDecision,
    ProfessionalProject,
    Stage,
    StageChange,
    Tutor,
)
from app.domain.account import ROLE_COORDINATION, ROLE_LABELS, AppSetting, UserAccount
from app.domain.agreement import AbsenceKind, AgreementStatus, HalfDay, Signatory
from app.domain.audit import CHAIN_START, changes_digest, entry_chain, head_seal
from app.domain.base import Base, new_uuid
from app.domain.orientation import ProjectStatus
from app.domain.outcomes import Checkpoint, CheckSource, LearnerOutcome, PathwayEnd
from app.domain.projects import (
    DeliverableKind,
    MilestoneState,
    Project,
    ProjectActivity,
    ProjectCall,
    ProjectCriterion,
    ProjectFiliere,
    ProjectMilestone,
    ProjectSatisfaction,
    ProjectState,
    ProjectStateChange,
    Respondent,
)
from app.domain.reference import Season
from app.domain.values import DIPLOMA_LEVELS, EXIT_TYPES, SEXES
from app.errors import StorageError
from app.services.accounts.names import display_names, person_name
from app.services.actor import SYSTEM_AUTHOR, Actor
from app.services.errors import PermissionDenied
from app.services.orientation.rules import outcome_label
from app.services.permissions import role_of
from app.services.projects.calls import project_reference
from app.services.validation import format_phone
from app.storage import Database

__all__ = [
    "AUTHOR_KEY",
    "JOURNAL_HEAD",
    "JOURNAL_KEY",
    "SUPPRESS_KEY",
    "AuditRow",
    "BulkChain",
    "FieldChange",
    "JournalVerdict",
    "acting_author",
    "attach",
    "author_choices",
    "authors",
    "detach",
    "entity_label",
    "entry_ids",
    "entry_rows",
    "export_scope",
    "field_label",
    "field_labels",
    "journaled_tables",
    "list_entries",
    "record",
    "record_account",
    "record_backup",
    "record_bilan_printed",
    "record_document_printed",
    "record_export",
    "record_restore",
    "record_setting",
    "record_sign_in",
    "redact_about",
    "verify_journal",
]

AUTHOR_KEY = "author"
# Set by anonymisation and erasure, which write their own entry holding no personal data.
SUPPRESS_KEY = "audit_suppressed"
_PENDING_KEY = "audit_pending"
UNKNOWN_AUTHOR = "inconnu"
DEFAULT_LIMIT = 500
# app_setting keys (created by migration 0010): the journal's HMAC key (hex), and the seal of
# its last entry, "<id>:<chain>:<HMAC of both>".
JOURNAL_KEY = "journal_key"
JOURNAL_HEAD = "journal_head"
# Where the next entry's chain starts when the seal is missing or forged while entries exist:
# no real chain has this value, so the break stays visible at that entry.
_BROKEN_START = "rompu"
AUTHOR_LENGTH = 120

log = logging.getLogger(__name__)

_authors: "weakref.WeakKeyDictionary[Engine, Callable[[], str]]" = weakref.WeakKeyDictionary()


# ---------------------------------------------------------------- what is tracked


def _about_no_application(_session: Session, _obj: Any) -> str | None:
    return None


@dataclass(frozen=True)
class _Spec:
    entity_type: str
    label: str  # French, for the journal's "Objet" column
    fields: dict[str, str]  # attribute (column or many-to-one) -> French label
    verbs: tuple[str, str, str]  # summaries of a creation, a change, a deletion
    # The application (Candidate.uuid) an entry is about: erasure and anonymisation redact it.
    candidate_of: Callable[[Session, Any], str | None] = _about_no_application
    detail: Callable[[Any], str] = lambda _o: ""  # completes the summary, never a person


_CANDIDATE_FIELDS = {
    "civility": "Civilité",
    "last_name": "Nom",
    "usage_name": "Nom d'usage",
    "first_name": "Prénom",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "birth_place": "Commune de naissance",
    "phone": "Téléphone",
    "email": "E-mail",
    "address": "Adresse",
    "postal_code": "Code postal",
    "city": "Commune",
    "job_seeker": "Demandeur d'emploi",
    "job_seeker_id": "Identifiant France Travail",
    "job_seeker_since": "Inscrit à France Travail depuis",
    "rsa": "RSA",
    "mission_locale": "Suivi Mission locale",
    "neet": "Ni en emploi ni en formation",
    "rqth": "RQTH",
    "qpv": "Résident QPV",
    "qpv_name": "Quartier QPV",
    "zrr": "ZRR",
    "diploma_level": "Niveau de diplôme",
    "last_class": "Dernière classe suivie",
    "work_experience": "Expérience professionnelle",
    "work_experience_text": "Détail de l'expérience",
    "season": "Saison",
    "site": "Site",
    "filiere": "Filière souhaitée",
    "referrer": "Prescripteur",
    "referrer_contact": "Contact du prescripteur",
    "source": "Source",
    "availability": "Disponibilité",
    "application_date": "Date de candidature",
    "owner": "Responsable",
    "notes": "Notes",
    "consent_date": "Information RGPD donnée le",
    "exit_type": "Type de sortie",
    "pathway_end": "Fin de parcours",
    "pathway_end_reason": "Motif de l'interruption",
}
_AGREEMENT_FIELDS = {
    "number": "Numéro",
    "status": "Statut",
    "host": "Structure d'accueil",
    "tutor": "Tuteur",
    "referent_trainer": "Formateur référent",
    "referent_phone": "Téléphone du formateur référent",
    "referent_email": "E-mail du formateur référent",
    "remuneration_payer": "Rémunération versée par",
    "remuneration_payer_other": "Autre financeur",
    "remote_weekdays": "Jours de télétravail",
    "place": "Lieu du stage",
    "start_date": "Début",
    "end_date": "Fin",
    "schedule": "Horaires",
    "interruptions": "Interruptions",
    "night_allowed": "Travail de nuit",
    "sunday_allowed": "Travail le dimanche",
    "holiday_allowed": "Travail les jours fériés",
    "activities": "Activités confiées",
    "competences": "Compétences visées",
    "indemnity_amount": "Indemnité",
    "indemnity_unit": "Unité de l'indemnité",
    "indemnity_payment_mode": "Versement de l'indemnité",
    "indemnity_break_rule": "Indemnité forfaitaire en cas de rupture",
    "benefits": "Avantages",
    "legal_representative": "Représentant légal",
    "ended_on": "Dernier jour effectif",
    "end_reason": "Motif de la fin",
}
_HOST_FIELDS = {
    "name": "Nom",
    "legal_form": "Forme juridique",
    "siret": "SIRET",
    "rna": "RNA",
    "naf_code": "Code NAF",
    "headcount_band": "Effectif",
    "address": "Adresse",
    "postal_code": "Code postal",
    "city": "Commune",
    "representative_name": "Représentant",
    "representative_function": "Fonction du représentant",
    "phone": "Téléphone",
    "email": "E-mail",
    "insurer": "Assureur",
    "policy_number": "N° de police",
}
_ORGANISATION_FIELDS = {
    "name": "Nom",
    "address": "Adresse",
    "siret": "SIRET",
    "activity_declaration": "N° de déclaration d'activité",
    "director_name": "Directeur",
    "director_function": "Fonction du directeur",
    "insurer": "Assureur",
    "policy_number": "N° de police",
    "logo_path": "Logo",
    "signing_city": "Fait à",
    "competent_court": "Tribunal compétent",
    "convocation_items": "À apporter (convocations)",
}


def _candidate_uuid(session: Session, candidate_id: int | None) -> str | None:
    if candidate_id is None:
        return None
    with session.no_autoflush:
        candidate = session.get(Candidate, candidate_id)
    return candidate.uuid if candidate is not None else None


def _of_candidate(session: Session, obj: Any) -> str | None:
    candidate = obj.__dict__.get("candidate")
    if isinstance(candidate, Candidate) and candidate.uuid:
        return candidate.uuid
    return _candidate_uuid(session, obj.candidate_id)


def _of_agreement(session: Session, obj: Any) -> str | None:
    with session.no_autoflush:
        agreement = session.get(Agreement, obj.agreement_id)
    return _of_candidate(session, agreement) if agreement is not None else None


def _stage_move(change: StageChange) -> str:
    def label(stage_id: int | None) -> str:
        session = Session.object_session(change)
        stage = session.get(Stage, stage_id) if session and stage_id else None
        return stage.label if stage is not None else "—"

    return f" : {label(change.from_stage_id)} → {label(change.to_stage_id)}"


def _number(agreement: Agreement) -> str:
    return f" {agreement.number}" if agreement.number else " (projet)"


def _host_name(obj: Host | Tutor) -> str:
    host = obj if isinstance(obj, Host) else obj.host
    return f" « {host.name} »" if host is not None else ""


_PROJECT_FIELDS = {
    "number": "Numéro",
    "host": "Structure",
    "title": "Titre",
    "submitted_on": "Déposé le",
    "contact_name": "Contact",
    "contact_function": "Fonction du contact",
    "contact_phone": "Téléphone du contact",
    "contact_email": "E-mail du contact",
    "contact_availability": "Disponibilités du contact",
    "need": "Besoin",
    "audience": "Public",
    "deliverable_kind": "Type de livrable",
    "deliverable": "Livrable attendu",
    "existing": "Existant",
    "provided_content": "Contenus fournis",
    "data_constraints": "Données personnelles",
    "accessibility_constraints": "Accessibilité",
    "calendar": "Calendrier",
    "maintainer": "Maintenance après la livraison",
    "licence_accepted": "Licence libre acceptée",
    "headcount": "Effectif déclaré",
    # state and state_reason: journaled by their history (ProjectStateChange), with the move
    "delivered_on": "Livré le",
    "delivery_notes": "Notes de livraison",
}


def _project_reference(obj: Any, project_id: int | None) -> str:
    """ " AAP-2026-003": the reference of the project a record belongs to, or ""."""
    session = Session.object_session(obj)
    if session is None or project_id is None:
        return ""
    with session.no_autoflush:
        project = session.get(Project, project_id)
        call = session.get(ProjectCall, project.call_id) if project is not None else None
        season = session.get(Season, call.season_id) if call is not None else None
    if project is None or season is None:
        return ""
    return f" {project_reference(season.label, project.number)}"


def _of_project(obj: Any) -> str:
    reference = _project_reference(obj, obj.project_id)
    return f" (projet{reference})" if reference else ""


def _activity_given(link: ProjectActivity) -> str:
    session = Session.object_session(link)
    activity = None
    if session is not None:
        with session.no_autoflush:
            activity = session.get(Activity, link.activity_id)
    title = f" : « {activity.title} »" if activity is not None else ""
    return f"{_project_reference(link, link.project_id)}{title}"


def _call_season(call: ProjectCall) -> str:
    session = Session.object_session(call)
    season = None
    if session is not None:
        with session.no_autoflush:
            season = session.get(Season, call.season_id)
    return f" {season.label}" if season is not None else ""


_SPECS: dict[type, _Spec] = {
    Candidate: _Spec(
        "candidate",
        "Dossier de candidature",
        _CANDIDATE_FIELDS,
        (
            "Dossier de candidature créé",
            "Dossier de candidature modifié",
            "Dossier de candidature supprimé",
        ),
        candidate_of=lambda _s, c: c.uuid,
    ),
    StageChange: _Spec(
        "stage_change",
        "Parcours",
        {"from_stage": "Étape précédente", "to_stage": "Nouvelle étape", "comment": "Commentaire"},
        ("Changement d'étape", "Changement d'étape modifié", "Changement d'étape supprimé"),
        candidate_of=_of_candidate,
        detail=_stage_move,
    ),
    LearnerOutcome: _Spec(
        "learner_outcome",
        "Suivi après la sortie",
        {
            "checkpoint": "Suivi",
            "situation": "Situation",
            "checked_on": "Vérifiée le",
            "check_source": "Source",
            "comment": "Commentaire",
        },
        ("Suivi après la sortie enregistré", "Suivi après la sortie modifié", "Suivi supprimé"),
        candidate_of=_of_candidate,
        detail=lambda o: f" ({_enum_label(Checkpoint, o.checkpoint)})",
    ),
    Agreement: _Spec(
        "agreement",
        "Convention de stage",
        _AGREEMENT_FIELDS,
        ("Convention créée", "Convention modifiée", "Convention supprimée"),
        candidate_of=_of_candidate,
        detail=_number,
    ),
    Amendment: _Spec(
        "amendment",
        "Avenant",
        {
            "rank": "Numéro",
            "changes": "Changements",
            "terms": "Conditions après l'avenant",
            "reason": "Motif",
            "signed_on": "Signé le",
        },
        ("Avenant créé", "Avenant modifié", "Avenant supprimé"),
        candidate_of=_of_agreement,
        detail=lambda a: f" n° {a.rank}",
    ),
    AgreementSignature: _Spec(
        "agreement_signature",
        "Signature",
        {"signatory": "Signataire", "signed_on": "Signée le", "outside_app": "Hors application"},
        ("Signature enregistrée", "Signature modifiée", "Signature supprimée"),
        candidate_of=_of_agreement,
        detail=lambda s: f" ({Signatory(s.signatory).label.lower()})",
    ),
    AgreementAbsence: _Spec(
        "agreement_absence",
        "Absence en stage",
        {
            "day": "Date",
            "half_day": "Demi-journée",
            "kind": "Nature",
            "minutes": "Minutes de retard",
            "justified": "Justifiée",
            "reason": "Motif",
            "document_received": "Justificatif reçu",
        },
        ("Absence enregistrée", "Absence modifiée", "Absence supprimée"),
        candidate_of=_of_agreement,
        detail=lambda a: f" du {as_text(a.day)} ({_enum_label(HalfDay, a.half_day)})",
    ),
    AgreementDocument: _Spec(
        "agreement_document",
        "Document délivré",
        {"kind": "Document", "number": "Numéro", "issued_on": "Délivré le"},
        ("Document délivré", "Document délivré modifié", "Document délivré supprimé"),
        candidate_of=_of_agreement,
        detail=lambda d: f" n° {d.number}",
    ),
    Host: _Spec(
        "host",
        "Structure d'accueil",
        _HOST_FIELDS,
        ("Structure créée", "Structure modifiée", "Structure supprimée"),
        detail=_host_name,
    ),
    Tutor: _Spec(
        "tutor",
        "Tuteur",
        {"name": "Nom", "function": "Fonction", "phone": "Téléphone", "email": "E-mail"},
        ("Tuteur créé", "Tuteur modifié", "Tuteur supprimé"),
        detail=lambda t: f" (structure{_host_name(t)})",
    ),
    OrganisationSettings: _Spec(
        "organisation",
        "Paramètres de l'organisme",
        _ORGANISATION_FIELDS,
        (
            "Paramètres de l'organisme créés",
            "Paramètres de l'organisme modifiés",
            "Paramètres de l'organisme supprimés",
        ),
    ),
    LearnerNote: _Spec(
        "learner_note",
        "Commentaire d'orientation",
        {"text": "Commentaire"},
        (
            "Commentaire d'orientation ajouté",
            "Commentaire d'orientation modifié",
            "Commentaire d'orientation supprimé",
        ),
        candidate_of=_of_candidate,
    ),
    OrientationDecision: _Spec(
        "orientation_decision",
        "Décision d'orientation",
        {"outcome": "Décision", "filiere": "Filière retenue", "reason": "Motif"},
        (
            "Décision de fin d'orientation enregistrée",
            "Décision de fin d'orientation modifiée",
            "Décision de fin d'orientation supprimée",
        ),
        candidate_of=_of_candidate,
        detail=lambda d: f" : {outcome_label(d.outcome).lower()}",
    ),
    ProfessionalProject: _Spec(
        "professional_project",
        "Projet professionnel",
        {
            "filiere": "Filière visée",
            "target_job": "Métier visé",
            "steps": "Étapes",
            "status": "Statut",
        },
        (
            "Projet professionnel créé",
            "Projet professionnel modifié",
            "Projet professionnel supprimé",
        ),
        candidate_of=_of_candidate,
    ),
    ProjectCall: _Spec(
        "project_call",
        "Appel à projets",
        {"opens_on": "Ouverture", "closes_on": "Clôture", "notes": "Notes"},
        ("Appel à projets créé", "Appel à projets modifié", "Appel à projets supprimé"),
        detail=_call_season,
    ),
    Project: _Spec(
        "project",
        "Projet (appel à projets)",
        _PROJECT_FIELDS,
        ("Projet déposé", "Projet modifié", "Projet supprimé"),
        detail=lambda p: _project_reference(p, p.id),
    ),
    ProjectFiliere: _Spec(
        "project_filiere",
        "Filière d'un projet",
        {"filiere": "Filière"},
        ("Filière ajoutée au projet", "Filière du projet modifiée", "Filière retirée du projet"),
        detail=_of_project,
    ),
    ProjectStateChange: _Spec(
        "project_state_change",
        "État d'un projet",
        {"state": "État", "reason": "Motif"},
        (
            "Changement d'état du projet",
            "Changement d'état du projet modifié",
            "Changement d'état du projet supprimé",
        ),
        detail=lambda c: (
            f"{_project_reference(c, c.project_id)} : {_enum_label(ProjectState, c.state)}"
        ),
    ),
    ProjectCriterion: _Spec(
        "project_criterion",
        "Critère de notation des projets",
        {"label": "Intitulé", "description": "Description", "retired_at": "Retiré le"},
        (
            "Critère de notation ajouté",
            "Critère de notation modifié",
            "Critère de notation supprimé",
        ),
        detail=lambda c: f" « {c.label} »",
    ),
    ProjectActivity: _Spec(
        "project_activity",
        "Projet confié à une promotion",
        {},
        (
            "Projet confié à une promotion",
            "Projet confié à une promotion modifié",
            "Projet retiré de la promotion",
        ),
        detail=_activity_given,
    ),
    ProjectMilestone: _Spec(
        "project_milestone",
        "Étape d'un projet",
        {"title": "Étape", "due_on": "Échéance", "state": "État", "done_on": "Faite le"},
        ("Étape du projet ajoutée", "Étape du projet modifiée", "Étape du projet supprimée"),
        detail=_of_project,
    ),
    ProjectSatisfaction: _Spec(
        "project_satisfaction",
        "Satisfaction d'un projet",
        {
            "respondent": "Répondant",
            "need_met": "Le besoin est couvert",
            "quality": "Qualité du livrable",
            "communication": "Communication et écoute",
            "deadlines": "Respect du calendrier",
            "comment": "Commentaire",
        },
        (
            "Satisfaction du projet enregistrée",
            "Satisfaction du projet modifiée",
            "Satisfaction du projet supprimée",
        ),
        detail=_of_project,
    ),
}
# Entries written explicitly, about no tracked record (exports of lists, for instance).
_OTHER_LABELS = {
    "project_review": "Notation d'un projet",
    "export": "Export",
    "person": "Personne",
    "retention": "Conservation des données",
    "account": "Compte utilisateur",
    "setting": "Paramètres",
    "backup": "Sauvegarde",
    "activity": "Événement",  # an orientation event and who took part (orientation/events.py)
}
_ACCOUNT_FIELDS = {
    "display_name": "Nom",
    "username": "Identifiant",
    "role": "Rôle",
    "active": "Actif",
}
_FIELD_LABELS = {spec.entity_type: spec.fields for spec in _SPECS.values()} | {
    "account": _ACCOUNT_FIELDS,
    "setting": {"idle_lock_minutes": "Verrouillage automatique"},
}
_TYPE_LABELS = {spec.entity_type: spec.label for spec in _SPECS.values()} | _OTHER_LABELS


def journaled_tables() -> dict[str, bool]:
    """The tables whose changes the journal captures, each with whether its entries name the
    application they are about (what the personal-data rights rely on to redact them)."""
    tables = {}
    for model, spec in _SPECS.items():
        table = model.__table__  # type: ignore[attr-defined]
        tables[str(table.name)] = spec.candidate_of is not _about_no_application
    return tables


def entity_label(entity_type: str) -> str:
    return _TYPE_LABELS.get(entity_type, entity_type)


def field_labels(entity_type: str) -> dict[str, str]:
    """The tracked fields of a kind of record: attribute -> French label, in form order."""
    return dict(_FIELD_LABELS.get(entity_type, {}))


def field_label(entity_type: str, name: str) -> str:
    return _FIELD_LABELS.get(entity_type, {}).get(name, name)


# ---------------------------------------------------------------- values as text


def _named(obj: Base) -> str:
    for attribute in ("label", "name"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str):
            return value
    return str(getattr(obj, "uuid", ""))


_CODED: dict[str, Callable[[Any], str]] = {
    "status": lambda v: _enum_label(AgreementStatus, v) or _enum_label(ProjectStatus, v),
    "outcome": outcome_label,
    "signatory": lambda v: _enum_label(Signatory, v),
    "half_day": lambda v: _enum_label(HalfDay, v),
    "kind": lambda v: _enum_label(AbsenceKind, v),
    "exit_type": lambda v: EXIT_TYPES.get(v, ""),
    "pathway_end": lambda v: _enum_label(PathwayEnd, v),
    "situation": lambda v: EXIT_TYPES.get(v, ""),
    "checkpoint": lambda v: _enum_label(Checkpoint, v),
    "check_source": lambda v: _enum_label(CheckSource, v),
    "sex": lambda v: SEXES.get(v, ""),
    "diploma_level": lambda v: DIPLOMA_LEVELS.get(v, ""),
    "phone": format_phone,
    "contact_phone": format_phone,
    "state": lambda v: _enum_label(ProjectState, v) or _enum_label(MilestoneState, v),
    "deliverable_kind": lambda v: _enum_label(DeliverableKind, v),
    "respondent": lambda v: _enum_label(Respondent, v),
}


def _enum_label(kind: Any, value: str) -> str:
    try:
        return str(kind(value).label)
    except ValueError:
        return ""


def as_text(value: Any, name: str = "") -> str | None:
    """A value as the journal shows it (French dates, oui / non); None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, Base):
        return _named(value)
    if name in _CODED and isinstance(value, str | int):
        return _CODED[name](value) or str(value)
    return str(value)


def _related_text(session: Session, model: type[Any], key: Any) -> str | None:
    if key is None:
        return None
    with session.no_autoflush:
        obj = session.get(model, key)
    return _named(obj) if obj is not None else str(key)


def _current(session: Session, obj: Any, name: str) -> str | None:
    return as_text(getattr(obj, name), name)


def _change_of(session: Session, obj: Any, name: str) -> tuple[str | None, str | None] | None:
    """(before, after) of one field since the last flush, or None when it did not change."""
    state = inspect(obj)
    relationship = inspect(type(obj)).relationships.get(name)
    if relationship is not None:  # a many-to-one field: shown by the related record's name
        model = relationship.mapper.class_
        key = str(next(iter(relationship.local_columns)).key)
        related = state.attrs[name].history
        column = state.attrs[key].history
        if related.added and related.added[0] is not None:
            after = as_text(related.added[0])
        elif column.added:
            after = _related_text(session, model, column.added[0])
        elif related.added or related.deleted:
            after = None
        else:
            return None
        previous = column.deleted or column.unchanged
        before = _related_text(session, model, previous[0]) if previous else None
        if related.deleted and related.deleted[0] is not None:
            before = as_text(related.deleted[0])
        return (before, after) if before != after else None
    history = state.attrs[name].history
    if not history.added and not history.deleted:
        return None
    before = as_text(history.deleted[0], name) if history.deleted else None
    after = as_text(history.added[0], name) if history.added else None
    return (before, after) if before != after else None


# ---------------------------------------------------------------- capture


@dataclass
class _Pending:
    obj: Any
    spec: _Spec
    action: AuditAction
    changes: dict[str, list[str | None]] = field(default_factory=dict)
    candidate_uuid: str | None = None
    entity_uuid: str | None = None
    detail: str = ""


def attach(database: Database, get_author: Callable[[], str]) -> None:
    """Record every tracked change made through `database`'s sessions, by `get_author()`."""
    _authors[database.engine] = get_author


def detach(database: Database) -> None:
    _authors.pop(database.engine, None)


def _author(session: Session) -> str | None:
    explicit = session.info.get(AUTHOR_KEY)
    if explicit:
        return str(explicit)
    try:
        bind = session.get_bind()
    except Exception:  # an unbound session records nothing
        return None
    engine = bind if isinstance(bind, Engine) else bind.engine
    source = _authors.get(engine)
    return (source() or UNKNOWN_AUTHOR) if source is not None else None


def acting_author(session: Session, default: str = UNKNOWN_AUTHOR) -> str:
    """Who the journal names for what `session` writes (`default` when nobody is attached)."""
    return _author(session) or default


def _capturing(session: Session) -> bool:
    return not session.info.get(SUPPRESS_KEY) and _author(session) is not None


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if not _capturing(session):
        return
    pending: dict[int, _Pending] = session.info.setdefault(_PENDING_KEY, {})
    for obj in session.new:
        spec = _SPECS.get(type(obj))
        if spec is not None and id(obj) not in pending:
            pending[id(obj)] = _Pending(obj, spec, AuditAction.CREATION)
    for obj in session.dirty:
        spec = _SPECS.get(type(obj))
        if spec is None or not session.is_modified(obj):
            continue
        entry = pending.setdefault(id(obj), _Pending(obj, spec, AuditAction.MODIFICATION))
        if entry.action is AuditAction.MODIFICATION:
            _merge(entry, session)
    for obj in session.deleted:
        spec = _SPECS.get(type(obj))
        if spec is None:
            continue
        entry = pending.setdefault(id(obj), _Pending(obj, spec, AuditAction.SUPPRESSION))
        entry.action = AuditAction.SUPPRESSION
        entry.changes = {}  # a deleted record leaves no personal data in the log
        entry.entity_uuid = obj.uuid
        entry.candidate_uuid = spec.candidate_of(session, obj)
        entry.detail = spec.detail(obj)


def _merge(entry: _Pending, session: Session) -> None:
    for name in entry.spec.fields:
        change = _change_of(session, entry.obj, name)
        if change is None:
            continue
        before, after = change
        if name in entry.changes:
            entry.changes[name][1] = after
        else:
            entry.changes[name] = [before, after]


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if not _capturing(session):
        session.info.pop(_PENDING_KEY, None)
        return
    session.flush()  # the last changes go through _before_flush first
    pending: dict[int, _Pending] = session.info.pop(_PENDING_KEY, {})
    author = _author(session) or UNKNOWN_AUTHOR
    now = datetime.now()
    for entry in pending.values():
        written = _entry(session, entry, author, now)
        if written is not None:
            session.add(written)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING_KEY, None)


# ---------------------------------------------------------------- the chain


def _settings_value(connection: Connection, key: str) -> str | None:
    value = connection.scalar(select(AppSetting.value).where(AppSetting.key == key))
    return None if value is None else str(value)


def key_bytes(value: str) -> bytes:
    """The journal key as stored (hex); a value that is not hex is used as its bytes, so a
    tampered key only makes the chain fail."""
    try:
        return bytes.fromhex(value)
    except ValueError:
        return value.encode("utf-8")


def _parse_head(key: bytes, value: str | None) -> tuple[int, str] | None:
    """(last id, last chain) of a seal that verifies with `key`, else None."""
    if value is None:
        return None
    parts = value.split(":")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    last_id, last_chain, seal = int(parts[0]), parts[1], parts[2]
    if not hmac.compare_digest(seal, head_seal(key, last_id, last_chain)):
        return None
    return last_id, last_chain


def _head_value(key: bytes, last_id: int, last_chain: str) -> str:
    return f"{last_id}:{last_chain}:{head_seal(key, last_id, last_chain)}"


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, _context: Any, _instances: Any) -> None:
    entries = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if entries:
        entries.sort(key=lambda entry: inspect(entry).insert_order or 0)
        _chain(session.connection(), entries)


def _chain(connection: Connection, entries: list[AuditEntry]) -> None:
    """Number, digest and chain `entries` after the last one written, and seal the last."""
    chain = BulkChain(connection)
    chain.link(entries)
    chain.seal(connection)


class BulkChain:
    """The chain continued over several batches of entries (a large CSV import writes its new
    files' entries itself, without the session): opened on a connection (which takes the
    write lock, then reads the key and the last entry), `link` numbers, digests and chains
    entries in order — no database, so on any one thread — and `seal` writes the seal of the
    last one. Entries have AuditEntry's attributes; `id`, `uuid` (when empty),
    `changes_digest` and `chain` are set."""

    def __init__(self, connection: Connection) -> None:
        # A write first: from here the transaction holds the lock, nobody chains in between.
        locked = connection.execute(
            update(AppSetting).where(AppSetting.key == JOURNAL_HEAD).values(value=AppSetting.value)
        )
        self._sealed_before = bool(locked.rowcount)
        stored_key = _settings_value(connection, JOURNAL_KEY)
        if stored_key is None:  # a base made without migration 0010's key (or one removed)
            stored_key = secrets.token_bytes(32).hex()
            connection.execute(
                insert(AppSetting).values(uuid=new_uuid(), key=JOURNAL_KEY, value=stored_key)
            )
        self.key = key_bytes(stored_key)
        last_id = int(connection.scalar(select(func.max(AuditEntry.id))) or 0)
        head = _parse_head(self.key, _settings_value(connection, JOURNAL_HEAD))
        if head is not None:
            sealed_id, self.previous = head
            self.next_id = max(sealed_id, last_id) + 1
        else:
            self.previous = CHAIN_START if last_id == 0 else _BROKEN_START
            self.next_id = last_id + 1

    def link(self, entries: list[Any]) -> None:
        key, previous, next_id = self.key, self.previous, self.next_id
        for entry in entries:
            entry.id = next_id
            entry.uuid = entry.uuid or new_uuid()
            entry.changes_digest = changes_digest(entry.changes)
            entry.chain = entry_chain(
                key,
                previous,
                id=entry.id,
                uuid=entry.uuid,
                at=entry.at,
                author=entry.author,
                action=entry.action,
                entity_type=entry.entity_type,
                entity_uuid=entry.entity_uuid,
                candidate_uuid=entry.candidate_uuid,
                summary=entry.summary,
                changes_digest=entry.changes_digest,
            )
            previous = entry.chain
            next_id += 1
        self.previous, self.next_id = previous, next_id

    def seal(self, connection: Connection) -> None:
        value = _head_value(self.key, self.next_id - 1, self.previous)
        if self._sealed_before:
            connection.execute(
                update(AppSetting).where(AppSetting.key == JOURNAL_HEAD).values(value=value)
            )
        else:
            connection.execute(
                insert(AppSetting).values(uuid=new_uuid(), key=JOURNAL_HEAD, value=value)
            )
            self._sealed_before = True


def _entry(session: Session, entry: _Pending, author: str, now: datetime) -> AuditEntry | None:
    spec, obj = entry.spec, entry.obj
    created, changed, deleted = spec.verbs
    if entry.action is AuditAction.SUPPRESSION:
        summary, changes = deleted + entry.detail, None
        entity_uuid, candidate_uuid = entry.entity_uuid, entry.candidate_uuid
    else:
        if entry.action is AuditAction.CREATION:
            values = {name: [None, _current(session, obj, name)] for name in spec.fields}
            changes = {name: pair for name, pair in values.items() if pair[1] not in (None, "")}
            summary = created + spec.detail(obj)
        else:
            changes = {
                name: entry.changes[name]
                for name in spec.fields
                if name in entry.changes and entry.changes[name][0] != entry.changes[name][1]
            }
            if not changes:
                return None
            labels = ", ".join(spec.fields[name] for name in changes)
            summary = f"{changed}{spec.detail(obj)} : {labels}"
        entity_uuid, candidate_uuid = obj.uuid, spec.candidate_of(session, obj)
    return AuditEntry(
        at=now,
        author=author,
        action=entry.action.value,
        entity_type=spec.entity_type,
        entity_uuid=entity_uuid,
        candidate_uuid=candidate_uuid,
        summary=summary,
        changes=_json(changes) if changes else None,
    )


def _json(changes: dict[str, Any]) -> str:
    return json.dumps(changes, ensure_ascii=False)


# ---------------------------------------------------------------- explicit entries


def record(
    session: Session,
    action: AuditAction,
    entity: Base | None,
    summary: str,
    *,
    entity_type: str | None = None,
    entity_uuid: str | None = None,
    candidate_uuid: str | None = None,
    changes: dict[str, list[str | None]] | None = None,
    author: str | None = None,
) -> AuditEntry:
    """Add one entry now (printing, exports, anonymisation…); it is written with the session.

    `summary` must name no person: the journal shows who the record is about by itself.
    """
    spec = _SPECS.get(type(entity)) if entity is not None else None
    if entity is not None and spec is not None:
        entity_type = entity_type or spec.entity_type
        entity_uuid = entity_uuid or entity.uuid  # type: ignore[attr-defined]
        if candidate_uuid is None:
            candidate_uuid = spec.candidate_of(session, entity)
    entry = AuditEntry(
        at=datetime.now(),
        author=author or _author(session) or UNKNOWN_AUTHOR,
        action=action.value,
        entity_type=entity_type or "other",
        entity_uuid=entity_uuid,
        candidate_uuid=candidate_uuid,
        summary=summary,
        changes=_json(changes) if changes else None,
    )
    session.add(entry)
    return entry


def record_document_printed(session: Session, agreement_id: int, document: str) -> None:
    """`document` as the print menu names it ("Convention de stage", "Avenant n° 2"…)."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        return
    record(session, AuditAction.IMPRESSION, agreement, f"{document} —{_number(agreement)}")


def record_bilan_printed(session: Session, candidate_id: int) -> None:
    candidate = session.get(Candidate, candidate_id)
    if candidate is not None:
        record(session, AuditAction.IMPRESSION, candidate, "Bilan d'orientation imprimé")


def record_export(session: Session, what: str, count: int, scope: str = "") -> None:
    """A list exported to a file: `what` like "candidats (CSV)", `scope` the filters used."""
    suffix = f" — {scope}" if scope else ""
    record(
        session,
        AuditAction.EXPORT,
        None,
        f"Export des {what} : {count} ligne{'s' if count > 1 else ''}{suffix}",
        entity_type="export",
    )


def export_scope(season: str | None, site: str | None = None) -> str:
    """The filters of an export, as the journal shows them: "saison 2025-2026, site cobalt"."""
    parts = [f"saison {season}" if season else "toutes les saisons"]
    if site:
        parts.append(f"site {site}")
    return ", ".join(parts)


def _one_line(text: str, length: int = AUTHOR_LENGTH) -> str:
    """A name typed by someone, safe for the journal: one line, no control character."""
    cleaned = "".join(c if c.isprintable() else " " for c in text).strip()
    return cleaned[:length] or "(vide)"


def _account_uuid(session: Session, username: str) -> str | None:
    wanted = username.strip().casefold()
    if not wanted:
        return None
    with session.no_autoflush:
        for name, uuid in session.execute(select(UserAccount.username, UserAccount.uuid)):
            if name.casefold() == wanted:
                return str(uuid)
    return None


def record_sign_in(
    session: Session,
    username: str,
    *,
    succeeded: bool,
    locked: bool = False,
    until: datetime | None = None,
    reason: str = "",
) -> AuditEntry:
    """A sign-in, successful or refused, in the name of the identifiant typed (never the
    password). `locked=True`: this refusal locked the account (until `until`, when given).
    `reason` completes the summary ("mot de passe incorrect", "sans mot de passe : base de
    démonstration"…).

    The entry is written with `session`: a refused sign-in is kept only if the caller
    commits the session before reporting the refusal.
    """
    if succeeded:
        action, summary = AuditAction.CONNEXION, "Connexion réussie"
    elif locked:
        action = AuditAction.VERROUILLAGE
        summary = "Compte verrouillé après des échecs de connexion répétés"
        if until is not None:
            summary += f", jusqu'au {until:%d/%m/%Y à %H:%M}"
    else:
        action, summary = AuditAction.CONNEXION_REFUSEE, "Connexion refusée"
    if reason:
        summary += f" ({reason})"
    return record(
        session,
        action,
        None,
        summary,
        entity_type="account",
        entity_uuid=_account_uuid(session, username),
        author=_one_line(username),
    )


def record_account(
    session: Session,
    account: UserAccount,
    action: AuditAction,
    summary: str,
    *,
    changes: dict[str, list[str | None]] | None = None,
    author: str | None = None,
) -> AuditEntry:
    """Something done to an account (creation, role, password, deactivation…); `summary` names
    the account, `changes` never holds a password or its hash. Without `author`, whoever the
    session acts for, else "Fabrique Accueil" (an account made by the application itself)."""
    if not account.uuid:  # a new account: its uuid is given now rather than at the insert
        account.uuid = new_uuid()
    return record(
        session,
        action,
        None,
        summary,
        entity_type="account",
        entity_uuid=account.uuid,
        changes=changes,
        author=author or acting_author(session, SYSTEM_AUTHOR),
    )


def account_values(account: UserAccount) -> dict[str, list[str | None]]:
    """The fields of a new account, as a creation entry shows them."""
    return {
        "display_name": [None, account.display_name],
        "username": [None, account.username],
        "role": [None, ROLE_LABELS.get(account.role, account.role)],
    }


def record_setting(
    session: Session, name: str, summary: str, before: str | None, after: str | None
) -> AuditEntry:
    """A setting of the base changed (`name` one of the "setting" field labels)."""
    return record(
        session,
        AuditAction.MODIFICATION,
        None,
        summary,
        entity_type="setting",
        changes={name: [before, after]},
    )


def _record_in(url: str, action: AuditAction, summary: str, author: str) -> bool:
    """One entry written into the base at `url` by its own unit of work; False (logged) when
    the base refused it: the backup or restore it tells of is done all the same."""
    database = Database(url)
    try:
        with database.session() as session:
            record(session, action, None, summary, entity_type="backup", author=author)
    except (StorageError, SQLAlchemyError, OSError) as error:
        log.warning("journal entry not written (%s): %s", action.value, error)
        return False
    finally:
        database.dispose()
    return True


def record_backup(url: str, copy: Path, *, author: str) -> bool:
    """A manual backup written (`main.py backup`, « Sauvegarder maintenant »)."""
    return _record_in(url, AuditAction.SAUVEGARDE, f"Sauvegarde écrite : « {copy} »", author)


def record_restore(
    url: str, copy: Path, description: str, kept: Path | None, *, author: str
) -> bool:
    """A restore, written into the restored base once it is in place: which copy (its path and
    `description`, « du 29/11/2026 à 08:12 (au démarrage) »), and where the replaced base is."""
    summary = f"Base restaurée depuis la sauvegarde « {copy} » {description}"
    summary += f" ; la base remplacée est conservée dans « {kept} »" if kept else ""
    return _record_in(url, AuditAction.RESTAURATION, summary, author)


def redact_about(session: Session, candidate_uuids: Iterable[str]) -> int:
    """Blank the field-level values of every entry about these applications (the only update
    the log accepts); the entries themselves stay. Returns how many were redacted."""
    uuids = list(candidate_uuids)
    if not uuids:
        return 0
    entries = session.scalars(
        select(AuditEntry).where(
            or_(AuditEntry.candidate_uuid.in_(uuids), AuditEntry.entity_uuid.in_(uuids)),
            AuditEntry.changes.is_not(None),
        )
    ).all()
    for entry in entries:
        entry.changes = None
        entry.redacted = True
    return len(entries)


# ---------------------------------------------------------------- reading (coordination)


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class AuditRow:
    id: int
    uuid: str
    at: datetime
    author: str
    action: str
    action_label: str
    entity_type: str
    entity_label: str
    entity_uuid: str | None
    candidate_uuid: str | None
    person: str  # the application's current name, "dossier effacé", or ""
    summary: str
    changes: tuple[FieldChange, ...]
    redacted: bool


@dataclass(frozen=True)
class AuditQuery:
    person_text: str = ""  # searched like the candidates' search box
    candidate_uuids: tuple[str, ...] | None = None  # a person's applications
    entity_uuid: str | None = None
    author: str | None = None
    since: date | None = None
    until: date | None = None
    action: str | None = None


def _require_coordination(actor: Actor) -> None:
    if role_of(actor) != ROLE_COORDINATION:
        raise PermissionDenied("Seule la coordination peut consulter le journal des actions.")


def _matching_applications(session: Session, text: str) -> list[str]:
    from app.services.candidates.records import CandidateQuery, search_ids

    ids = search_ids(session, CandidateQuery(text=text))
    if not ids:
        return []
    return list(session.scalars(select(Candidate.uuid).where(Candidate.id.in_(ids))))


def _filtered(session: Session, query: AuditQuery) -> Any:
    statement = select(AuditEntry.id)
    uuids: list[str] | None = None
    if query.candidate_uuids is not None:
        uuids = list(query.candidate_uuids)
    if query.person_text.strip():
        found = _matching_applications(session, query.person_text)
        uuids = found if uuids is None else [u for u in uuids if u in found]
    if uuids is not None:
        statement = statement.where(
            or_(AuditEntry.candidate_uuid.in_(uuids), AuditEntry.entity_uuid.in_(uuids))
        )
    if query.entity_uuid:
        statement = statement.where(AuditEntry.entity_uuid == query.entity_uuid)
    if query.author:
        statement = statement.where(AuditEntry.author == query.author)
    if query.action:
        statement = statement.where(AuditEntry.action == query.action)
    if query.since:
        statement = statement.where(AuditEntry.at >= datetime.combine(query.since, time.min))
    if query.until:
        statement = statement.where(AuditEntry.at <= datetime.combine(query.until, time.max))
    return statement


def entry_ids(
    session: Session, query: AuditQuery, *, actor: Actor, limit: int | None = None
) -> list[int]:
    """Ids of the matching entries, newest first."""
    _require_coordination(actor)
    statement = _filtered(session, query).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def entry_rows(session: Session, ids: list[int], *, actor: Actor) -> dict[int, AuditRow]:
    _require_coordination(actor)
    if not ids:
        return {}
    entries = session.scalars(select(AuditEntry).where(AuditEntry.id.in_(ids))).all()
    people = _people(session, {e.candidate_uuid for e in entries if e.candidate_uuid})
    names = display_names(session)
    return {e.id: _row(e, people, names) for e in entries}


def list_entries(
    session: Session,
    *,
    actor: Actor,
    entity_uuid: str | None = None,
    candidate_uuids: Iterable[str] | None = None,
    author: str | None = None,
    since: date | None = None,
    until: date | None = None,
    action: AuditAction | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[AuditRow]:
    """The journal, newest first; refused to every role but coordination."""
    query = AuditQuery(
        candidate_uuids=tuple(candidate_uuids) if candidate_uuids is not None else None,
        entity_uuid=entity_uuid,
        author=author,
        since=since,
        until=until,
        action=action.value if action else None,
    )
    ids = entry_ids(session, query, actor=actor, limit=limit)
    rows = entry_rows(session, ids, actor=actor)
    return [rows[i] for i in ids]


def authors(session: Session, *, actor: Actor) -> list[str]:
    """Everyone who appears in the journal, for the filter."""
    _require_coordination(actor)
    return list(session.scalars(select(AuditEntry.author).distinct().order_by(AuditEntry.author)))


def author_choices(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """Everyone in the journal as (author as recorded, name shown), by name: the filter
    shows "Nadia Belkacem" and filters on what was recorded ("nadia")."""
    names = display_names(session)
    shown = [(author, person_name(names, author)) for author in authors(session, actor=actor)]
    return sorted(shown, key=lambda pair: (pair[1].casefold(), pair[0]))


def _people(session: Session, uuids: set[str]) -> dict[str, str]:
    from app.services.candidates.records import display_name

    if not uuids:
        return {}
    found = session.scalars(select(Candidate).where(Candidate.uuid.in_(uuids))).all()
    return {c.uuid: display_name(c) for c in found}


def _row(entry: AuditEntry, people: dict[str, str], names: dict[str, str]) -> AuditRow:
    action = _action(entry.action)
    person = ""
    if entry.candidate_uuid:
        person = people.get(entry.candidate_uuid, "dossier effacé")
    return AuditRow(
        id=entry.id,
        uuid=entry.uuid,
        at=entry.at,
        author=person_name(names, entry.author),  # as shown; the filter keeps the recorded one
        action=entry.action,
        action_label=action.label if action else entry.action,
        entity_type=entry.entity_type,
        entity_label=entity_label(entry.entity_type),
        entity_uuid=entry.entity_uuid,
        candidate_uuid=entry.candidate_uuid,
        person=person,
        summary=entry.summary,
        changes=_changes(entry),
        redacted=entry.redacted,
    )


def _action(value: str) -> AuditAction | None:
    try:
        return AuditAction(value)
    except ValueError:
        return None


def _changes(entry: AuditEntry) -> tuple[FieldChange, ...]:
    if not entry.changes:
        return ()
    try:
        parsed = json.loads(entry.changes)
    except ValueError:
        return ()
    return tuple(
        FieldChange(name, field_label(entry.entity_type, name), pair[0], pair[1])
        for name, pair in parsed.items()
        if isinstance(pair, list) and len(pair) == 2
    )


# ---------------------------------------------------------------- verification (`check`)


@dataclass(frozen=True)
class JournalVerdict:
    """What `verify_journal` found: `detail` is a French sentence for the check's report."""

    ok: bool
    detail: str
    entries: int = 0


_REDACTING_ACTIONS = (AuditAction.ANONYMISATION.value, AuditAction.EFFACEMENT.value)


def _day(at: Any) -> str:
    return f" du {at:%d/%m/%Y}" if isinstance(at, datetime) else ""


def _numbers(first: int, last: int) -> str:
    if first == last:
        return f"l'entrée n° {first} a été supprimée"
    return f"les entrées n° {first} à {last} ont été supprimées"


def _values_tampered(row: Any) -> bool:
    """The values differ from their digest, or were blanked without a redaction."""
    if row.changes is not None:
        return bool(changes_digest(row.changes) != row.changes_digest)
    return not row.redacted and row.changes_digest is not None


def _chains_on(key: bytes, previous: str, row: Any) -> bool:
    expected = entry_chain(
        key,
        previous,
        id=row.id,
        uuid=row.uuid,
        at=row.at,
        author=row.author,
        action=row.action,
        entity_type=row.entity_type,
        entity_uuid=row.entity_uuid,
        candidate_uuid=row.candidate_uuid,
        summary=row.summary,
        changes_digest=row.changes_digest,
    )
    return row.chain is not None and hmac.compare_digest(str(row.chain), expected)


def verify_journal(connection: Connection) -> JournalVerdict:
    """Recompute every entry's digest and chain, in id order, and the seal of the last one.

    Reports the first break only: "l'entrée n° 1234 du 03/12/2026 a été modifiée ou supprimée
    (chaînage rompu)."; entries removed in the middle or at the end, entries added after the
    sealed last one, and values blanked without an erasure or anonymisation of the person are
    told as such. Reads only.
    """
    table = AuditEntry.__table__
    stored_key = _settings_value(connection, JOURNAL_KEY)
    head_text = _settings_value(connection, JOURNAL_HEAD)
    count = int(connection.scalar(select(func.count()).select_from(table)) or 0)
    if stored_key is None:
        if count or head_text is not None:
            return JournalVerdict(
                False, "la clé du journal a disparu : le chaînage ne peut plus être vérifié."
            )
        return JournalVerdict(True, "aucune entrée.")
    key = key_bytes(stored_key)
    head = _parse_head(key, head_text)
    sealed_id = head[0] if head is not None else None
    previous, previous_id, previous_at = CHAIN_START, 0, None
    # uuid -> last id of an anonymisation or erasure entry about it, which justify redactions
    redactions: dict[str, int] = {}
    blanked: list[tuple[int, Any, str | None, str | None]] = []
    result = connection.execute(select(table).order_by(table.c.id))
    rows = iter(result)
    for row in rows:
        tampered_values = _values_tampered(row)
        if tampered_values or not _chains_on(key, previous, row):
            when = _day(row.at)
            following = next(rows, None)
            result.close()
            # An entry slipped in: the one after it still chains onto the one before it.
            slipped_in = following is not None and _chains_on(key, previous, following)
            if slipped_in or (sealed_id is not None and row.id > sealed_id):
                detail = f"l'entrée n° {row.id}{when} a été ajoutée hors de l'application"
            elif row.id > previous_id + 1 and not tampered_values:
                detail = (
                    f"{_numbers(previous_id + 1, row.id - 1)} (chaînage rompu avant l'entrée "
                    f"n° {row.id}{when})"
                )
                return JournalVerdict(False, detail + ".", count)
            else:
                detail = f"l'entrée n° {row.id}{when} a été modifiée ou supprimée"
            return JournalVerdict(False, detail + " (chaînage rompu).", count)
        if row.action in _REDACTING_ACTIONS:
            for uuid in (row.candidate_uuid, row.entity_uuid):
                if uuid:
                    redactions[uuid] = row.id
        if row.redacted and row.changes is None and row.changes_digest is not None:
            blanked.append((row.id, row.at, row.candidate_uuid, row.entity_uuid))
        previous, previous_id, previous_at = row.chain, row.id, row.at
    for entry_id, at, candidate_uuid, entity_uuid in blanked:
        justified = any(
            redactions.get(uuid, 0) > entry_id for uuid in (candidate_uuid, entity_uuid) if uuid
        )
        if not justified:
            return JournalVerdict(
                False,
                f"les valeurs de l'entrée n° {entry_id}{_day(at)} ont été effacées sans "
                "effacement ni anonymisation de la personne.",
                count,
            )
    if head is None:
        if head_text is None and count == 0:
            return JournalVerdict(True, "aucune entrée.")
        missing = "a disparu" if head_text is None else "a été modifié hors de l'application"
        return JournalVerdict(
            False,
            f"le sceau de la dernière entrée {missing} : des entrées ont pu être supprimées à "
            "la fin.",
            count,
        )
    sealed_id, sealed_chain = head
    if sealed_id > previous_id:
        after = f" (après l'entrée n° {previous_id}{_day(previous_at)})" if previous_id else ""
        return JournalVerdict(
            False, f"{_numbers(previous_id + 1, sealed_id)} à la fin du journal{after}.", count
        )
    if sealed_id != previous_id or sealed_chain != previous:
        return JournalVerdict(
            False,
            f"la dernière entrée (n° {previous_id}{_day(previous_at)}) n'est pas celle que le "
            "journal a scellée : le journal a été réécrit.",
            count,
        )
    if count == 0:
        return JournalVerdict(True, "aucune entrée.")
    return JournalVerdict(
        True, f"chaînage intact ({count} entrée{'s' if count > 1 else ''}).", count
    )
