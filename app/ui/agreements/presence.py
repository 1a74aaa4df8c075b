"""The Présence tab of an agreement: absences and late arrivals typed from the tutor's
weekly sheet, one half-day per line, from the keyboard; the totals (planned, absence, done)
always in view. Reads when the tab shows; every action is one service call."""

from datetime import date, timedelta
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.agreement import AbsenceKind, HalfDay
from app.services.agreements import actions
from app.services.agreements.actions import format_hours
from app.services.agreements.details import AgreementInfo
from app.services.agreements.presence import MAX_REASON, AbsenceInfo, AbsenceInput, PresenceData
from app.services.errors import UserFacingError, ValidationError
from app.services.validation import FieldError, format_date, parse_date
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.theme import icon
from app.ui.widgets.naming import named

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
COLUMNS = ("Date", "Demi-journée", "Nature", "Justifiée", "Heures", "Motif")
_WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
MAX_MINUTES = 600
NOT_SAVED = "Enregistrer la convention pour suivre la présence du stagiaire."


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


class AbsencesModel(QAbstractTableModel):
    """The recorded absences and late arrivals of one agreement, by date then half-day."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[AbsenceInfo, ...] = ()

    def set_rows(self, rows: tuple[AbsenceInfo, ...]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def absence_at(self, row: int) -> AbsenceInfo | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, absence_id: int) -> int | None:
        return next((i for i, a in enumerate(self._rows) if a.id == absence_id), None)

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        absence = self.absence_at(index.row())
        if absence is None or not 0 <= index.column() < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(absence, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 0:
                return format_date(absence.day)
            if index.column() == 3:
                received = "reçu" if absence.document_received else "non reçu"
                return f"Justifiée : {_yes_no(absence.justified)} ; justificatif {received}"
            if index.column() == 5 and absence.reason:
                return absence.reason
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return absence.id
        return None

    @staticmethod
    def _text(absence: AbsenceInfo, column: int) -> str:
        if column == 0:
            # The year is the internship's: the full date is in the tooltip.
            return f"{_WEEKDAYS[absence.day.weekday()]} {absence.day:%d/%m}"
        if column == 1:
            return absence.half_day_label
        if column == 2:
            return f"retard {absence.minutes} min" if absence.is_late else absence.kind_label
        if column == 3:  # "pièce": the supporting document was received
            received = ", pièce" if absence.document_received else ""
            return _yes_no(absence.justified) + received
        if column == 4:
            return format_hours(absence.hours)
        return absence.reason.replace("\n", " ")

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None


class DayField(QLineEdit):
    """A date typed JJ/MM/AAAA; ↑/↓ move one day, Page ↑/↓ one week."""

    STEPS: ClassVar[dict[Qt.Key, int]] = {
        Qt.Key.Key_Up: 1,
        Qt.Key.Key_Down: -1,
        Qt.Key.Key_PageUp: 7,
        Qt.Key.Key_PageDown: -7,
    }

    def day(self) -> date | None:
        try:
            return parse_date(self.text())
        except FieldError:
            return None

    def set_day(self, day: date) -> None:
        self.setText(format_date(day))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = self.STEPS.get(Qt.Key(event.key()))
        current = self.day()
        if step is not None and current is not None:
            self.set_day(current + timedelta(days=step))
            self.selectAll()
            return
        super().keyPressEvent(event)


class PresenceTab(QWidget):
    """Absences from the weekly sheet: type a line, Entrée records it; Entrée on a recorded
    line brings it back to be changed, Suppr deletes it."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("presenceTab")
        self.context = context
        self.info: AgreementInfo | None = None
        self.data: PresenceData | None = None
        self.editing: AbsenceInfo | None = None
        self._stale = False
        self.model = AbsencesModel()
        self._build()
        self._layout()
        self._shortcuts()
        self._show_data(None)

    # ---- building

    def _build(self) -> None:
        self.totals = named(QLabel(), "presenceTotals")
        self.totals.setProperty("role", "total")
        self.totals.setWordWrap(True)
        self.counts = named(QLabel(), "presenceCounts")
        self.explanation = named(QLabel(), "presenceExplanation")
        self.explanation.setProperty("role", "muted")
        self.explanation.setWordWrap(True)
        self.refusal = named(QLabel(), "presenceRefusal")
        self.refusal.setProperty("role", "warning")
        self.refusal.setWordWrap(True)
        self.day_field = named(DayField(), "absenceDate")
        self.day_field.setPlaceholderText("JJ/MM/AAAA")
        self.day_field.setAccessibleName("Date de l'absence")
        self.day_field.setToolTip("Date (JJ/MM/AAAA) ; ↑ ↓ : jour suivant ou précédent")
        width = self.day_field.fontMetrics().horizontalAdvance("00/00/00000")
        self.day_field.setFixedWidth(width + 16)
        self.half_day = named(QComboBox(), "absenceHalfDay")
        self.half_day.setAccessibleName("Demi-journée")
        for half in HalfDay:
            self.half_day.addItem(half.label.capitalize(), half.value)
        self.kind = named(QComboBox(), "absenceKind")
        self.kind.setAccessibleName("Nature")
        for kind in AbsenceKind:
            self.kind.addItem(kind.label.capitalize(), kind.value)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.minutes = named(QSpinBox(), "absenceMinutes")
        self.minutes.setAccessibleName("Minutes de retard")
        self.minutes.setRange(0, MAX_MINUTES)
        self.minutes.setSpecialValueText("—")
        self.minutes.setSuffix(" min")
        self.justified = named(QCheckBox("Justifiée"), "absenceJustified")
        self.document = named(QCheckBox("Justificatif reçu"), "absenceDocument")
        self.reason = named(QLineEdit(), "absenceReason")
        self.reason.setPlaceholderText("Motif (facultatif)")
        self.reason.setAccessibleName("Motif")
        self.reason.setMaxLength(MAX_REASON)
        self.save_button = named(
            QPushButton(icon("device-floppy"), "Enregistrer"), "recordAbsenceButton"
        )
        self.save_button.setToolTip("Enregistrer la ligne (Entrée)")
        self.save_button.clicked.connect(self.save)
        self.new_button = named(QPushButton("Nouvelle ligne"), "newAbsenceButton")
        self.new_button.setToolTip("Abandonner la modification en cours (Échap)")
        self.new_button.clicked.connect(self.new_line)
        self.error = named(QLabel(), "absenceError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.table = named(QTableView(), "absencesTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Absences et retards enregistrés")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)  # one line per half-day; the motif in full as a tooltip
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._edit_row)
        self.delete_button = named(
            QPushButton(icon("x"), "Supprimer la ligne"), "deleteAbsenceButton"
        )
        self.delete_button.setToolTip("Supprimer l'absence choisie (Suppr)")
        self.delete_button.clicked.connect(self.delete_current)
        self.entry = named(QWidget(), "absenceEntry")

    def _layout(self) -> None:
        # Three short lines: the panel beside the list is narrow at 1366 × 768.
        first = QHBoxLayout()
        first.setContentsMargins(0, 0, 0, 0)
        for widget in (self.day_field, self.half_day, self.kind, self.minutes):
            first.addWidget(widget)
        first.addStretch(1)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.addWidget(self.justified)
        second.addWidget(self.document)
        second.addWidget(self.reason, 1)
        third = QHBoxLayout()
        third.setContentsMargins(0, 0, 0, 0)
        third.addStretch(1)
        third.addWidget(self.new_button)
        third.addWidget(self.save_button)
        entry = QVBoxLayout(self.entry)
        entry.setContentsMargins(0, 0, 0, 0)
        entry.addLayout(first)
        entry.addLayout(second)
        entry.addWidget(self.error)
        entry.addLayout(third)
        below = QHBoxLayout()
        below.addStretch(1)
        below.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.totals)
        layout.addWidget(self.counts)
        layout.addWidget(self.explanation)
        layout.addSpacing(4)
        layout.addWidget(self.refusal)
        layout.addWidget(self.entry)
        layout.addWidget(self.table, 1)
        layout.addLayout(below)
        self.setTabOrder(self.day_field, self.half_day)
        self.setTabOrder(self.half_day, self.kind)
        self.setTabOrder(self.kind, self.minutes)
        self.setTabOrder(self.minutes, self.justified)
        self.setTabOrder(self.justified, self.document)
        self.setTabOrder(self.document, self.reason)
        self.setTabOrder(self.reason, self.new_button)
        self.setTabOrder(self.new_button, self.save_button)
        self.setTabOrder(self.save_button, self.table)

    def _shortcuts(self) -> None:
        # The context is set apart: PySide6 ignores it as a constructor argument with a slot.
        keys = [
            (self.entry, Qt.Key.Key_Return, self.save),
            (self.entry, Qt.Key.Key_Enter, self.save),
            (self.entry, Qt.Key.Key_Escape, self.new_line),
            (self.table, Qt.Key.Key_Delete, self.delete_current),
        ]
        for parent, key, slot in keys:
            shortcut = QShortcut(QKeySequence(key), parent)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # ---- showing

    def show_agreement(self, info: AgreementInfo | None) -> None:
        """The agreement the view shows; read now if the tab is in view, else when it shows."""
        self.info = info
        self.editing = None
        if info is None:
            self._show_data(None)
            return
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        self._stale = False
        if self.info is None:
            self._show_data(None)
            return
        try:
            data = actions.presence_of(
                self.context.database, self.info.id, actor=self.context.actor, today=date.today()
            )
        except UserFacingError as error:
            self._show_data(None, str(error))
            return
        self._show_data(data)

    def _show_data(self, data: PresenceData | None, message: str = NOT_SAVED) -> None:
        self.data = data
        self.model.set_rows(data.absences if data else ())
        self.error.clear()
        self.error.hide()
        if data is None:
            self.totals.setText("")
            self.counts.setText("")
            self.explanation.setText("")
            self.refusal.setText(message)
            self.refusal.show()
            self.entry.setEnabled(False)
            self.delete_button.setEnabled(False)
            return
        self._show_totals(data)
        self.refusal.setText(data.refusal)
        self.refusal.setVisible(bool(data.refusal))
        writable = not data.refusal
        self.entry.setEnabled(writable)
        self.delete_button.setEnabled(writable and bool(data.absences))
        if self.editing is None:
            self._reset_line(data.suggested_day)

    def _show_totals(self, data: PresenceData) -> None:
        summary = data.summary
        done = "Effectuées" if summary.finished else "Effectuées (si rien d'autre n'est relevé)"
        self.totals.setText(
            f"Prévues : {format_hours(summary.planned_hours)}   ·   "
            f"Absences : {format_hours(summary.absent_hours)}   ·   "
            f"{done} : {format_hours(summary.done_hours)}"
        )
        self.counts.setText(summary.counts_text or "Aucune absence relevée.")
        self.explanation.setText(summary.explanation)

    # ---- the entry line

    def _kind_changed(self) -> None:
        late = self.kind.currentData() == AbsenceKind.LATE.value
        self.minutes.setEnabled(late)
        if not late:
            self.minutes.setValue(0)

    def _reset_line(self, day: date | None = None) -> None:
        self.editing = None
        if day is not None:
            self.day_field.set_day(day)
        self.half_day.setCurrentIndex(0)
        self.kind.setCurrentIndex(0)
        self.minutes.setValue(0)
        self._kind_changed()
        self.justified.setChecked(False)
        self.document.setChecked(False)
        self.reason.clear()
        self.save_button.setText("Enregistrer")
        self.new_button.setEnabled(False)

    def new_line(self) -> None:
        """Back to an empty line (the date stays: the next line is often the same week)."""
        self._reset_line()
        self.error.hide()
        self.table.clearSelection()
        self.day_field.setFocus()
        self.day_field.selectAll()

    def _edit_row(self, index: QModelIndex) -> None:
        absence = self.model.absence_at(index.row())
        if absence is None or not self.entry.isEnabled():
            return
        self.editing = absence
        self.day_field.set_day(absence.day)
        self.half_day.setCurrentIndex(self.half_day.findData(absence.half_day))
        self.kind.setCurrentIndex(self.kind.findData(absence.kind))
        self._kind_changed()
        self.minutes.setValue(absence.minutes or 0)
        self.justified.setChecked(absence.justified)
        self.document.setChecked(absence.document_received)
        self.reason.setText(absence.reason)
        self.save_button.setText("Modifier")
        self.new_button.setEnabled(True)
        self.day_field.setFocus()
        self.day_field.selectAll()

    def values(self) -> AbsenceInput:
        late = self.kind.currentData() == AbsenceKind.LATE.value
        return AbsenceInput(
            day=self.day_field.text(),
            half_day=str(self.half_day.currentData()),
            kind=str(self.kind.currentData()),
            minutes=str(self.minutes.value()) if late and self.minutes.value() else "",
            justified=self.justified.isChecked(),
            reason=self.reason.text(),
            document_received=self.document.isChecked(),
        )

    # ---- actions

    def save(self) -> None:
        if self.info is None or not self.entry.isEnabled():
            return
        try:
            result = actions.save_absence(
                self.context.database,
                self.info.id,
                self.values(),
                absence_id=self.editing.id if self.editing is not None else None,
                actor=self.context.actor,
                today=date.today(),
            )
        except ValidationError as error:
            self._show_errors(error)
            return
        except UserFacingError as error:
            show_error(self, str(error), "Absence non enregistrée")
            return
        self.editing = None
        self._show_data(result.presence)
        self._next_line(result.absence)
        self._select(result.absence.id)

    def _show_errors(self, error: ValidationError) -> None:
        self.error.setText("\n".join(error.errors.values()) or str(error))
        self.error.show()
        focus = {
            "date": self.day_field,
            "demi_journee": self.half_day,
            "nature": self.kind,
            "minutes": self.minutes,
            "motif": self.reason,
        }
        first = next((focus[key] for key in error.errors if key in focus), self.day_field)
        first.setFocus()

    def _next_line(self, saved: AbsenceInfo) -> None:
        """Ready for the next half-day of the sheet: the afternoon, or the next morning."""
        if saved.half_day == HalfDay.MORNING.value:
            day, half = saved.day, HalfDay.AFTERNOON.value
        else:
            day, half = saved.day + timedelta(days=1), HalfDay.MORNING.value
        self._reset_line(day)
        self.half_day.setCurrentIndex(self.half_day.findData(half))
        self.day_field.setFocus()
        self.day_field.selectAll()

    def _select(self, absence_id: int) -> None:
        row = self.model.row_of(absence_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def delete_current(self) -> None:
        absence = self.model.absence_at(self.table.currentIndex().row())
        if self.info is None or absence is None or not self.entry.isEnabled():
            return
        try:
            data = actions.delete_absence(
                self.context.database,
                self.info.id,
                absence.id,
                actor=self.context.actor,
                today=date.today(),
            )
        except UserFacingError as error:
            show_error(self, str(error), "Suppression impossible")
            return
        if self.editing is not None and self.editing.id == absence.id:
            self.editing = None
        self._show_data(data)
        self.table.setFocus()
