"""Tableau de bord (coordination): the funders' indicators of the header's season and site.

Tabs: Synthèse (the funnel and the entrants' profile as charts), Recrutement (the funnel and
its losses), Entrants (composition), Parcours, Sorties (per funder), Comparaison des saisons.
Everything is read off the window's thread each time the view shows or its scope changes
(LatestOnly: only the newest read lands). A figure with people behind it opens their list;
a person opens in the Candidats view.
"""

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import StorageError
from app.services import lists
from app.services.errors import UserFacingError
from app.services.outcomes import actions as outcomes
from app.services.outcomes.funders import FunderInfo
from app.services.reports import actions as reports
from app.services.reports.scope import ReportScope
from app.services.reports.tables import IndicatorTable
from app.ui.context import AppContext
from app.ui.dashboard.charts import BarChart
from app.ui.dashboard.exports import DashboardExports
from app.ui.dashboard.formatting import cell_number, cell_text
from app.ui.dashboard.panels import TablePanel, scrolled_page
from app.ui.dashboard.people import PeopleDialog
from app.ui.operations import Failed, LatestOnly, run_busy
from app.ui.theme import icon
from app.ui.widgets.naming import named

if TYPE_CHECKING:
    from app.ui.main_window import HeaderStrip

NO_SEASON = (
    "Choisissez une saison dans l'en-tête : les indicateurs se lisent saison par saison. "
    "L'onglet « Comparaison des saisons » les met côte à côte."
)
LOADING = "Calcul des indicateurs…"
SUMMARY, RECRUITMENT, ENTRANTS, PATHWAYS, OUTCOMES, SEASONS = (
    "Synthèse",
    "Recrutement",
    "Entrants",
    "Parcours",
    "Sorties",
    "Comparaison des saisons",
)
TAB_OF = {
    "funnel": RECRUITMENT,
    "funnel_losses": RECRUITMENT,
    "composition": ENTRANTS,
    "pathways": PATHWAYS,
    "company_time": PATHWAYS,
    "outcomes": OUTCOMES,
    "outcome_situations": OUTCOMES,
}
# The entrants' profile chart: the composition rows funders quote, with a short label each.
PROFILE_ROWS = (
    ("Femmes", "Femmes"),
    ("Moins de 26 ans", "Moins de 26 ans"),
    ("Résidant d'un QPV", "QPV"),
    ("Résidant d'une ZRR", "ZRR"),
    ("Bénéficiaires du RSA", "RSA"),
    ("RQTH", "RQTH"),
    ("Demandeurs d'emploi", "Demandeurs d'emploi"),
    ("Ni en emploi ni en formation (NEET)", "NEET"),
    ("Bac ou moins (niveau 4 ou moins, ou aucun)", "Bac ou moins"),
)
AGE_ROWS = (
    ("Moins de 26 ans", "Moins de 26 ans"),
    ("26 à 30 ans", "26 à 30 ans"),
    ("31 à 49 ans", "31 à 49 ans"),
    ("50 ans et plus", "50 ans et plus"),
)
# Columns whose figure is the row's people as such (the people dialog's heading omits them).
PLAIN_COLUMNS = frozenset({"Personnes", "Personnes ou valeur", "Valeur"})
# Rows of the season comparison drawn side by side.
COMPARED_ROWS = ("Candidatures", "Entrés en formation")


@dataclass(frozen=True)
class DashboardData:
    """What one read brings: the scope's tables and the funders to choose from."""

    scope: ReportScope
    funder: str | None
    tables: list[IndicatorTable]
    funders: list[FunderInfo]


