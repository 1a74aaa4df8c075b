"""Presence that happened: absences and late arrivals of an intern, by half-day, from the
tutor's weekly sheet, and the hours actually done. No Qt.

The planned hours are THE hours of the agreement (`agreement_hours_for`: the terms in force
each day, public holidays and interruptions excluded), up to the early end of a broken-off
agreement. A recorded absence takes away half of that day's planned hours under the terms in
force that day; a late arrival its minutes, at most the half-day. Hours done = planned −
absent. The attestation de stage and the fiche d'évaluation print these figures.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import AgreementAbsence
from app.domain.agreement import AbsenceKind, AgreementStatus, HalfDay
from app.domain.agreement_rules import (
    HoursTotal,
    effective_hours,
    french_public_holidays,
)
from app.domain.agreement_terms import TermsInForce, terms_in_force
from app.pdf.quantities import format_hours
from app.services.actor import Actor
from app.services.agreements.details import AgreementInfo, get_agreement
from app.services.agreements.issued_documents import ATTESTATION, issued_document
from app.services.agreements.versions import agreement_hours_for
from app.services.errors import NotFoundError, ValidationError
from app.services.permissions import can_record_presence, require_presence_recorder
from app.services.validation import FieldError, clean_line, format_date, parse_date

__all__ = [
    "MAX_REASON",
    "RECORDING_STATUSES",
    "AbsenceInfo",
    "AbsenceInput",
    "PresenceData",
    "PresenceSummary",
    "delete_absence",
    "list_absences",
    "presence",
    "presence_absences",
    "presence_summary",
    "record_absence",
    "recording_refusal",
    "update_absence",
]

S = AgreementStatus
MAX_REASON = 500
# Absences are recorded once the internship has started, and after it ended (the last
# weekly sheet comes later); never on a draft, an agreement to sign or a cancelled one.
RECORDING_STATUSES = frozenset({S.ONGOING.value, S.FINISHED.value, S.BROKEN.value})
_FINISHED = frozenset({S.FINISHED.value, S.BROKEN.value})
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_HALF_DAY_ORDER = {HalfDay.MORNING.value: 0, HalfDay.AFTERNOON.value: 1}


# ---------------------------------------------------------------- input and output


@dataclass(frozen=True)
class AbsenceInput:
    """One line of the weekly sheet as typed: date JJ/MM/AAAA, minutes as text."""

    day: str
    half_day: str = HalfDay.MORNING.value
    kind: str = AbsenceKind.ABSENCE.value
    minutes: str = ""  # a late arrival's minutes; ignored for an absence
    justified: bool = False
    reason: str = ""
    document_received: bool = False


@dataclass(frozen=True)
class AbsenceInfo:
    id: int
    day: date
    half_day: str
    half_day_label: str
    kind: str
    kind_label: str
    minutes: int | None
    justified: bool
    reason: str
    document_received: bool
    hours: float  # hours of presence lost (0 when the day no longer counts)
    recorded_by: str
    recorded_at: datetime

    @property
    def is_late(self) -> bool:
        return self.kind == AbsenceKind.LATE.value

    @property
    def description(self) -> str:
        """ "absence", "retard de 20 min"."""
        return f"retard de {self.minutes} min" if self.is_late else "absence"


def _justified(count: int, justified: int, *, feminine: bool) -> str:
    ending = "e" if feminine else ""
    if justified == 0:
        return f" (non justifié{ending}{'s' if count > 1 else ''})"
    if justified == count:
        return f" (justifié{ending}{'s' if count > 1 else ''})"
    return f" (dont {justified} justifié{ending}{'s' if justified > 1 else ''})"


@dataclass(frozen=True)
class PresenceSummary:
    start: date
    end: date  # the last day counted: the planned end, or the early end
    ended_early: bool
    finished: bool  # terminée or rompue: the hours done are final
    planned: HoursTotal  # THE planned hours over start → end
    absent_hours: float
    done_hours: float
    absences: int  # half-days of absence
    absences_justified: int
    lates: int
    lates_justified: int
    explanation: str  # one French sentence: how the hours done were computed

    @property
    def planned_hours(self) -> float:
        return round(self.planned.hours, 2)

    @property
    def justified(self) -> int:
        return self.absences_justified + self.lates_justified

    @property
    def counts_text(self) -> str:
        """ "2 demi-journées d'absence (dont 1 justifiée), 1 retard (non justifié)"; "" if none."""
        parts = []
        if self.absences:
            plural = "s" if self.absences > 1 else ""
            parts.append(
                f"{self.absences} demi-journée{plural} d'absence"
                + _justified(self.absences, self.absences_justified, feminine=True)
            )
        if self.lates:
            plural = "s" if self.lates > 1 else ""
            parts.append(
                f"{self.lates} retard{plural}"
                + _justified(self.lates, self.lates_justified, feminine=False)
            )
        return ", ".join(parts)

    @property
    def unjustified(self) -> int:
        return self.absences + self.lates - self.justified


@dataclass(frozen=True)
class PresenceData:
    """What the Présence tab shows, read in one session."""

    agreement_id: int
    status: str
    absences: tuple[AbsenceInfo, ...]
    summary: PresenceSummary
    refusal: str  # "" when absences may be recorded now, else why not (French)
    # A day inside the counted period the entry row proposes: the last one, or today.
    suggested_day: date


# ---------------------------------------------------------------- the agreement's days


@dataclass(frozen=True)
class _Period:
    info: AgreementInfo
    versions: tuple[TermsInForce, ...]
    start: date
    end: date
    ended_early: bool


def _period(session: Session, agreement_id: int) -> _Period:
    info = get_agreement(session, agreement_id)
    versions = info.versions
    latest = versions[-1].terms
    end = latest.end
    early = info.status == S.BROKEN.value and info.ended_on is not None
    if early and info.ended_on is not None:
        end = min(end, info.ended_on)
    return _Period(info, versions, latest.start, end, early)


def _day_hours(versions: Sequence[TermsInForce], day: date) -> float:
    """Planned hours of one day, by the same rule as the agreement's total."""
    terms = terms_in_force(versions, day)
    return effective_hours(day, day, terms.week, terms.interruptions).hours


