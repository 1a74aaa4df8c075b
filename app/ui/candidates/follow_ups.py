"""After the exit: the dialog that records a 3/6/12-month check, the one that says how the
pathway ended, and the "Suivis à faire" list (checks due and overdue, with the person's phone
and e-mail), opened from the Candidats view by a button or Ctrl+Shift+U."""

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import lists
from app.services.errors import UserFacingError, ValidationError
from app.services.outcomes import actions as outcomes
from app.services.outcomes.actions import CheckLine, DueFollowUp, FollowUpFile
from app.services.permissions import can_export_personal_data
from app.services.validation import format_date
from app.ui.context import AppContext
from app.ui.theme import ERROR, icon
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.fields import ChoiceBox, FieldWithError, LineField, MultiLineField
from app.ui.widgets.naming import named

SHORTCUT = "Ctrl+Shift+U"
Index = QModelIndex | Any  # QPersistentModelIndex too, as Qt passes either


def _labelled_form(rows: list[tuple[str, QWidget, QWidget]]) -> QFormLayout:
    form = QFormLayout()
    for text, holder, field in rows:
        label = QLabel(text)
        label.setBuddy(field)
        field.setAccessibleName(text.rstrip(" :*"))
        form.addRow(label, holder)
    return form


class OutcomeDialog(QDialog):
    """Record (or correct) the situation of a learner who left, at one checkpoint."""

    def __init__(
        self,
        context: AppContext,
        candidate_id: int,
        check: CheckLine,
        parent: QWidget | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("outcomeDialog")
        self.setWindowTitle(f"Suivi {check.label}")
        self.context, self.candidate_id, self.checkpoint = context, candidate_id, check.checkpoint
        known = check.outcome
        self.situation = ChoiceBox(list(outcomes.SITUATIONS.items()), empty_label="Choisir…")
        self.checked_on = LineField()
        self.checked_on.setPlaceholderText("JJ/MM/AAAA")
        self.source = ChoiceBox(list(outcomes.SOURCES.items()), empty_label="Choisir…")
        self.comment = MultiLineField()
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(70)
        self.situation.set_value(known.situation if known else "")
        self.checked_on.setText(known.checked_on if known else format_date(today or date.today()))
        self.source.set_value(known.source if known else "")
        self.comment.setPlainText(known.comment if known else "")
        self.holders = {
            "situation": FieldWithError("situation", self.situation),
            "date": FieldWithError("date", self.checked_on),
            "source": FieldWithError("source", self.source),
            "commentaire": FieldWithError("commentaire", self.comment),
        }
        intro = QLabel(f"À faire à partir du {format_date(check.due_on)}.")
        intro.setProperty("role", "muted")
        form = _labelled_form(
            [
                ("Situation :", self.holders["situation"], self.situation),
                ("Vérifiée le :", self.holders["date"], self.checked_on),
                ("Source :", self.holders["source"], self.source),
                ("Commentaire :", self.holders["commentaire"], self.comment),
            ]
        )
        buttons = ok_cancel_buttons(self, "Enregistrer le suivi")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("saveOutcomeButton")
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(460, 300)

    def submit(self) -> None:
        try:
            outcomes.record_outcome(
                self.context.database,
                self.candidate_id,
                self.checkpoint,
                self.situation.value(),
                self.checked_on.text(),
                self.source.value(),
                self.comment.toPlainText(),
                actor=self.context.actor,
            )
        except ValidationError as error:
            for name, holder in self.holders.items():
                holder.set_error(error.errors.get(name, ""))
            return
        except UserFacingError as error:
            QMessageBox.warning(self, "Enregistrement impossible", str(error))
            return
        self.accept()


class PathwayEndDialog(QDialog):
    """How the pathway of a learner who left ended, and why when it was interrupted."""

    def __init__(
        self, context: AppContext, candidate_id: int, file: FollowUpFile, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pathwayEndDialog")
        self.setWindowTitle("Fin de parcours")
        self.context, self.candidate_id = context, candidate_id
        self.end = ChoiceBox(list(outcomes.PATHWAY_ENDS.items()), empty_label="Choisir…")
        self.end.set_value(file.pathway_end)
        self.reason = LineField(file.pathway_end_reason)
        self.reason.setPlaceholderText("ex. déménagement, emploi trouvé, ne vient plus")
        self.holders = {
            "fin_parcours": FieldWithError("fin_parcours", self.end),
            "motif_fin": FieldWithError("motif_fin", self.reason),
        }
        form = _labelled_form(
            [
                ("Fin de parcours :", self.holders["fin_parcours"], self.end),
                ("Motif de l'interruption :", self.holders["motif_fin"], self.reason),
            ]
        )
        buttons = ok_cancel_buttons(self, "Enregistrer")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("savePathwayEndButton")
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(460, 160)

    def submit(self) -> None:
        try:
            outcomes.set_pathway_end(
                self.context.database,
                self.candidate_id,
                self.end.value(),
                self.reason.text(),
                actor=self.context.actor,
            )
        except ValidationError as error:
            for name, holder in self.holders.items():
                holder.set_error(error.errors.get(name, ""))
            return
        except UserFacingError as error:
            QMessageBox.warning(self, "Enregistrement impossible", str(error))
            return
        self.accept()


# ---------------------------------------------------------------- the checks due

DUE_COLUMNS = (
    "État",
    "Personne",
    "Suivi",
    "À faire depuis le",
    "Sortie le",
    "Site",
    "Saison",
    "Téléphone",
    "E-mail",
)


class DueFollowUpsModel(QAbstractTableModel):
    """The checks due, one row each; overdue ones in red."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[DueFollowUp] = []

    def set_items(self, items: list[DueFollowUp]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(DUE_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(DUE_COLUMNS)
        ):
            return DUE_COLUMNS[section]
        return None

    def _texts(self, item: DueFollowUp) -> tuple[str, ...]:
        return (
            "En retard" if item.overdue else "À faire",
            item.name,
            outcomes.CHECKPOINT_LABELS[item.checkpoint],
            format_date(item.due_on),
            format_date(item.exit_date),
            item.site,
            item.season,
            item.phone or "—",
            item.email or "—",
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._texts(item)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and item.overdue and index.column() == 0:
            return QBrush(QColor(ERROR))
        if role == Qt.ItemDataRole.UserRole:
            return item.candidate_id
        return None

    def candidate_at(self, row: int) -> int | None:
        return self.items[row].candidate_id if 0 <= row < len(self.items) else None


class DueFollowUpsDialog(QDialog):
    """The 3/6/12-month checks due and not recorded yet; double-click (or Entrée) opens the
    person's file in the Candidats view."""

    def __init__(
        self,
        context: AppContext,
        open_file: Callable[[int], None],
        parent: QWidget | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dueFollowUpsDialog")
        self.setWindowTitle("Suivis à faire")
        self.context, self.open_file, self.today = context, open_file, today or date.today()
        self.model = DueFollowUpsModel()
        self.site = named(QComboBox(), "followUpSite")
        self.site.setAccessibleName("Site")
        self.site.addItem("Tous les sites", "")
        for option in lists.sites(context.database):
            self.site.addItem(option.label, option.code)
        self.site.currentIndexChanged.connect(self.reload)
        self.count = named(QLabel(), "followUpCount")
        self.table = named(QTableView(), "dueFollowUps")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Suivis à faire")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated.connect(lambda index: self._open(index.row()))
        open_button = named(QPushButton(icon("user-check"), "Ouvrir le dossier"), "openFollowUp")
        open_button.setToolTip("Ouvrir le dossier de la personne pour enregistrer le suivi")
        open_button.clicked.connect(lambda: self._open(self.table.currentIndex().row()))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        close.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        note = QLabel(
            "Chaque personne sortie est à recontacter 3, 6 et 12 mois après sa sortie ; "
            "un suivi reste ici jusqu'à ce qu'il soit enregistré dans l'onglet Parcours "
            "de son dossier. « En retard » : plus d'un mois après la date prévue."
        )
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        top = QHBoxLayout()
        site_label = QLabel("Site :")
        site_label.setBuddy(self.site)
        top.addWidget(site_label)
        top.addWidget(self.site)
        top.addStretch(1)
        top.addWidget(self.count)
        bottom = QHBoxLayout()
        bottom.addWidget(open_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.resize(1040, 520)
        self.reload()

    def reload(self) -> None:
        try:
            items = outcomes.due_follow_ups(
                self.context.database,
                self.today,
                actor=self.context.actor,
                site_code=self.site.currentData() or None,
            )
        except UserFacingError as error:
            QMessageBox.warning(self, "Suivis à faire", str(error))
            items = []
        self.model.set_items(items)
        late = sum(1 for item in items if item.overdue)
        text = f"{len(items)} suivi{'s' if len(items) > 1 else ''} à faire"
        if late:
            text += f", dont {late} en retard"
        self.count.setText(text if items else "Aucun suivi à faire.")
        if items:
            self.table.selectRow(0)

    def _open(self, row: int) -> None:
        candidate_id = self.model.candidate_at(row)
        # A double-click also activates the row on most styles: one opening.
        if candidate_id is None or self.result() == QDialog.DialogCode.Accepted:
            return
        self.accept()
        self.open_file(candidate_id)


class FollowUpsLauncher(QObject):
    """The Candidats view's "Suivis à faire" button and shortcut; shown to the desk and
    coordination only (a list of people with their contacts), checked each time the view
    shows. The view adds `button` to its toolbar."""

    def __init__(self, view: QWidget, context: AppContext, open_file: Callable[[int], None]):
        super().__init__(view)
        self.view, self.context, self.open_file = view, context, open_file
        self.button = named(QPushButton(icon("calendar-time"), "Suivis à faire"), "followUpsButton")
        self.button.setToolTip(
            f"Les suivis à 3, 6 et 12 mois des personnes sorties, à faire ou en retard ({SHORTCUT})"
        )
        self.button.clicked.connect(self.open)
        shortcut = QShortcut(QKeySequence(SHORTCUT), view)
        # Set apart: PySide drops `context=` given with a callable to the constructor.
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.open)
        view.installEventFilter(self)
        self.apply_role()

    def apply_role(self) -> None:
        allowed = can_export_personal_data(self.context.role)
        # Shown only once in the toolbar: a parentless button shown would be a window.
        if self.button.parent() is not None or not allowed:
            self.button.setVisible(allowed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Read defensively: Qt may call the filter while the wrapper is being torn down.
        if watched is getattr(self, "view", None) and event.type() == QEvent.Type.Show:
            self.apply_role()
        return False

    def open(self) -> None:
        if not can_export_personal_data(self.context.role):
            return
        DueFollowUpsDialog(self.context, self.open_file, self.view).exec()
