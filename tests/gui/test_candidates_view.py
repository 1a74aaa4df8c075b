"""Drive the candidates view as a receptionist would: type, click, read back."""

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QWidget,
)

from app.domain import Candidate, StageChange
from app.ui.candidates import appointments as appointments_ui
from app.ui.candidates.duplicates import DuplicatesDialog
from app.ui.candidates.stage_dialog import StageDialog
from app.ui.main_window import MainWindow
from tests.gui.conftest import answer_next_dialog, type_text


def _field(window: MainWindow, name: str) -> QWidget:
    form = window.findChild(QWidget, "candidateForm")
    widget = form.findChild(QWidget, name)
    assert widget is not None, name
    return widget


def _type(qtbot: QtBot, window: MainWindow, name: str, text: str) -> None:
    widget = _field(window, name)
    assert isinstance(widget, QLineEdit)
    widget.clear()
    type_text(qtbot, widget, text)


def _candidates(window: MainWindow) -> list[Candidate]:
    with window.context.database.session() as session:
        return list(session.query(Candidate).all())


def _table_names(window: MainWindow) -> list[str]:
    table = window.findChild(QTableView, "candidatesTable")
    model = table.model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def _fill_lefevre(qtbot: QtBot, window: MainWindow, email: str) -> None:
    qtbot.mouseClick(window.findChild(QPushButton, "newCandidateButton"), Qt.MouseButton.LeftButton)
    _type(qtbot, window, "nom", "Lefèvre")
    _type(qtbot, window, "prenom", "Amélie")
    _type(qtbot, window, "date_naissance", "14/03/1994")
    _type(qtbot, window, "email", email)
    _type(qtbot, window, "commune", "Châtellerault")
    site = _field(window, "site")
    assert isinstance(site, QComboBox)
    site.setCurrentIndex(site.findData("cobalt"))