def _half_day_hours(period: _Period, day: date) -> float:
    if not period.start <= day <= period.end:
        return 0.0
    return _day_hours(period.versions, day) / 2


def _lost_hours(period: _Period, day: date, kind: str, minutes: int | None) -> float:
    half = _half_day_hours(period, day)
    if kind == AbsenceKind.LATE.value:
        return min((minutes or 0) / 60, half)
    return half


def _not_a_presence_day(period: _Period, day: date) -> str:
    """Why `day` has no planned presence under the terms in force that day (French)."""
    terms = terms_in_force(period.versions, day)
    when = f"le {_WEEKDAYS[day.weekday()]} {format_date(day)}"
    if day in french_public_holidays(day.year):
        return f"Pas de présence prévue {when} : c'est un jour férié."
    if any(interruption.contains(day) for interruption in terms.interruptions):
        return f"Pas de présence prévue {when} : le stage est interrompu ce jour-là."
    if day.weekday() == 6:
        return f"Pas de présence prévue {when} : le stagiaire a droit au repos dominical."
    return (
        f"Pas de présence prévue {when} : les horaires en vigueur ce jour-là ne prévoient "
        f"aucune heure le {_WEEKDAYS[day.weekday()]}."
    )


# ---------------------------------------------------------------- reading


def _info(row: AgreementAbsence, period: _Period) -> AbsenceInfo:
    return AbsenceInfo(
        id=row.id,
        day=row.day,
        half_day=row.half_day,
        half_day_label=HalfDay(row.half_day).label,
        kind=row.kind,
        kind_label=AbsenceKind(row.kind).label,
        minutes=row.minutes,
        justified=row.justified,
        reason=row.reason,
        document_received=row.document_received,
        hours=round(_lost_hours(period, row.day, row.kind, row.minutes), 2),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def _rows(session: Session, agreement_id: int) -> list[AgreementAbsence]:
    rows = session.scalars(
        select(AgreementAbsence).where(AgreementAbsence.agreement_id == agreement_id)
    ).all()
    return sorted(rows, key=lambda r: (r.day, _HALF_DAY_ORDER.get(r.half_day, 2), r.id))


def _absences(session: Session, period: _Period) -> tuple[AbsenceInfo, ...]:
    return tuple(_info(row, period) for row in _rows(session, period.info.id))


def list_absences(session: Session, agreement_id: int, *, actor: Actor) -> list[AbsenceInfo]:
    """The recorded absences and late arrivals, by date then half-day."""
    require_presence_recorder(actor)
    return list(_absences(session, _period(session, agreement_id)))


def _summary(
    period: _Period, absences: Sequence[AbsenceInfo], planned: HoursTotal
) -> PresenceSummary:
    absent = round(sum(a.hours for a in absences), 2)
    done = round(planned.hours - absent, 2)
    lates = [a for a in absences if a.is_late]
    whole = [a for a in absences if not a.is_late]
    source = "la convention et ses avenants signés" if len(period.versions) > 1 else "la convention"
    span = f"du {format_date(period.start)} au {format_date(period.end)}"
    if period.ended_early:
        span += ", date de fin anticipée"
    if absences:
        explanation = (
            f"Heures effectuées : les {format_hours(planned.hours)} prévues par {source} "
            f"{span} (jours fériés et interruptions déduits), moins "
            f"{format_hours(absent)} d'absence relevées sur les feuilles de présence ; une "
            "demi-journée d'absence retire la moitié des heures prévues ce jour-là, un retard "
            "sa durée."
        )
    else:
        explanation = (
            f"Heures effectuées : les {format_hours(planned.hours)} prévues par {source} "
            f"{span} (jours fériés et interruptions déduits) ; aucune absence n'a été relevée "
            "sur les feuilles de présence."
        )
    return PresenceSummary(
        start=period.start,
        end=period.end,
        ended_early=period.ended_early,
        finished=period.info.status in _FINISHED,
        planned=planned,
        absent_hours=absent,
        done_hours=done,
        absences=len(whole),
        absences_justified=sum(1 for a in whole if a.justified),
        lates=len(lates),
        lates_justified=sum(1 for a in lates if a.justified),
        explanation=explanation,
    )


def _planned(session: Session, period: _Period) -> HoursTotal:
    until = period.end if period.ended_early else None
    return agreement_hours_for(session, period.info.id, until=until).total


def presence_summary(session: Session, agreement_id: int) -> PresenceSummary:
    """Planned hours, hours of recorded absence and hours done, with how they were computed.
    For the documents: no role (the attestation and the fiche print it)."""
    period = _period(session, agreement_id)
    return _summary(period, _absences(session, period), _planned(session, period))


def presence_absences(session: Session, agreement_id: int) -> tuple[AbsenceInfo, ...]:
    """The recorded absences, for the documents (the fiche d'évaluation lists them)."""
    return _absences(session, _period(session, agreement_id))


def _refusal(session: Session, period: _Period) -> str:
    info = period.info
    if info.status == S.SIGNED.value:
        return (
            "Les absences s'enregistrent à partir du premier jour du stage "
            f"({format_date(period.start)}) : la convention est signée, le stage n'a pas "
            "commencé."
        )
    if info.status not in RECORDING_STATUSES:
        return (
            "Les absences s'enregistrent pendant et après le stage (convention en cours, "
            f"terminée ou rompue) : cette convention est {info.status_label}."
        )
    issued = issued_document(session, info.id, ATTESTATION)
    if issued is not None:
        return (
            f"L'attestation de stage n° {issued.number} a été délivrée le "
            f"{format_date(issued.issued_on)} : les heures qu'elle certifie ne changent plus."
        )
    return ""


def recording_refusal(session: Session, agreement_id: int) -> str:
    """Why absences cannot be recorded on this agreement now ("" when they can)."""
    return _refusal(session, _period(session, agreement_id))


def presence(session: Session, agreement_id: int, *, actor: Actor, today: date) -> PresenceData:
    """The Présence tab in one read: the absences, the totals, whether recording is open."""
    require_presence_recorder(actor)
    period = _period(session, agreement_id)
    absences = _absences(session, period)
    refusal = _refusal(session, period) if can_record_presence(actor.role) else ""
    suggested = min(max(today, period.start), period.end)
    return PresenceData(
        agreement_id=agreement_id,
        status=period.info.status,
        absences=absences,
        summary=_summary(period, absences, _planned(session, period)),
        refusal=refusal,
        suggested_day=suggested,
    )


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class _Parsed:
    day: date
    half_day: HalfDay
    kind: AbsenceKind
    minutes: int | None
    justified: bool
    reason: str
    document_received: bool


def _parse_choice(
    raw: str, choices: type[HalfDay] | type[AbsenceKind], message: str
) -> HalfDay | AbsenceKind:
    text = raw.strip().lower()
    for choice in choices:
        if text in (choice.value, choice.label):
            return choice
    raise FieldError(message)


def _parse(data: AbsenceInput, period: _Period, today: date) -> _Parsed:
    errors: dict[str, str] = {}
    day: date | None = None
    try:
        day = parse_date(data.day)
        if day is None:
            errors["date"] = "Indiquer la date de l'absence (JJ/MM/AAAA)."
    except FieldError as error:
        errors["date"] = str(error)
    half_day = HalfDay.MORNING
    try:
        half = _parse_choice(data.half_day, HalfDay, "Demi-journée attendue : matin ou après-midi.")
        assert isinstance(half, HalfDay)
        half_day = half
    except FieldError as error:
        errors["demi_journee"] = str(error)
    kind = AbsenceKind.ABSENCE
    try:
        chosen = _parse_choice(data.kind, AbsenceKind, "Nature attendue : absence ou retard.")
        assert isinstance(chosen, AbsenceKind)
        kind = chosen
    except FieldError as error:
        errors["nature"] = str(error)
    reason = ""
    try:
        reason = clean_line(data.reason, MAX_REASON, "Le motif") or ""
    except FieldError as error:
        errors["motif"] = str(error)
    if day is not None:
        message = _day_error(period, day, today)
        if message:
            errors["date"] = message
    minutes: int | None = None
    if kind is AbsenceKind.LATE and "nature" not in errors:
        minutes, message = _minutes(data.minutes, period, day if "date" not in errors else None)
        if message:
            errors["minutes"] = message
    if errors:
        raise ValidationError(errors)
    assert day is not None
    return _Parsed(
        day=day,
        half_day=half_day,
        kind=kind,
        minutes=minutes,
        justified=data.justified,
        reason=reason,
        document_received=data.document_received,
    )


def _day_error(period: _Period, day: date, today: date) -> str:
    span = f"du {format_date(period.start)} au {format_date(period.end)}"
    if period.ended_early and day > period.end:
        return (
            f"Le stage a été rompu : son dernier jour est le {format_date(period.end)}, "
            "pas d'absence après cette date."
        )
    if not period.start <= day <= period.end:
        return f"Le {format_date(day)} est en dehors du stage ({span})."
    if day > today:
        return (
            f"Le {format_date(day)} est à venir : une absence s'enregistre une fois "
            "constatée, d'après la feuille de présence."
        )
    if _day_hours(period.versions, day) <= 0:
        return _not_a_presence_day(period, day)
    return ""


def _minutes(raw: str, period: _Period, day: date | None) -> tuple[int | None, str]:
    text = raw.strip()
    if not text:
        return None, "Indiquer la durée du retard, en minutes."
    try:
        minutes = int(text)
    except ValueError:
        return None, "Durée du retard attendue en minutes entières (par exemple 20)."
    if day is None:
        return minutes, "" if minutes >= 1 else "Un retard dure au moins 1 minute."
    longest = round(_half_day_hours(period, day) * 60)
    if not 1 <= minutes <= longest:
        return None, (
            f"Un retard dure de 1 à {longest} minutes ce jour-là (la demi-journée compte "
            f"{format_hours(longest / 60)}) ; au-delà, enregistrer une absence."
        )
    return minutes, ""


def _writable(session: Session, period: _Period) -> None:
    refusal = _refusal(session, period)
    if refusal:
        raise ValidationError({"statut": refusal}, message=refusal)


def _taken(session: Session, agreement_id: int, parsed: _Parsed, except_id: int | None) -> None:
    existing = session.scalar(
        select(AgreementAbsence).where(
            AgreementAbsence.agreement_id == agreement_id,
            AgreementAbsence.day == parsed.day,
            AgreementAbsence.half_day == parsed.half_day.value,
        )
    )
    if existing is not None and existing.id != except_id:
        message = (
            f"Le {format_date(parsed.day)} {parsed.half_day.label} a déjà une "
            f"{AbsenceKind(existing.kind).label} enregistrée : la modifier ou la supprimer."
        )
        raise ValidationError({"date": message}, message=message)


def _apply(row: AgreementAbsence, parsed: _Parsed) -> None:
    row.day = parsed.day
    row.half_day = parsed.half_day.value
    row.kind = parsed.kind.value
    row.minutes = parsed.minutes
    row.justified = parsed.justified
    row.reason = parsed.reason
    row.document_received = parsed.document_received


def record_absence(
    session: Session,
    agreement_id: int,
    data: AbsenceInput,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AbsenceInfo:
    """An absence or a late arrival on one half-day; nothing is saved when a field is
    refused (French messages keyed date, demi_journee, nature, minutes, motif, statut)."""
    require_presence_recorder(actor)
    now = now or datetime.now()
    period = _period(session, agreement_id)
    _writable(session, period)
    parsed = _parse(data, period, now.date())
    _taken(session, agreement_id, parsed, None)
    row = AgreementAbsence(agreement_id=agreement_id, recorded_by=actor.author, recorded_at=now)
    _apply(row, parsed)
    session.add(row)
    session.flush()
    return _info(row, period)


def _load(session: Session, absence_id: int) -> AgreementAbsence:
    row = session.get(AgreementAbsence, absence_id)
    if row is None:
        raise NotFoundError("Cette absence n'existe plus : elle a été supprimée entre-temps.")
    return row


def update_absence(
    session: Session,
    absence_id: int,
    data: AbsenceInput,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AbsenceInfo:
    """Change a recorded absence or late arrival (same rules as recording it)."""
    require_presence_recorder(actor)
    now = now or datetime.now()
    row = _load(session, absence_id)
    period = _period(session, row.agreement_id)
    _writable(session, period)
    parsed = _parse(data, period, now.date())
    _taken(session, row.agreement_id, parsed, row.id)
    _apply(row, parsed)
    row.recorded_by = actor.author
    row.recorded_at = now
    session.flush()
    return _info(row, period)


def delete_absence(session: Session, absence_id: int, *, actor: Actor) -> None:
    """Remove a recorded absence or late arrival (the journal keeps that it was deleted)."""
    require_presence_recorder(actor)
    row = _load(session, absence_id)
    _writable(session, _period(session, row.agreement_id))
    session.delete(row)
    session.flush()
