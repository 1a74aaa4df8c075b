"""The Utilisateurs page: list, new account, role, password reset, deactivation."""

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QInputDialog, QLabel, QLineEdit, QMessageBox, QWidget

from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput
from app.ui.main_window import MainWindow
from app.ui.users.view import UsersView
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog

PASSWORD = "phrase de passe longue"


def _page(window: MainWindow) -> UsersView:
    view = window.show_view("users")
    assert isinstance(view, UsersView)
    return view


def _rows(view: UsersView) -> list[list[str]]:
    table = view.table
    return [
        [table.item(row, column).text() for column in range(4)] for row in range(table.rowCount())
    ]


def _fill(dialog: QWidget, values: dict[str, str]) -> None:
    for name, text in values.items():
        field = dialog.findChild(QLineEdit, name)
        assert field is not None, name
        field.setText(text)


def _error(widget: QWidget, name: str) -> str:
    label = widget.findChild(QLabel, name)
    assert label is not None, name
    return label.text()


def _add(window: MainWindow, username: str, role: str) -> int:
    with window.context.database.session() as session:
        data = AccountInput(username.title(), username, role)
        return accounts.create_account(
            session, data, PASSWORD, PASSWORD, actor=make_actor("coordination")
        ).id


def test_page_lists_the_accounts(window: MainWindow) -> None:
    _add(window, "karim", "accueil")
    view = _page(window)
    view.reload()
    assert _rows(view) == [
        ["Karim", "karim", "Accueil", "actif"],
        ["Nadia Belkacem", "Nadia Belkacem", "Coordination", "actif"],
    ]
    assert not view.role_button.isEnabled()


def test_the_page_reads_the_accounts_each_time_it_shows(window: MainWindow) -> None:
    view = _page(window)  # built and shown: nobody asked it to read
    assert [row[1] for row in _rows(view)] == ["Nadia Belkacem"]
    window.show_view("candidates")
    _add(window, "karim", "accueil")  # as from another desk
    _page(window)
    assert [row[1] for row in _rows(view)] == ["karim", "Nadia Belkacem"]


def test_new_account_shows_refusals_next_to_fields_then_creates(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _page(window)
    seen: list[str] = []

    def create(dialog: QWidget) -> None:
        _fill(dialog, {"nom": "Samir Haddad", "identifiant": "nadia belkacem"})
        dialog.findChild(QComboBox, "role").setCurrentIndex(1)  # type: ignore[union-attr]
        _fill(dialog, {"mot_de_passe": PASSWORD, "confirmation": PASSWORD + "!"})
        dialog.submit()  # type: ignore[attr-defined]
        seen.extend([_error(dialog, "identifiantError"), _error(dialog, "confirmationError")])
        _fill(dialog, {"identifiant": "samir", "confirmation": PASSWORD})
        dialog.submit()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, create)
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)

    assert seen == [
        "Cet identifiant est déjà pris.",
        "Les deux mots de passe ne sont pas identiques.",
    ]
    assert ["Samir Haddad", "samir", "Formateur", "actif"] in _rows(view)
    assert view.selected() is not None and view.selected().username == "samir"  # type: ignore[union-attr]
    with window.context.database.session() as session:
        assert accounts.authenticate(session, "samir", PASSWORD).role == "formateur"


def test_change_role_and_reset_password(qtbot: QtBot, window: MainWindow) -> None:
    karim = _add(window, "karim", "accueil")
    view = _page(window)
    view.reload()
    view.select(karim)

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("Formateur")
        dialog.accept()

    answer_next_dialog(qtbot, choose)
    qtbot.mouseClick(view.role_button, Qt.MouseButton.LeftButton)
    assert ["Karim", "karim", "Formateur", "actif"] in _rows(view)

    def reset(dialog: QWidget) -> None:
        _fill(
            dialog, {"mot_de_passe": "nouveau mot de passe", "confirmation": "nouveau mot de passe"}
        )
        dialog.save()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, reset)
    qtbot.mouseClick(view.password_button, Qt.MouseButton.LeftButton)
    with window.context.database.session() as session:
        assert accounts.authenticate(session, "karim", "nouveau mot de passe").id == karim


def test_last_coordination_account_cannot_be_deactivated(qtbot: QtBot, window: MainWindow) -> None:
    view = _page(window)
    view.reload()
    view.select(window.context.account_id or 0)
    messages: list[str] = []
    answer_next_dialog(
        qtbot,
        lambda box: box.button(QMessageBox.StandardButton.Yes).click(),  # type: ignore[attr-defined]
    )

    def note(box: QWidget) -> None:
        messages.append(box.text())  # type: ignore[attr-defined]
        box.accept()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, note)
    qtbot.mouseClick(view.active_button, Qt.MouseButton.LeftButton)
    assert messages and "au moins un compte de coordination actif" in messages[0]
    assert _rows(view)[0][3] == "actif"


def test_deactivate_then_reactivate(qtbot: QtBot, window: MainWindow) -> None:
    karim = _add(window, "karim", "accueil")
    view = _page(window)
    view.reload()
    view.select(karim)
    answer_next_dialog(
        qtbot,
        lambda box: box.button(QMessageBox.StandardButton.Yes).click(),  # type: ignore[attr-defined]
    )
    qtbot.mouseClick(view.active_button, Qt.MouseButton.LeftButton)
    assert ["Karim", "karim", "Accueil", "désactivé"] in _rows(view)
    assert view.active_button.text() == "Réactiver"
    qtbot.mouseClick(view.active_button, Qt.MouseButton.LeftButton)
    assert ["Karim", "karim", "Accueil", "actif"] in _rows(view)
