"""The terms in words: the hours total, the week, and each field as printed and as an
amendment records its change."""

from typing import Any

from sqlalchemy.orm import Session

from app.domain import Candidate, Host, Tutor
from app.domain.agreement_rules import HoursTotal, WeeklySchedule
from app.domain.agreement_terms import AgreementTerms, IndemnityUnit
from app.pdf.quantities import describe_total, format_hours
from app.services.agreements.terms import WEEKDAYS, amount_text
from app.services.candidates.records import display_name
from app.services.validation import format_date

__all__ = [
    "describe_hours",
    "schedule_text",
    "terms_field_text",
]


def describe_hours(total: HoursTotal, weekly_hours: float | None = None) -> str:
    """ "287 h, soit 41 journées de 7 h, sur 44 jours de présence · 35 h par semaine"."""
    text = describe_total(total)
    if weekly_hours:
        text += f" · {format_hours(weekly_hours)} par semaine"
    return text


_UNIT_TEXTS = {
    IndemnityUnit.HOUR: "par heure de présence effective",
    IndemnityUnit.MONTH: "par mois de stage",
    IndemnityUnit.FLAT: "forfait pour l'ensemble du stage",
}


def schedule_text(week: WeeklySchedule, remote_days: frozenset[int] = frozenset()) -> str:
    """ "Lundi : 7 h\n…\nsoit 35 h par semaine sur 5 jours"."""
    lines = [
        f"{WEEKDAYS[day].capitalize()} : {format_hours(hours)}"
        + (" (télétravail)" if day in remote_days else "")
        for day, hours in week.hours_by_day.items()
    ]
    days = week.days_per_week
    lines.append(
        f"soit {format_hours(week.hours_per_week)} par semaine sur {days} "
        f"jour{'s' if days > 1 else ''}"
    )
    return "\n".join(lines)


def _tutor_text(session: Session, tutor_id: int | None) -> str:
    tutor = session.get(Tutor, tutor_id) if tutor_id else None
    if tutor is None:
        return "—"
    return f"{tutor.name}, {tutor.function}" if tutor.function else tutor.name


def terms_field_text(session: Session, terms: AgreementTerms, name: str) -> str:
    """One field of the terms as printed and as an amendment records it (form field names)."""
    presence = {True: "autorisée", False: "non autorisée"}
    texts: dict[str, Any] = {
        "candidat": lambda: display_name(session.get_one(Candidate, terms.candidate_id)),
        "representant_legal": lambda: terms.legal_representative or "—",
        "structure": lambda: session.get_one(Host, terms.host_id).name,
        "tuteur": lambda: _tutor_text(session, terms.tutor_id),
        "formateur_referent": lambda: terms.referent or "—",
        "telephone_referent": lambda: terms.referent_phone or "—",
        "email_referent": lambda: terms.referent_email or "—",
        "lieu": lambda: terms.place or "locaux de la structure d'accueil",
        "date_debut": lambda: format_date(terms.start),
        "date_fin": lambda: format_date(terms.end),
        "horaires": lambda: schedule_text(terms.week, terms.remote_days),
        "interruptions": lambda: (
            "\n".join(
                f"du {format_date(i.start)} au {format_date(i.end)} inclus"
                for i in terms.interruptions
            )
            or "aucune"
        ),
        "teletravail": lambda: ", ".join(WEEKDAYS[d] for d in terms.remote_weekdays) or "aucun",
        "nuit": lambda: presence[terms.night],
        "dimanche": lambda: presence[terms.sunday],
        "ferie": lambda: presence[terms.holiday],
        "activites": lambda: terms.activities or "—",
        "competences": lambda: terms.competences or "—",
        "indemnite": lambda: f"{amount_text(terms.indemnity)} €" if terms.paid else "aucune",
        "unite_indemnite": lambda: (
            _UNIT_TEXTS[terms.indemnity_unit] if terms.indemnity_unit else "—"
        ),
        "mode_versement": lambda: terms.payment_mode or "—",
        "regle_rupture": lambda: (
            terms.indemnity_break_rule.label if terms.indemnity_break_rule else "—"
        ),
        "avantages": lambda: terms.benefits or "aucun",
        "financeur": lambda: terms.payer_label or "à préciser",
        "financeur_autre": lambda: terms.payer_other or "—",
    }
    return str(texts[name]())