class DashboardView(QWidget):
    candidate_requested = Signal(int)  # a person's file, from the people behind a figure

    def __init__(self, context: AppContext, header: "HeaderStrip") -> None:
        super().__init__()
        self.setObjectName("dashboardView")
        self.context = context
        self.header = header
        self.site_codes = {o.id: o.code for o in lists.sites(context.database)}
        # The funnel first (the figures the Synthèse tab opens on), then every table; the
        # seasons compared when their tab shows.
        self.funnel_reader = LatestOnly(self)
        self.reader = LatestOnly(self)
        self.comparison_reader = LatestOnly(self)
        self._comparison_stale = True
        self.tables: dict[str, IndicatorTable] = {}
        self.panels: dict[str, TablePanel] = {}
        self.people_dialog: PeopleDialog | None = None
        self.shown_scope: ReportScope | None = None  # the scope of the figures shown
        self._build_toolbar()
        self._build_tabs()
        self._layout()
        self.exports = DashboardExports(self)
        self.export_button.setMenu(self.exports.menu(QMenu(self)))
        self.funnel_reader.loaded.connect(self._show_funnel)
        self.funnel_reader.failed.connect(self._show_failure)
        self.reader.loaded.connect(self._show_data)
        self.reader.failed.connect(self._show_failure)
        self.comparison_reader.loaded.connect(self._show_comparison)
        self.comparison_reader.failed.connect(self._show_failure)
        header.scope_changed.connect(self._scope_changed)
        self.filiere.currentIndexChanged.connect(self.reload)
        self.funder.currentIndexChanged.connect(self.reload)
        self.tabs.currentChanged.connect(lambda _index: self._read_comparison_if_shown())
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.reload)

    # ---- building

    def _build_toolbar(self) -> None:
        self.scope_label = named(QLabel(), "dashboardScope")
        font = self.scope_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 2)
        self.scope_label.setFont(font)
        self.filiere = named(QComboBox(), "dashboardFiliere")
        self.filiere.setAccessibleName("Filière")
        self.filiere.setToolTip("Les indicateurs d'une filière, ou de toutes")
        self.filiere.addItem("Toutes les filières", None)
        for option in lists.filieres(self.context.database):
            self.filiere.addItem(option.label, option.code)
        self.refresh_button = named(QPushButton(icon("refresh"), "Actualiser"), "dashboardRefresh")
        self.refresh_button.setToolTip("Recalculer les indicateurs (F5)")
        self.refresh_button.clicked.connect(self.reload)
        self.export_button = named(QPushButton(icon("file-export"), "Exporter"), "dashboardExport")
        self.export_button.setToolTip(
            "Les tableaux en CSV ou XLSX, l'extrait pseudonymisé des apprenants, le bilan de "
            "saison en PDF"
        )
        self.status = named(QLabel(), "dashboardStatus")
        self.status.setProperty("role", "muted")
        self.notice = named(QLabel(NO_SEASON), "dashboardNotice")
        self.notice.setProperty("role", "notice")
        self.notice.setWordWrap(True)
        self.notice.hide()

    def _build_tabs(self) -> None:
        self.tabs = named(QTabWidget(), "dashboardTabs")
        self.tabs.setDocumentMode(True)
        self.seasons_page: QWidget | None = None
        self._build_summary()
        self.pages: dict[str, QVBoxLayout] = {}
        for title in (RECRUITMENT, ENTRANTS, PATHWAYS, OUTCOMES):
            self._page(title)
        self._build_funder_choice()
        self._build_comparison()

    def _page(self, title: str) -> QVBoxLayout:
        """The tab of that title (made the first time a table goes there)."""
        column = self.pages.get(title)
        if column is None:
            area, column = scrolled_page(f"dashboardPage{len(self.pages) + 1}")
            column.addStretch(1)
            self.pages[title] = column
            # Before the comparison of seasons, which stays last.
            index = self.tabs.indexOf(self.seasons_page) if self.seasons_page else -1
            self.tabs.insertTab(index, area, title)
        return column

    def _build_summary(self) -> None:
        self.headline = named(QLabel(), "dashboardHeadline")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() + 1)
        self.headline.setFont(font)
        self.funnel_chart = BarChart("funnelChart", "Entonnoir de recrutement")
        self.profile_chart = BarChart("profileChart", "Profil des entrants, en part")
        self.age_chart = BarChart("ageChart", "Âge des entrants")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.profile_chart)
        right.addWidget(self.age_chart)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.funnel_chart)
        charts.addWidget(right)
        charts.setChildrenCollapsible(False)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(8, 8, 8, 8)
        column.addWidget(self.headline)
        column.addWidget(charts, 1)
        hint = QLabel(
            "Le détail des chiffres, et les personnes derrière chacun, sont dans les onglets "
            "suivants (double-cliquez sur un chiffre souligné)."
        )
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        column.addWidget(hint)
        self.tabs.addTab(page, SUMMARY)

    def _build_funder_choice(self) -> None:
        self.funder = named(QComboBox(), "dashboardFunder")
        self.funder.setAccessibleName("Financeur")
        self.funder.setToolTip("Les sorties positives selon la définition de ce financeur")
        self.funder.addItem("Tous les financeurs", None)
        row = QHBoxLayout()
        label = QLabel("&Financeur :")
        label.setBuddy(self.funder)
        row.addWidget(label)
        row.addWidget(self.funder)
        row.addStretch(1)
        self.pages[OUTCOMES].insertLayout(0, row)

    def _build_comparison(self) -> None:
        area, column = scrolled_page("dashboardSeasons")
        self.comparison = TablePanel("season_comparison")
        self.comparison.trace_requested.connect(self._open_trace)
        self.seasons_chart = BarChart("seasonsChart", "Comparaison des saisons", horizontal=False)
        self.seasons_chart.setMinimumHeight(300)
        column.addWidget(self.comparison)
        column.addWidget(self.seasons_chart)
        column.addStretch(1)
        self.seasons_page = area
        self.tabs.addTab(area, SEASONS)

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.scope_label, 1)
        label = QLabel("Fi&lière :")
        label.setBuddy(self.filiere)
        bar.addWidget(label)
        bar.addWidget(self.filiere)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 4)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)

    # ---- the scope

    def scope(self) -> ReportScope | None:
        """The header's season and site, the view's filière; None without a season."""
        season = self.header.season_label()
        if season is None:
            return None
        site_id = self.header.site_id()
        site = self.site_codes.get(site_id) if site_id is not None else None
        return ReportScope(season, site, self.filiere.currentData())

    def scope_text(self) -> str:
        season = self.header.season_label()
        parts = [f"Saison {season}" if season else "Toutes les saisons"]
        parts.append(self.header.site_combo.currentText())
        parts.append(self.filiere.currentText())
        return " · ".join(parts)

    def _scope_changed(self) -> None:
        if self.isVisibleTo(self.window()):
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        # Each time it shows: the figures of now (files change in the other views).
        super().showEvent(event)
        self.reload()

    # ---- reading

    def reload(self) -> None:
        """Read the scope's figures off the window's thread: the funnel, then every table;
        the seasons compared now if their tab is shown, else when it shows."""
        database, actor = self.context.database, self.context.actor
        scope, funder = self.scope(), self.funder.currentData()
        self.scope_label.setText(f"Tableau de bord — {self.scope_text()}")
        self.notice.setVisible(scope is None)
        self.export_button.setEnabled(scope is not None)
        self._comparison_stale = True
        self._read_comparison_if_shown()
        if scope != self.shown_scope:
            self._clear()  # no figure of another scope under this one's title meanwhile
        if scope is None:
            self.funnel_reader.cancel()
            self.reader.cancel()
            if self.tabs.currentIndex() == 0 and self.seasons_page is not None:
                self.tabs.setCurrentWidget(self.seasons_page)  # the one tab with figures
            return
        self.status.setText(LOADING)
        self.funnel_reader.start(
            lambda: (scope, reports.funnel_table(database, scope, actor=actor))
        )

        def read() -> DashboardData:
            tables = reports.report_tables(database, scope, funder=funder, actor=actor)
            return DashboardData(scope, funder, tables, outcomes.funders(database, actor=actor))

        self.reader.start(read)

    def warm_up(self) -> Callable[[], None]:
        """What the first opening reads, to run off the window's thread once the window is
        complete: the season's pages of the base are then decrypted and the reports' queries
        compiled, and the first click shows its tables as fast as the next ones. Nothing is
        shown: a failure is the opening's to report."""
        database, actor, scope = self.context.database, self.context.actor, self.scope()

        def read() -> None:
            if scope is None:
                return
            with suppress(UserFacingError, StorageError):
                reports.report_tables(database, scope, actor=actor)

        return read

    def _read_comparison_if_shown(self) -> None:
        if not self._comparison_stale or self.tabs.currentWidget() is not self.seasons_page:
            return
        self._comparison_stale = False
        database, actor, site = self.context.database, self.context.actor, self._header_site_code()
        self.comparison_reader.start(lambda: reports.season_comparison(database, site, actor=actor))

    def _header_site_code(self) -> str | None:
        site_id = self.header.site_id()
        return self.site_codes.get(site_id) if site_id is not None else None

    def wait(self, milliseconds: int = 10000) -> bool:
        """Until every read has landed (tests, the benchmark)."""
        readers = (self.funnel_reader, self.reader, self.comparison_reader)
        return all(reader.wait(milliseconds) for reader in readers)

    @property
    def busy(self) -> bool:
        return self.funnel_reader.busy or self.reader.busy or self.comparison_reader.busy

    # ---- showing

    def _show_funnel(self, loaded: tuple[ReportScope, IndicatorTable]) -> None:
        """The funnel ahead of the other tables (they follow in `_show_data`)."""
        scope, funnel = loaded
        if not self.reader.busy:
            return  # every table already landed, this one with them
        self.shown_scope = scope
        self.tables["funnel"] = funnel
        self._panel("funnel").show_table(funnel)
        self._show_charts()

    def _show_data(self, data: DashboardData) -> None:
        self.funnel_reader.cancel()
        self.shown_scope = data.scope
        self.tables = {table.key: table for table in data.tables}
        for table in data.tables:
            self._panel(table.key).show_table(table)
        for key, panel in self.panels.items():
            if key not in self.tables:
                panel.show_table(None)
        self._show_funders(data.funders, data.funder)
        self._show_charts()
        self.status.setText(f"Indicateurs calculés à {datetime.now():%H:%M} (F5 pour actualiser).")

    def _panel(self, key: str) -> TablePanel:
        panel = self.panels.get(key)
        if panel is None:
            panel = TablePanel(key)
            panel.trace_requested.connect(self._open_trace)
            column = self._page(TAB_OF.get(key, PATHWAYS))
            column.insertWidget(column.count() - 1, panel)  # before the closing stretch
            self.panels[key] = panel
        return panel

    def _show_funders(self, funders: Sequence[FunderInfo], chosen: str | None) -> None:
        known = [self.funder.itemData(i) for i in range(1, self.funder.count())]
        if known == [f.code for f in funders]:
            return
        blocked = self.funder.blockSignals(True)
        self.funder.clear()
        self.funder.addItem("Tous les financeurs", None)
        for funder in funders:
            self.funder.addItem(funder.label, funder.code)
        self.funder.setCurrentIndex(max(self.funder.findData(chosen), 0))
        self.funder.blockSignals(blocked)

    def _show_charts(self) -> None:
        funnel = self.tables.get("funnel")
        rows = funnel.rows if funnel is not None else ()
        self.funnel_chart.show_bars(
            "Parcours de recrutement (personnes)",
            [row.label for row in rows],
            [("Personnes", [cell_number(row.cells[0]) for row in rows])],
        )
        self.headline.setText(_headline(funnel))
        composition = self.tables.get("composition")
        shares = _picked(composition, PROFILE_ROWS, 1)
        self.profile_chart.show_bars(
            "Profil des entrants (part, en %)",
            [label for label, _ in shares],
            [("Part des entrants", [value for _, value in shares])],
            unit="%",
            maximum=100,
        )
        ages = _picked(composition, AGE_ROWS, 0)
        self.age_chart.show_bars(
            "Âge à l'entrée (personnes)",
            [label for label, _ in ages],
            [("Personnes", [value for _, value in ages])],
        )

    def _show_comparison(self, table: IndicatorTable) -> None:
        self.comparison.show_table(table)
        seasons = list(table.columns[1:])
        sets = []
        for label in COMPARED_ROWS:
            try:
                row = table.row(label)
            except KeyError:
                continue
            sets.append((label, [cell_number(cell) for cell in row.cells]))
        self.seasons_chart.show_bars("Candidatures et entrées, par saison", seasons, sets)

    def _show_failure(self, message: str) -> None:
        self.status.setText(message)

    def _clear(self) -> None:
        self.shown_scope = None
        self.tables = {}
        for panel in self.panels.values():
            panel.show_table(None)
        self._show_charts()
        self.status.setText("")

    def reveal(self, widget: QWidget) -> None:
        """The tab holding `widget`, scrolled to it."""
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and page.isAncestorOf(widget):
                self.tabs.setCurrentIndex(index)
                if isinstance(page, QScrollArea):
                    page.ensureWidgetVisible(widget)
                return

    # ---- the people behind a figure

    def _open_trace(self, panel: TablePanel, index: QModelIndex) -> None:
        trace = panel.model.trace(index)
        cell = panel.model.cell(index)
        if trace is None or cell is None or cell.value is None:
            return
        scope = self._trace_scope(panel, index)
        if scope is None:
            return
        database, actor = self.context.database, self.context.actor
        outcome = run_busy(
            self,
            "Recherche des personnes…",
            lambda: reports.people_behind(database, scope, trace, actor=actor),
        )
        if isinstance(outcome, Failed):
            QMessageBox.warning(self, "Liste impossible", outcome.message)
            return
        table = panel.model.table
        assert table is not None
        row_label = table.rows[index.row()].label
        column = table.columns[index.column()]
        # The column says more than the row for a loss or a checkpoint ("À 3 mois"), or a season.
        plain = column in PLAIN_COLUMNS or panel is self.comparison  # its scope names the season
        figure = row_label if plain else f"{row_label} — {column}"
        scope_text = _scope_words(scope, self.header.site_combo.currentText())
        dialog = PeopleDialog(figure, scope_text, outcome, self)
        dialog.candidate_requested.connect(self.candidate_requested)
        dialog.finished.connect(dialog.deleteLater)
        self.people_dialog = dialog
        dialog.open()

    def _trace_scope(self, panel: TablePanel, index: QModelIndex) -> ReportScope | None:
        """The scope a figure was computed in: the shown scope; for the comparison of seasons,
        the season of the figure's column (its trace names it too), every filière."""
        if panel is not self.comparison:
            return self.shown_scope
        table = panel.model.table
        if table is None:
            return None
        return ReportScope(table.columns[index.column()], self._header_site_code(), None)


