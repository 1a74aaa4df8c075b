"""Signing in: first start, Connexion, lock-out after failures, lock and unlock, switching
user, idle lock, roles."""

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QWidget,
)

from app.domain import AuditEntry, UserAccount
from app.services import reference
from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput
from app.services.base_access import keys as base_keys
from app.services.base_access.opening import open_app_database
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.storage import cipher
from app.ui.main_window import MainWindow
from app.ui.sign_in import SignInCancelled
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text

PASSWORD = "phrase de passe longue"


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A base with three accounts: nadia (coordination), karim (accueil), samir (formateur)."""
    address = "sqlite:///" + str(tmp_path / "accounts.sqlite")
    database = open_app_database(address)
    with database.session() as session:
        data = AccountInput("Nadia Belkacem", "nadia")
        accounts.create_first_account(session, data, PASSWORD, PASSWORD)
        for name, username, role in (
            ("Karim Diallo", "karim", "accueil"),
            ("Samir Haddad", "samir", "formateur"),
        ):
            accounts.create_account(
                session,
                AccountInput(name, username, role),
                PASSWORD,
                PASSWORD,
                actor=make_actor("coordination"),
            )
    database.dispose()
    return address


def _keep(qtbot: QtBot, window: MainWindow) -> MainWindow:
    qtbot.addWidget(window, before_close_func=lambda w: w.candidates_view.form.discard_changes())
    window.show()
    return window


@pytest.fixture
def window(qtbot: QtBot, url: str) -> Iterator[MainWindow]:
    main = _keep(qtbot, MainWindow.open(url, username="nadia"))
    yield main
    main.context.database.dispose()


def _fill(dialog: QWidget, values: dict[str, str]) -> None:
    for name, text in values.items():
        field = dialog.findChild(QLineEdit, name)
        assert field is not None, name
        field.setText(text)


def _error(widget: QWidget, name: str) -> str:
    label = widget.findChild(QLabel, name)
    assert label is not None, name
    return label.text()


def _unlock(qtbot: QtBot, window: MainWindow, username: str, password: str = PASSWORD) -> None:
    panel = window.lock_screen.panel
    panel.username.setText(username)
    panel.password.clear()
    type_text(qtbot, panel.password, password)
    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)


def _visible_views(window: MainWindow) -> list[str]:
    navigation = window.navigation
    return [
        str(navigation.item(row).data(Qt.ItemDataRole.UserRole))
        for row in range(navigation.count())
        if not navigation.item(row).isHidden()
    ]


def _type_name(qtbot: QtBot, window: MainWindow, text: str) -> QLineEdit:
    field = window.candidates_view.form.field("nom")
    assert isinstance(field, QLineEdit)
    type_text(qtbot, field, text)
    return field


# ---------------------------------------------------------------- start


def test_first_start_creates_the_coordination_account(qtbot: QtBot, tmp_path: Path) -> None:
    address = "sqlite:///" + str(tmp_path / "new.sqlite")
    errors: list[str] = []

    def create(dialog: QWidget) -> None:
        assert dialog.windowTitle() == "Créer le compte de coordination"
        _fill(dialog, {"nom": "Claire Morel", "identifiant": "claire"})
        _fill(dialog, {"mot_de_passe": "court", "confirmation": "court"})
        dialog.findChildren(QPushButton)[0].click()  # Créer le compte
        errors.append(_error(dialog, "mot_de_passeError"))
        assert dialog.isVisible()  # refused: stays open, nothing typed lost
        assert dialog.findChild(QLineEdit, "identifiant").text() == "claire"  # type: ignore[union-attr]
        _fill(dialog, {"mot_de_passe": PASSWORD, "confirmation": PASSWORD})
        dialog.findChildren(QPushButton)[0].click()

    shown_keys: list[str] = []

    def keep_recovery_key(dialog: QWidget) -> None:
        assert dialog.windowTitle() == "Clé de secours de la base"
        shown_keys.append(_error(dialog, "recoveryKey"))
        dialog.findChild(QPushButton, "recoveryKeyKept").click()  # type: ignore[union-attr]

    answer_next_dialog(qtbot, create)
    answer_next_dialog(qtbot, keep_recovery_key)
    main = _keep(qtbot, MainWindow.open(address))
    # The base is now protected: its recovery key was shown once, and is no longer kept.
    assert len(shown_keys) == 1 and re.fullmatch(r"([A-Z2-9]{5}-){4}[A-Z2-9]{5}", shown_keys[0])
    with main.context.database.session() as session:
        assert base_keys.recovery_key_to_hand_over(session, actor=main.context.actor) is None
    assert errors == [
        "Trop court (5 caractères) : au moins 12 caractères mêlant au moins 3 types parmi "
        "minuscules, majuscules, chiffres et caractères spéciaux, ou une phrase d'au moins 4 "
        "mots (16 caractères ou plus)."
    ]
    assert (main.context.username, main.context.role) == ("claire", "coordination")
    assert main.user_label.text() == "Connecté : Claire Morel (Coordination)"
    with main.context.database.session() as session:
        assert accounts.authenticate(session, "claire", PASSWORD).display_name == "Claire Morel"
    main.context.database.dispose()


def test_sign_in_refuses_a_wrong_password_in_french_then_opens(qtbot: QtBot, url: str) -> None:
    messages: list[str] = []

    def sign_in(dialog: QWidget) -> None:
        assert dialog.windowTitle() == "Connexion"
        _fill(dialog, {"signInUsername": "karim", "signInPassword": "pas le bon"})
        dialog.findChild(QPushButton, "signInButton").click()  # type: ignore[union-attr]
        messages.append(_error(dialog, "signInError"))
        assert dialog.findChild(QLineEdit, "signInPassword").text() == ""  # type: ignore[union-attr]
        _fill(dialog, {"signInUsername": "inconnu", "signInPassword": PASSWORD})
        dialog.findChild(QPushButton, "signInButton").click()  # type: ignore[union-attr]
        messages.append(_error(dialog, "signInError"))
        _fill(dialog, {"signInUsername": "karim", "signInPassword": PASSWORD})
        dialog.findChild(QPushButton, "signInButton").click()  # type: ignore[union-attr]

    answer_next_dialog(qtbot, sign_in)
    main = _keep(qtbot, MainWindow.open(url))
    assert messages == ["Identifiant ou mot de passe incorrect."] * 2
    assert (main.context.username, main.context.role) == ("karim", "accueil")
    assert main.user_label.text() == "Connecté : Karim Diallo (Accueil)"
    main.context.database.dispose()


def _lock_out(url: str, username: str, failures: int, until: datetime) -> None:
    """Put `username` in the state `failures` failed sign-ins in a row leave it in."""
    database = open_app_database(url)
    with database.session() as session:
        row = session.scalars(select(UserAccount).where(UserAccount.username == username)).one()
        row.failed_sign_ins, row.locked_until = failures, until
    database.dispose()


def test_sign_in_dialog_says_how_long_to_wait_and_until_when_an_account_is_locked(
    qtbot: QtBot, url: str
) -> None:
    _lock_out(url, "karim", 7, datetime.now() + timedelta(seconds=30, milliseconds=500))
    messages: list[str] = []

    def sign_in(dialog: QWidget) -> None:
        for _ in range(2):
            _fill(dialog, {"signInUsername": "karim", "signInPassword": PASSWORD})
            dialog.findChild(QPushButton, "signInButton").click()  # type: ignore[union-attr]
            messages.append(_error(dialog, "signInError"))
            assert dialog.isVisible()  # refused, though the password is right
            _lock_out(url, "karim", 10, datetime(2099, 1, 1, 9, 30))
        dialog.reject()

    answer_next_dialog(qtbot, sign_in)
    with pytest.raises(SignInCancelled):
        MainWindow.open(url)
    assert messages[0] in (
        "Trop d'essais : réessayer dans 31 secondes.",
        "Trop d'essais : réessayer dans 30 secondes.",
    )
    assert messages[1] == (
        "Trop d'essais : compte verrouillé jusqu'au 01/01/2099 à 09:30 après 10 essais manqués "
        "(verrouillage de 15 minutes). La coordination peut le déverrouiller (page Utilisateurs)."
    )


def test_the_lock_screen_locks_out_too(qtbot: QtBot, window: MainWindow) -> None:
    window.lock()
    for _ in range(5):
        _unlock(qtbot, window, "nadia", "Pas-le-bon-mot-2026")
    assert _error(window.lock_screen, "signInError") == (
        "Identifiant ou mot de passe incorrect. Trop d'essais : réessayer dans 1 seconde."
    )
    assert window.is_locked


def test_coordination_unlocks_a_locked_account_from_the_users_page(
    qtbot: QtBot, url: str, window: MainWindow
) -> None:
    until = datetime.now() + timedelta(minutes=15)
    _lock_out(url, "karim", 10, until)
    window.show_view("users")
    view = window.users_view
    view.reload()
    table = view.findChild(QTableWidget, "usersTable")
    assert table is not None
    names = [table.item(row, 1).text() for row in range(table.rowCount())]
    row = names.index("karim")
    assert table.item(row, 3).text() == f"verrouillé jusqu'à {until:%H:%M}"
    table.selectRow(names.index("nadia"))
    assert not view.unlock_button.isEnabled()
    table.selectRow(row)
    assert view.unlock_button.isEnabled()

    qtbot.mouseClick(view.unlock_button, Qt.MouseButton.LeftButton)
    assert table.item(row, 3).text() == "actif"
    assert not view.unlock_button.isEnabled()
    with window.context.database.session() as session:
        assert accounts.authenticate(session, "karim", PASSWORD).username == "karim"


def test_giving_up_the_sign_in_opens_no_window(qtbot: QtBot, url: str) -> None:
    answer_next_dialog(qtbot, lambda dialog: dialog.reject())  # type: ignore[attr-defined]
    with pytest.raises(SignInCancelled):
        MainWindow.open(url)


def test_open_with_a_name_unknown_to_the_base_is_refused_in_french(url: str) -> None:
    with pytest.raises(accounts.SignInRefused, match="Aucun compte actif « inconnu »"):
        MainWindow.open(url, username="inconnu")


# ---------------------------------------------------------------- lock


def test_lock_hides_everything_and_the_same_user_finds_the_form_untouched(
    qtbot: QtBot, window: MainWindow
) -> None:
    field = _type_name(qtbot, window, "Lefèvre")
    window.lock_action.trigger()

    assert window.is_locked
    assert not window.candidates_view.isVisible()
    assert not window.menuBar().isEnabled()
    assert window.lock_screen.panel.username.text() == "nadia"
    assert window.user_label.text() == "Session verrouillée"

    _unlock(qtbot, window, "nadia", "pas le bon mot")
    assert window.is_locked
    assert _error(window.lock_screen, "signInError") == "Identifiant ou mot de passe incorrect."

    _unlock(qtbot, window, "nadia")
    assert not window.is_locked
    assert window.candidates_view.isVisible()
    assert field.text() == "Lefèvre"
    assert window.candidates_view.form.is_dirty()


def test_another_user_unlocking_settles_the_unsaved_form_first(
    qtbot: QtBot, window: MainWindow
) -> None:
    _type_name(qtbot, window, "Lefèvre")
    window.lock()
    questions: list[str] = []

    def stay(box: QWidget) -> None:
        questions.append(box.text())  # type: ignore[attr-defined]
        box.button(QMessageBox.StandardButton.Cancel).click()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, stay)
    _unlock(qtbot, window, "karim")
    assert questions == ["Le dossier en cours contient des modifications non enregistrées."]
    assert window.is_locked and window.context.username == "nadia"
    assert "connexion annulée" in _error(window.lock_screen, "signInError")

    answer_next_dialog(
        qtbot,
        lambda box: box.button(QMessageBox.StandardButton.Discard).click(),  # type: ignore[attr-defined]
    )
    _unlock(qtbot, window, "karim")
    assert not window.is_locked
    assert (window.context.username, window.context.role) == ("karim", "accueil")
    assert not window.candidates_view.form.is_dirty()


def test_switch_user_asks_about_unsaved_changes_before_anything(
    qtbot: QtBot, window: MainWindow
) -> None:
    field = _type_name(qtbot, window, "Lefèvre")
    answer_next_dialog(
        qtbot,
        lambda box: box.button(QMessageBox.StandardButton.Cancel).click(),  # type: ignore[attr-defined]
    )
    window.switch_action.trigger()
    assert not window.is_locked
    assert field.text() == "Lefèvre"

    answer_next_dialog(
        qtbot,
        lambda box: box.button(QMessageBox.StandardButton.Discard).click(),  # type: ignore[attr-defined]
    )
    window.switch_action.trigger()
    assert window.is_locked
    assert window.lock_screen.title.text() == "Changer d'utilisateur"
    assert window.lock_screen.panel.username.text() == ""

    _unlock(qtbot, window, "samir")
    assert (window.context.username, window.context.role) == ("samir", "formateur")
    assert window.user_label.text() == "Connecté : Samir Haddad (Formateur)"


# ---------------------------------------------------------------- idle lock


def test_idle_lock_follows_the_setting_and_locks_when_the_timer_fires(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.idle_timer.interval() == 10 * 60_000
    window.show_view("settings")
    security = window.settings_view.security
    security.minutes.setValue(2)
    qtbot.mouseClick(security.apply_button, Qt.MouseButton.LeftButton)
    assert window.idle_timer.interval() == 2 * 60_000
    with window.context.database.session(commit=False) as session:
        assert accounts.idle_lock_minutes(session) == 2

    window.idle_timer.stop()
    search = window.candidates_view.search
    QApplication.sendEvent(
        search, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    )
    assert window.idle_timer.isActive()  # any key restarts the count

    window.idle_timer.timeout.emit()
    assert window.is_locked
    assert not window.idle_timer.isActive()
    QApplication.sendEvent(
        search, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    )
    assert not window.idle_timer.isActive()  # locked: nothing to count any more
    _unlock(qtbot, window, "nadia")
    assert window.idle_timer.isActive()


def test_idle_lock_setting_is_for_coordination(qtbot: QtBot, url: str) -> None:
    main = _keep(qtbot, MainWindow.open(url, username="karim"))
    security = main.settings_view.security
    security.minutes.setValue(3)
    security.apply()
    assert _error(security, "verrouillageError") == (
        "Seule la coordination peut modifier le verrouillage automatique."
    )
    main.context.database.dispose()


# ---------------------------------------------------------------- roles in the window


def test_each_role_sees_its_own_views(qtbot: QtBot, window: MainWindow) -> None:
    assert _visible_views(window) == [
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
    ]
    window.show_view("settings")
    window.lock()
    _unlock(qtbot, window, "karim")
    assert _visible_views(window) == ["candidates", "agenda"]
    assert window.stack.currentWidget() is window.candidates_view  # settings closed with Nadia
    with pytest.raises(KeyError):
        window.show_view("orientation")
    window.lock()
    _unlock(qtbot, window, "samir")
    assert _visible_views(window) == ["candidates", "agenda", "orientation", "projects"]
    window.show_view("orientation")


def test_rqth_row_and_editing_follow_the_role(qtbot: QtBot, window: MainWindow) -> None:
    form = window.candidates_view.form
    assert form.field("rqth").isVisibleTo(window) and form.save_button.isVisibleTo(window)
    window.lock()
    _unlock(qtbot, window, "karim")
    assert not form.field("rqth").isVisibleTo(window)
    assert form.save_button.isVisibleTo(window)
    assert window.candidates_view.new_button.isVisibleTo(window)
    assert window.candidates_view.today.new_session.isVisibleTo(window)
    assert not window.candidates_view.agreement_button.isVisibleTo(window)
    window.lock()
    _unlock(qtbot, window, "samir")
    assert not form.field("rqth").isVisibleTo(window)
    assert not form.save_button.isVisibleTo(window)
    assert not form.field("nom").isEnabled()
    view = window.candidates_view
    for button in (
        view.new_button,
        view.history.change_button,
        view.today.new_session,
        view.appointments.register_button,
        view.agreement_button,
    ):
        assert not button.isVisibleTo(window), button.text()


def test_accueil_opens_a_base_with_a_cohort_without_reading_observations(
    qtbot: QtBot, url: str
) -> None:
    database = open_app_database(url)
    with database.session() as session:
        season = reference.current_season_label()
        data = CandidateInput(nom="Ziani", prenom="Nora", email="n@exemple.fr", saison=season)
        data.site = "cobalt"
        learner = create_candidate(session, data, actor=make_actor("coordination", "t")).id
        for stage in ("entretien", "admis", "entre_formation"):
            change_stage(session, learner, stage, comment="", actor=make_actor("coordination", "t"))
    database.dispose()

    main = _keep(qtbot, MainWindow.open(url, username="karim"))
    main.header.site_combo.setCurrentIndex(1)  # orientation stays empty
    assert main.orientation_view.cohort_picker.count() == 0
    main.lock()
    _unlock(qtbot, main, "samir")
    main.show_view("orientation")
    assert main.orientation_view.cohort_picker.count() >= 1
    main.context.database.dispose()


# ---------------------------------------------------------------- an encrypted, protected base


def test_a_protected_base_opens_only_through_the_sign_in(qtbot: QtBot, url: str) -> None:
    """A new process knows no key: the base is locked until a password unwraps its key; a
    wrong password is refused in French and journaled once the base is open."""
    cipher.forget_keys()
    messages: list[str] = []

    def sign_in(dialog: QWidget) -> None:
        assert dialog.windowTitle() == "Connexion"
        _fill(dialog, {"signInUsername": "karim", "signInPassword": "pas le bon"})
        dialog.findChild(QPushButton, "signInButton").click()  # type: ignore[union-attr]
        messages.append(_error(dialog, "signInError"))
        assert dialog.isVisible()
        _fill(dialog, {"signInUsername": "karim", "signInPassword": PASSWORD})
        dialog.findChild(QPushButton, "signInButton").click()  # type: ignore[union-attr]

    answer_next_dialog(qtbot, sign_in)
    main = _keep(qtbot, MainWindow.open(url))
    assert messages == ["Identifiant ou mot de passe incorrect."]
    assert (main.context.username, main.context.role) == ("karim", "accueil")
    assert main.user_label.text() == "Connecté : Karim Diallo (Accueil)"
    with main.context.database.session() as session:
        entries = [entry.summary for entry in session.scalars(select(AuditEntry))]
    assert any(
        "Connexion refusée" in summary and "base fermée" in summary for summary in entries
    ), entries
    main.context.database.dispose()


def test_a_protected_base_cannot_be_opened_by_name_alone(url: str) -> None:
    cipher.forget_keys()
    with pytest.raises(base_keys.BaseLocked, match="protégée par mot de passe"):
        MainWindow.open(url, username="nadia")


def test_giving_up_the_sign_in_of_a_protected_base_opens_nothing(qtbot: QtBot, url: str) -> None:
    cipher.forget_keys()
    answer_next_dialog(qtbot, lambda dialog: dialog.reject())
    with pytest.raises(SignInCancelled):
        MainWindow.open(url)
