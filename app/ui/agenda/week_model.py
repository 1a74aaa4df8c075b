"""The week as a table: one column per day, the day's appointments down the column in time
order, each cell drawn as a card (time, kind, place, staff, people). Empty cells are disabled,
so the keyboard moves from one appointment to the next."""

from datetime import date

from babel.dates import format_date

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.services.appointments.week import AgendaEntry, AgendaWeek
from app.ui.theme import ACCENT, MUTED

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1  # the AgendaEntry of a cell
CARD_HEIGHT = 92
_Index = QModelIndex | QPersistentModelIndex

SESSION_COLOUR = QColor("#dcecf3")  # information collective: the accent, light
INTERVIEW_COLOUR = QColor("#e4f1e1")  # entretien: a light green
CANCELLED_COLOUR = QColor("#eef0f2")
FULL_COLOUR = QColor("#b26b00")
STRIPES = {"information_collective": QColor(ACCENT), "entretien": QColor("#3f8f4f")}


def day_heading(day: date) -> str:
    """ "Mar. 8 déc." for a column."""
    weekday = format_date(day, "EEE", locale="fr_FR").rstrip(".").capitalize()
    month = format_date(day, "MMM", locale="fr_FR")  # "déc.", but "mars", "mai", "juin"
    return f"{weekday}. {day.day} {month}"


def short_kind(entry: AgendaEntry) -> str:
    return "Info. collective" if entry.is_session else entry.kind_label


def cell_text(entry: AgendaEntry, with_site: bool) -> str:
    """What a card says, line by line: time, kind, place, staff, people (or the reason it was
    cancelled). With every site shown, the site takes the place line and the room goes with
    the staff."""
    lines = [entry.hours, short_kind(entry)]
    if with_site:
        lines.append(entry.site_name)
        lines.append(" · ".join(p for p in (entry.place, entry.staff) if p))
    else:
        lines.append(entry.place)
        lines.append(entry.staff)
    lines.append(f"Annulé : {entry.cancellation_reason}" if entry.cancelled else entry.attendance)
    return "\n".join(line for line in lines if line)


def tooltip(entry: AgendaEntry) -> str:
    parts = [
        f"{entry.kind_label}, {entry.starts_at:%d/%m/%Y} de {entry.hours.replace(' – ', ' à ')}"
    ]
    parts.append(", ".join(p for p in (entry.site_name, entry.place) if p))
    if entry.staff:
        parts.append(f"Avec : {entry.staff}")
    parts.append(entry.attendance + (" — complet" if entry.is_session and entry.is_full else ""))
    if entry.cancelled:
        parts.append(f"ANNULÉ — motif : {entry.cancellation_reason}")
    parts.append("Entrée ou double-clic pour l'ouvrir")
    return "\n".join(parts)


class AgendaWeekModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.week: AgendaWeek | None = None
        self.today = date.today()
        self.with_site = False  # every site shown: each card names its site
        self._columns: list[list[AgendaEntry]] = []

    def set_week(self, week: AgendaWeek, *, today: date, with_site: bool) -> None:
        self.beginResetModel()
        self.week = week
        self.today = today
        self.with_site = with_site
        self._columns = [week.on(day) for day in week.days]
        self.endResetModel()

    def entry(self, index: _Index) -> AgendaEntry | None:
        if not index.isValid() or index.column() >= len(self._columns):
            return None
        column = self._columns[index.column()]
        return column[index.row()] if index.row() < len(column) else None

    def index_of(self, appointment_id: int) -> QModelIndex:
        for column, entries in enumerate(self._columns):
            for row, entry in enumerate(entries):
                if entry.id == appointment_id:
                    return self.index(row, column)
        return QModelIndex()

    def column_of(self, day: date) -> int:
        days = self.week.days if self.week is not None else ()
        return days.index(day) if day in days else -1

    # ---- the model

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return max((len(c) for c in self._columns), default=0)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if self.entry(index) is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        entry = self.entry(index)
        if entry is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell_text(entry, self.with_site)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(entry)
        if role == Qt.ItemDataRole.UserRole:
            return entry.id
        if role == ENTRY_ROLE:
            return entry
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or self.week is None:
            return None
        if not 0 <= section < len(self.week.days):
            return None
        day = self.week.days[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return day_heading(day)
        if role == Qt.ItemDataRole.ToolTipRole and day == self.today:
            return "Aujourd'hui"
        if role == Qt.ItemDataRole.FontRole and day == self.today:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and day == self.today:
            return QBrush(QColor(ACCENT))
        return None


class AgendaCardDelegate(QStyledItemDelegate):
    """Draws an appointment as a card: a coloured stripe for its kind, the time in bold, the
    rest below; a cancelled one greyed and struck through; a full session says so."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(150, CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        entry = index.data(ENTRY_ROLE)
        if not isinstance(entry, AgendaEntry):
            return
        model = index.model()
        with_site = isinstance(model, AgendaWeekModel) and model.with_site
        rect: QRect = option.rect.adjusted(3, 3, -3, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._card(painter, rect, entry, selected)
        self._lines(painter, rect, entry, with_site)
        painter.restore()

    def _card(self, painter: QPainter, rect: QRect, entry: AgendaEntry, selected: bool) -> None:
        background = (
            CANCELLED_COLOUR
            if entry.cancelled
            else (SESSION_COLOUR if entry.is_session else INTERVIEW_COLOUR)
        )
        painter.setPen(QPen(QColor(ACCENT), 2) if selected else QPen(QColor("#c9d4dc"), 1))
        painter.setBrush(background)
        painter.drawRoundedRect(rect, 5, 5)
        stripe = QColor(MUTED) if entry.cancelled else STRIPES.get(entry.kind, QColor(ACCENT))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(stripe)
        painter.drawRoundedRect(QRect(rect.left(), rect.top(), 5, rect.height()), 2, 2)

    def _lines(self, painter: QPainter, rect: QRect, entry: AgendaEntry, with_site: bool) -> None:
        text_rect = rect.adjusted(11, 4, -5, -3)
        lines = cell_text(entry, with_site).split("\n")
        base = QFont(painter.font())
        metrics_height = painter.fontMetrics().height()
        colour = QColor(MUTED) if entry.cancelled else QColor("#1f2b33")
        y = text_rect.top()
        for number, line in enumerate(lines):
            if y + metrics_height > text_rect.bottom() + 2:
                break
            font = QFont(base)
            if number >= 2 and base.pointSizeF() > 0:
                font.setPointSizeF(base.pointSizeF() - 0.5)
            font.setBold(number == 0 or (number == 1 and not entry.cancelled))
            font.setStrikeOut(entry.cancelled and number < 2)
            painter.setFont(font)
            pen = colour
            if number == 1 and not entry.cancelled:
                pen = STRIPES.get(entry.kind, QColor(ACCENT))
            if (
                line == entry.attendance
                and entry.is_session
                and entry.is_full
                and not entry.cancelled
            ):
                pen = FULL_COLOUR
                line = f"{line} — complet"
            painter.setPen(pen)
            shown = painter.fontMetrics().elidedText(
                line, Qt.TextElideMode.ElideRight, text_rect.width()
            )
            painter.drawText(
                QRect(text_rect.left(), y, text_rect.width(), metrics_height),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                shown,
            )
            y += metrics_height
