"""Table models of the orientation view: the team grid and the cohort matrix."""

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon

from app.domain.orientation import LEVEL_KEYS, Level
from app.services.orientation.cohorts import LearnerInfo
from app.services.orientation.criteria import CriterionInfo
from app.services.orientation.grid import GridData
from app.services.orientation.progress import MatrixData
from app.ui.theme import icon

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()

# Colour helps, the abbreviation says it: the legend never relies on colour alone.
LEVEL_SHORT = {
    Level.ACQUIS: "A",
    Level.EN_COURS: "EC",
    Level.NON_ACQUIS: "NA",
    Level.NON_OBSERVE: "—",
}
LEVEL_COLOURS = {
    Level.ACQUIS: "#cfe8d5",
    Level.EN_COURS: "#fbe7b5",
    Level.NON_ACQUIS: "#f6cfcb",
    Level.NON_OBSERVE: "#ffffff",
}
KEY_TO_LEVEL = {key: level for level, key in LEVEL_KEYS.items()}
LEGEND = "Légende : A = Acquis · EC = En cours d'acquisition · NA = Non acquis · — = Non observé"
OPEN_LEARNER_HINT = "Double-clic : ouvrir la page de l'apprenant"
LOCKED_COLOUR = "#f1f3f5"  # the grey of a row that can no longer be changed


def lock_icon() -> QIcon:
    return icon("lock", "#6b7780")


