"""French writing of the figures of an indicator table: `1 234`, `85,0 %`, `152,3 j`."""

from decimal import Decimal

from app.services.reports.tables import Cell

# French typography: a narrow no-break space groups thousands and precedes the unit.
THIN_SPACE = "\u202f"
NOT_COMPUTABLE = "—"
UNITS = {"percent": "%", "days": "j", "hours": "h"}


def number_text(value: int | Decimal) -> str:
    """`1 234` for a whole number, `1 234,5` with one decimal otherwise."""
    if isinstance(value, int) or value == value.to_integral_value():
        grouped = f"{int(value):,}"
    else:
        grouped = f"{value:,.1f}"
    return grouped.replace(",", THIN_SPACE).replace(".", ",")


def cell_text(cell: Cell) -> str:
    """What a table shows for a figure; a dash when it cannot be computed."""
    if cell.value is None:
        return NOT_COMPUTABLE
    if cell.kind == "percent":
        # Shares keep their decimal (85,0 %) so a column of them lines up.
        text = f"{Decimal(cell.value):,.1f}".replace(",", THIN_SPACE).replace(".", ",")
    else:
        text = number_text(cell.value)
    unit = UNITS.get(cell.kind)
    return f"{text}{THIN_SPACE}{unit}" if unit else text


def cell_number(cell: Cell) -> float:
    """The figure as a chart draws it (0 when it cannot be computed)."""
    return float(cell.value) if cell.value is not None else 0.0
