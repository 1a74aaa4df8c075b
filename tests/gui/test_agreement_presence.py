"""The Présence tab: absences typed from the keyboard, the totals following each line,
changes and deletions, read-only before the internship starts; its model passes
qtmodeltester; the Conventions view carries the tab."""

from collections.abc import Iterator
from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget

from app.services.agreements import details
from app.services.agreements.presence import AbsenceInput, record_absence
from app.storage import Database
from app.ui.agreements.presence import AbsencesModel, PresenceTab
from app.ui.agreements.view import AgreementsView
from app.ui.context import AppContext
from app.ui.main_window import MainWindow
from tests.conftest import make_actor
from tests.gui.conftest import type_text
from tests.unit.pdf.documents_world import COORD, finish, signed

ROLE = "coordination"


@pytest.fixture
def context(db: Database) -> AppContext:
    return AppContext(database=db, signed_in=make_actor(ROLE, COORD))


def _finished(db: Database) -> int:
    """Mon-Fri 7 h from 01/06 to 31/07/2026 (308 h), finished."""
    with db.session() as s:
        agreement_id = signed(s)
        finish(s, agreement_id)
    return agreement_id


@pytest.fixture
def tab(qtbot: QtBot, context: AppContext) -> Iterator[PresenceTab]:
    widget = PresenceTab(context)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    yield widget


def _open(tab: PresenceTab, agreement_id: int) -> None:
    with tab.context.database.session(commit=False) as s:
        tab.show_agreement(details.get_agreement(s, agreement_id))


def _type_day(qtbot: QtBot, tab: PresenceTab, day: str) -> None:
    tab.day_field.setFocus()
    tab.day_field.selectAll()
    qtbot.keyClick(tab.day_field, Qt.Key.Key_Delete)
    type_text(qtbot, tab.day_field, day)


def test_type_absences_from_the_keyboard_and_see_the_totals(
    qtbot: QtBot, tab: PresenceTab, db: Database
) -> None:
    _open(tab, _finished(db))
    assert tab.totals.text() == "Prévues : 308 h   ·   Absences : 0 h   ·   Effectuées : 308 h"
    assert tab.counts.text() == "Aucune absence relevée."
    assert tab.entry.isEnabled() and tab.refusal.isHidden()
    # The entry line proposes the last day; ↓ goes back one day at a time.
    assert tab.day_field.text() == "31/07/2026"
    tab.day_field.setFocus()
    qtbot.keyClick(tab.day_field, Qt.Key.Key_Down)
    assert tab.day_field.text() == "30/07/2026"

    # An afternoon of absence, justified: date, Tab, "a" (après-midi), Tab Tab Tab, space.
    _type_day(qtbot, tab, "02/06/2026")
    qtbot.keyClick(tab.day_field, Qt.Key.Key_Tab)
    qtbot.keyClicks(tab.half_day, "a")
    assert tab.half_day.currentData() == "apres_midi"
    tab.justified.setFocus()
    qtbot.keyClick(tab.justified, Qt.Key.Key_Space)
    type_text(qtbot, tab.reason, "Rendez-vous médical")
    qtbot.keyClick(tab.reason, Qt.Key.Key_Return)
    assert tab.totals.text() == (
        "Prévues : 308 h   ·   Absences : 3,5 h   ·   Effectuées : 304,5 h"
    )
    assert tab.counts.text() == "1 demi-journée d'absence (justifiée)"
    assert "moins 3,5 h d'absence" in tab.explanation.text()
    assert tab.model.rowCount() == 1
    assert tab.model.index(0, 0).data() == "mar. 02/06"
    assert tab.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "02/06/2026"
    assert tab.model.index(0, 3).data() == "oui"
    assert tab.model.index(0, 5).data() == "Rendez-vous médical"
    # Ready for the next half-day of the sheet: the next morning.
    assert (tab.day_field.text(), tab.half_day.currentData()) == ("03/06/2026", "matin")
    assert tab.day_field.hasFocus() and tab.reason.text() == ""

    # A late arrival of 30 minutes: "r" in the nature, the minutes, Entrée.
    tab.kind.setFocus()
    qtbot.keyClicks(tab.kind, "r")
    assert tab.minutes.isEnabled()
    tab.minutes.setFocus()
    tab.minutes.selectAll()
    qtbot.keyClicks(tab.minutes, "30")
    qtbot.keyClick(tab.minutes, Qt.Key.Key_Return)
    assert tab.totals.text() == "Prévues : 308 h   ·   Absences : 4 h   ·   Effectuées : 304 h"
    assert tab.model.index(1, 2).data() == "retard 30 min"
    assert tab.counts.text() == ("1 demi-journée d'absence (justifiée), 1 retard (non justifié)")

    # A Sunday is refused in French, next to the line; nothing is saved.
    _type_day(qtbot, tab, "07/06/2026")
    qtbot.keyClick(tab.day_field, Qt.Key.Key_Return)
    assert tab.error.isVisible()
    assert "repos dominical" in tab.error.text()
    assert tab.model.rowCount() == 2


