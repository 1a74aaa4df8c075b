"""Before creating a file: the same person may already have one. Never merged silently."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.plural import agrees, plural
from app.services.candidates.records import DuplicateMatch


class DuplicatesDialog(QDialog):
    OPEN_EXISTING = 2
    CREATE_ANYWAY = 3
    NEW_APPLICATION = 4

    def __init__(self, matches: list[DuplicateMatch], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatesDialog")
        self.setWindowTitle("Cette personne a peut-être déjà un dossier")
        self.chosen_id: int | None = None
        self._matches = matches
        intro = QLabel(
            f"<b>{plural(len(matches), 'dossier')} "
            f"{agrees(len(matches), 'ressemble', 'ressemblent')} à celui que vous créez.</b><br>"
            "• La même personne candidate pour une nouvelle saison : "
            "<i>Nouvelle candidature</i> (son ancien dossier reste tel quel).<br>"
            "• Vous saisissiez un dossier qui existe déjà : <i>Ouvrir le dossier existant</i> "
            "(votre saisie est abandonnée).<br>"
            "• C'est une autre personne : <i>Créer quand même</i>."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(matches), 5)
        self.table.setObjectName("duplicatesTable")
        self.table.setHorizontalHeaderLabels(
            ["Nom", "Né(e) le", "Saison et site", "Étape", "Ressemblance"]
        )
        for row, match in enumerate(matches):
            cells = [
                match.display_name,
                match.birth_date,
                f"{match.season} — {match.site}",
                match.stage,
                ", ".join(match.reasons),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.selectRow(0)
        self.table.doubleClicked.connect(self._open_selected)
        buttons = QDialogButtonBox()
        self.open_button = QPushButton("Ouvrir le dossier existant")
        self.open_button.setObjectName("openExistingButton")
        self.create_button = QPushButton("Créer quand même")
        self.create_button.setObjectName("createAnywayButton")
        self.application_button = QPushButton("Nouvelle candidature")
        self.application_button.setObjectName("newApplicationButton")
        buttons.addButton(self.application_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.clicked.connect(self._open_selected)
        self.create_button.clicked.connect(lambda: self.done(self.CREATE_ANYWAY))
        self.application_button.clicked.connect(self._new_application)
        buttons.rejected.connect(self.reject)
        self.open_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(900, 300)

    def chosen_match(self) -> DuplicateMatch:
        return self._matches[max(self.table.currentRow(), 0)]

    def _new_application(self) -> None:
        self.chosen_id = self.chosen_match().id
        self.done(self.NEW_APPLICATION)

    def _open_selected(self) -> None:
        row = max(self.table.currentRow(), 0)
        self.chosen_id = self._matches[row].id
        self.done(self.OPEN_EXISTING)
