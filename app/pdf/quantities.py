"""Hours and days as the documents and the forms write them, in French (no reportlab: the
services import this without loading the PDF machinery at start-up)."""


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def format_hours(value: float) -> str:
    """308 → "308 h", 7.5 → "7,5 h"."""
    return f"{_number(value)} h"


def format_days(value: float) -> str:
    """44 → "44 jours", 1.5 → "1,5 jour"."""
    return f"{_number(value)} jour" + ("s" if value >= 2 else "")
