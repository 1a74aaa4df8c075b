"""Conservation des données: the retention period, the applications past it, and their
anonymisation after the coordinator has seen the list and confirmed."""

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import UserFacingError, ValidationError
from app.services.rgpd import actions as rgpd
from app.services.rgpd.actions import RetentionOverview
from app.services.rgpd.person_data import (
    MAX_RETENTION_MONTHS,
    MIN_RETENTION_MONTHS,
    RetentionCandidate,
)
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.operations import Failed, LatestOnly, run_busy
from app.ui.theme import icon
from app.ui.widgets.naming import named

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
COLUMNS = (
    ("name", "Nom"),
    ("season", "Saison"),
    ("site", "Site"),
    ("stage", "Étape"),
    ("last_activity", "Dernière activité"),
)


class RetentionTableModel(QAbstractTableModel):
    """The applications past the retention period (a short list, held whole)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[RetentionCandidate] = []

    def set_rows(self, rows: list[RetentionCandidate]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        value = getattr(self.rows[index.row()], COLUMNS[index.column()][0])
        return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


class RetentionPage(QWidget):
    def __init__(self, context: AppContext, today: date | None = None) -> None:
        super().__init__()
        self.setObjectName("retentionPage")
        self.context = context
        self.today = today
        self.model = RetentionTableModel()
        self.reader = LatestOnly(self)  # the list may take a while on a large base
        self.reader.loaded.connect(self._show)
        self.reader.failed.connect(self._failed)
        self._notice = ""  # said in place of the count once the list is read again
        self._build()

    def _build(self) -> None:
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.months = named(QSpinBox(), "retentionMonths")
        self.months.setRange(MIN_RETENTION_MONTHS, MAX_RETENTION_MONTHS)
        self.months.setSuffix(" mois")
        self.months.setAccessibleName("Durée de conservation")
        self.save_button = named(QPushButton(icon("device-floppy"), "Enregistrer"), "retentionSave")
        self.save_button.clicked.connect(self.save_period)
        self.months_error = named(QLabel(), "retentionMonthsError")
        self.months_error.setProperty("role", "error")
        self.table = named(QTableView(), "retentionTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Dossiers à anonymiser")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((230, 90, 160, 200)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.count_label = named(QLabel(), "retentionCount")
        self.count_label.setProperty("role", "muted")
        self.anonymise_button = named(
            QPushButton(icon("user-off", "#ffffff"), "Anonymiser ces dossiers…"), "anonymiseButton"
        )
        self.anonymise_button.setProperty("accent", "true")
        self.anonymise_button.clicked.connect(self.anonymise)
        period = QHBoxLayout()
        label = QLabel("&Durée de conservation :")
        label.setBuddy(self.months)
        period.addWidget(label)
        period.addWidget(self.months)
        period.addWidget(self.save_button)
        period.addWidget(self.months_error, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.anonymise_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.intro)
        layout.addLayout(period)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def _today(self) -> date:
        return self.today or date.today()

    def reload(self) -> None:
        """The period and the applications past it, read in the background."""
        database, actor, today = self.context.database, self.context.actor, self._today()
        self.reader.start(lambda: rgpd.retention_overview(database, today, actor=actor))

    def _failed(self, message: str) -> None:
        self._notice = ""
        self.count_label.setText(message)

    def _show(self, overview: RetentionOverview) -> None:
        months, rows = overview.months, overview.rows
        self.months.setValue(months)
        self.months_error.clear()
        self.intro.setText(
            "Les candidatures qui ne sont jamais entrées en formation sont anonymisées après "
            f"<b>{months} mois</b> sans activité (changement d'étape, rendez-vous ou "
            "modification du dossier). L'identité, les coordonnées et les textes libres sont "
            "remplacés ; l'étape, la saison, le site, la filière, le prescripteur, le sexe, le "
            "QPV, le niveau de diplôme et l'année de naissance restent, pour que les bilans des "
            "financeurs ne changent pas."
        )
        self.model.set_rows(rows)
        count = len(rows)
        if count:
            self.count_label.setText(
                f"{_plural(count, 'dossier')} sans activité depuis le "
                f"{overview.idle_since:%d/%m/%Y}"
            )
            self.anonymise_button.setText(f"Anonymiser ces {_plural(count, 'dossier')}…")
        else:
            self.count_label.setText("Aucun dossier n'a dépassé la durée de conservation.")
            self.anonymise_button.setText("Anonymiser ces dossiers…")
        self.anonymise_button.setEnabled(bool(count))
        if self._notice:
            self.count_label.setText(self._notice)
            self._notice = ""

    def save_period(self) -> None:
        try:
            rgpd.set_retention_months(
                self.context.database, self.months.value(), actor=self.context.actor
            )
        except ValidationError as error:
            self.months_error.setText(error.errors.get("duree", str(error)))
            return
        except UserFacingError as error:
            show_error(self, str(error), "Durée non enregistrée")
            return
        self.reload()

    def anonymise(self) -> None:
        rows = list(self.model.rows)
        if not rows:
            return
        answer = QMessageBox.question(
            self,
            "Anonymiser les dossiers",
            f"Anonymiser {_plural(len(rows), 'dossier')} ? Les noms, coordonnées, adresses et "
            "textes libres seront remplacés définitivement ; les statistiques restent "
            "justes.\n\nCette opération ne peut pas être annulée.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        database, actor, ids = self.context.database, self.context.actor, [row.id for row in rows]
        done = run_busy(
            self,
            "Anonymisation des dossiers et nettoyage du fichier de la base…",
            lambda: rgpd.anonymise(database, ids, actor=actor),
        )
        if isinstance(done, Failed):
            show_error(self, done.message, "Anonymisation impossible")
            return
        self._notice = f"{_plural(done, 'dossier')} anonymisé{'s' if done > 1 else ''}."
        self.reload()
