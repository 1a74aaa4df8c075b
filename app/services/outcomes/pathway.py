"""How a pathway ended: checked apart from the candidate's records so that the stage move to
*sortie* (app/services/candidates/records.py) can take it without importing this package's
use cases."""

from datetime import date

from app.domain.outcomes import PathwayEnd
from app.domain.values import EXIT_TYPES
from app.services.validation import FieldError, clean_text

# Exit situations kept for older files; a new exit or check records one of the others.
LEGACY_SITUATIONS = frozenset({"abandon", "autre"})
SITUATIONS: dict[str, str] = {
    code: label for code, label in EXIT_TYPES.items() if code not in LEGACY_SITUATIONS
}
PATHWAY_ENDS: dict[str, str] = {end.value: end.label for end in PathwayEnd}
MAX_REASON = 500


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def checked_pathway_end(pathway_end: str, reason: str) -> tuple[str, str | None]:
    """The pathway end and its reason as stored, or FieldErrors keyed by field
    ("fin_parcours", "motif_fin") raised together as a dict."""
    errors: dict[str, str] = {}
    if pathway_end not in PATHWAY_ENDS:
        errors["fin_parcours"] = "Indiquer comment le parcours s'est terminé."
    try:
        text = clean_text(reason, MAX_REASON, "Le motif")
    except FieldError as error:
        errors["motif_fin"] = str(error)
        text = None
    if pathway_end != PathwayEnd.COMPLETE and pathway_end in PATHWAY_ENDS and not text:
        errors.setdefault("motif_fin", "Indiquer le motif de l'interruption.")
    if errors:
        raise PathwayEndError(errors)
    return pathway_end, (text if pathway_end != PathwayEnd.COMPLETE else None)


class PathwayEndError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors
