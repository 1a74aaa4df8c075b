"""Import of submitted projects (the CSV the online form exports): a preview of every row and
what importing it would do (nouveau, mise à jour, inchangé, refusée with the column and the
reason), then the import of all of it, or of the valid rows only — nothing in between.

The file is chosen when the dialog opens (`exec`), unless given; it is read and tried off the
window's thread, and so is the import.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.projects import import_actions
from app.services.projects.import_preview import (
    PreviewRow,
    ProjectImportPreview,
    ProjectImportResult,
)
from app.ui.context import AppContext
from app.ui.operations import Operation, Progress, run_in_background
from app.ui.widgets.file_dialogs import open_file
from app.ui.widgets.naming import named

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()

ANALYSING = "Analyse du fichier…"
ROW_DETAIL_HINT = "Choisissez une ligne pour lire son détail en entier."
CSV_FILTERS = "Fichiers CSV (*.csv);;Tous les fichiers (*)"
COLUMNS = ("Ligne", "Résultat", "Référence", "Projet", "Structure", "Détail")
LINE, RESULT, REFERENCE, TITLE, STRUCTURE, DETAIL = range(len(COLUMNS))
# Filter key -> French label, which rows it shows.
FILTERS: dict[str, tuple[str, Callable[[PreviewRow], bool]]] = {
    "all": ("Toutes les lignes", lambda r: True),
    "refused": ("Refusées", lambda r: not r.valid),
    "create": ("Nouveaux projets", lambda r: r.valid and r.action == "create"),
    "update": ("Mises à jour", lambda r: r.valid and r.action == "update"),
    "unchanged": ("Inchangés", lambda r: r.valid and r.action == "unchanged"),
}
_REFUSED_COLOUR = QColor("#b3261e")


class ProjectImportRowsModel(QAbstractTableModel):
    """The preview's rows the filter shows, read-only."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[PreviewRow] = []
        self._shown: list[PreviewRow] = []
        self._filter = "all"

    def set_rows(self, rows: list[PreviewRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._shown = self._matching(self._filter)
        self.endResetModel()

    def set_filter(self, key: str) -> None:
        self.beginResetModel()
        self._filter = key
        self._shown = self._matching(key)
        self.endResetModel()

    def count(self, key: str) -> int:
        return len(self._matching(key))

    def _matching(self, key: str) -> list[PreviewRow]:
        test = FILTERS[key][1]
        return [row for row in self._rows if test(row)]

    def row_at(self, row: int) -> PreviewRow:
        return self._shown[row]

    # ---- Qt

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._shown):
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        row = self._shown[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not row.valid and column == RESULT:
            return _REFUSED_COLOUR
        return None


def cell_text(row: PreviewRow, column: int) -> str:
    """What the table shows of a row in a column."""
    if column == LINE:
        return str(row.line)
    if column == RESULT:
        return row.result_label
    if column == REFERENCE:
        return row.reference if row.valid else row.reading.texts.get("reference", "").strip()
    if column == TITLE:
        return row.title
    if column == STRUCTURE:
        return row.structure
    return row.detail()


class ProjectImportDialog(QDialog):
    """`exec()` asks for the file first (Rejected at once if none is chosen); with `path`,
    the preview starts as the dialog is made (tests)."""

    def __init__(
        self,
        context: AppContext,
        season_label: str,
        parent: QWidget | None = None,
        *,
        path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("projectImportDialog")
        self.setWindowTitle("Importer des projets")
        self.context = context
        self.season_label = season_label  # the season the Projets view shows
        self.path = path
        self.imported = False
        self.preview: ProjectImportPreview | None = None
        self._operation: Operation[Any] | None = None
        self._landed: list[ProjectImportResult] = []
        self.summary = named(QLabel(ANALYSING), "importSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel(
            "Aperçu : rien n'est enregistré avant « Importer ». Un fichier dont une ligne est "
            "refusée s'importe en entier une fois corrigé, ou sans ses lignes refusées."
        )
        self.hint.setWordWrap(True)
        self.season_note = named(QLabel(), "importSeasonNote")
        self.season_note.setWordWrap(True)
        self.season_note.hide()
        self.filter = named(QComboBox(), "importFilter")
        self.filter.setAccessibleName("Lignes affichées")
        self.filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        filter_label = QLabel("&Afficher :")
        filter_label.setBuddy(self.filter)
        self.model = ProjectImportRowsModel()
        self.table = named(QTableView(), "importRows")
        self.table.setAccessibleName("Lignes du fichier")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DETAIL, QHeaderView.ResizeMode.Stretch)
        for column, width in ((LINE, 52), (RESULT, 96), (REFERENCE, 110), (TITLE, 230)):
            self.table.setColumnWidth(column, width)
        self.table.setColumnWidth(STRUCTURE, 180)
        self.table.selectionModel().currentRowChanged.connect(self._show_row_detail)
        self.row_detail = named(QLabel(), "importRowDetail")
        self.row_detail.setWordWrap(True)
        self.row_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.row_detail.setAccessibleName("Détail de la ligne choisie")
        self.row_detail.setText(ROW_DETAIL_HINT)
        self.model.modelReset.connect(lambda: self.row_detail.setText(ROW_DETAIL_HINT))
        self.progress = named(QProgressBar(), "importProgress")
        self.progress.hide()
        self.import_all = named(QPushButton("Importer"), "importAllButton")
        self.import_all.setToolTip(
            "Importer toutes les lignes (possible quand aucune n'est refusée)"
        )
        self.import_valid = named(
            QPushButton("Importer les lignes valides seulement"), "importValidButton"
        )
        self.import_valid.setToolTip("Les lignes refusées sont laissées de côté")
        self.cancel_button = named(QPushButton("Annuler"), "cancelImportButton")
        for button in (self.import_all, self.import_valid):
            button.setEnabled(False)
        self.import_all.clicked.connect(lambda: self._start_import(valid_only=False))
        self.import_valid.clicked.connect(lambda: self._start_import(valid_only=True))
        self.cancel_button.clicked.connect(self._cancel)
        filters = QHBoxLayout()
        filters.addWidget(filter_label)
        filters.addWidget(self.filter)
        filters.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 3)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.import_valid)
        buttons.addWidget(self.import_all)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.hint)
        layout.addWidget(self.season_note)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.row_detail)
        layout.addLayout(buttons)
        self.resize(1120, 560)
        if path is not None:
            self.load(path)

    def exec(self) -> int:
        if self.path is None:
            chosen = open_file(self.parentWidget(), "Importer des projets", CSV_FILTERS)
            if chosen is None:
                return int(QDialog.DialogCode.Rejected)
            self.load(chosen)
        return super().exec()

    def load(self, path: Path) -> None:
        """Read and try the file's rows in the background; the preview follows."""
        self.path = path
        self.setWindowTitle(f"Importer des projets — {path.name}")
        self.summary.setText(ANALYSING)
        self._run(self._preview_work, self._show_preview)

    # ---- background work

    def _run(self, work: Callable[[Progress], T], on_success: Callable[[T], None]) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self._operation = run_in_background(
            self,
            work,
            on_success=on_success,
            on_failure=self._on_failed,
            on_progress=self._on_progress,
        )

    def _preview_work(self, progress: Progress) -> ProjectImportPreview:
        assert self.path is not None
        return import_actions.preview_import(
            self.context.database, self.path, actor=self.context.actor, progress=progress
        )

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} / {total} lignes")

    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self.summary.setText(message)
        self.cancel_button.setText("Fermer")

    # ---- preview

    def _show_preview(self, preview: ProjectImportPreview) -> None:
        self.preview = preview
        self.progress.hide()
        if preview.fatal:
            self.summary.setText("Ce fichier ne peut pas être importé : " + " ".join(preview.fatal))
        else:
            self.summary.setText(preview.summary())
        self._show_season_note(preview)
        self.model.set_rows(preview.rows)
        self._fill_filters("refused" if preview.invalid_rows else "all")
        can_import = not preview.fatal and bool(preview.valid_rows)
        changes = preview.count("create") + preview.count("update")
        self.import_all.setEnabled(can_import and not preview.invalid_rows and bool(changes))
        self.import_valid.setEnabled(can_import and bool(preview.invalid_rows) and bool(changes))
        self.import_all.setDefault(self.import_all.isEnabled())
        if not changes and not preview.fatal and not preview.invalid_rows:
            self.summary.setText(preview.summary() + " Rien à importer : tout est déjà à jour.")
            self.cancel_button.setText("Fermer")

    def _show_season_note(self, preview: ProjectImportPreview) -> None:
        """Projects of another season than the one the list shows will not appear in it."""
        others = sorted(
            {r.reading.season for r in preview.valid_rows if r.reading.season != self.season_label}
        )
        if others:
            self.season_note.setText(
                f"Attention : des projets du fichier sont de la saison {', '.join(others)} ; la "
                f"liste des projets affiche la saison {self.season_label} (changez-la dans "
                "l'en-tête pour les voir)."
            )
        self.season_note.setVisible(bool(others))

    def _fill_filters(self, current: str) -> None:
        self.filter.blockSignals(True)
        self.filter.clear()
        for key, (label, _test) in FILTERS.items():
            count = self.model.count(key)
            if count or key == "all":
                self.filter.addItem(f"{label} ({count})", key)
        self.filter.setCurrentIndex(max(self.filter.findData(current), 0))
        self.filter.blockSignals(False)
        self.model.set_filter(str(self.filter.currentData()))
        self._select_first_row()

    def _filter_changed(self, _position: int) -> None:
        key = self.filter.currentData()
        if key is not None:
            self.model.set_filter(str(key))
            self._select_first_row()

    def _select_first_row(self) -> None:
        """Its detail shows at once (the refused rows come first)."""
        if self.model.rowCount():
            self.table.selectRow(0)

    def _show_row_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.row_detail.setText(ROW_DETAIL_HINT)
            return
        row = self.model.row_at(current.row())
        what = f"Ligne {row.line} — {row.result_label}"
        if row.valid and row.reference:
            what += f" ({row.reference})"
        lines = row.detail_lines()
        self.row_detail.setText(
            what + (" :\n" + "\n".join(f"• {line}" for line in lines) if lines else ".")
        )

    # ---- import

    def _start_import(self, *, valid_only: bool) -> None:
        preview = self.preview
        if preview is None:
            return
        self.import_all.setEnabled(False)
        self.import_valid.setEnabled(False)
        self.summary.setText("Import en cours…")
        landed = self._landed
        database, actor = self.context.database, self.context.actor

        def work(_progress: Progress) -> ProjectImportResult:
            result = import_actions.import_previewed(
                database, preview, valid_only=valid_only, actor=actor
            )
            landed.append(result)
            return result

        self._run(work, self._imported)

    def _imported(self, result: ProjectImportResult) -> None:
        self.imported = True
        self.progress.hide()
        self.summary.setText(result.describe())
        self.cancel_button.setText("Fermer")

    def _cancel(self) -> None:
        self._stop()
        self.reject()

    def done(self, result: int) -> None:
        self._stop()
        if self._landed:
            self.imported = True  # Annuler pressed as the import was committing: it landed
        super().done(result)

    def _stop(self) -> None:
        if self._operation is not None:
            self._operation.cancel()
            self._operation.wait(None)
