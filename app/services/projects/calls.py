"""The call for projects of a season: one per season, open from 1 October to 31 January by
default, and the reference of the projects submitted to it ("AAP-2026-003")."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.domain.projects import ProjectCall
from app.services import reference
from app.services.actor import Actor
from app.services.errors import NotFoundError, UserFacingError, ValidationError
from app.services.permissions import require_project_editor, require_project_reader
from app.services.validation import FieldError, clean_text, format_date, parse_date

__all__ = [
    "CallInfo",
    "call_for_season",
    "call_info",
    "default_call_dates",
    "ensure_call",
    "load_call",
    "project_reference",
    "update_call",
]

MAX_NOTES_LENGTH = 4000


@dataclass(frozen=True)
class CallInfo:
    id: int
    season_label: str
    opens_on: date
    closes_on: date
    notes: str

    def is_open(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on

    @property
    def period(self) -> str:
        """ "du 01/10/2026 au 31/01/2027"."""
        return f"du {format_date(self.opens_on)} au {format_date(self.closes_on)}"


def _start_year(season_label: str) -> int:
    start = reference.parse_season_label(season_label)
    if start is None:
        raise UserFacingError(f"Saison inconnue : « {season_label} » (attendu : 2026-2027).")
    return start


def project_reference(season_label: str, number: int) -> str:
    """ "AAP-2026-003": the call's first year and the project's number within the call."""
    start = reference.parse_season_label(season_label)
    year = str(start) if start is not None else season_label[:4]
    return f"AAP-{year}-{number:03d}"


def default_call_dates(season_label: str) -> tuple[date, date]:
    """1 October of the season's first year to 31 January of the next."""
    start = _start_year(season_label)
    return date(start, 10, 1), date(start + 1, 1, 31)


def call_info(call: ProjectCall) -> CallInfo:
    return CallInfo(
        id=call.id,
        season_label=call.season.label,
        opens_on=call.opens_on,
        closes_on=call.closes_on,
        notes=call.notes or "",
    )


def ensure_call(session: Session, season_label: str) -> ProjectCall:
    """The season's call, created with the default dates (and the season itself) if missing."""
    _start_year(season_label)
    season = reference.ensure_season(session, season_label)
    call = session.scalar(
        select(ProjectCall)
        .where(ProjectCall.season_id == season.id)
        .options(joinedload(ProjectCall.season))
    )
    if call is None:
        opens_on, closes_on = default_call_dates(season_label)
        call = ProjectCall(season=season, opens_on=opens_on, closes_on=closes_on, notes="")
        session.add(call)
        session.flush()
    return call


def load_call(session: Session, call_id: int) -> ProjectCall:
    call = session.get(ProjectCall, call_id, options=[joinedload(ProjectCall.season)])
    if call is None:
        raise NotFoundError("Cet appel à projets n'existe plus.")
    return call


def call_for_season(session: Session, season_label: str, *, actor: Actor) -> CallInfo:
    """The season's call; a reader may trigger its creation with the default dates."""
    require_project_reader(actor)
    return call_info(ensure_call(session, season_label))


def update_call(
    session: Session, call_id: int, opens_on: str, closes_on: str, notes: str, *, actor: Actor
) -> CallInfo:
    """New dates (JJ/MM/AAAA) and notes of a call; coordination only."""
    require_project_editor(actor)
    call = load_call(session, call_id)
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, text in (("opens_on", opens_on), ("closes_on", closes_on)):
        try:
            days[name] = parse_date(text)
        except FieldError as error:
            errors[name] = str(error)
            continue
        if days[name] is None:
            errors[name] = "La date est obligatoire."
    try:
        clean_notes = clean_text(notes, MAX_NOTES_LENGTH, "Les notes") or ""
    except FieldError as error:
        errors["notes"] = str(error)
    start, end = days.get("opens_on"), days.get("closes_on")
    if start is not None and end is not None and end < start:
        errors["closes_on"] = (
            f"La clôture doit suivre l'ouverture de l'appel ({format_date(start)})."
        )
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    call.opens_on, call.closes_on, call.notes = start, end, clean_notes
    session.flush()
    return call_info(call)