def _picked(
    table: IndicatorTable | None, rows: Sequence[tuple[str, str]], column: int
) -> list[tuple[str, float | None]]:
    """(short label, figure or None when not computable) of those rows the table has, in
    that order."""
    if table is None:
        return []
    found = []
    for label, short in rows:
        try:
            row = table.row(label)
        except KeyError:
            continue
        if column < len(row.cells):
            value = row.cells[column].value
            found.append((short, None if value is None else float(value)))
    return found


def _headline(funnel: IndicatorTable | None) -> str:
    """The figure funders quote first: "40 candidatures, 34 entrés en formation (85,0 %)"."""
    if funnel is None:
        return ""
    try:
        applications = funnel.row("Candidatures").cells
        entered = funnel.row("Entrés en formation").cells
    except KeyError:
        return ""
    share = (
        f" ({cell_text(entered[1])})" if len(entered) > 1 and entered[1].value is not None else ""
    )
    return (
        f"<b>{cell_text(applications[0])}</b> candidatures, "
        f"<b>{cell_text(entered[0])}</b> entrés en formation{share}."
    )


def _scope_words(scope: ReportScope, site_text: str) -> str:
    words = [f"saison {scope.season_label}"] if scope.season_label else []
    words.append(site_text.lower() if scope.site_code is None else site_text)
    return ", ".join(words)
