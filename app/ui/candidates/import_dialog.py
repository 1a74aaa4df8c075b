"""CSV import: a preview of every row of the file and what importing it would do (new file,
update, unchanged, refused, in conflict, or a person already known — decided row by row or
for all of them at once), then an all-or-nothing import.

The file is read and checked off the window's thread, with its progress; so is the import.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
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

from app.services.candidates import actions as candidate_actions
from app.services.candidates.import_preview import ImportPreview, KnownChoice
from app.services.candidates.import_writing import ImportResult
from app.ui.candidates.import_model import (
    DECISION,
    DETAIL,
    FILTERS,
    DecisionDelegate,
    ImportRowsModel,
)
from app.ui.context import AppContext
from app.ui.operations import Operation, Progress, run_in_background
from app.ui.widgets.naming import named

T = TypeVar("T")

ANALYSING = "Analyse du fichier…"
DECIDE_ALL = {
    KnownChoice.IGNORE: "knownIgnoreAllButton",
    KnownChoice.NEW_APPLICATION: "knownNewApplicationAllButton",
    KnownChoice.CREATE: "knownCreateAllButton",
}


class ImportDialog(QDialog):
    def __init__(self, context: AppContext, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle(f"Importer des candidats — {Path(path).name}")
        self.context = context
        self.path = Path(path)
        self.imported = False
        self.preview: ImportPreview | None = None
        self._operation: Operation[Any] | None = None
        # Set from the import's thread once its unit of work committed: Annuler pressed as it
        # was committing drops the result, yet the import did land.
        self._landed: list[ImportResult] = []
        self.summary = named(QLabel(ANALYSING), "importSummary")
        self.summary.setWordWrap(True)
        self.warnings = named(QLabel(), "importWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        self.known_title = named(QLabel(), "importKnownTitle")
        self.known_title.setWordWrap(True)
        self.decide_buttons = {
            choice: named(QPushButton(choice.label), name) for choice, name in DECIDE_ALL.items()
        }
        for choice, button in self.decide_buttons.items():
            button.setToolTip(f"« {choice.label} » pour toutes les lignes déjà connues")
            button.clicked.connect(lambda _checked=False, c=choice: self._decide_all(c))
        self.known_bar = QWidget()
        known_layout = QHBoxLayout(self.known_bar)
        known_layout.setContentsMargins(0, 0, 0, 0)
        known_layout.addWidget(self.known_title, 1)
        known_layout.addWidget(QLabel("Appliquer à toutes les lignes déjà connues :"))
        for button in self.decide_buttons.values():
            known_layout.addWidget(button)
        self.known_bar.hide()
        self.filter = named(QComboBox(), "importFilter")
        self.filter.setAccessibleName("Lignes affichées")
        self.filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        filter_label = QLabel("&Afficher :")
        filter_label.setBuddy(self.filter)
        self.model = ImportRowsModel()
        self.model.decided.connect(self._decisions_changed)
        self.table = named(QTableView(), "importRows")
        self.table.setAccessibleName("Lignes du fichier")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(DECISION, DecisionDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DETAIL, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((56, 100, 190, 84, 84, 96, 0, 170)):
            if width:
                self.table.setColumnWidth(column, width)
        self.conflicts_title = named(QLabel(), "importConflictsTitle")
        self.conflicts_title.setWordWrap(True)
        self.overwrite_newer = named(
            QCheckBox("Écraser aussi les fiches modifiées depuis l'export"), "overwriteNewerCheck"
        )
        self.overwrite_newer.setToolTip(
            "Sans cette case, les fiches modifiées dans la base après l'export de ce fichier "
            "sont laissées telles quelles ; les autres lignes sont importées."
        )
        for widget in (self.conflicts_title, self.overwrite_newer):
            widget.hide()
        self.progress = named(QProgressBar(), "importProgress")
        self.import_all = named(QPushButton("Importer"), "importAllButton")
        self.import_valid = named(
            QPushButton("Importer les lignes valides seulement"), "importValidButton"
        )
        self.cancel_button = named(QPushButton("Annuler"), "cancelImportButton")
        self.import_all.setEnabled(False)
        self.import_valid.setEnabled(False)
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
        layout.addWidget(self.warnings)
        layout.addWidget(self.known_bar)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.conflicts_title)
        layout.addWidget(self.overwrite_newer)
        layout.addLayout(buttons)
        self.resize(1180, 620)
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

    def _preview_work(self, progress: Progress) -> ImportPreview:
        return candidate_actions.preview_import(self.context.database, self.path, progress=progress)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} / {total} lignes")

    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self.summary.setText(message)
        self.cancel_button.setText("Fermer")

    # ---- preview

    def _show_preview(self, preview: ImportPreview) -> None:
        self.preview = preview
        self.progress.hide()
        if preview.fatal:
            self.summary.setText("Ce fichier ne peut pas être importé : " + " ".join(preview.fatal))
        else:
            self.summary.setText(preview.summary())
        warnings = preview.warning_lines()
        self.warnings.setText("\n".join(warnings))
        self.warnings.setVisible(bool(warnings))
        conflicts = preview.conflicts
        if conflicts:
            self.conflicts_title.setText(preview.describe_conflicts()[0])
        for widget in (self.conflicts_title, self.overwrite_newer):
            widget.setVisible(bool(conflicts))
        self.model.set_rows(preview.rows)
        self._fill_filters("undecided" if preview.undecided else "all")
        self.known_bar.setVisible(bool(preview.known_rows))
        self._decisions_changed()

    def _fill_filters(self, current: str) -> None:
        self.filter.blockSignals(True)
        self.filter.clear()
        for key, (label, _test) in FILTERS.items():
            count = self.model.count(key)
            if count or key in ("all", current):
                self.filter.addItem(f"{label} ({count})", key)
        self.filter.setCurrentIndex(max(self.filter.findData(current), 0))
        self.filter.blockSignals(False)
        self.model.set_filter(str(self.filter.currentData()))

    def _filter_changed(self, _position: int) -> None:
        key = self.filter.currentData()
        if key is not None:
            self.model.set_filter(str(key))

    def _decide_all(self, choice: KnownChoice) -> None:
        if self.preview is None:
            return
        self.preview.decide(choice)
        current = str(self.filter.currentData())
        self._fill_filters("known" if current == "undecided" else current)
        self.model.decisions_changed()

    def _decisions_changed(self) -> None:
        preview = self.preview
        if preview is None:
            return
        known, undecided = len(preview.known_rows), len(preview.undecided)
        self.known_title.setText(_known_text(known, undecided))
        can_import = not preview.fatal and bool(preview.valid_rows) and not undecided
        self.import_all.setEnabled(can_import and not preview.invalid_rows)
        self.import_valid.setEnabled(can_import and bool(preview.invalid_rows))
        self.import_all.setDefault(self.import_all.isEnabled())

    # ---- import

    def _start_import(self, *, valid_only: bool) -> None:
        preview = self.preview
        if preview is None:
            return
        self.import_all.setEnabled(False)
        self.import_valid.setEnabled(False)
        self.overwrite_newer.setEnabled(False)
        self.known_bar.setEnabled(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        overwrite_newer = self.overwrite_newer.isChecked()
        self.summary.setText("Import en cours… (Annuler arrête l'import sans rien enregistrer)")

        landed = self._landed

        def work(progress: Progress) -> ImportResult:
            result = candidate_actions.import_previewed(
                self.context.database,
                preview,
                valid_only=valid_only,
                actor=self.context.actor,
                overwrite_newer=overwrite_newer,
                progress=progress,
            )
            landed.append(result)
            return result

        self._run(work, self._imported)

    def _imported(self, result: ImportResult) -> None:
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
            self.imported = True  # Annuler pressed as the import was committing: say it landed
        super().done(result)

    def _stop(self) -> None:
        """Cancel the work under way (nothing of an import is saved) and let it end."""
        if self._operation is not None:
            self._operation.cancel()
            self._operation.wait(None)  # an import's rollback or commit, however long


def _known_text(known: int, undecided: int) -> str:
    """ "3 lignes ressemblent à des personnes déjà connues, dont 2 à décider : …"."""
    if known <= 1:
        text = f"{known} ligne ressemble à une personne déjà connue"
    else:
        text = f"{known} lignes ressemblent à des personnes déjà connues"
    if not undecided:
        return text + " : décision prise pour " + ("elle." if known <= 1 else "chacune.")
    if undecided < known:
        text += f", dont {undecided} à décider"
    else:
        text += ", à décider"
    return text + " : choisissez dans la colonne « Décision » (F2), ou pour toutes à la fois."
