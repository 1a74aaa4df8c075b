"""Who the call is for: small structures (fewer than 20 employees), identified (SIRET or RNA),
submitting while the call is open. A project outside these gets warnings, never a refusal:
coordination decides."""

import re

from app.domain import Host
from app.domain.projects import Project, ProjectCall
from app.services.hosts.directory import headcount_label
from app.services.validation import format_date

__all__ = ["HEADCOUNT_LIMIT", "band_floor", "eligibility_warnings", "headcount_warning"]

HEADCOUNT_LIMIT = 20
_FIRST_NUMBER = re.compile(r"\d+")


def band_floor(band: str) -> int | None:
    """The lowest headcount of a directory band ("20 à 49" -> 20, "0 salarié" -> 0)."""
    found = _FIRST_NUMBER.search(band)
    return int(found.group()) if found else None


def headcount_warning(headcount: int | None, host: Host) -> str | None:
    """The declared headcount first; the directory's band when none was declared."""
    if headcount is not None:
        if headcount >= HEADCOUNT_LIMIT:
            return f"{HEADCOUNT_LIMIT} salariés ou plus (effectif déclaré : {headcount})"
        return None
    band = host.headcount_band or ""
    floor = band_floor(band)
    if floor is None:
        return "effectif inconnu : ni déclaré au dépôt, ni dans l'annuaire"
    if floor >= HEADCOUNT_LIMIT:
        return f"{HEADCOUNT_LIMIT} salariés ou plus (annuaire : {headcount_label(band)})"
    return None


def eligibility_warnings(project: Project, call: ProjectCall) -> list[str]:
    """French reasons the project falls outside the call; empty when it is eligible."""
    warnings: list[str] = []
    headcount = headcount_warning(project.headcount, project.host)
    if headcount:
        warnings.append(headcount)
    if not (project.host.siret or project.host.rna):
        warnings.append("structure non identifiée : ni SIRET ni RNA dans l'annuaire")
    submitted = format_date(project.submitted_on)
    if project.submitted_on > call.closes_on:
        warnings.append(
            f"déposé le {submitted}, après la clôture de l'appel ({format_date(call.closes_on)})"
        )
    elif project.submitted_on < call.opens_on:
        warnings.append(
            f"déposé le {submitted}, avant l'ouverture de l'appel ({format_date(call.opens_on)})"
        )
    return warnings
