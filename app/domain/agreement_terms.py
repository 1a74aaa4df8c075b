"""The terms of an internship agreement, typed, and the one rule that counts its hours.

An agreement is its base terms followed by the terms of each signed amendment, each in force
from the amendment's effect date (its signing day). Rules, documents, the CSV export and the
form read these types; text exists only at the form and CSV edges.
"""

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.domain.agreement_rules import (
    HOURS_PER_DAY_EQUIVALENT,
    HoursTotal,
    Interruption,
    WeeklySchedule,
    effective_hours,
)

__all__ = [
    "AgreementHours",
    "AgreementTerms",
    "BreakRule",
    "HoursPeriod",
    "IndemnityUnit",
    "RemunerationPayer",
    "TermsInForce",
    "agreement_hours",
    "terms_in_force",
]


class RemunerationPayer(enum.StrEnum):
    """Who pays the trainee's remuneration during the training (L6341-1 and following)."""

    REGION = "region"
    FRANCE_TRAVAIL = "france_travail"
    NONE = "aucun"
    OTHER = "autre"

    @property
    def label(self) -> str:
        return {
            "region": "Région Nouvelle-Aquitaine",
            "france_travail": "France Travail",
            "aucun": "aucune rémunération",
            "autre": "autre financeur",
        }[self.value]


class IndemnityUnit(enum.StrEnum):
    HOUR = "heure"
    MONTH = "mois"
    FLAT = "forfait"


class BreakRule(enum.StrEnum):
    """What a flat indemnity becomes when the internship is broken off."""

    PRO_RATA = "prorata"
    AS_AGREED = "convenu"

    @property
    def label(self) -> str:
        return {
            "prorata": "au prorata des heures effectuées",
            "convenu": "versée en totalité, comme convenu",
        }[self.value]


@dataclass(frozen=True)
class AgreementTerms:
    """What the parties agree on; an amendment replaces the whole of it from its effect date."""

    candidate_id: int
    host_id: int
    start: date
    end: date
    week: WeeklySchedule
    tutor_id: int | None = None
    legal_representative: str = ""
    referent: str = ""
    referent_phone: str = ""
    referent_email: str = ""
    place: str = ""
    remote_days: frozenset[int] = frozenset()
    interruptions: tuple[Interruption, ...] = ()
    night: bool = False
    sunday: bool = False
    holiday: bool = False
    activities: str = ""
    competences: str = ""
    indemnity: Decimal | None = None
    indemnity_unit: IndemnityUnit | None = None
    payment_mode: str = ""
    indemnity_break_rule: BreakRule | None = None
    benefits: str = ""
    payer: RemunerationPayer | None = None
    payer_other: str = ""

    @property
    def paid(self) -> bool:
        return self.indemnity is not None and self.indemnity > 0

    @property
    def payer_label(self) -> str:
        """Who pays the remuneration, as printed ("autre : …" named); "" when not stated."""
        if self.payer is None:
            return ""
        if self.payer == RemunerationPayer.OTHER and self.payer_other:
            return f"autre : {self.payer_other}"
        return self.payer.label

    @property
    def remote_weekdays(self) -> tuple[int, ...]:
        """Remote weekdays that are also presence days, in week order."""
        return tuple(day for day in sorted(self.remote_days) if self.week.hours_on(day) > 0)

    def with_changes(self, **changes: Any) -> "AgreementTerms":
        return replace(self, **changes)

    # --- JSON (amendment snapshots) ---------------------------------------------------

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "candidate_id": self.candidate_id,
            "host_id": self.host_id,
            "tutor_id": self.tutor_id,
            "legal_representative": self.legal_representative,
            "referent": self.referent,
            "referent_phone": self.referent_phone,
            "referent_email": self.referent_email,
            "place": self.place,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "week": {str(day): hours for day, hours in self.week.hours_by_day.items()},
            "remote_days": sorted(self.remote_days),
            "interruptions": [[i.start.isoformat(), i.end.isoformat()] for i in self.interruptions],
            "night": self.night,
            "sunday": self.sunday,
            "holiday": self.holiday,
            "activities": self.activities,
            "competences": self.competences,
            "indemnity": str(self.indemnity) if self.indemnity is not None else None,
            "indemnity_unit": self.indemnity_unit.value if self.indemnity_unit else None,
            "payment_mode": self.payment_mode,
            "indemnity_break_rule": (
                self.indemnity_break_rule.value if self.indemnity_break_rule else None
            ),
            "benefits": self.benefits,
            "payer": self.payer.value if self.payer else None,
            "payer_other": self.payer_other,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "AgreementTerms":
        data: Mapping[str, Any] = json.loads(text)
        indemnity = data.get("indemnity")
        return cls(
            candidate_id=int(data["candidate_id"]),
            host_id=int(data["host_id"]),
            tutor_id=int(data["tutor_id"]) if data.get("tutor_id") is not None else None,
            legal_representative=data.get("legal_representative") or "",
            referent=data.get("referent") or "",
            referent_phone=data.get("referent_phone") or "",
            referent_email=data.get("referent_email") or "",
            place=data.get("place") or "",
            start=date.fromisoformat(data["start"]),
            end=date.fromisoformat(data["end"]),
            week=WeeklySchedule(
                {int(day): float(hours) for day, hours in (data.get("week") or {}).items()}
            ),
            remote_days=frozenset(int(day) for day in data.get("remote_days") or ()),
            interruptions=tuple(
                Interruption(date.fromisoformat(a), date.fromisoformat(b))
                for a, b in data.get("interruptions") or ()
            ),
            night=bool(data.get("night")),
            sunday=bool(data.get("sunday")),
            holiday=bool(data.get("holiday")),
            activities=data.get("activities") or "",
            competences=data.get("competences") or "",
            indemnity=Decimal(indemnity) if indemnity is not None else None,
            indemnity_unit=IndemnityUnit(data["indemnity_unit"])
            if data.get("indemnity_unit")
            else None,
            payment_mode=data.get("payment_mode") or "",
            indemnity_break_rule=BreakRule(data["indemnity_break_rule"])
            if data.get("indemnity_break_rule")
            else None,
            benefits=data.get("benefits") or "",
            payer=RemunerationPayer(data["payer"]) if data.get("payer") else None,
            payer_other=data.get("payer_other") or "",
        )


