"""The window opens on the candidates list; the other views are built once it shows, or at
once when someone asks for one."""

import gc
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QComboBox, QLineEdit

from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput
from app.ui.main_window import VIEW_NAMES, MainWindow
from tests.conftest import make_actor

PASSWORD = "Fabrique-2026!"


def built(window: MainWindow) -> list[str]:
    return [name for name in VIEW_NAMES if name in window._views]


def test_only_the_candidates_list_is_built_before_the_window_shows(
    qtbot: QtBot, tmp_path: Path
) -> None:
    main = MainWindow.open("sqlite:///" + str(tmp_path / "base.sqlite"), username="Nadia")
    qtbot.addWidget(main)

    assert built(main) == ["candidates"]
    assert main.stack.currentWidget() is main.candidates_view

    main.show()
    qtbot.waitUntil(lambda: built(main) == VIEW_NAMES)
    # Each view sits at its place in the navigation, the list still in front.
    for row, name in enumerate(VIEW_NAMES):
        assert main.stack.widget(row) is main._views[name]
    assert main.stack.currentWidget() is main.candidates_view


def test_a_view_asked_for_before_its_turn_is_built_then_and_shown(
    qtbot: QtBot, tmp_path: Path
) -> None:
    main = MainWindow.open("sqlite:///" + str(tmp_path / "base.sqlite"), username="Nadia")
    qtbot.addWidget(main)

    partners = main.show_view("partners")

    assert built(main) == ["candidates", "partners"]
    assert main.stack.currentWidget() is partners
    assert partners.objectName() == "partnersView"
    search = partners.findChild(QLineEdit, "hostSearch")
    assert search is not None
    main.show()
    assert main.stack.currentWidget() is partners  # building the others moves nothing


def test_clicking_a_view_in_the_navigation_builds_it(qtbot: QtBot, tmp_path: Path) -> None:
    main = MainWindow.open("sqlite:///" + str(tmp_path / "base.sqlite"), username="Nadia")
    qtbot.addWidget(main)

    main.navigation.setCurrentRow(VIEW_NAMES.index("orientation"))

    assert main.stack.currentWidget() is main._views["orientation"]
    assert main.stack.currentWidget().findChild(QComboBox, "cohortPicker") is not None


def test_views_a_role_may_not_open_are_not_built(qtbot: QtBot, tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "base.sqlite")
    first = MainWindow.open(url, username="Nadia")
    with first.context.database.session() as session:
        data = AccountInput("Karim", "karim", "accueil")
        accounts.create_account(session, data, PASSWORD, PASSWORD, actor=make_actor("coordination"))
    first.close()

    main = MainWindow.open(url, username="karim")
    qtbot.addWidget(main)
    main.show()
    for _turn in VIEW_NAMES:
        main._build_next_view()

    assert built(main) == ["candidates", "agenda"]


def test_once_complete_the_window_settles_and_loads_the_pdf_modules(
    qtbot: QtBot, tmp_path: Path
) -> None:
    main = MainWindow.open("sqlite:///" + str(tmp_path / "base.sqlite"), username="Nadia")
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: built(main) == VIEW_NAMES)

    # The first document printed does not wait for reportlab to load.
    qtbot.waitUntil(lambda: "app.pdf.convention" in sys.modules)
    assert gc.get_freeze_count() > 0  # the window's objects are out of the collector's way
