"""Tableau de bord: the demo's past season shows 40 candidatures and 34 entries (chart and
table), the figures follow the header's season and site, a figure lists the people behind it
and a person opens in the Candidats view; exports write their files; coordination only."""

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCharts import QAbstractBarSeries, QBarCategoryAxis
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTableView

from app.cli import main
from app.services.errors import PermissionDenied
from app.services.reports import actions as reports
from app.services.reports.scope import ReportScope
from app.ui.candidates.view import CandidatesView
from app.ui.dashboard import exports as dashboard_exports
from app.ui.dashboard.charts import BarChart
from app.ui.dashboard.models import TRACE_ROLE, IndicatorTableModel, PeopleTableModel
from app.ui.dashboard.panels import TablePanel
from app.ui.dashboard.view import DashboardView
from app.ui.main_window import MainWindow

PAST_SEASON = "2025-2026"
STEPS = (
    "Candidatures",
    "Information collective",
    "Entretien",
    "Admis",
    "Entrés en formation",
    "Orientation validée",
    "En stage",
    "Sortis",
)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, seeded once for the module (with its accounts); each test opens a copy."""
    path = tmp_path_factory.mktemp("dashboard") / "demo.sqlite"
    assert main(["seed-demo", "--db", str(path)]) == 0
    return path


def _copy(demo_files: Path, folder: Path) -> str:
    for file in demo_files.parent.glob(demo_files.name + "*"):
        shutil.copy(file, folder / file.name)
    return "sqlite:///" + str(folder / demo_files.name)


def _open(qtbot: QtBot, url: str, username: str) -> MainWindow:
    window = MainWindow.open(url, username=username)
    qtbot.addWidget(window, before_close_func=lambda w: w.candidates_view.form.discard_changes())
    window.resize(1366, 768)
    window.show()
    return window


@pytest.fixture
def window(qtbot: QtBot, demo_files: Path, tmp_path: Path) -> Iterator[MainWindow]:
    main_window = _open(qtbot, _copy(demo_files, tmp_path), "claire.vasseur")
    yield main_window
    main_window.context.database.dispose()


def _choose(combo: object, text: str) -> None:
    index = combo.findText(text)  # type: ignore[attr-defined]
    assert index >= 0, text
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


def _dashboard(qtbot: QtBot, window: MainWindow, season: str = PAST_SEASON) -> DashboardView:
    _choose(window.header.season_combo, f"Saison {season}")
    view = window.show_view("dashboard")
    assert isinstance(view, DashboardView)
    _settle(qtbot, view)
    return view


def _settle(qtbot: QtBot, view: DashboardView) -> None:
    qtbot.waitUntil(lambda: not view.busy, timeout=20000)
    assert view.wait()


def _compared(qtbot: QtBot, view: DashboardView) -> IndicatorTableModel:
    """The Comparaison des saisons tab shown (its figures are read when it shows)."""
    view.reveal(view.comparison)
    _settle(qtbot, view)
    assert view.comparison.model.rowCount() > 0
    return view.comparison.model


def _bars(chart: BarChart) -> dict[str, float]:
    """Category -> its bar's value, read off the chart's series and axis."""
    series = chart.series()
    assert isinstance(series, QAbstractBarSeries)
    bars = series.barSets()[0]
    axis = next(a for a in chart.chart().axes() if isinstance(a, QBarCategoryAxis))
    assert axis.count() == bars.count()
    return {axis.at(i): bars.at(i) for i in range(bars.count())}


def _figures(model: IndicatorTableModel, column: int = 1) -> dict[str, str]:
    """Row label -> the text a column shows."""
    return {
        model.index(row, 0).data(): model.index(row, column).data()
        for row in range(model.rowCount())
    }


def _index_of(model: IndicatorTableModel, label: str, column: int = 1) -> QModelIndex:
    for row in range(model.rowCount()):
        if model.index(row, 0).data() == label:
            return model.index(row, column)
    raise KeyError(label)


def _double_click(qtbot: QtBot, view: DashboardView, table: QTableView, index: QModelIndex) -> None:
    view.reveal(table)
    qtbot.waitUntil(table.isVisible)
    table.scrollTo(index)
    _real_double_click(qtbot, table, index)


def _real_double_click(qtbot: QtBot, table: QTableView, index: QModelIndex) -> None:
    """Press and release, then the double-click: QTest's mouseDClick alone sends only the
    double-click event, which an item view takes for a press on an item it never saw pressed."""
    position = table.visualRect(index).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=position)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=position)


# ---------------------------------------------------------------- figures


def test_the_past_season_shows_40_candidatures_and_34_entries(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _dashboard(qtbot, window)
    chart = window.findChild(BarChart, "funnelChart")
    assert chart is view.funnel_chart
    axis = next(a for a in chart.chart().axes() if isinstance(a, QBarCategoryAxis))
    assert axis.categories() == list(reversed(STEPS))  # drawn bottom up: Candidatures on top
    values = _bars(chart)
    assert values["Candidatures"] == 40
    assert values["Entrés en formation"] == 34
    assert values["Information collective"] <= 40
    funnel = _figures(view.panels["funnel"].model)
    assert list(funnel) == list(STEPS)
    assert funnel["Candidatures"] == "40"
    assert funnel["Entrés en formation"] == "34"
    shares = _figures(view.panels["funnel"].model, 2)
    assert shares["Candidatures"] == "100,0\u202f%"
    assert shares["Entrés en formation"] == "85,0\u202f%"
    assert "40" in view.headline.text() and "34" in view.headline.text()
    assert "Saison 2025-2026" in view.scope_label.text()
    assert "Candidatures : 40" in chart.accessibleDescription()


def test_every_indicator_table_has_its_tab_and_the_charts_their_bars(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _dashboard(qtbot, window)
    assert {"funnel", "funnel_losses", "composition", "pathways", "outcomes"} <= set(view.panels)
    tabs = [view.tabs.tabText(i) for i in range(view.tabs.count())]
    assert tabs[0] == "Synthèse" and tabs[-1] == "Comparaison des saisons"
    assert {"Recrutement", "Entrants", "Parcours", "Sorties"} <= set(tabs)
    composition = view.tables["composition"]
    entrants = composition.row("Entrés en formation").cells[0].value
    assert entrants == 34
    women = composition.row("Femmes").cells[1]
    profile = _bars(view.profile_chart)
    assert profile["Femmes"] == pytest.approx(float(women.value or 0))
    assert set(profile) >= {"QPV", "ZRR", "RSA", "Demandeurs d'emploi", "Bac ou moins"}
    ages = _bars(view.age_chart)
    for band in ("26 à 30 ans", "31 à 49 ans", "50 ans et plus"):
        assert ages[band] == composition.row(band).cells[0].value


def test_the_figures_follow_the_header_season_and_site(qtbot: QtBot, window: MainWindow) -> None:
    view = _dashboard(qtbot, window)
    past = _bars(view.funnel_chart)
    _choose(window.header.season_combo, "Saison 2026-2027")
    _settle(qtbot, view)
    assert view.shown_scope == ReportScope("2026-2027", None, None)
    current = _bars(view.funnel_chart)
    assert current != past
    current_table = _figures(view.panels["funnel"].model)
    assert current_table["Candidatures"] == str(int(current["Candidatures"]))
    assert "Saison 2026-2027" in view.scope_label.text()

    _choose(window.header.season_combo, f"Saison {PAST_SEASON}")
    _choose(window.header.site_combo, "Cobalt (Poitiers)")
    _settle(qtbot, view)
    assert view.shown_scope == ReportScope(PAST_SEASON, "cobalt", None)
    at_cobalt = _bars(view.funnel_chart)["Candidatures"]
    assert 0 < at_cobalt < 40
    _choose(window.header.site_combo, "Centre Du Guesclin (Niort)")
    _settle(qtbot, view)
    at_niort = _bars(view.funnel_chart)["Candidatures"]
    assert at_cobalt + at_niort == 40  # the two sites make the season


def test_the_filiere_filter_narrows_the_figures(qtbot: QtBot, window: MainWindow) -> None:
    view = _dashboard(qtbot, window)
    per_filiere = []
    for row in range(1, view.filiere.count()):
        view.filiere.setCurrentIndex(row)
        _settle(qtbot, view)
        assert view.shown_scope is not None
        assert view.shown_scope.filiere_code == view.filiere.itemData(row)
        per_filiere.append(_bars(view.funnel_chart)["Candidatures"])
    # A candidature has one filière at most (some have none yet): the parts never add up to more.
    assert 0 < sum(per_filiere) <= 40
    assert all(count < 40 for count in per_filiere)


def test_every_season_asks_to_choose_one_and_still_compares(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _dashboard(qtbot, window)
    _choose(window.header.season_combo, "Toutes les saisons")
    _settle(qtbot, view)
    assert view.notice.isVisible()
    assert "Choisissez une saison" in view.notice.text()
    assert view.panels["funnel"].model.rowCount() == 0
    assert not view.export_button.isEnabled()
    seasons = _compared(qtbot, view)
    assert seasons.columnCount() >= 3  # the label, then the two seasons of the demo
    assert _figures(seasons, 1)["Candidatures"] == "40"  # oldest first: the past season


def test_the_seasons_compared_side_by_side(qtbot: QtBot, window: MainWindow) -> None:
    view = _dashboard(qtbot, window)
    assert view.comparison.model.rowCount() == 0  # read only once its tab shows
    table = _compared(qtbot, view).table
    assert table is not None
    assert table.columns[1:3] == (PAST_SEASON, "2026-2027")
    past = table.row("Entrés en formation").cells[0]
    assert past.value == 34
    chart = view.seasons_chart.series()
    assert isinstance(chart, QAbstractBarSeries)
    assert [s.label() for s in chart.barSets()] == ["Candidatures", "Entrés en formation"]
    assert chart.barSets()[0].at(0) == 40
    assert chart.barSets()[1].at(0) == 34


# ---------------------------------------------------------------- the people behind a figure


def test_a_figure_lists_its_people_and_a_person_opens_in_the_candidates_view(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _dashboard(qtbot, window)
    panel = view.panels["funnel"]
    entered = _index_of(panel.model, "Entrés en formation")
    assert entered.data(TRACE_ROLE) == "funnel:entres"
    _double_click(qtbot, view, panel.table, entered)
    dialog = view.people_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.model.rowCount() == 34
    assert "Entrés en formation" in dialog.findChild(object, "peopleHeading").text()  # type: ignore[union-attr]
    assert "34 personnes" in dialog.findChild(object, "peopleHeading").text()  # type: ignore[union-attr]
    person = dialog.model.person(2)
    assert person is not None
    index = dialog.model.index(2, 0)
    assert index.data() == person.name
    dialog.table.scrollTo(index)
    _real_double_click(qtbot, dialog.table, index)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.candidates_view)
    candidates = window.candidates_view
    assert isinstance(candidates, CandidatesView)
    assert candidates.form.candidate_id == person.candidate_id
    assert not dialog.isVisible()


def test_the_people_behind_a_share_and_a_seasons_figure(qtbot: QtBot, window: MainWindow) -> None:
    view = _dashboard(qtbot, window)
    composition = view.panels["composition"]
    women = _index_of(composition.model, "Femmes")
    expected = int(view.tables["composition"].row("Femmes").cells[0].value or 0)
    composition.table.setFocus()
    composition.table.setCurrentIndex(women)
    view.reveal(composition.table)
    qtbot.keyClick(composition.table, Qt.Key.Key_Return)  # the keyboard opens it too
    dialog = view.people_dialog
    assert dialog is not None and dialog.model.rowCount() == expected
    dialog.reject()
    # A figure of the comparison counts the people of its own season.
    seasons = view.comparison
    _choose(window.header.season_combo, "Saison 2026-2027")
    _settle(qtbot, view)
    _compared(qtbot, view)
    past = seasons.model.index(0, 1)  # Candidatures, oldest season
    assert past.data() == "40"
    _double_click(qtbot, view, seasons.table, past)
    assert view.people_dialog is not None and view.people_dialog is not dialog
    assert view.people_dialog.model.rowCount() == 40


def test_a_figure_without_people_opens_nothing(qtbot: QtBot, window: MainWindow) -> None:
    view = _dashboard(qtbot, window)
    panel = view.panels["funnel"]
    share = _index_of(panel.model, "Entrés en formation", 2)  # a share: no list of its own
    assert share.data(TRACE_ROLE) is None
    _double_click(qtbot, view, panel.table, share)
    assert view.people_dialog is None


# ---------------------------------------------------------------- models


def test_the_dashboard_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, window: MainWindow
) -> None:
    empty = IndicatorTableModel()
    qtmodeltester.check(empty, force_py=True)
    view = _dashboard(qtbot, window)
    _compared(qtbot, view)
    for panel in [*view.panels.values(), view.comparison]:
        assert isinstance(panel, TablePanel)
        assert panel.model.rowCount() > 0, panel.key
        qtmodeltester.check(panel.model, force_py=True)
    people = PeopleTableModel()
    qtmodeltester.check(people, force_py=True)
    scope = ReportScope(PAST_SEASON)
    actor = window.context.actor
    people.set_people(
        reports.people_behind(window.context.database, scope, "funnel:entres", actor=actor)
    )
    qtmodeltester.check(people, force_py=True)
    assert people.rowCount() == 34
    assert people.headerData(2, Qt.Orientation.Horizontal) == "Étape"


# ---------------------------------------------------------------- exports


def test_the_exports_write_the_tables_and_the_pseudonymised_extract(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = _dashboard(qtbot, window)
    chosen: list[Path] = []

    def save_here(_parent: object, _title: str, name: str, _filters: str) -> Path:
        chosen.append(tmp_path / name)
        return tmp_path / name

    monkeypatch.setattr(dashboard_exports, "save_file", save_here)
    menu = view.export_button.menu()
    assert menu is not None
    actions = {action.objectName(): action for action in menu.findChildren(QAction)}
    actions["exportTablesXlsx"].trigger()
    assert chosen[-1].name == "indicateurs-2025-2026.xlsx"
    workbook = load_workbook(chosen[-1])
    assert len(workbook.sheetnames) >= 5
    cells = [c for row in workbook.worksheets[0].iter_rows(values_only=True) for c in row]
    assert "Candidatures" in cells and 40 in cells
    assert "Indicateurs exportés" in view.status.text()

    actions["exportExtractCsv"].trigger()
    assert chosen[-1].name == "apprenants-pseudonymises-2025-2026.csv"
    text = chosen[-1].read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    assert len([r for r in rows if r]) > 34  # a row per learner, under a heading
    shown = view.tables["funnel"]
    assert shown.row("Candidatures").cells[0].value == 40
    for person in reports.people_behind(
        window.context.database,
        ReportScope(PAST_SEASON),
        "funnel:entres",
        actor=window.context.actor,
    ):
        last_name = person.name.split()[0]
        assert last_name not in text
    assert "apprenants" in view.status.text()

    actions["exportSeasonReport"].trigger()
    assert chosen[-1].name == "bilan-saison-2025-2026.pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(chosen[-1]).pages)
    assert "2025-2026" in text and "Candidatures" in text
    preview = view.exports.preview
    assert preview is not None and preview.isVisible()
    assert preview.pdf == chosen[-1].read_bytes()
    preview.reject()


# ---------------------------------------------------------------- who sees it


@pytest.mark.parametrize("username", ["nadia.belkacem", "elodie.perrin"])
def test_the_desk_and_trainers_do_not_see_the_dashboard(
    qtbot: QtBot, demo_files: Path, tmp_path: Path, username: str
) -> None:
    window = _open(qtbot, _copy(demo_files, tmp_path), username)
    try:
        item = window.navigation.item(window.view_names.index("dashboard"))
        assert item.isHidden()
        with pytest.raises(KeyError):
            window.show_view("dashboard")
        with pytest.raises(PermissionDenied):
            reports.report_tables(
                window.context.database, ReportScope(PAST_SEASON), actor=window.context.actor
            )
    finally:
        window.context.database.dispose()


def test_coordination_finds_it_in_the_navigation_and_by_its_shortcut(
    qtbot: QtBot, window: MainWindow
) -> None:
    item = window.navigation.item(window.view_names.index("dashboard"))
    assert not item.isHidden()
    assert item.text() == "Tableau de bord"
    qtbot.keyClick(
        window,
        Qt.Key.Key_T,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.stack.currentWidget().objectName() == "dashboardView"


def test_the_warm_up_reads_the_header_scope_and_never_raises(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the window is complete, the dashboard's first reading runs in the background:
    for the header's scope, and a failure stays the opening's to report."""
    view = _dashboard(qtbot, window)
    read: list[ReportScope] = []

    def report_tables(_database: object, scope: ReportScope, **_kwargs: object) -> list[object]:
        read.append(scope)
        raise PermissionDenied("Réservé à la coordination.")

    monkeypatch.setattr(reports, "report_tables", report_tables)
    view.warm_up()()
    assert read == [ReportScope(PAST_SEASON)]
    _choose(window.header.season_combo, "Toutes les saisons")
    view.warm_up()()  # no season: nothing to read
    assert read == [ReportScope(PAST_SEASON)]
