"""The pseudonymised extract funders ask for: one row per learner (a person who entered
training) of a season, with what their indicators are made of, and nothing that names them.

- **No identity.** No name, contact, address, birth date (an age band at entry instead) nor
  the file's identifiers: the pseudonym is a number drawn at random for this extract
  ("A-017"), not derived from the person; the same person keeps it throughout the extract,
  and a new extract draws new ones (two extracts cannot be joined through it).
- **No RQTH.** Disability status is sensitive data (domain/intake.md: coordination only): the
  composition table counts it, the extract leaves it out, as a funder asks for no individual
  disability status.
- **Everyone counted.** Anonymised files are learners too: they are in the extract (their
  birth date was rounded to 1 July of the year by the anonymisation, so the age band may be
  off by a few months near a boundary).
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Filiere, Referrer, Season, Site
from app.domain.outcomes import Checkpoint, LearnerOutcome, PathwayEnd
from app.domain.values import DIPLOMA_LEVELS, EXIT_TYPES, SEXES
from app.services.reports.scope import ReportScope, facts
from app.services.validation import age_on

__all__ = ["EXTRACT_COLUMNS", "EXTRACT_TITLE", "LearnerRow", "age_band", "learner_rows"]

EXTRACT_TITLE = "Extrait pseudonymisé des apprenants"
EXTRACT_COLUMNS: tuple[str, ...] = (
    "pseudonyme",
    "saison",
    "site",
    "filiere",
    "sexe",
    "tranche_age_entree",
    "qpv",
    "zrr",
    "rsa",
    "demandeur_emploi",
    "demandeur_emploi_12_mois",
    "neet",
    "niveau_diplome",
    "prescripteur",
    "date_entree",
    "date_sortie",
    "fin_de_parcours",
    "situation_sortie",
    "situation_3_mois",
    "situation_6_mois",
    "situation_12_mois",
)
EXTRACT_NOTES = (
    "Une ligne par apprenant entré en formation ; le pseudonyme est tiré au hasard pour cet "
    "extrait : il ne permet ni de retrouver la personne ni de rapprocher deux extraits.",
    "Ni nom, ni coordonnées, ni adresse, ni date de naissance (tranche d'âge à l'entrée), ni "
    "RQTH (donnée sensible). Case vide : information inconnue.",
)
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (18, "moins de 18 ans"),
    (26, "18 à 25 ans"),
    (31, "26 à 30 ans"),
    (50, "31 à 49 ans"),
)
OLDEST_BAND = "50 ans et plus"
YES, NO = "oui", "non"
LONG_TERM_MONTHS = 12


@dataclass(frozen=True)
class LearnerRow:
    """One learner's line, already in French (empty: unknown)."""

    pseudonym: str
    cells: tuple[str | date, ...]  # EXTRACT_COLUMNS after the pseudonym (dates as such)


def age_band(birth: date | None, entry: date | None) -> str:
    if birth is None or entry is None:
        return ""
    age = age_on(birth, entry)
    return next((label for limit, label in AGE_BANDS if age < limit), OLDEST_BAND)


def _yes_no(value: bool | int | None) -> str:
    return "" if value is None else (YES if value else NO)


def _day(value: date | datetime | str | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):  # a union's column may come back as SQLite's text
        value = datetime.fromisoformat(value)
    return value.date() if isinstance(value, datetime) else value


def _long_term(since: date | str | None, entry: date | None) -> str:
    """Job seeker for 12 months or more at entry; "" when the date is not known."""
    start = _day(since)
    if start is None or entry is None:
        return ""
    months = (entry.year - start.year) * 12 + entry.month - start.month
    if entry.day < start.day:
        months -= 1
    return YES if months >= LONG_TERM_MONTHS else NO


def _situation(code: str | None) -> str:
    return "" if not code else EXIT_TYPES.get(code, code)


def _pathway_end(code: str | None) -> str:
    if not code:
        return ""
    try:
        return PathwayEnd(code).label
    except ValueError:
        return code


def learner_rows(session: Session, scope: ReportScope) -> list[LearnerRow]:
    """The learners of the scope, in a random order, each with a fresh pseudonym."""
    f = facts(session, scope)
    rows = session.execute(
        select(
            f.c.id,
            Season.label,
            Site.name,
            Filiere.label,
            f.c.sex,
            f.c.birth_date,
            f.c.qpv,
            f.c.zrr,
            f.c.rsa,
            f.c.job_seeker,
            f.c.job_seeker_since,
            f.c.neet,
            f.c.diploma_level,
            Referrer.label,
            f.c.entry_at,
            f.c.exit_at,
            f.c.pathway_end,
            f.c.exit_type,
        )
        .join(Season, Season.id == f.c.season_id)
        .join(Site, Site.id == f.c.site_id)
        .outerjoin(Filiere, Filiere.id == f.c.filiere_id)
        .outerjoin(Referrer, Referrer.id == f.c.referrer_id)
        .where(f.c.entry_at.is_not(None))
    ).all()
    rows = list(rows)
    outcomes = _outcomes(session, [row[0] for row in rows])
    secrets.SystemRandom().shuffle(rows)
    width = max(3, len(str(len(rows))))
    found = []
    for number, row in enumerate(rows, start=1):
        (candidate_id, season, site, filiere, sex, birth, qpv, zrr, rsa) = row[:9]
        (job_seeker, since, neet, diploma, referrer, entry_at, exit_at, end, exit_type) = row[9:]
        entry = _day(entry_at)
        situations = outcomes.get(candidate_id, {})
        cells = (
            season,
            site,
            filiere or "",
            SEXES.get(sex or "", sex or ""),
            age_band(_day(birth), entry),
            _yes_no(qpv),
            _yes_no(zrr),
            _yes_no(rsa),
            _yes_no(job_seeker),
            _long_term(since, entry) if job_seeker else _yes_no(job_seeker),
            _yes_no(neet),
            "" if diploma is None else DIPLOMA_LEVELS.get(diploma, str(diploma)),
            referrer or "",
            entry or "",
            _day(exit_at) or "",
            _pathway_end(end),
            _situation(exit_type),
            *(_situation(situations.get(c.value)) for c in Checkpoint),
        )
        found.append(LearnerRow(f"A-{number:0{width}d}", cells))
    return found


def _outcomes(session: Session, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Each learner's situation at each checkpoint recorded."""
    found: dict[int, dict[str, str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for candidate_id, checkpoint, situation in session.execute(
            select(
                LearnerOutcome.candidate_id, LearnerOutcome.checkpoint, LearnerOutcome.situation
            ).where(LearnerOutcome.candidate_id.in_(chunk))
        ):
            found.setdefault(candidate_id, {})[checkpoint] = situation
    return found
