"""The agenda as the desk uses it: weeks, opening an appointment, moving, cancelling, clashes,
unregistering, attendance in bulk, a full session, the paper, a trainer who only reads."""

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)

from app.domain import Appointment, Attendee
from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput
from app.services.appointments.booking import AppointmentInput, create_appointment
from app.services.appointments.week import agenda_week
from app.services.base_access.opening import open_app_database
from app.services.candidates.records import CandidateInput, create_candidate
from app.ui.agenda.dialogs import AppointmentDialog, AttendanceDialog, CancelDialog
from app.ui.agenda.view import AgendaView, desk_day
from app.ui.agenda.week_model import AgendaWeekModel, day_heading
from app.ui.main_window import MainWindow
from app.ui.printing.preview import PdfPreviewDialog
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text

WEDNESDAY = date(2027, 3, 10)
DAY = "10/03/2027"
PASSWORD = "phrase de passe longue"


# ---------------------------------------------------------------- helpers


def _answer(qtbot: QtBot, act: Callable[[QWidget], None]) -> list[QWidget]:
    """answer_next_dialog, but a failing `act` still closes the dialog (no hang on exec())."""

    def guarded(widget: QWidget) -> None:
        try:
            act(widget)
        finally:
            if widget.isVisible() and isinstance(widget, QDialog):
                widget.reject()

    return answer_next_dialog(qtbot, guarded)


