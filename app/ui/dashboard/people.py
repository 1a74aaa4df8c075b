"""The people behind a figure (coordination): their names, sites and stages; a person's file
opens in the Candidats view (double-click, Entrée, or « Ouvrir le dossier »)."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.plural import plural
from app.services.reports.tables import PersonRef
from app.ui.dashboard.models import PeopleTableModel
from app.ui.widgets.naming import named


class PeopleDialog(QDialog):
    """Who a figure counts, as the service listed them."""

    candidate_requested = Signal(int)

    def __init__(
        self, figure: str, scope_text: str, people: list[PersonRef], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setObjectName("peopleBehindDialog")
        self.setWindowTitle("Personnes comptées")
        self.resize(620, 460)
        self.model = PeopleTableModel(people)
        heading = named(
            QLabel(f"<b>{figure}</b> — {scope_text} : {plural(len(people), 'personne')}"),
            "peopleHeading",
        )
        heading.setWordWrap(True)
        self.table = named(QTableView(), "peopleTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName(f"Personnes comptées : {figure}")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(lambda index: self._open(index.row()))
        hint = QLabel("Double-cliquez sur une personne (ou Entrée) pour ouvrir son dossier.")
        hint.setProperty("role", "muted")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = named(QPushButton("&Ouvrir le dossier"), "openPersonButton")
        self.open_button.setEnabled(bool(people))
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(lambda: self._open(self.table.currentIndex().row()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        if people:
            self.table.selectRow(0)
        self.table.setFocus()

    def _open(self, row: int) -> None:
        person = self.model.person(row)
        if person is None:
            return
        self.accept()
        self.candidate_requested.emit(person.candidate_id)