@dataclass(frozen=True)
class TermsInForce:
    """Terms and the first day they apply (None for the agreement's base terms)."""

    terms: AgreementTerms
    from_day: date | None = None
    amendment_rank: int | None = None


@dataclass(frozen=True)
class HoursPeriod:
    """A stretch of the internship under one set of terms, and its hours."""

    start: date
    end: date
    terms: AgreementTerms
    amendment_rank: int | None
    total: HoursTotal


@dataclass(frozen=True)
class AgreementHours:
    """The hours of an agreement, period by period; `total` is what every document prints."""

    periods: tuple[HoursPeriod, ...] = field(default_factory=tuple)

    @property
    def total(self) -> HoursTotal:
        hours = sum((p.total.hours for p in self.periods), 0.0)
        days = sum(p.total.days for p in self.periods)
        return HoursTotal(hours=hours, days=days, days_as_7h=hours / HOURS_PER_DAY_EQUIVALENT)

    @property
    def amended(self) -> bool:
        return len(self.periods) > 1


def terms_in_force(versions: Sequence[TermsInForce], day: date) -> AgreementTerms:
    """The terms that apply on `day`: the latest version whose effect date is not after it."""
    current = versions[0].terms
    for version in versions[1:]:
        if version.from_day is not None and version.from_day <= day:
            current = version.terms
    return current


def agreement_hours(versions: Sequence[TermsInForce], until: date | None = None) -> AgreementHours:
    """Hours of effective presence of an agreement with its signed amendments.

    `versions` starts with the base terms; each later version applies from its `from_day`.
    The internship runs from the start to the end of the latest terms (or `until`, e.g. the
    day it was broken off); each day counts with the terms in force that day.
    """
    if not versions:
        return AgreementHours()
    latest = versions[-1].terms
    start, end = latest.start, latest.end
    if until is not None:
        end = min(end, until)
    periods: list[HoursPeriod] = []
    for index, version in enumerate(versions):
        next_from = versions[index + 1].from_day if index + 1 < len(versions) else None
        period_start = max(start, version.from_day) if version.from_day else start
        period_end = min(end, next_from - timedelta(days=1)) if next_from else end
        if period_start > period_end:
            continue
        terms = version.terms
        total = effective_hours(period_start, period_end, terms.week, terms.interruptions)
        periods.append(HoursPeriod(period_start, period_end, terms, version.amendment_rank, total))
    return AgreementHours(periods=tuple(periods))