def level_of(value: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        return Level.NON_OBSERVE


def level_cell(value: str, role: int) -> Any:
    level = level_of(value)
    if role == Qt.ItemDataRole.DisplayRole:
        return LEVEL_SHORT[level]
    if role == Qt.ItemDataRole.ToolTipRole:
        return level.label
    if role == Qt.ItemDataRole.BackgroundRole:
        return QBrush(QColor(LEVEL_COLOURS[level]))
    if role == Qt.ItemDataRole.TextAlignmentRole:
        return int(Qt.AlignmentFlag.AlignCenter)
    return None


def learner_header(learner: LearnerInfo, lock: str, role: int, hint: str | None = None) -> Any:
    """A learner's row header: the name, a padlock and the reason when the row is locked."""
    if role == Qt.ItemDataRole.DisplayRole:
        return learner.name
    if role == Qt.ItemDataRole.ToolTipRole:
        return "\n".join(text for text in (lock, hint) if text) or None
    if role == Qt.ItemDataRole.DecorationRole and lock:
        return lock_icon()
    return None


class GridModel(QAbstractTableModel):
    """Rows: the team's learners. Columns: the criteria, then the comment.

    Edits are not stored here: `level_entered` / `note_entered` ask the view to save
    through the service, which then reloads the model.
    """

    level_entered = Signal(int, int, str)  # candidate_id, criterion_id, Level value
    note_entered = Signal(int, str)  # candidate_id, text

    def __init__(self) -> None:
        super().__init__()
        self._data: GridData | None = None

    def set_grid(self, data: GridData | None) -> None:
        self.beginResetModel()
        self._data = data
        self.endResetModel()

    def refresh(self, data: GridData) -> None:
        """Same rows and columns, new values: keep the current cell."""
        self._data = data
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )

    @property
    def team_id(self) -> int | None:
        return self._data.team.id if self._data else None

    @property
    def comment_column(self) -> int:
        return len(self._data.criteria) if self._data else 0

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() or self._data is None else len(self._data.team.learners)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() or self._data is None else len(self._data.criteria) + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._data is None or not index.isValid():
            return None
        if not (0 <= index.row() < self.rowCount() and 0 <= index.column() < self.columnCount()):
            return None
        learner = self._data.team.learners[index.row()]
        lock = self._data.row_lock(learner.candidate_id)
        if lock and role == Qt.ItemDataRole.ToolTipRole:
            return lock
        if index.column() == self.comment_column:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
                return self._data.notes.get(learner.candidate_id, "")
            if lock and role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(LOCKED_COLOUR))
            return None
        criterion = self._data.criteria[index.column()]
        value = self._data.levels.get((learner.candidate_id, criterion.id), Level.NON_OBSERVE)
        if role == Qt.ItemDataRole.EditRole:
            return value
        return level_cell(value, role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self._data is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < self.rowCount():
                return None
            learner = self._data.team.learners[section]
            return learner_header(learner, self._data.row_lock(learner.candidate_id), role)
        if not 0 <= section < self.columnCount():
            return None
        if section == self.comment_column:
            return "Commentaire" if role == Qt.ItemDataRole.DisplayRole else None
        criterion = self._data.criteria[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return criterion.code
        if role == Qt.ItemDataRole.ToolTipRole:
            return criterion.label
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        readable = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.lock_of(index.row()):
            return readable
        return readable | Qt.ItemFlag.ItemIsEditable

    def lock_of(self, row: int) -> str:
        """Why this row's levels and comment cannot be changed, or "" when they can."""
        learner_id = self.learner_id(row)
        if self._data is None or learner_id is None:
            return ""
        return self._data.row_lock(learner_id)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if self._data is None or not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        if self.lock_of(index.row()):
            return False
        learner = self._data.team.learners[index.row()]
        if index.column() == self.comment_column:
            self.note_entered.emit(learner.candidate_id, str(value))
            return True
        text = str(value).strip()
        level = KEY_TO_LEVEL.get(text)
        if level is None:
            try:
                level = Level(text)
            except ValueError:
                return False
        criterion = self._data.criteria[index.column()]
        self.level_entered.emit(learner.candidate_id, criterion.id, level.value)
        return True

    def learner_id(self, row: int) -> int | None:
        if self._data is None or not 0 <= row < self.rowCount():
            return None
        return self._data.team.learners[row].candidate_id

    def criterion_at(self, column: int) -> CriterionInfo | None:
        if self._data is None or not 0 <= column < len(self._data.criteria):
            return None
        return self._data.criteria[column]


class MatrixModel(QAbstractTableModel):
    """Rows: the cohort's learners. Columns: the criteria, then "observé cette semaine"."""

    def __init__(self) -> None:
        super().__init__()
        self._data: MatrixData | None = None

    def set_matrix(self, data: MatrixData | None) -> None:
        self.beginResetModel()
        self._data = data
        self.endResetModel()

    def learner_at(self, row: int) -> LearnerInfo | None:
        if self._data is None or not 0 <= row < self.rowCount():
            return None
        return self._data.learners[row]

    @property
    def week_column(self) -> int:
        """The column "observé cette semaine", shown only during the orientation weeks (past
        the last column otherwise)."""
        return len(self._data.criteria) if self._data else 0

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() or self._data is None else len(self._data.learners)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        if parent.isValid() or self._data is None:
            return 0
        return len(self._data.criteria) + (1 if self._data.week is not None else 0)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._data is None or not index.isValid():
            return None
        if not (0 <= index.row() < self.rowCount() and 0 <= index.column() < self.columnCount()):
            return None
        learner = self._data.learners[index.row()]
        if index.column() == self.week_column:
            missing = learner.candidate_id in self._data.not_observed_this_week
            if role == Qt.ItemDataRole.DisplayRole:
                return "non observé(e)" if missing else "oui"
            if role == Qt.ItemDataRole.BackgroundRole and missing:
                return QBrush(QColor("#f6cfcb"))
            return None
        criterion = self._data.criteria[index.column()]
        value = self._data.latest.get((learner.candidate_id, criterion.id), Level.NON_OBSERVE)
        return level_cell(value, role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self._data is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < self.rowCount():
                return None
            learner = self._data.learners[section]
            lock = self._data.locked.get(learner.candidate_id, "")
            return learner_header(learner, lock, role, OPEN_LEARNER_HINT)
        if not 0 <= section < self.columnCount():
            return None
        if section == self.week_column:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"Observé(e) en S{self._data.week}"
            return None
        criterion = self._data.criteria[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return criterion.code
        if role == Qt.ItemDataRole.ToolTipRole:
            return criterion.label
        return None
