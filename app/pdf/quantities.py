"""Hours and days as the documents and the forms write them, in French (no reportlab: the
services import this without loading the PDF machinery at start-up)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decimal import Decimal

    from app.domain.agreement_rules import HoursTotal


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def format_hours(value: float) -> str:
    """308 → "308 h", 7.5 → "7,5 h"."""
    return f"{_number(value)} h"


def format_days(value: float) -> str:
    """44 → "44 jours", 1.5 → "1,5 jour"."""
    return f"{_number(value)} jour" + ("s" if value >= 2 else "")


def format_workdays(value: float) -> str:
    """41 → "41 journées de 7 h", 1 → "1 journée de 7 h"."""
    return f"{_number(value)} journée" + ("s" if value >= 2 else "") + " de 7 h"


def describe_total(total: "HoursTotal") -> str:
    """THE wording of an agreement's total, everywhere it is shown:
    "287 h, soit 41 journées de 7 h, sur 44 jours de présence"."""
    days = total.days
    return (
        f"{format_hours(total.hours)}, soit {format_workdays(total.days_as_7h)}, "
        f"sur {days} jour{'s' if days > 1 else ''} de présence"
    )


def format_euros(value: "Decimal") -> str:
    """Decimal("1234.5") → "1 234,50 €"."""
    whole, _, cents = f"{value:.2f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{' '.join(groups)},{cents} €"