def test_change_then_delete_a_line(qtbot: QtBot, tab: PresenceTab, db: Database) -> None:
    agreement_id = _finished(db)
    with db.session() as s:
        record_absence(
            s, agreement_id, AbsenceInput(day="02/06/2026"), actor=make_actor(ROLE, COORD)
        )
    _open(tab, agreement_id)
    assert tab.model.rowCount() == 1
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.model.index(0, 0))
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)  # brings the line back to be changed
    assert tab.save_button.text() == "Modifier"
    assert tab.day_field.text() == "02/06/2026"
    tab.document.setChecked(True)
    tab.justified.setChecked(True)
    qtbot.keyClick(tab.day_field, Qt.Key.Key_Return)
    assert tab.model.rowCount() == 1
    assert tab.model.index(0, 3).data() == "oui, pièce"
    assert tab.save_button.text() == "Enregistrer"

    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.model.index(0, 0))
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert tab.model.rowCount() == 0
    assert "Absences : 0 h" in tab.totals.text()


def test_read_only_before_the_internship_starts(tab: PresenceTab, db: Database) -> None:
    with db.session() as s:
        agreement_id = signed(s)
    _open(tab, agreement_id)
    assert not tab.entry.isEnabled()
    assert tab.refusal.isVisible()
    assert "le stage n'a pas commencé" in tab.refusal.text()
    assert tab.totals.text().startswith("Prévues : 308 h")
    tab.show_agreement(None)
    assert not tab.entry.isEnabled()
    assert tab.refusal.text() == "Enregistrer la convention pour suivre la présence du stagiaire."


def test_the_model_passes_qtmodeltester(qtmodeltester: object, db: Database) -> None:
    agreement_id = _finished(db)
    with db.session() as s:
        for day, kind, minutes in (
            ("02/06/2026", "absence", ""),
            ("03/06/2026", "retard", "15"),
        ):
            record_absence(
                s,
                agreement_id,
                AbsenceInput(
                    day=day, kind=kind, minutes=minutes, reason="Motif long, sur une seule ligne"
                ),
                actor=make_actor(ROLE, COORD),
            )
        from app.services.agreements.presence import list_absences

        rows = tuple(list_absences(s, agreement_id, actor=make_actor(ROLE)))
    model = AbsencesModel()
    model.set_rows(rows)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.index(1, 5).data() == "Motif long, sur une seule ligne"
    assert model.index(1, 4).data() == "0,25 h"
    model.set_rows(())
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_the_conventions_view_has_the_tab(window: MainWindow) -> None:
    view = window.show_view("agreements")
    assert isinstance(view, AgreementsView)
    tabs = view.findChild(QTabWidget, "agreementTabs")
    labels = [tabs.tabText(i) for i in range(tabs.count())]
    assert labels.index("Présence") == labels.index("Signatures et avenants") + 1
    assert date.today() >= date(2026, 7, 31)  # the agreements above lie in the past
