"""Candidate files: validation, create / update, search, duplicates, stage changes."""

import math
import re
import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, joinedload

from app.domain import Candidate, Filiere, Season, Site, Stage, StageChange
from app.domain.text import digits, fold, name_key, number_endings
from app.domain.values import (
    AFTER_EXIT_STAGES,
    ALLOWED_TRANSITIONS,
    CIVILITIES,
    DIPLOMA_LEVELS,
    EXIT_STAGE,
    EXIT_TYPES,
    FIRST_STAGE,
    SEXES,
)
from app.services import reference
from app.services.accounts.names import display_names, person_name
from app.services.actor import Actor
from app.services.errors import NotFoundError, ValidationError
from app.services.outcomes.pathway import PathwayEndError, checked_pathway_end
from app.services.permissions import can_read_rqth, require_candidate_editor, require_known_role
from app.services.validation import (
    FieldError,
    age_on,
    clean_text,
    format_bool,
    format_date,
    format_phone,
    parse_bool,
    parse_date,
    parse_email,
    parse_phone,
    parse_postal_code,
    search_text,
    search_words,
)
from app.services.versioning import (
    CANDIDATE,
    check_version,
    flush_checked,
    record_change,
    stamp_author,
)
from app.storage import fulltext
from app.storage.database import scalar_list

MIN_AGE, MAX_AGE = 16, 80


@dataclass
class CandidateInput:
    """What a user typed, as text; field names are the CSV columns (and a few more)."""

    identifiant: str = ""
    civilite: str = ""
    nom: str = ""
    nom_usage: str = ""
    prenom: str = ""
    sexe: str = ""
    date_naissance: str = ""
    commune_naissance: str = ""
    telephone: str = ""
    email: str = ""
    adresse: str = ""
    code_postal: str = ""
    commune: str = ""
    demandeur_emploi: str = ""
    identifiant_france_travail: str = ""
    date_inscription_france_travail: str = ""
    rsa: str = ""
    mission_locale: str = ""
    neet: str = ""
    rqth: str = ""
    qpv: str = ""
    quartier_qpv: str = ""
    zrr: str = ""
    niveau_diplome: str = ""
    derniere_classe: str = ""
    experience_professionnelle: str = ""
    experience_detail: str = ""
    saison: str = ""
    site: str = ""
    filiere_souhaitee: str = ""
    prescripteur: str = ""
    contact_prescripteur: str = ""
    source: str = ""
    disponibilite: str = ""
    date_candidature: str = ""
    responsable: str = ""
    notes: str = ""
    date_information_rgpd: str = ""
    etape: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


# Plain text columns: input field -> (model attribute, max length, French label)
_TEXT_FIELDS: dict[str, tuple[str, int, str]] = {
    "nom": ("last_name", 120, "Le nom"),
    "nom_usage": ("usage_name", 120, "Le nom d'usage"),
    "prenom": ("first_name", 120, "Le prénom"),
    "commune_naissance": ("birth_place", 120, "La commune de naissance"),
    "adresse": ("address", 250, "L'adresse"),
    "commune": ("city", 120, "La commune"),
    "identifiant_france_travail": ("job_seeker_id", 20, "L'identifiant France Travail"),
    "quartier_qpv": ("qpv_name", 120, "Le quartier"),
    "derniere_classe": ("last_class", 120, "La dernière classe"),
    "experience_detail": ("work_experience_text", 5000, "Le détail de l'expérience"),
    "contact_prescripteur": ("referrer_contact", 200, "Le contact"),
    "source": ("source", 200, "La source"),
    "disponibilite": ("availability", 200, "La disponibilité"),
    "responsable": ("owner", 120, "Le responsable"),
    "notes": ("notes", 20000, "Les notes"),
}
# The texts that may hold several lines (a postal address has up to six); every other text
# field holds one line.
_MULTI_LINE_FIELDS = frozenset({"adresse", "experience_detail", "notes"})
_BOOL_FIELDS: dict[str, str] = {
    "demandeur_emploi": "job_seeker",
    "rsa": "rsa",
    "mission_locale": "mission_locale",
    "neet": "neet",
    "rqth": "rqth",
    "qpv": "qpv",
    "zrr": "zrr",
    "experience_professionnelle": "work_experience",
}
_DATE_FIELDS: dict[str, str] = {
    "date_inscription_france_travail": "job_seeker_since",
    "date_candidature": "application_date",
    "date_information_rgpd": "consent_date",
}


