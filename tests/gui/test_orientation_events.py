"""Events in the orientation view: created from the keyboard in the activity dialog (place,
participants ticked with Espace), listed on the learner's page and printed in the bilan."""

from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QWidget,
)

from app.services.orientation import actions
from app.ui.main_window import MainWindow
from app.ui.orientation.dialogs import ActivityDialog
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text
from tests.gui.test_orientation_view import _cohort_with_team


def _fill_event(qtbot: QtBot, dialog: QWidget) -> None:
    """Niort Numéric, with the 2nd and 4th learners of the list ticked from the keyboard."""
    assert isinstance(dialog, ActivityDialog)
    participants = dialog.findChild(QListWidget, "participantsList")
    assert not participants.isVisibleTo(dialog)  # a workshop by default: teams, not this list
    kind = dialog.findChild(QComboBox, "type")
    kind.setCurrentIndex(kind.findData("evenement"))
    assert participants.isVisibleTo(dialog)
    day = dialog.findChild(QLineEdit, "date")
    day.clear()
    type_text(qtbot, day, "12/03/2026")
    type_text(qtbot, dialog.findChild(QLineEdit, "titre"), "Niort Numéric")
    type_text(qtbot, dialog.findChild(QLineEdit, "lieu"), "Niort, Pôle universitaire")
    participants.setFocus()
    participants.setCurrentRow(0)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Down):
        qtbot.keyClick(participants, key)
    qtbot.keyClick(participants, Qt.Key.Key_Space)
    assert dialog.findChild(QLabel, "participantsCount").text() == "2 participants sur 5"
    dialog.submit()


def test_an_event_created_in_the_dialog_shows_on_the_learner_page_and_in_the_bilan(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cohort_id, _activity_id, ids = _cohort_with_team(window)  # Benali, Da Silva, Lefèvre, …
    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    answer_next_dialog(qtbot, lambda dialog: _fill_event(qtbot, dialog))
    qtbot.mouseClick(view.findChild(QPushButton, "newActivityButton"), Qt.MouseButton.LeftButton)

    listed = actions.activities(
        window.context.database, cohort_id, actor=make_actor("coordination")
    )
    event = next(a for a in listed if a.title == "Niort Numéric")
    assert (event.kind, event.place) == ("evenement", "Niort, Pôle universitaire")
    assert [p.candidate_id for p in event.participants] == [ids[1], ids[3]]
    table = view.findChild(QTableWidget, "activitiesTable")
    row = next(r for r in range(table.rowCount()) if table.item(r, 2).text() == "Niort Numéric")
    assert [table.item(row, c).text() for c in (0, 3, 4, 6)] == [
        "12/03/2026",
        "Événement",
        "Niort, Pôle universitaire",
        "2 participants",
    ]

    view.tabs.setCurrentIndex(3)  # type: ignore[attr-defined]
    page = view.findChild(QWidget, "learnerPage")
    picker = page.findChild(QComboBox, "learnerPicker")
    picker.setCurrentIndex(picker.findData(ids[3]))
    events = page.findChild(QTableWidget, "learnerEvents")
    assert events.rowCount() == 1
    assert [events.item(0, c).text() for c in range(3)] == [
        "12/03/2026",
        "Niort Numéric",
        "Niort, Pôle universitaire",
    ]
    picker.setCurrentIndex(picker.findData(ids[0]))  # Benali did not go
    assert events.rowCount() == 0
    assert page.findChild(QLabel, "learnerNoEvents").isVisibleTo(page)

    picker.setCurrentIndex(picker.findData(ids[3]))
    out = tmp_path / "bilan.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(out), ""))
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: True)
    qtbot.mouseClick(page.findChild(QPushButton, "printBilanButton"), Qt.MouseButton.LeftButton)
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    section = text[text.index("Événements") : text.index("Projet professionnel")]
    assert "12/03/2026" in section
    assert "Niort Numéric" in section
    assert "Niort, Pôle universitaire" in section


def test_editing_an_event_changes_who_took_part(qtbot: QtBot, window: MainWindow) -> None:
    cohort_id, _activity_id, ids = _cohort_with_team(window)
    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    answer_next_dialog(qtbot, lambda dialog: _fill_event(qtbot, dialog))
    qtbot.mouseClick(view.findChild(QPushButton, "newActivityButton"), Qt.MouseButton.LeftButton)
    table = view.findChild(QTableWidget, "activitiesTable")
    row = next(r for r in range(table.rowCount()) if table.item(r, 2).text() == "Niort Numéric")
    table.selectRow(row)

    def untick_everyone_but_the_first(dialog: QWidget) -> None:
        participants = dialog.findChild(QListWidget, "participantsList")
        assert dialog.windowTitle() == "Modifier l'activité"
        assert dialog.findChild(QLineEdit, "lieu").text() == "Niort, Pôle universitaire"
        ticked = [
            participants.item(r).checkState() == Qt.CheckState.Checked
            for r in range(participants.count())
        ]
        assert ticked == [False, True, False, True, False]
        dialog.findChild(QPushButton, "noParticipantButton").click()
        participants.item(0).setCheckState(Qt.CheckState.Checked)
        dialog.submit()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, untick_everyone_but_the_first)
    qtbot.mouseClick(view.findChild(QPushButton, "editActivityButton"), Qt.MouseButton.LeftButton)
    listed = actions.activities(
        window.context.database, cohort_id, actor=make_actor("coordination")
    )
    event = next(a for a in listed if a.title == "Niort Numéric")
    assert [p.candidate_id for p in event.participants] == [ids[0]]
    assert table.item(row, 6).text() == "1 participant"