def _click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _ok(qtbot: QtBot, dialog: QWidget) -> None:
    box = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def _yes(box: QWidget) -> None:
    assert isinstance(box, QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()


def _type(qtbot: QtBot, dialog: QWidget, name: str, text: str) -> None:
    field = dialog.findChild(QLineEdit, name)
    assert field is not None, name
    field.clear()
    type_text(qtbot, field, text)


def _candidate(window: MainWindow, nom: str, prenom: str, phone: str = "0612345678") -> int:
    data = CandidateInput(
        nom=nom, prenom=prenom, telephone=phone, saison="2026-2027", site="cobalt"
    )
    data.email = f"{prenom.lower()}.{nom.lower()}@exemple.fr"
    with window.context.database.session() as s:
        return create_candidate(s, data, actor=make_actor("coordination", "test")).id


def _book(window: MainWindow, kind: str, ids: list[int], **changes: str) -> int:
    values = {
        "kind": kind,
        "date": DAY,
        "time": "10:00" if kind == "entretien" else "14:00",
        "duration_minutes": "45" if kind == "entretien" else "90",
        "site": "cobalt",
        "room": "Bureau 2" if kind == "entretien" else "Turing",
        "staff": "Julien Morel" if kind == "entretien" else "Nadia Belkacem",
        "capacity": "" if kind == "entretien" else "12",
    }
    data = AppointmentInput(**(values | changes))
    with window.context.database.session() as s:
        return create_appointment(s, data, ids, actor=make_actor("coordination")).id


def _agenda(window: MainWindow, day: date = WEDNESDAY) -> AgendaView:
    view = window.show_view("agenda")
    assert isinstance(view, AgendaView)
    view.go_to(day)
    return view


def _choose(qtbot: QtBot, view: AgendaView, appointment_id: int) -> None:
    """Click the appointment's card, as the desk does."""
    index = view.model.index_of(appointment_id)
    assert index.isValid()
    rect = view.week.visualRect(index)
    qtbot.mouseClick(view.week.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.panel.info is not None and view.panel.info.id == appointment_id


def _cell(view: AgendaView, appointment_id: int) -> str:
    return str(view.model.index_of(appointment_id).data())


def _people(view: AgendaView) -> list[list[str]]:
    table = view.panel.people
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


def _stored(window: MainWindow, appointment_id: int) -> Appointment:
    with window.context.database.session() as s:
        stored = s.get_one(Appointment, appointment_id)
        s.expunge(stored)
        return stored


# ---------------------------------------------------------------- weeks


def test_previous_and_next_week_show_their_dates(qtbot: QtBot, window: MainWindow) -> None:
    view = _agenda(window)
    headers = lambda: [  # noqa: E731
        view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(view.model.columnCount())
    ]
    assert view.title.text() == "Semaine du 8 au 13 mars 2027"
    assert headers() == [
        "Lun. 8 mars",
        "Mar. 9 mars",
        "Mer. 10 mars",
        "Jeu. 11 mars",
        "Ven. 12 mars",
        "Sam. 13 mars",
    ]

    _click(qtbot, view.previous_button)
    assert view.title.text() == "Semaine du 1er au 6 mars 2027"
    _click(qtbot, view.previous_button)
    assert view.title.text() == "Semaine du 22 au 27 février 2027"
    view.week.setFocus()
    qtbot.keyClick(view.week, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(view.week, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(view.week, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert view.title.text() == "Semaine du 15 au 20 mars 2027"
    assert headers()[0] == "Lun. 15 mars"

    qtbot.keyClick(view.week, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    monday = desk_day(date.today())
    assert view.model.week is not None
    assert view.model.week.days[0] == monday.fromordinal(monday.toordinal() - monday.weekday())
    assert headers()[0] == day_heading(view.model.week.days[0])


def test_the_window_shortcut_opens_the_agenda(qtbot: QtBot, window: MainWindow) -> None:
    [shortcut] = [
        s for s in window.findChildren(QShortcut) if s.key() == QKeySequence("Ctrl+Shift+A")
    ]
    shortcut.activated.emit()
    assert window.stack.currentWidget().objectName() == "agendaView"
    assert window.navigation.currentItem().text() == "Agenda"


def test_the_week_shows_sessions_and_interviews_with_places_and_staff(
    qtbot: QtBot, window: MainWindow
) -> None:
    lea = _candidate(window, "Dupont", "Léa")
    interview = _book(window, "entretien", [lea])
    session = _book(window, "information_collective", [lea], date="11/03/2027")
    view = _agenda(window)
    view.header.site_combo.setCurrentIndex(
        view.header.site_combo.findText("Cobalt", Qt.MatchFlag.MatchStartsWith)
    )

    assert _cell(view, interview).split("\n") == [
        "10:00 – 10:45",
        "Entretien",
        "Bureau 2",
        "Julien Morel",
        "DUPONT Léa",
    ]
    assert _cell(view, session).split("\n") == [
        "14:00 – 15:30",
        "Info. collective",
        "salle Turing",
        "Nadia Belkacem",
        "1/12 inscrit",
    ]
    assert view.model.index_of(interview).column() == 2  # Wednesday
    assert view.model.index_of(session).column() == 3


def test_double_click_or_enter_opens_the_appointment_with_its_people(
    qtbot: QtBot, window: MainWindow
) -> None:
    ids = [_candidate(window, "Dupont", "Léa"), _candidate(window, "Traoré", "Noé", "0798765432")]
    session = _book(window, "information_collective", ids)
    view = _agenda(window)
    index = view.model.index_of(session)
    rect = view.week.visualRect(index)
    qtbot.mouseClick(view.week.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.week.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert view.panel.kind_label.text() == "Information collective"
    assert view.panel.when.text() == "Mercredi 10 mars 2027, 14:00 – 15:30"
    assert view.panel.places.text() == "2 inscrits pour 12 places"
    assert _people(view) == [
        ["DUPONT Léa", "06 12 34 56 78", "Inscrit"],
        ["TRAORÉ Noé", "07 98 76 54 32", "Inscrit"],
    ]
    assert view.panel.people.hasFocus()

    view.panel.show_appointment(None)
    view.week.setFocus()
    view.week.setCurrentIndex(index)
    qtbot.keyClick(view.week, Qt.Key.Key_Return)
    assert view.panel.info is not None and view.panel.info.id == session
    assert view.panel.people.hasFocus()


# ---------------------------------------------------------------- move and cancel


def test_move_an_interview_listing_who_to_tell(qtbot: QtBot, window: MainWindow) -> None:
    lea = _candidate(window, "Dupont", "Léa")
    interview = _book(window, "entretien", [lea])
    view = _agenda(window)
    _choose(qtbot, view, interview)
    seen: list[object] = []

    def move(dialog: QWidget) -> None:
        assert isinstance(dialog, AppointmentDialog)
        seen.append(dialog.windowTitle())
        people = dialog.findChild(QTableWidget, "peopleToTell")
        seen.append([people.item(0, c).text() for c in range(2)])
        _type(qtbot, dialog, "date", "12/03/2027")
        _type(qtbot, dialog, "heure", "15h30")
        _ok(qtbot, dialog)
        seen.append(dialog.isVisible())

    _answer(qtbot, move)
    _click(qtbot, view.panel.move_button)

    assert seen == [
        "Déplacer : Entretien du 10/03/2027 à 10:00",
        ["DUPONT Léa", "06 12 34 56 78"],
        False,
    ]
    assert _stored(window, interview).starts_at == datetime(2027, 3, 12, 15, 30)
    assert view.model.index_of(interview).column() == 4  # now on Friday
    assert view.panel.when.text() == "Vendredi 12 mars 2027, 15:30 – 16:15"


def test_cancel_an_interview_with_its_reason(qtbot: QtBot, window: MainWindow) -> None:
    lea = _candidate(window, "Dupont", "Léa")
    interview = _book(window, "entretien", [lea])
    view = _agenda(window)
    _choose(qtbot, view, interview)
    seen: list[object] = []

    def cancel(dialog: QWidget) -> None:
        assert isinstance(dialog, CancelDialog)
        people = dialog.findChild(QTableWidget, "peopleToTell")
        seen.append([people.item(0, c).text() for c in range(2)])
        _ok(qtbot, dialog)  # no reason yet
        error = dialog.findChild(QLabel, "motifError")
        seen.append((error.isVisible(), error.text(), dialog.isVisible()))
        reason = dialog.findChild(QPlainTextEdit, "motif")
        type_text(qtbot, reason, "Formateur malade")
        _ok(qtbot, dialog)
        seen.append(dialog.isVisible())

    _answer(qtbot, cancel)
    _click(qtbot, view.panel.cancel_button)

    assert seen == [
        ["DUPONT Léa", "06 12 34 56 78"],
        (True, "Indiquer le motif de l'annulation.", True),
        False,
    ]
    stored = _stored(window, interview)
    assert (stored.cancellation_reason, stored.cancelled_by) == (
        "Formateur malade",
        "Nadia Belkacem",
    )
    assert stored.cancelled_at is not None
    assert _cell(view, interview).endswith("Annulé : Formateur malade")
    assert view.panel.kind_label.text() == "Entretien — annulé"
    assert view.panel.cancelled.isVisible()
    assert not view.panel.move_button.isEnabled() and not view.panel.cancel_button.isEnabled()
    # The candidate's Rendez-vous tab shows it cancelled too.
    window.show_view("candidates")
    window.candidates_view.apply_filters()
    window.candidates_view.open_candidate(lea)
    table = window.findChild(QTableWidget, "candidateAppointments")
    assert table.item(0, 2).text() == "Annulé"
    assert table.item(0, 0).font().strikeOut()


# ---------------------------------------------------------------- clashes


def test_a_room_clash_is_refused_next_to_the_room(qtbot: QtBot, window: MainWindow) -> None:
    _book(window, "information_collective", [])
    view = _agenda(window)
    shown: list[tuple[str, str, bool]] = []

    def book_same_room(dialog: QWidget) -> None:
        assert isinstance(dialog, AppointmentDialog)
        _type(qtbot, dialog, "date", DAY)
        _type(qtbot, dialog, "heure", "15:00")
        _type(qtbot, dialog, "salle", "Turing")
        _type(qtbot, dialog, "intervenant", "Julien Morel")
        _ok(qtbot, dialog)
        room = dialog.findChild(QLabel, "salleError")
        staff = dialog.findChild(QLabel, "intervenantError")
        shown.append((room.text() if room.isVisible() else "", staff.text(), dialog.isVisible()))

    _answer(qtbot, book_same_room)
    _click(qtbot, view.new_session_button)

    assert shown == [
        (
            "La salle Turing est déjà prise le 10/03 de 14:00 à 15:30 par "
            "l'information collective (Cobalt, animée par Nadia Belkacem).",
            "",
            True,
        )
    ]
    with window.context.database.session() as s:
        assert s.query(Appointment).count() == 1


def test_an_interviewer_clash_is_refused_naming_the_other(qtbot: QtBot, window: MainWindow) -> None:
    lea, noe = _candidate(window, "Dupont", "Léa"), _candidate(window, "Traoré", "Noé")
    _book(window, "entretien", [lea])
    view = _agenda(window)
    shown: list[str] = []

    def pick(dialog: QWidget) -> None:
        search = dialog.findChild(QLineEdit, "candidatePickerSearch")
        type_text(qtbot, search, "Traoré")
        listed = dialog.findChild(QListWidget, "candidatePickerList")
        assert listed.count() == 1
        qtbot.keyClick(search, Qt.Key.Key_Return)

    def plan(dialog: QWidget) -> None:
        assert isinstance(dialog, AppointmentDialog) and dialog.candidate_id == noe
        _type(qtbot, dialog, "date", DAY)
        _type(qtbot, dialog, "heure", "10:30")
        _type(qtbot, dialog, "salle", "Bureau 3")
        _type(qtbot, dialog, "intervenant", "julien morel")
        _ok(qtbot, dialog)
        shown.append(dialog.findChild(QLabel, "intervenantError").text())

    _answer(qtbot, pick)
    _answer(qtbot, plan)
    _click(qtbot, view.new_interview_button)

    assert shown == [
        "julien morel a déjà un rendez-vous le 10/03 de 10:00 à 10:45 : "
        "l'entretien de DUPONT Léa (Cobalt, Bureau 2, avec Julien Morel)."
    ]


# ---------------------------------------------------------------- people


def test_unregister_the_chosen_person(qtbot: QtBot, window: MainWindow) -> None:
    ids = [_candidate(window, "Dupont", "Léa"), _candidate(window, "Traoré", "Noé")]
    session = _book(window, "information_collective", ids)
    view = _agenda(window)
    _choose(qtbot, view, session)
    assert not view.panel.unregister_button.isEnabled()  # nobody chosen yet
    view.panel.people.selectRow(1)
    asked: list[str] = []

    def confirm(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        _yes(box)

    answer_next_dialog(qtbot, confirm)
    _click(qtbot, view.panel.unregister_button)

    assert asked[0].startswith(
        "Désinscrire TRAORÉ Noé : information collective du 10/03/2027 à 14:00 ?"
    )
    assert [row[0] for row in _people(view)] == ["DUPONT Léa"]
    assert _cell(view, session).endswith("1/12 inscrit")
    with window.context.database.session() as s:
        assert [a.candidate_id for a in s.query(Attendee)] == [ids[0]]


def test_everyone_present_then_one_absent(qtbot: QtBot, window: MainWindow) -> None:
    ids = [_candidate(window, f"Nom{n}", "Léa") for n in range(3)]
    session = _book(window, "information_collective", ids)
    view = _agenda(window)
    _choose(qtbot, view, session)

    def mark(dialog: QWidget) -> None:
        assert isinstance(dialog, AttendanceDialog)
        _click(qtbot, dialog.findChild(QPushButton, "allPresentButton"))
        table = dialog.findChild(QTableWidget, "attendanceTable")
        combo = table.cellWidget(1, 1)
        combo.setCurrentIndex(combo.findData("absent"))
        _ok(qtbot, dialog)

    _answer(qtbot, mark)
    _click(qtbot, view.panel.attendance_button)

    assert [row[2] for row in _people(view)] == ["Présent", "Absent", "Présent"]
    with window.context.database.session() as s:
        marks = {a.candidate_id: a.attendance for a in s.query(Attendee)}
    assert marks == {ids[0]: "present", ids[1]: "absent", ids[2]: "present"}


# ---------------------------------------------------------------- a full session


@pytest.fixture
def desk_url(tmp_path: Path) -> str:
    """A base with an accueil and a coordination account."""
    url = "sqlite:///" + str(tmp_path / "desk.sqlite")
    database = open_app_database(url)
    with database.session() as s:
        for name, role in (
            ("karim", "accueil"),
            ("claire", "coordination"),
            ("samir", "formateur"),
        ):
            accounts.create_account(
                s,
                AccountInput(name.title(), name, role),
                PASSWORD,
                PASSWORD,
                actor=make_actor("coordination"),
            )
    database.dispose()
    return url


@pytest.fixture
def open_as(qtbot: QtBot, desk_url: str) -> Iterator[Callable[[str], MainWindow]]:
    opened: list[MainWindow] = []

    def open_window(username: str) -> MainWindow:
        window = MainWindow.open(desk_url, username=username)
        qtbot.addWidget(window)
        window.show()
        opened.append(window)
        return window

    yield open_window
    for window in opened:
        window.context.database.dispose()


def _register_through_picker(qtbot: QtBot, view: AgendaView, name: str) -> None:
    def pick(dialog: QWidget) -> None:
        search = dialog.findChild(QLineEdit, "candidatePickerSearch")
        type_text(qtbot, search, name)
        qtbot.keyClick(search, Qt.Key.Key_Return)

    _answer(qtbot, pick)


@pytest.mark.parametrize("who", ["karim", "claire"])
def test_a_full_session_is_refused_to_the_desk_and_overridden_by_coordination(
    qtbot: QtBot, open_as: Callable[[str], MainWindow], who: str
) -> None:
    window = open_as(who)
    first, late = _candidate(window, "Dupont", "Léa"), _candidate(window, "Martin", "Hugo")
    session = _book(window, "information_collective", [first], capacity="1")
    view = _agenda(window)
    _choose(qtbot, view, session)
    messages: list[str] = []

    def answer(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        messages.append(box.text())
        if who == "claire":
            _yes(box)
        else:
            box.button(QMessageBox.StandardButton.Ok).click()

    _register_through_picker(qtbot, view, "Martin")
    answer_next_dialog(qtbot, answer)
    _click(qtbot, view.panel.register_button)

    if who == "karim":
        assert messages == ["La session est complète (1 place)."]
        assert [row[0] for row in _people(view)] == ["DUPONT Léa"]
    else:
        assert messages == ["La session est complète (1 place). Inscrire quand même ?"]
        assert [row[0] for row in _people(view)] == ["DUPONT Léa", "MARTIN Hugo"]
        assert view.panel.places.text() == "2 inscrits pour 1 places — complet"
    with window.context.database.session() as s:
        registered = {a.candidate_id for a in s.query(Attendee)}
    assert registered == ({first, late} if who == "claire" else {first})


def test_a_trainer_reads_the_agenda_without_its_buttons(
    qtbot: QtBot, open_as: Callable[[str], MainWindow]
) -> None:
    window = open_as("samir")
    lea = _candidate(window, "Dupont", "Léa")
    session = _book(window, "information_collective", [lea])
    view = _agenda(window)
    _choose(qtbot, view, session)
    assert _people(view)[0][0] == "DUPONT Léa"
    for button in (view.new_session_button, view.new_interview_button, view.panel.move_button):
        assert not button.isVisibleTo(window)


# ---------------------------------------------------------------- paper


def test_convocations_and_sign_in_sheet_open_in_the_preview(
    qtbot: QtBot, window: MainWindow
) -> None:
    ids = [_candidate(window, "Dupont", "Léa"), _candidate(window, "Traoré", "Noé")]
    session = _book(window, "information_collective", ids)
    view = _agenda(window)
    _choose(qtbot, view, session)
    previews: list[tuple[str, str, bool]] = []

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, PdfPreviewDialog)
        previews.append((dialog.windowTitle(), dialog.suggested_filename, dialog.readable))
        dialog.reject()

    _answer(qtbot, look)
    _click(qtbot, view.panel.convocation_button)
    _answer(qtbot, look)
    _click(qtbot, view.panel.sheet_button)

    assert [p[0] for p in previews] == [
        "Convocation — Information collective du 10/03/2027 à 14:00",
        "Feuille d'émargement — Information collective du 10/03/2027 à 14:00",
    ]
    assert all(p[2] and p[1].endswith(".pdf") for p in previews)


# ---------------------------------------------------------------- from a candidate's file


def test_the_rendez_vous_tab_opens_the_agenda_on_the_appointment(
    qtbot: QtBot, window: MainWindow
) -> None:
    lea = _candidate(window, "Dupont", "Léa")
    interview = _book(window, "entretien", [lea])
    window.candidates_view.apply_filters()
    window.candidates_view.open_candidate(lea)
    tab = window.candidates_view.appointments
    window.candidates_view.tabs.setCurrentWidget(tab)
    tab.table.selectRow(0)
    _click(qtbot, tab.agenda_button)

    view = window.stack.currentWidget()
    assert isinstance(view, AgendaView)
    assert view.title.text() == "Semaine du 8 au 13 mars 2027"
    assert view.panel.info is not None and view.panel.info.id == interview


# ---------------------------------------------------------------- the model


def test_the_week_model_passes_the_model_tester(
    qtmodeltester: ModelTester, window: MainWindow
) -> None:
    model = AgendaWeekModel()
    qtmodeltester.check(model, force_py=True)  # before any week
    lea = _candidate(window, "Dupont", "Léa")
    _book(window, "entretien", [lea])
    _book(window, "information_collective", [], time="16:00", room="Lovelace")
    _book(window, "information_collective", [], date="12/03/2027")
    with window.context.database.session() as s:
        week = agenda_week(s, WEDNESDAY)
    model.set_week(week, today=WEDNESDAY, with_site=True)
    qtmodeltester.check(model, force_py=True)
    assert (model.rowCount(), model.columnCount()) == (2, 6)
    assert model.flags(model.index(1, 0)) == Qt.ItemFlag.NoItemFlags  # an empty cell
    assert model.entry(model.index(0, 2)) is not None
    assert model.rowCount(model.index(0, 2)) == 0
    assert model.data(QModelIndex()) is None
    QApplication.processEvents()