def test_new_candidate_bad_email_then_fixed_then_found_and_moved(
    qtbot: QtBot, window: MainWindow
) -> None:
    _fill_lefevre(qtbot, window, "amelie.lefevre@exemple")
    save = window.findChild(QPushButton, "saveButton")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    error = _field(window, "emailError")
    assert isinstance(error, QLabel)
    assert error.isVisible()
    assert "e-mail invalide" in error.text()
    assert _candidates(window) == []
    # Nothing typed is lost on a refused save.
    assert _field(window, "nom").text() == "Lefèvre"  # type: ignore[attr-defined]

    _type(qtbot, window, "email", "amelie.lefevre@exemple.fr")
    _field(window, "email").setFocus()
    qtbot.keyClick(_field(window, "email"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    saved = _candidates(window)
    assert [(c.last_name, c.first_name, c.email) for c in saved] == [
        ("Lefèvre", "Amélie", "amelie.lefevre@exemple.fr")
    ]
    assert not _field(window, "emailError").isVisible()

    search = window.findChild(QLineEdit, "candidateSearch")
    qtbot.keyClicks(search, "lefevre")
    qtbot.waitUntil(lambda: _table_names(window) == ["LEFÈVRE Amélie"])
    qtbot.keyClicks(search, "x")
    qtbot.waitUntil(lambda: _table_names(window) == [])

    search.clear()
    qtbot.keyClicks(search, "amelie")
    qtbot.waitUntil(lambda: _table_names(window) == ["LEFÈVRE Amélie"])
    table = window.findChild(QTableView, "candidatesTable")
    table.selectRow(0)

    def move_to_contacted(dialog: QWidget) -> None:
        assert isinstance(dialog, StageDialog)
        combo = dialog.findChild(QComboBox, "stageCombo")
        combo.setCurrentIndex(combo.findData("contacte"))
        comment = dialog.findChild(QPlainTextEdit, "commentaire")
        type_text(qtbot, comment, "Appelée, intéressée par le web")
        qtbot.mouseClick(
            dialog.findChild(QPushButton, "confirmStageButton"), Qt.MouseButton.LeftButton
        )

    answer_next_dialog(qtbot, move_to_contacted)
    qtbot.mouseClick(window.findChild(QPushButton, "changeStageButton"), Qt.MouseButton.LeftButton)

    history = window.findChild(QTableWidget, "stageHistory")
    assert history.rowCount() == 2
    when, change = (history.item(0, column).text() for column in range(2))
    assert when.endswith("\nNadia Belkacem")
    assert change == "candidature reçue → contacté\n« Appelée, intéressée par le web »"
    assert history.item(1, 1).text() == "— → candidature reçue\n« Création du dossier »"
    assert window.findChild(QLabel, "currentStage").text() == "contacté"
    assert _table_names(window) == ["LEFÈVRE Amélie"]
    stage_column = [table.model().index(0, c).data() for c in range(8)]
    assert "contacté" in stage_column


def test_reason_required_for_non_retenu_shown_next_to_field(
    qtbot: QtBot, window: MainWindow
) -> None:
    _fill_lefevre(qtbot, window, "amelie@exemple.fr")
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    messages: list[str] = []

    def refuse_without_reason(dialog: QWidget) -> None:
        combo = dialog.findChild(QComboBox, "stageCombo")
        combo.setCurrentIndex(combo.findData("non_retenu"))
        qtbot.mouseClick(
            dialog.findChild(QPushButton, "confirmStageButton"), Qt.MouseButton.LeftButton
        )
        messages.append(dialog.findChild(QLabel, "commentaireError").text())
        assert dialog.isVisible()
        dialog.reject()

    answer_next_dialog(qtbot, refuse_without_reason)
    qtbot.mouseClick(window.findChild(QPushButton, "changeStageButton"), Qt.MouseButton.LeftButton)
    assert messages and "motif" in messages[0]
    with window.context.database.session() as session:
        assert session.query(StageChange).count() == 1


def test_duplicate_offers_existing_file(qtbot: QtBot, window: MainWindow) -> None:
    _fill_lefevre(qtbot, window, "amelie@exemple.fr")
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    first_id = _candidates(window)[0].id

    _fill_lefevre(qtbot, window, "AMELIE@exemple.fr")
    shown: list[int] = []

    def open_existing(dialog: QWidget) -> None:
        assert isinstance(dialog, DuplicatesDialog)
        table = dialog.findChild(QTableWidget, "duplicatesTable")
        shown.append(table.rowCount())
        assert "même e-mail" in table.item(0, 4).text()
        qtbot.mouseClick(
            dialog.findChild(QPushButton, "openExistingButton"), Qt.MouseButton.LeftButton
        )

    answer_next_dialog(qtbot, open_existing)
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)

    assert shown == [1]
    assert not window.candidates_view.form.is_dirty()
    assert len(_candidates(window)) == 1
    assert window.candidates_view.form.candidate_id == first_id


def test_create_anyway_keeps_both(qtbot: QtBot, window: MainWindow) -> None:
    _fill_lefevre(qtbot, window, "amelie@exemple.fr")
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    _fill_lefevre(qtbot, window, "autre@exemple.fr")
    answer_next_dialog(
        qtbot,
        lambda d: qtbot.mouseClick(
            d.findChild(QPushButton, "createAnywayButton"), Qt.MouseButton.LeftButton
        ),
    )
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    assert len(_candidates(window)) == 2


def test_unsaved_changes_guard_keeps_typing(qtbot: QtBot, window: MainWindow) -> None:
    _fill_lefevre(qtbot, window, "amelie@exemple.fr")
    answer_next_dialog(qtbot, lambda box: box.button(QMessageBox.StandardButton.Cancel).click())  # type: ignore[attr-defined]
    qtbot.mouseClick(window.findChild(QPushButton, "newCandidateButton"), Qt.MouseButton.LeftButton)
    assert _field(window, "nom").text() == "Lefèvre"  # type: ignore[attr-defined]

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    _field(window, "nom").setFocus()
    answer_next_dialog(qtbot, lambda box: box.button(QMessageBox.StandardButton.Save).click())  # type: ignore[attr-defined]
    qtbot.keyClick(_field(window, "nom"), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert [c.last_name for c in _candidates(window)] == ["Lefèvre"]
    assert _field(window, "nom").text() == ""  # type: ignore[attr-defined]


def test_ctrl_f_focuses_search(qtbot: QtBot, window: MainWindow) -> None:
    _field(window, "nom").setFocus()
    qtbot.keyClick(_field(window, "nom"), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.findChild(QLineEdit, "candidateSearch").hasFocus()


def test_every_field_has_french_accessible_name(window: MainWindow) -> None:
    form = window.findChild(QWidget, "candidateForm")
    for name in ("nom", "prenom", "email", "telephone", "date_naissance", "site", "saison"):
        widget = form.findChild(QWidget, name)
        assert widget.accessibleName(), name
    assert form.findChild(QWidget, "nom").accessibleName() == "Nom de naissance"


def test_show_view_and_object_names(window: MainWindow) -> None:
    assert window.objectName() == "mainWindow"
    assert window.findChild(QWidget, "navigation") is not None
    assert window.show_view("candidates").objectName() == "candidatesView"


def test_modal_dialog_helper_does_not_leak(qtbot: QtBot) -> None:
    dialog = QDialog()
    seen = answer_next_dialog(qtbot, lambda d: d.accept())  # type: ignore[attr-defined]
    assert dialog.exec() == QDialog.DialogCode.Accepted
    assert seen == [dialog]


def test_same_person_new_season_is_a_new_application_linked_to_the_old_file(
    qtbot: QtBot, window: MainWindow
) -> None:
    _fill_lefevre(qtbot, window, "amelie@exemple.fr")
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    _fill_lefevre(qtbot, window, "amelie@exemple.fr")
    season = _field(window, "saison")
    assert isinstance(season, QComboBox)
    season.setCurrentIndex(season.findData("2027-2028"))
    answer_next_dialog(
        qtbot,
        lambda d: qtbot.mouseClick(
            d.findChild(QPushButton, "newApplicationButton"), Qt.MouseButton.LeftButton
        ),
    )
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    with window.context.database.session() as session:
        files = sorted(session.query(Candidate).all(), key=lambda c: c.id)
        assert [f.season.label for f in files] == ["2026-2027", "2027-2028"]
    assert files[0].person_uuid == files[1].person_uuid
    history = window.findChild(QTableWidget, "stageHistory")
    assert "personne déjà connue" in history.item(0, 1).text()


def test_site_must_be_chosen_for_a_new_file(qtbot: QtBot, window: MainWindow) -> None:
    _fill_lefevre(qtbot, window, "amelie@exemple.fr")
    site = _field(window, "site")
    assert isinstance(site, QComboBox)
    site.setCurrentIndex(0)
    assert site.currentText() == "Choisir…"
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    assert _field(window, "siteError").text() == "Site : champ obligatoire."  # type: ignore[attr-defined]
    assert _candidates(window) == []


def test_changing_stage_first_settles_unsaved_edits(qtbot: QtBot, window: MainWindow) -> None:
    _fill_lefevre(qtbot, window, "amelie@exemple.fr")
    qtbot.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    _type(qtbot, window, "commune", "Loudun")
    answer_next_dialog(qtbot, lambda box: box.button(QMessageBox.StandardButton.Save).click())  # type: ignore[attr-defined]
    answer_next_dialog(qtbot, lambda dialog: dialog.reject())  # type: ignore[attr-defined]
    qtbot.mouseClick(window.findChild(QPushButton, "changeStageButton"), Qt.MouseButton.LeftButton)
    assert [c.city for c in _candidates(window)] == ["Loudun"]
    assert _field(window, "commune").text() == "Loudun"  # type: ignore[attr-defined]


def test_the_day_strip_is_read_again_for_another_site_not_at_each_keystroke(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[object] = []
    real_read = appointments_ui.appointment_actions.appointments_on

    def counted(database: object, day: object, site_id: object) -> object:
        reads.append(site_id)
        return real_read(database, day, site_id)  # type: ignore[arg-type]

    monkeypatch.setattr(appointments_ui.appointment_actions, "appointments_on", counted)
    view = window.candidates_view
    view.search.setFocus()

    qtbot.keyClicks(view.search, "martin")
    qtbot.waitUntil(lambda: view.model._query.text == "martin")
    assert reads == []

    site = window.header.site_combo
    site.setCurrentIndex(site.findText("Centre Du Guesclin (Niort)"))
    assert reads == [site.currentData()]
