"""One registry of views (app/ui/views.py): every entry is in the navigation for its roles and
opens with `show_view(name)`; adding a view is adding one entry."""

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QListWidgetItem, QWidget

from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION, ROLE_FORMATEUR
from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput
from app.services.base_access.opening import open_app_database
from app.ui import views
from app.ui.main_window import MainWindow
from app.ui.views import VIEWS, ViewEntry
from tests.conftest import make_actor

PASSWORD = "phrase de passe longue"
# CONTRACT.md, « Window »: the names `window.show_view(name)` accepts.
CONTRACT_NAMES = {
    "candidates",
    "agenda",
    "orientation",
    "projects",
    "agreements",
    "partners",
    "dashboard",
    "settings",
    "audit",
    "users",
}
USERS = {ROLE_COORDINATION: "nadia", ROLE_ACCUEIL: "karim", ROLE_FORMATEUR: "samir"}


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A base with an account of each role."""
    address = "sqlite:///" + str(tmp_path / "views.sqlite")
    database = open_app_database(address)
    with database.session() as session:
        for role, username in USERS.items():
            data = AccountInput(username.title(), username, role)
            accounts.create_account(
                session, data, PASSWORD, PASSWORD, actor=make_actor(ROLE_COORDINATION)
            )
    database.dispose()
    return address


def _items(window: MainWindow) -> dict[str, QListWidgetItem]:
    navigation = window.navigation
    return {
        navigation.item(row).data(Qt.ItemDataRole.UserRole): navigation.item(row)
        for row in range(navigation.count())
    }


def test_the_registry_names_each_view_once_as_the_contract_does() -> None:
    for field in ("name", "label", "object_name"):
        values = [getattr(entry, field) for entry in VIEWS]
        assert len(set(values)) == len(values), field
    assert {entry.name for entry in VIEWS} <= CONTRACT_NAMES
    assert VIEWS[0].roles == views.EVERY_ROLE  # the view the window opens on


@pytest.mark.parametrize("role", list(USERS))
def test_every_view_is_in_the_navigation_for_its_roles_and_opens(
    qtbot: QtBot, url: str, role: str
) -> None:
    window = MainWindow.open(url, username=USERS[role])
    qtbot.addWidget(window)
    items = _items(window)
    assert list(items) == [entry.name for entry in VIEWS]  # in the registry's order

    for entry in VIEWS:
        item = items[entry.name]
        assert item.text() == entry.label
        assert item.isHidden() is (role not in entry.roles)
        if role not in entry.roles:
            with pytest.raises(KeyError):
                window.show_view(entry.name)
            continue
        view = window.show_view(entry.name)
        assert view.objectName() == entry.object_name
        assert window.stack.currentWidget() is view
        assert window.navigation.currentItem() is item
    window.close()


def test_a_view_added_to_the_registry_is_offered_built_and_opened(
    qtbot: QtBot, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def build(_window: MainWindow) -> QWidget:
        view = QLabel("Tableau de bord")
        view.setObjectName("dashboardView")
        return view

    entry = ViewEntry(
        "dashboard", "Tableau de bord", "chart-bar", "dashboardView", build, shortcut="Ctrl+9"
    )
    monkeypatch.setattr(views, "VIEWS", (*VIEWS, entry))
    window = MainWindow.open(url, username=USERS[ROLE_COORDINATION])
    qtbot.addWidget(window)
    window.show()

    item = _items(window)["dashboard"]
    assert item.text() == "Tableau de bord" and not item.isHidden()
    qtbot.waitUntil(lambda: "dashboard" in window._views)  # built in its turn
    [shortcut] = [s for s in window.findChildren(QShortcut) if s.key() == QKeySequence("Ctrl+9")]
    shortcut.activated.emit()
    assert window.stack.currentWidget().objectName() == "dashboardView"
    window.show_view("candidates")
    assert window.show_view("dashboard").objectName() == "dashboardView"
    window.close()