def _field_changes(
    session: Session, data: CandidateInput, today: date, *, create_season: bool = True
) -> tuple[dict[str, Any], Stage | None]:
    """Validate every field; return model attribute values, or raise with all errors at once.

    With `create_season=False` nothing is written: a new season label is only checked.
    """
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def attempt(name: str, parse: Any) -> Any:
        try:
            return parse()
        except FieldError as error:
            errors[name] = str(error)
            return None

    for name, (attribute, max_length, label) in _TEXT_FIELDS.items():
        raw = getattr(data, name)
        one_line = name not in _MULTI_LINE_FIELDS
        values[attribute] = attempt(
            name,
            lambda raw=raw, m=max_length, lbl=label, one=one_line: clean_text(
                raw, m, lbl, one_line=one
            ),
        )
    for name, attribute in _BOOL_FIELDS.items():
        raw = getattr(data, name)
        values[attribute] = attempt(name, lambda raw=raw: parse_bool(raw))
    for name, attribute in _DATE_FIELDS.items():
        raw = getattr(data, name)
        values[attribute] = attempt(name, lambda raw=raw: parse_date(raw))

    if not values["last_name"] and "nom" not in errors:
        errors["nom"] = "Le nom est obligatoire."
    if not values["first_name"] and "prenom" not in errors:
        errors["prenom"] = "Le prénom est obligatoire."

    values["civility"] = attempt(
        "civilite", lambda: _choice(data.civilite, CIVILITIES, "Civilité inconnue")
    )
    values["sex"] = attempt("sexe", lambda: _choice(data.sexe, SEXES, "Sexe inconnu"))
    values["phone"] = attempt("telephone", lambda: parse_phone(data.telephone))
    values["email"] = attempt("email", lambda: parse_email(data.email))
    values["postal_code"] = attempt("code_postal", lambda: parse_postal_code(data.code_postal))
    values["birth_date"] = attempt(
        "date_naissance", lambda: _birth_date(data.date_naissance, today)
    )
    values["diploma_level"] = attempt("niveau_diplome", lambda: _diploma_level(data.niveau_diplome))
    if (
        not values["phone"]
        and not values["email"]
        and "telephone" not in errors
        and "email" not in errors
    ):
        message = "Indiquer au moins un téléphone ou un e-mail."
        errors["telephone"] = message
        errors["email"] = message

    values["season_id"] = attempt(
        "saison", lambda: _season_id(session, data.saison, create=create_season)
    )
    values["site_id"] = attempt(
        "site",
        lambda: _option_id(
            reference.cached(session, reference.sites), data.site, "Site", required=True
        ),
    )
    values["filiere_id"] = attempt(
        "filiere_souhaitee",
        lambda: _option_id(
            reference.cached(session, reference.filieres),
            data.filiere_souhaitee,
            "Filière",
            feminine=True,
        ),
    )
    values["referrer_id"] = attempt(
        "prescripteur",
        lambda: _option_id(
            reference.cached(session, reference.referrers), data.prescripteur, "Prescripteur"
        ),
    )
    stage = attempt("etape", lambda: _stage(session, data.etape))
    if errors:
        raise ValidationError(errors)
    if values["application_date"] is None:
        values["application_date"] = today
    return values, stage


