"""What the desk tripped over in the candidate form: the wheel, the width, stale errors, the
defaults of a new file, the French of the duplicates dialog."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTableWidget,
    QWidget,
)

from app.cli import main
from app.domain.account import ROLE_COORDINATION
from app.services import reference
from app.services.accounts import management as accounts
from app.services.accounts.command_line import (
    DEMO_ACCOUNTS,
    DEMO_COORDINATOR,
    demo_accounts_text,
)
from app.services.base_access.opening import open_app_database
from app.services.candidates.records import DuplicateMatch
from app.ui.candidates.duplicates import DuplicatesDialog
from app.ui.candidates.form import CandidateForm, season_for_new_file
from app.ui.main_window import MainWindow
from tests.gui.conftest import type_text
from tests.gui.test_orientation_view import _cohort_with_team


def _form(window: MainWindow) -> CandidateForm:
    form = window.findChild(CandidateForm, "candidateForm")
    assert form is not None
    return form


def _scroll(form: CandidateForm) -> QScrollArea:
    scroll = form.findChild(QScrollArea)
    assert scroll is not None
    return scroll


def _line(form: CandidateForm, name: str) -> QLineEdit:
    field = form.findChild(QLineEdit, name)
    assert field is not None, name
    return field


def _error(form: CandidateForm, name: str) -> QLabel:
    label = form.findChild(QLabel, f"{name}Error")
    assert label is not None, name
    return label


def _wheel_down(widget: QWidget) -> None:
    inside = QPointF(5, 5)
    event = QWheelEvent(
        inside,
        QPointF(widget.mapToGlobal(QPoint(5, 5))),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def _settle(window: MainWindow) -> None:
    for _ in range(5):
        QApplication.processEvents()


# ---- the wheel


def test_the_wheel_over_an_unfocused_combo_scrolls_the_form_and_keeps_its_value(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.resize(1366, 768)
    _settle(window)
    form = _form(window)
    referrer = form.findChild(QComboBox, "prescripteur")
    referrer.setCurrentIndex(2)
    _line(form, "nom").setFocus()
    bar = _scroll(form).verticalScrollBar()
    bar.setValue(0)

    _wheel_down(referrer)

    assert referrer.currentIndex() == 2
    assert bar.value() > 0  # the form moved instead
    assert referrer.focusPolicy() == Qt.FocusPolicy.StrongFocus  # no focus taken by the wheel

    referrer.setFocus()  # clicked or tabbed into: now the wheel goes through its items
    _wheel_down(referrer)
    assert referrer.currentIndex() == 3


# ---- the width


@pytest.mark.parametrize("size", [(1366, 768), (1360, 820)])
def test_the_form_fits_the_window_without_sideways_scrolling(
    qtbot: QtBot, window: MainWindow, size: tuple[int, int]
) -> None:
    window.resize(*size)
    _settle(window)
    form = _form(window)
    scroll = _scroll(form)
    content = scroll.widget()
    assert content.minimumSizeHint().width() <= scroll.viewport().width()
    assert scroll.horizontalScrollBar().maximum() == 0
    # Showing the last error brings its field into view without moving the labels out.
    form.show_errors({"prescripteur": "Prescripteur inconnu."})
    _settle(window)
    assert scroll.horizontalScrollBar().value() == 0
    label = next(w for w in form.findChildren(QLabel) if w.text() == "Nom de naissance *")
    assert label.mapTo(scroll.viewport(), QPoint(0, 0)).x() >= 0  # not "om de naissance"


# ---- errors that go once fixed


def test_an_error_goes_as_soon_as_its_field_is_edited_and_comes_back_if_still_wrong(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = _form(window)
    qtbot.mouseClick(window.findChild(QPushButton, "newCandidateButton"), Qt.MouseButton.LeftButton)
    type_text(qtbot, _line(form, "prenom"), "Amélie")
    type_text(qtbot, _line(form, "code_postal"), "860")
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    assert _error(form, "nom").isVisible()
    assert _error(form, "telephone").isVisible() and _error(form, "email").isVisible()
    assert _error(form, "code_postal").isVisible()

    type_text(qtbot, _line(form, "nom"), "Lefèvre")
    assert not _error(form, "nom").isVisible()  # gone at the first key

    type_text(qtbot, _line(form, "telephone"), "06 12 34 56 78")
    # "a phone or an e-mail": one answers for both.
    assert not _error(form, "telephone").isVisible()
    assert not _error(form, "email").isVisible()

    postal = _line(form, "code_postal")
    postal.setFocus()
    type_text(qtbot, postal, "1")  # 8601: still not a postal code
    assert not _error(form, "code_postal").isVisible()
    _line(form, "commune").setFocus()  # leaving the field checks it again
    assert _error(form, "code_postal").isVisible()
    assert "code postal" in _error(form, "code_postal").text().lower()

    postal.setFocus()
    type_text(qtbot, postal, "0")  # 86010
    _line(form, "commune").setFocus()
    assert not _error(form, "code_postal").isVisible()
    _line(form, "nom").setFocus()
    assert not _error(form, "nom").isVisible()


# ---- a new file's season and site


def test_a_new_file_never_takes_a_season_already_over() -> None:
    today = date(2026, 12, 6)
    assert season_for_new_file("2024-2025", today) == "2026-2027"
    assert season_for_new_file("", today) == "2026-2027"
    assert season_for_new_file("2026-2027", today) == "2026-2027"
    assert season_for_new_file("2027-2028", today) == "2027-2028"  # recruiting ahead


def test_a_new_file_takes_the_headers_site_and_the_current_season(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = _form(window)
    site = form.findChild(QComboBox, "site")
    season = form.findChild(QComboBox, "saison")
    current = reference.current_season_label()
    header = window.header
    header.site_combo.setCurrentIndex(1)  # the first site, as the desk chose it
    chosen_site = header.site_id()
    assert chosen_site is not None
    # The blank file shown follows the header at once...
    assert site.currentData() != ""
    cobalt = site.currentData()
    # ...and so does the next one, even when the header shows a finished season.
    past = reference.season_label(reference.season_start_year(date.today()) - 2)
    with window.context.database.session() as session:
        reference.ensure_season(session, past)
        session.commit()
    header.reload_seasons()
    header.season_combo.setCurrentIndex(header.season_combo.findText(f"Saison {past}"))
    qtbot.mouseClick(window.findChild(QPushButton, "newCandidateButton"), Qt.MouseButton.LeftButton)
    assert site.currentData() == cobalt
    assert season.currentData() == current


def test_a_file_being_typed_is_not_reset_by_the_header(qtbot: QtBot, window: MainWindow) -> None:
    form = _form(window)
    type_text(qtbot, _line(form, "nom"), "Lefèvre")
    window.header.site_combo.setCurrentIndex(2)
    assert _line(form, "nom").text() == "Lefèvre"
    assert form.findChild(QComboBox, "site").currentData() == ""


# ---- French


def _match(number: int) -> DuplicateMatch:
    return DuplicateMatch(
        id=number,
        person_uuid=f"uuid-{number}",
        display_name=f"DURAND Léa {number}",
        birth_date="01/02/2000",
        season="2026-2027",
        site="Cobalt",
        stage="candidature reçue",
        reasons=("même e-mail",),
    )


@pytest.mark.parametrize(
    ("count", "sentence"),
    [(1, "1 dossier ressemble à celui"), (2, "2 dossiers ressemblent à celui")],
)
def test_the_duplicates_dialog_speaks_proper_french(
    qtbot: QtBot, count: int, sentence: str
) -> None:
    dialog = DuplicatesDialog([_match(n) for n in range(1, count + 1)])
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert sentence in texts
    assert "(s)" not in texts


# ---- people by their names


@pytest.fixture
def nadias_window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    """A window signed in as the account "nadia", whose name is Nadia Belkacem."""
    url = "sqlite:///" + str(tmp_path / "names.sqlite")
    database = open_app_database(url)
    with database.session() as session:
        accounts.ensure_passwordless_account(session, "nadia", "Nadia Belkacem", ROLE_COORDINATION)
        session.commit()
    database.dispose()
    main = MainWindow.open(url, username="nadia")
    qtbot.addWidget(main, before_close_func=lambda _w: main.candidates_view.form.discard_changes())
    main.show()
    yield main
    main.context.database.dispose()


def test_the_history_and_the_grid_name_people_not_identifiants(
    qtbot: QtBot, nadias_window: MainWindow
) -> None:
    window = nadias_window
    assert window.context.username == "nadia"
    form = _form(window)
    qtbot.mouseClick(window.findChild(QPushButton, "newCandidateButton"), Qt.MouseButton.LeftButton)
    assert _line(form, "responsable").text() == "Nadia Belkacem"
    type_text(qtbot, _line(form, "nom"), "Lefèvre")
    type_text(qtbot, _line(form, "prenom"), "Amélie")
    type_text(qtbot, _line(form, "email"), "amelie.lefevre@exemple.fr")
    site = form.findChild(QComboBox, "site")
    site.setCurrentIndex(site.findData("cobalt"))
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    assert form.candidate_id is not None

    history = window.findChild(QTableWidget, "stageHistory")
    when_and_who = history.item(0, 0).text()
    assert when_and_who.endswith("\nNadia Belkacem")

    _cohort_id, _activity_id, _ids = _cohort_with_team(window)
    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    view.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    grid = view.findChild(QTableView, "evaluationGrid")
    grid.setFocus()
    grid.setCurrentIndex(grid.model().index(0, 0))
    qtbot.keyClick(grid, Qt.Key.Key_2)
    grid.setCurrentIndex(grid.model().index(0, 0))
    shown = view.grid_history.text()  # type: ignore[attr-defined]
    assert "Nadia Belkacem : Non observé → En cours d'acquisition" in shown
    assert " nadia " not in shown


# ---- the demo's accounts


@pytest.fixture
def demo_window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    """A demo base, opened as the demo opens: no password, as its coordinator."""
    path = tmp_path / "demo.sqlite"
    assert main(["seed-demo", "--db", str(path)]) == 0
    main_window = MainWindow.open("sqlite:///" + str(path))
    qtbot.addWidget(
        main_window, before_close_func=lambda _w: main_window.candidates_view.form.discard_changes()
    )
    main_window.show()
    yield main_window
    main_window.context.database.dispose()


def _sign_in(qtbot: QtBot, window: MainWindow, username: str, password: str) -> None:
    panel = window.lock_screen.panel
    panel.username.setText(username)
    panel.password.clear()
    type_text(qtbot, panel.password, password)
    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)


def test_the_users_page_lists_the_demo_accounts_the_first_time_it_shows(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    demo_window.users_action.trigger()  # Session › Utilisateurs…, nothing read by hand
    table = demo_window.findChild(QTableWidget, "usersTable")
    assert table.isVisible()
    listed = {table.item(row, 1).text() for row in range(table.rowCount())}
    assert listed == {account.username for account in DEMO_ACCOUNTS}


def test_after_changing_user_on_the_demo_coordination_signs_back_in_with_the_printed_password(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    window = demo_window
    assert window.context.username == DEMO_COORDINATOR
    printed = demo_accounts_text()
    receptionist = next(a for a in DEMO_ACCOUNTS if a.role == "accueil")
    coordinator = next(a for a in DEMO_ACCOUNTS if a.role == "coordination")
    assert f"« {coordinator.username} », mot de passe « {coordinator.password} »" in printed

    window.switch_action.trigger()
    _sign_in(qtbot, window, receptionist.username, receptionist.password)
    assert (window.context.username, window.context.role) == (receptionist.username, "accueil")

    window.switch_action.trigger()
    _sign_in(qtbot, window, coordinator.username, coordinator.password)
    assert not window.is_locked
    assert (window.context.username, window.context.role) == (DEMO_COORDINATOR, "coordination")
    assert window.users_action.isVisible()