def _choice(raw: str, choices: dict[str, str], unknown: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    for code, long_label in choices.items():
        if fold(text) in (fold(code), fold(long_label)):
            return code
    allowed = ", ".join(f"« {code} »" for code in choices)
    raise FieldError(f"{unknown} : choisir parmi {allowed}.")


def _birth_date(raw: str, today: date) -> date | None:
    birth = parse_date(raw)
    if birth is None:
        return None
    age = age_on(birth, today)
    if not MIN_AGE <= age <= MAX_AGE:
        raise FieldError(
            f"L'âge doit être compris entre {MIN_AGE} et {MAX_AGE} ans (ici {age} ans)."
        )
    return birth


def _diploma_level(raw: str) -> int | None:
    text = fold(raw)
    if not text:
        return None
    if text in ("aucun", "aucun diplome", "0"):
        return 0
    level = text.removeprefix("niveau").strip()
    if level.isdigit() and len(level) <= 2 and int(level) in DIPLOMA_LEVELS:  # not 5000 digits
        return int(level)
    raise FieldError("Niveau attendu : « aucun » ou un niveau de 1 à 8.")


def _season_id(session: Session, raw: str, *, create: bool) -> int | None:
    text = raw.strip()
    if not text:
        raise FieldError("La saison est obligatoire.")
    if reference.parse_season_label(text) is None:
        raise FieldError("Saison attendue sous la forme 2017-2018.")
    if not create:
        return None
    return reference.ensure_season(session, text).id


def _option_id(
    options: list[reference.Option],
    raw: str,
    label: str,
    *,
    required: bool = False,
    feminine: bool = False,
) -> int | None:
    if not raw.strip():
        if required:
            raise FieldError(f"{label} : champ obligatoire.")
        return None
    option = reference.match_option(options, raw)
    if option is None:
        allowed = ", ".join(o.code for o in options)
        unknown = "inconnue" if feminine else "inconnu"
        raise FieldError(f"{label} {unknown} : « {raw.strip()} » (valeurs possibles : {allowed}).")
    return option.id


def _stage(session: Session, raw: str) -> Stage | None:
    if not raw.strip():
        return None
    option = reference.match_option(reference.cached(session, reference.stages), raw)
    if option is None:
        raise FieldError(f"Étape inconnue : « {raw.strip()} ».")
    return session.get(Stage, option.id)


def _index_text(candidate: Candidate) -> None:
    """Refresh the folded copies used by search and duplicate detection."""
    names = [candidate.last_name, candidate.usage_name or "", candidate.first_name]
    parts = [fold(n) for n in names] + [name_key(n) or "" for n in names]
    if candidate.email:
        parts.append(candidate.email.lower())
    phone = digits(format_phone(candidate.phone)) if candidate.phone else ""
    parts.append(phone)
    if candidate.city:
        parts.append(fold(candidate.city))
    parts += number_endings(phone)
    candidate.search_text = " ".join(p for p in parts if p)
    candidate.email_key = candidate.email.lower() if candidate.email else None
    candidate.name_key = name_key(candidate.last_name)
    candidate.usage_name_key = name_key(candidate.usage_name)
    candidate.first_name_key = fold(candidate.first_name) or None


# ---------------------------------------------------------------- create / update


def validate_candidate(session: Session, data: CandidateInput, today: date | None = None) -> None:
    """Raise ValidationError listing every refused field; writes nothing."""
    _field_changes(session, data, today or date.today(), create_season=False)


@dataclass(frozen=True)
class SavedCandidate:
    id: int
    uuid: str
    version: int
    display_name: str


def create_candidate(
    session: Session,
    data: CandidateInput,
    *,
    actor: Actor,
    now: datetime | None = None,
    person_uuid: str | None = None,
) -> SavedCandidate:
    """Validate and insert; the first stage is `candidature reçue` unless the input names one.

    `person_uuid` links a new application to the earlier files of the same person. Only
    coordination records RQTH: anyone else's entry leaves it unknown.
    """
    require_candidate_editor(actor)
    if not can_read_rqth(actor.role):
        data = replace(data, rqth="")
    now = now or datetime.now()
    values, stage = _field_changes(session, data, now.date())
    stage = stage or session.scalars(select(Stage).where(Stage.code == FIRST_STAGE)).one()
    candidate = Candidate(**values, stage=stage, stage_changed_at=now, last_action_at=now)
    stamp_author(candidate, author=actor.author, now=now)
    if person_uuid:
        candidate.person_uuid = person_uuid
    if data.identifiant.strip():
        candidate.uuid = _new_identifier(session, data.identifiant)
    _index_text(candidate)
    session.add(candidate)
    session.flush()
    session.add(
        StageChange(
            candidate_id=candidate.id,
            changed_at=now,
            from_stage_id=None,
            to_stage_id=stage.id,
            author=actor.author,
            comment=(
                "Nouvelle candidature d'une personne déjà connue"
                if person_uuid
                else "Création du dossier"
            ),
        )
    )
    session.flush()
    return _saved(candidate)


def _new_identifier(session: Session, raw: str) -> str:
    try:
        value = str(uuid.UUID(raw.strip()))
    except ValueError:
        raise ValidationError(
            {"identifiant": "Identifiant invalide (format uuid attendu)."}
        ) from None
    if id_for_uuid(session, value) is not None:
        raise ValidationError({"identifiant": "Cet identifiant est déjà celui d'un autre dossier."})
    return value


def update_candidate(
    session: Session,
    candidate_id: int,
    data: CandidateInput,
    *,
    expected_version: int | None,
    actor: Actor,
    now: datetime | None = None,
) -> SavedCandidate:
    """Validate and update; refused if someone saved the file since `expected_version`.

    A stage named in the input (CSV import) is applied as a logged stage change.
    RQTH is kept as stored unless coordination saves (the others never see it).
    """
    require_candidate_editor(actor)
    now = now or datetime.now()
    candidate = load_candidate(session, candidate_id)
    if not can_read_rqth(actor.role):
        data = replace(data, rqth=format_bool(candidate.rqth))
    check_version(candidate, expected_version, CANDIDATE)
    values, stage = _field_changes(session, data, now.date())
    changed = {k: v for k, v in values.items() if getattr(candidate, k) != v}
    if data.date_candidature.strip() == "":
        changed.pop("application_date", None)
    for attribute, value in changed.items():
        setattr(candidate, attribute, value)
    if stage is not None and stage.id != candidate.stage_id:
        _record_stage_change(candidate, stage, author=actor.author, comment="Import", now=now)
        changed["stage_id"] = stage.id
    if changed:
        record_change(candidate, author=actor.author, now=now)
        candidate.last_action_at = now
        _index_text(candidate)
    flush_checked(session, candidate, CANDIDATE)
    return _saved(candidate)


def _saved(candidate: Candidate) -> SavedCandidate:
    return SavedCandidate(candidate.id, candidate.uuid, candidate.version, display_name(candidate))


def load_candidate(session: Session, candidate_id: int) -> Candidate:
    """The candidate row, or a French NotFoundError (deleted meanwhile, for instance)."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFoundError("Ce dossier n'existe plus.")
    return candidate


def season_and_site(session: Session, candidate_id: int) -> tuple[int, int]:
    """The ids of the candidate's season and site (where the list finds them)."""
    candidate = load_candidate(session, candidate_id)
    return candidate.season_id, candidate.site_id


def display_name(candidate: Candidate) -> str:
    return name_for_display(candidate.last_name, candidate.usage_name, candidate.first_name)


def name_for_display(last_name: str, usage_name: str | None, first_name: str) -> str:
    """ "MARTIN (Durand) Léa": what lists show, from the columns (no object loaded)."""
    usage = f" ({usage_name})" if usage_name else ""
    return f"{last_name.upper()}{usage} {first_name}"


def id_for_uuid(session: Session, uuid: str) -> int | None:
    return session.scalar(select(Candidate.id).where(Candidate.uuid == uuid))


# ---------------------------------------------------------------- reading a file


@dataclass(frozen=True)
class HistoryEntry:
    changed_at: datetime
    from_label: str
    to_label: str
    author: str
    comment: str


@dataclass(frozen=True)
class CandidateFile:
    id: int
    uuid: str
    version: int
    display_name: str
    values: CandidateInput
    stage_code: str
    stage_label: str
    exit_type: str | None
    history: list[HistoryEntry] = field(default_factory=list)


def candidate_input(candidate: Candidate) -> CandidateInput:
    """The stored file as the text the form and the CSV show."""
    data = CandidateInput(
        identifiant=candidate.uuid,
        civilite=candidate.civility or "",
        sexe=candidate.sex or "",
        date_naissance=format_date(candidate.birth_date),
        telephone=format_phone(candidate.phone),
        email=candidate.email or "",
        code_postal=candidate.postal_code or "",
        niveau_diplome=_format_level(candidate.diploma_level),
        saison=candidate.season.label,
        site=candidate.site.code,
        filiere_souhaitee=candidate.filiere.label if candidate.filiere else "",
        prescripteur=candidate.referrer.label if candidate.referrer else "",
        etape=candidate.stage.label,
    )
    for name, (attribute, _, _) in _TEXT_FIELDS.items():
        setattr(data, name, getattr(candidate, attribute) or "")
    for name, attribute in _BOOL_FIELDS.items():
        setattr(data, name, format_bool(getattr(candidate, attribute)))
    for name, attribute in _DATE_FIELDS.items():
        setattr(data, name, format_date(getattr(candidate, attribute)))
    return data


def _format_level(level: int | None) -> str:
    if level is None:
        return ""
    return "aucun" if level == 0 else str(level)


def get_candidate(session: Session, candidate_id: int, *, actor: Actor) -> CandidateFile:
    """The file as the form shows it; RQTH is blank ("non renseigné") except for coordination."""
    require_known_role(actor)
    candidate = load_candidate(session, candidate_id)
    values = candidate_input(candidate)
    if not can_read_rqth(actor.role):
        values.rqth = ""
    # "Suivi par" holds an identifiant when the window filled it in: shown as the person.
    values.responsable = person_name(display_names(session), values.responsable)
    return CandidateFile(
        id=candidate.id,
        uuid=candidate.uuid,
        version=candidate.version,
        display_name=display_name(candidate),
        values=values,
        stage_code=candidate.stage.code,
        stage_label=candidate.stage.label,
        exit_type=candidate.exit_type,
        history=stage_history(session, candidate_id),
    )


def stage_history(session: Session, candidate_id: int) -> list[HistoryEntry]:
    """Each change, oldest first, its author shown by their name."""
    names = display_names(session)
    rows = session.scalars(
        select(StageChange)
        .where(StageChange.candidate_id == candidate_id)
        .options(joinedload(StageChange.from_stage), joinedload(StageChange.to_stage))
        .order_by(StageChange.id)  # append-only: the order of recording is the truth
    )
    return [
        HistoryEntry(
            changed_at=row.changed_at,
            from_label=row.from_stage.label if row.from_stage else "—",
            to_label=row.to_stage.label,
            author=person_name(names, row.author),
            comment=row.comment or "",
        )
        for row in rows
    ]


# ---------------------------------------------------------------- stage changes


def allowed_next_stages(session: Session, candidate_id: int) -> list[reference.Option]:
    candidate = load_candidate(session, candidate_id)
    allowed = ALLOWED_TRANSITIONS.get(candidate.stage.code, ())
    return [o for o in reference.cached(session, reference.stages) if o.code in allowed]


def change_stage(
    session: Session,
    candidate_id: int,
    to_code: str,
    *,
    comment: str,
    actor: Actor,
    exit_type: str | None = None,
    pathway_end: str | None = None,
    pathway_end_reason: str = "",
    now: datetime | None = None,
) -> HistoryEntry:
    """Move the candidate to another stage and append the change to its history; a move to
    *sortie* records the exit situation and, when given, how the pathway ended (with the
    reason of an interruption)."""
    require_candidate_editor(actor)
    now = now or datetime.now()
    candidate = load_candidate(session, candidate_id)
    target = session.scalar(select(Stage).where(Stage.code == to_code))
    if target is None:
        raise ValidationError({"etape": f"Étape inconnue : « {to_code} »."})
    if to_code not in ALLOWED_TRANSITIONS.get(candidate.stage.code, ()):
        raise ValidationError(
            {"etape": f"Passage impossible de « {candidate.stage.label} » à « {target.label} »."}
        )
    errors: dict[str, str] = {}
    try:
        text = clean_text(comment, 2000, "Le commentaire")
    except FieldError as error:
        errors["commentaire"] = str(error)
        text = None
    if target.reason_required and not text and "commentaire" not in errors:
        errors["commentaire"] = f"Indiquer le motif (obligatoire pour « {target.label} »)."
    if to_code == EXIT_STAGE and exit_type not in EXIT_TYPES:
        errors["type_sortie"] = "Choisir le type de sortie."
    ended: tuple[str | None, str | None] = (None, None)
    if to_code == EXIT_STAGE and pathway_end is not None:
        try:
            ended = checked_pathway_end(pathway_end, pathway_end_reason)
        except PathwayEndError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    if to_code == EXIT_STAGE:
        candidate.exit_type = exit_type
        if pathway_end is not None:
            candidate.pathway_end, candidate.pathway_end_reason = ended
    elif to_code not in AFTER_EXIT_STAGES:
        candidate.exit_type = None
        candidate.pathway_end = candidate.pathway_end_reason = None
    _record_stage_change(candidate, target, author=actor.author, comment=text, now=now)
    record_change(candidate, author=actor.author, now=now)
    flush_checked(session, candidate, CANDIDATE)
    return stage_history(session, candidate_id)[-1]


def _record_stage_change(
    candidate: Candidate, target: Stage, *, author: str, comment: str | None, now: datetime
) -> None:
    candidate.history.append(
        StageChange(
            changed_at=now,
            from_stage_id=candidate.stage_id,
            to_stage_id=target.id,
            author=author,
            comment=comment,
        )
    )
    candidate.stage = target
    candidate.stage_changed_at = now
    candidate.last_action_at = now


# ---------------------------------------------------------------- duplicates


@dataclass(frozen=True)
class DuplicateMatch:
    id: int
    person_uuid: str
    display_name: str
    birth_date: str
    season: str
    site: str
    stage: str
    reasons: tuple[str, ...]


def find_duplicates(
    session: Session, data: CandidateInput, *, exclude_id: int | None = None
) -> list[DuplicateMatch]:
    """Files of the same person: same e-mail, same phone, or same name and birth date."""
    conditions = []
    email = search_text(data.email).strip().lower()
    if email:
        conditions.append(Candidate.email_key == email)
    try:
        phone = parse_phone(data.telephone)
    except FieldError:
        phone = None
    if phone:
        conditions.append(Candidate.phone == phone)
    try:
        birth = parse_date(data.date_naissance)
    except FieldError:
        birth = None
    names = (search_text(data.nom), search_text(data.nom_usage))
    keys = {k for k in (name_key(name) for name in names) if k}
    if birth and keys:
        conditions.append(
            and_(
                Candidate.birth_date == birth,
                or_(Candidate.name_key.in_(keys), Candidate.usage_name_key.in_(keys)),
            )
        )
    if not conditions:
        return []
    query = (
        select(Candidate)
        .where(or_(*conditions))
        .options(
            joinedload(Candidate.season), joinedload(Candidate.site), joinedload(Candidate.stage)
        )
    )
    if exclude_id is not None:
        query = query.where(Candidate.id != exclude_id)
    matches = []
    for candidate in session.scalars(query.order_by(Candidate.id).limit(20)):
        reasons = []
        if email and candidate.email_key == email:
            reasons.append("même e-mail")
        if phone and candidate.phone == phone:
            reasons.append("même téléphone")
        if (
            birth
            and candidate.birth_date == birth
            and keys & {candidate.name_key, candidate.usage_name_key}
        ):
            reasons.append("même nom et même date de naissance")
        matches.append(
            DuplicateMatch(
                id=candidate.id,
                person_uuid=candidate.person_uuid,
                display_name=display_name(candidate),
                birth_date=format_date(candidate.birth_date),
                season=candidate.season.label,
                site=candidate.site.name,
                stage=candidate.stage.label,
                reasons=tuple(reasons),
            )
        )
    return matches


# ---------------------------------------------------------------- search and rows


@dataclass(frozen=True)
class CandidateQuery:
    text: str = ""
    season_id: int | None = None
    site_id: int | None = None
    stage_id: int | None = None
    filiere_id: int | None = None


SORT_COLUMNS = ("name", "age", "site", "season", "filiere", "stage", "last_action", "phone")
_PHONE_QUERY = re.compile(r"^[\d\s.+\-()/]+$")


def _search_terms(text: str) -> list[str]:
    text = search_text(text).strip()
    if not text:
        return []
    if _PHONE_QUERY.match(text) and len(digits(text)) >= 2:
        number = digits(text)
        if text.startswith("+") or number.startswith("00"):
            # A complete international number: search it the way it is shown.
            try:
                return [digits(format_phone(parse_phone(text)))]
            except FieldError:
                pass
        if text.startswith("+33") or number.startswith("0033"):
            national = number.removeprefix("00").removeprefix("33")
            number = "0" + national.removeprefix("0")
        return [number]
    if "@" in text:
        return [text.lower()]
    return search_words(text)


def filtered_ids(
    query: CandidateQuery, *, full_text: bool, dense: bool = False, dialect: str = "sqlite"
) -> Select[tuple[int]]:
    """The matching ids, unordered. `full_text`: the engine has the word index (SQLite's
    FTS5, PostgreSQL's GIN index of its words); without it every term is a substring test.
    `dense`: the rows are best read in the list's order, each tested (see _is_dense and
    _walks_in_list_order)."""
    statement = select(Candidate.id)
    terms = _search_terms(query.text)
    indexed = [term for term in terms if full_text and fulltext.is_indexable(term, dialect)]
    site_id = query.site_id
    if indexed and dialect == "postgresql":
        # A condition on the row, on the word index or (dense) tested on each row read in
        # the list's order (ix_candidate_season_display_order, ix_candidate_display_order).
        statement = statement.where(fulltext.words_match(indexed, on_index=not dense))
    elif indexed:
        # "+ 0" keeps SQLite from fetching each match by its id then sorting them all: it
        # reads the list's order off its index and keeps the matches (twice as fast when
        # half the base matches; much slower when few do).
        matched = Candidate.id + 0 if dense else Candidate.id
        in_scope = fulltext.matching_ids(indexed, season_id=query.season_id, site_id=site_id)
        statement = statement.where(matched.in_(in_scope))
        # The index kept the site's files. The season stays: SQLite then reads the season's
        # files in the list's order off ix_candidate_season_display_order.
        site_id = None
    for term in terms:
        if term not in indexed:
            statement = statement.where(fulltext.contains(Candidate.search_text, term))
    for column, value in (
        (Candidate.season_id, query.season_id),
        (Candidate.site_id, site_id),
        (Candidate.stage_id, query.stage_id),
        (Candidate.filiere_id, query.filiere_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return statement


def _filtered(
    session: Session, query: CandidateQuery, *, in_list_order: bool = False, wanted: int = 0
) -> Select[tuple[int]]:
    """`in_list_order`: the first `wanted` rows in the list's order are all that is read."""
    connection = session.connection()
    dense = _reads_in_list_order(session, query, in_list_order=in_list_order, wanted=wanted)
    return filtered_ids(
        query,
        full_text=fulltext.has_index(connection),
        dense=dense,
        dialect=connection.dialect.name,
    )


def _reads_in_list_order(
    session: Session, query: CandidateQuery, *, in_list_order: bool, wanted: int
) -> bool:
    """Whether the rows are read in the list's order, each tested against the words, rather
    than the matches fetched off the word index (then sorted when the list's order is asked)."""
    connection = session.connection()
    if not in_list_order or not fulltext.has_index(connection):
        return False
    if connection.dialect.name == "postgresql":
        return _walks_in_list_order(session, query, wanted)
    return _is_dense(session, query)


def _dialect(session: Session) -> str:
    return session.connection().dialect.name


def _indexed_terms(session: Session, query: CandidateQuery) -> list[str] | None:
    """The terms when the word index can answer for all of them, else None."""
    terms = _search_terms(query.text)
    if not terms or not fulltext.has_index(session.connection()):
        return None
    dialect = _dialect(session)
    return terms if all(fulltext.is_indexable(term, dialect) for term in terms) else None


def _all_files(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Candidate)) or 0


# Above this share of the base, reading the list's index (until the first rows are found)
# beats fetching every match and sorting them. Measured on 100 000 files: the two cross near
# 3 % while the files' pages are in the cache; a first search that fetches 3 700 files whose
# pages are not yet decrypted takes 52 ms, against 16 ms off the list's index.
DENSE_SHARE = 0.03


def _is_dense(session: Session, query: CandidateQuery) -> bool:
    """Whether the typed words match more than DENSE_SHARE of all files (a first letter or
    two over every season, say)."""
    if query.season_id is not None:
        return False  # a season's files are read off its own index, in the list's order
    indexed = [term for term in _search_terms(query.text) if fulltext.is_indexable(term)]
    if not indexed:
        return False
    return _match_count(session, indexed, query) > DENSE_SHARE * _all_files(session)


# PostgreSQL plans a search from its guess of the matches, and a word's beginning is a poor
# one ("06" begins every mobile number, each a word of its own: the server guessed 2 % of the
# base, 100 % matched, and sorted all 100 000 to show the first 2 000). The matches are
# counted instead (the list shows the count anyway) and the rows are read in the list's
# order, each tested, when that reads fewer rows than fetching and sorting every match:
# wanted / share rows read at about WALK_COST_RATIO times the cost of each match fetched.
WALK_COST_RATIO = 2.0


def _walks_in_list_order(session: Session, query: CandidateQuery, wanted: int) -> bool:
    """PostgreSQL: whether the first rows are best read in the list's order, each tested.
    Within a season, whenever more match than the rows wanted: the season's files are read
    off their own index, and a season is a small part of the base (reading all of its files
    costs less than fetching and sorting the thousands that match "0")."""
    indexed = [t for t in _search_terms(query.text) if fulltext.is_indexable(t, "postgresql")]
    if not indexed or not wanted:
        return False
    matches = _match_count(session, indexed, query)
    if query.season_id is not None:
        return matches > wanted
    return matches * matches > WALK_COST_RATIO * wanted * _server_files(session)


_ESTIMATED_FILES = sql_text("SELECT reltuples FROM pg_class WHERE oid = 'candidate'::regclass")


def _server_files(session: Session) -> int:
    """PostgreSQL: the files of the base as the server last counted them (VACUUM, ANALYZE),
    close enough to choose a plan and read at once; counted when it never has."""
    estimate = session.scalar(_ESTIMATED_FILES)
    return int(estimate) if estimate is not None and estimate > 0 else _all_files(session)


# ---- counts shared by the calls of one session
#
# The list asks for its first ids, then for the count: the word index counts the matches
# while search_ids looks at them, and the count is kept for the second call. SQLite: keyed by
# the connection's count of changed rows, a write in between makes it stale. PostgreSQL: kept
# within one transaction that has written nothing (a read sees one instant of the base).

_COUNTS = "candidate_match_counts"
_CountKey = tuple[tuple[str, ...], int | None, int | None, object]
_NOTHING_WRITTEN = sql_text("SELECT txid_current_if_assigned() IS NULL")


def _count_key(session: Session, terms: list[str], query: CandidateQuery) -> _CountKey | None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        if not connection.scalar(_NOTHING_WRITTEN):
            return None
        moment: object = session.get_transaction()
    else:
        driver = connection.connection.driver_connection
        moment = int(getattr(driver, "total_changes", 0))
    return (tuple(terms), query.season_id, query.site_id, moment)


def _match_count(session: Session, terms: list[str], query: CandidateQuery) -> int:
    """Candidates whose words begin with the terms, in the query's season and site."""
    key = _count_key(session, terms, query)
    known: dict[_CountKey, int] = session.info.get(_COUNTS, {})
    if key is None or key not in known:
        matching = fulltext.matching_ids(
            terms, season_id=query.season_id, site_id=query.site_id, dialect=_dialect(session)
        )
        matches = session.scalar(select(func.count()).select_from(matching.subquery())) or 0
        if key is None:
            return matches
        known = session.info[_COUNTS] = {key: matches}
    return known[key]


# ---- the first rows of a search matching most files, over every season

# From this share of the base on, _first_in_list_order reads the first rows off the names
# starting like the list's first ones: WINDOW_MARGIN times as many names as the share predicts
# to hold the rows wanted (more costs little: the reading stops at the rows wanted).
WINDOW_SHARE = 0.25
WINDOW_MARGIN = 2.0


def _first_in_list_order(session: Session, query: CandidateQuery, wanted: int) -> list[int] | None:
    """The first `wanted` matches in the list's order, when the words match a large share of
    the base over every season ("0" or "06": every mobile number; a first letter).

    SQLite would take in every match before finding the first ones in the list's order (30 ms
    and more for 100 000 files). Instead it takes in the matches among the names that start
    like the list's first names (the index holds each name's first two letters), and reads
    those names in order until it has the rows wanted.

    None when this does not apply (the caller then asks SQLite): fewer matches, too few among
    the first names, a season (read off its own index), a stage or field filter, or another
    engine than SQLite (its planner chooses between the word index and the list's order)."""
    if _dialect(session) != "sqlite":
        return None
    terms = _indexed_terms(session, query)
    if terms is None or (query.season_id, query.stage_id, query.filiere_id) != (None,) * 3:
        return None
    matches, files = _match_count(session, terms, query), _all_files(session)
    if not matches or matches < WINDOW_SHARE * files:
        return None
    # Files without a name key (anonymised) come first in the list: looked up on their own,
    # they cannot crowd the first names.
    first = _unnamed_matches(session, terms, query.site_id, wanted)
    if len(first) < wanted:
        names = math.ceil(WINDOW_MARGIN * (wanted - len(first)) * files / matches)
        named = _first_named_matches(session, terms, query.site_id, wanted - len(first), names)
        if named is None:
            return None
        first += named
    return first[:wanted]


def _unnamed_matches(
    session: Session, terms: list[str], site_id: int | None, wanted: int
) -> list[int]:
    """The first matches without a name key, in the list's order."""
    without_name = fulltext.matching_ids(
        terms, site_id=site_id, name_starts=[fulltext.NO_NAME_START]
    )
    statement = (
        select(Candidate.id)
        .where(Candidate.name_key.is_(None), Candidate.id.in_(without_name))
        .order_by(Candidate.first_name_key, Candidate.id)
        .limit(wanted)
    )
    return scalar_list(session, statement)


def _first_named_matches(
    session: Session, terms: list[str], site_id: int | None, wanted: int, names: int
) -> list[int] | None:
    """The first `wanted` matches with a name key, in the list's order, among the first
    `names` named files (and those of the same name as the last). None when fewer match."""
    named = Candidate.name_key.is_not(None)
    in_order = (Candidate.name_key, Candidate.first_name_key, Candidate.id)
    first_names = select(Candidate.name_key).where(named).order_by(*in_order).limit(names)
    last_name = session.scalar(first_names.limit(1).offset(names - 1))
    if last_name is None:
        return None  # fewer named files: SQLite reads them all as fast
    # A name's start word depends on its first two characters only.
    beginnings = select(func.substr(first_names.subquery().c.name_key, 1, 2)).distinct()
    words = sorted({fulltext.name_start_word(start) for start in session.scalars(beginnings)})
    in_names = fulltext.matching_ids(terms, site_id=site_id, name_starts=words)
    # "+ 0": the names are read in order off ix_candidate_display_order, each match kept.
    statement = (
        select(Candidate.id)
        .where(Candidate.name_key <= last_name, (Candidate.id + 0).in_(in_names))
        .order_by(*in_order)
        .limit(wanted)
    )
    first = scalar_list(session, statement)
    return first if len(first) == wanted else None


def search_ids(
    session: Session,
    query: CandidateQuery,
    *,
    sort: str = "name",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[int]:
    """Ids of matching candidates in display order (`limit` of them from `offset`, or all);
    rows are fetched later, page by page."""
    in_list_order = sort == "name" and limit is not None
    if in_list_order and not descending and limit is not None:
        first = _first_in_list_order(session, query, offset + limit)
        if first is not None:
            return first[offset:]
    # The index walk pays off when only the first rows are wanted (see DENSE_SHARE).
    wanted = offset + limit if limit is not None else 0
    connection = session.connection()
    dialect = connection.dialect.name
    dense = _reads_in_list_order(session, query, in_list_order=in_list_order, wanted=wanted)
    statement = filtered_ids(
        query, full_text=fulltext.has_index(connection), dense=dense, dialect=dialect
    )
    # PostgreSQL: the matches are fetched off the word index and sorted, not looked for in
    # the list's order: "|| ''" hides the list's index from the planner, which would read it
    # when it guesses the matches many and spread (a first letter: they are many, but all
    # in the names of that letter, tens of thousands of rows on). See WALK_COST_RATIO.
    sorted_matches = (
        dialect == "postgresql"
        and in_list_order
        and not dense
        and any(fulltext.is_indexable(t, dialect) for t in _search_terms(query.text))
    )
    order: list[Any]
    if sort == "age":
        # Older people have earlier birth dates: ascending age = descending birth date.
        # Built here in both directions: `.desc()` on a `DESC` term renders "DESC DESC".
        unknown_last = Candidate.birth_date.is_(None)
        if descending:
            order = [unknown_last.desc(), Candidate.birth_date.asc()]
        else:
            order = [unknown_last, Candidate.birth_date.desc()]
    elif sort == "site":
        statement = statement.join(Site, Site.id == Candidate.site_id)
        order = [Site.name]
    elif sort == "season":
        statement = statement.join(Season, Season.id == Candidate.season_id)
        order = [Season.start_date]
    elif sort == "filiere":
        statement = statement.outerjoin(Filiere, Filiere.id == Candidate.filiere_id)
        order = [Filiere.position]
    elif sort == "stage":
        statement = statement.join(Stage, Stage.id == Candidate.stage_id)
        order = [Stage.position]
    elif sort == "last_action":
        order = [Candidate.last_action_at]
    elif sort == "phone":
        order = [Candidate.phone]
    elif sorted_matches:
        order = [Candidate.name_key.concat(""), Candidate.first_name_key]
    else:
        order = [Candidate.name_key, Candidate.first_name_key]
    if descending and sort != "age":
        order = [o.desc() if hasattr(o, "desc") else o for o in order]
    statement = statement.order_by(*order, Candidate.id)
    if limit is not None:
        statement = statement.limit(limit).offset(offset)
    return scalar_list(session, statement)


def count(session: Session, query: CandidateQuery) -> int:
    terms = _indexed_terms(session, query)
    if terms is not None and (query.stage_id, query.filiere_id) == (None, None):
        # Words only, in a season or a site at most: the index counts its matches without
        # reading the files (or has counted them already, while search_ids read the ids).
        return _match_count(session, terms, query)
    return (
        session.scalar(select(func.count()).select_from(_filtered(session, query).subquery())) or 0
    )


@dataclass(frozen=True)
class CandidateRow:
    id: int
    name: str
    age: int | None
    site: str
    season: str
    filiere: str
    stage: str
    stage_code: str
    last_action: datetime | None
    phone: str


def rows(session: Session, ids: list[int], today: date | None = None) -> dict[int, CandidateRow]:
    """The table rows of these candidates, keyed by id (one query, columns only)."""
    today = today or date.today()
    if not ids:
        return {}
    statement = (
        select(
            Candidate.id,
            Candidate.last_name,
            Candidate.usage_name,
            Candidate.first_name,
            Candidate.birth_date,
            Site.name,
            Season.label,
            Filiere.label,
            Stage.label,
            Stage.code,
            Candidate.last_action_at,
            Candidate.phone,
        )
        .join(Site, Site.id == Candidate.site_id)
        .join(Season, Season.id == Candidate.season_id)
        .join(Stage, Stage.id == Candidate.stage_id)
        .outerjoin(Filiere, Filiere.id == Candidate.filiere_id)
        .where(Candidate.id.in_(ids))
    )
    result = {}
    for row in session.execute(statement):
        candidate_id, last, usage, first, born, site, season, filiere = row[:8]
        stage, stage_code, last_action, phone = row[8:]
        result[candidate_id] = CandidateRow(
            id=candidate_id,
            name=name_for_display(last, usage, first),
            age=age_on(born, today) if born else None,
            site=site,
            season=season,
            filiere=filiere or "",
            stage=stage,
            stage_code=stage_code,
            last_action=last_action,
            phone=phone_for_list(phone),
        )
    return result


_METROPOLITAN = re.compile(r"(?:\+33|0)([1-9]\d{8})")


def phone_for_list(e164: str | None) -> str:
    """`format_phone`, with a shortcut for the usual case (a metropolitan number, stored in
    E.164 or, from older imports, in the national form): a page of the list shows two
    hundred of them."""
    found = _METROPOLITAN.fullmatch(e164) if e164 else None
    if found is None:
        return format_phone(e164)
    national = "0" + found.group(1)
    return " ".join(national[i : i + 2] for i in range(0, 10, 2))
