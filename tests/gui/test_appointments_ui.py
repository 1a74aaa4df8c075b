"""Drive the appointments widgets as a receptionist would: the day strip, the Rendez-vous tab."""

from collections.abc import Callable
from datetime import date, datetime, time

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTabBar,
    QTableWidget,
    QWidget,
)

from app.domain import Appointment, AppointmentKind, Attendee
from app.services import reference
from app.services.appointments.booking import AppointmentInput, create_appointment
from app.services.candidates.records import CandidateInput, create_candidate
from app.ui.agenda.dialogs import AppointmentDialog, AttendanceDialog, SessionPickerDialog
from app.ui.main_window import MainWindow
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text

TODAY = date.today().strftime("%d/%m/%Y")


# ---------------------------------------------------------------- helpers


def _answer(qtbot: QtBot, act: Callable[[QDialog], None]) -> list[QWidget]:
    """answer_next_dialog, but a failing `act` still closes the dialog (no hang on exec())."""

    def guarded(widget: QWidget) -> None:
        assert isinstance(widget, QDialog)
        try:
            act(widget)
        finally:
            if widget.isVisible():
                widget.reject()

    return answer_next_dialog(qtbot, guarded)


def _set_text(qtbot: QtBot, dialog: QWidget, name: str, text: str) -> None:
    field = dialog.findChild(QLineEdit, name)
    assert field is not None, name
    field.clear()
    type_text(qtbot, field, text)


def _click_ok(qtbot: QtBot, dialog: QWidget) -> None:
    box = dialog.findChild(QDialogButtonBox)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def _double_click(qtbot: QtBot, view: QAbstractItemView, pos: QPoint) -> None:
    """A real double-click: press and release, then the double-click event.

    QTest's mouseDClick sends the double-click event alone; an item view treats a double-click
    on an item it did not see pressed as a mere press.
    """
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _today_texts(window: MainWindow) -> list[str]:
    strip = window.findChild(QListWidget, "todayAppointments")
    return [strip.item(row).text() for row in range(strip.count())]


def _appointment_rows(window: MainWindow) -> list[list[str]]:
    table = window.findChild(QTableWidget, "candidateAppointments")
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


def _appointment_count(window: MainWindow) -> int:
    with window.context.database.session() as session:
        return session.query(Appointment).count()


def _attendances(window: MainWindow) -> list[str]:
    with window.context.database.session() as session:
        return [a.attendance for a in session.query(Attendee).order_by(Attendee.id)]


def _new_candidate(window: MainWindow) -> int:
    data = CandidateInput(
        nom="Lefèvre",
        prenom="Amélie",
        email="amelie.lefevre@exemple.fr",
        saison=reference.current_season_label(),
        site="cobalt",
    )
    with window.context.database.session() as session:
        candidate_id = create_candidate(session, data, actor=make_actor("coordination", "test")).id
    window.candidates_view.apply_filters()
    window.candidates_view.open_candidate(candidate_id)
    return candidate_id


def _new_session(
    window: MainWindow, room: str = "Turing", capacity: str = "8", at: str = "14:00"
) -> int:
    data = AppointmentInput(
        kind=AppointmentKind.INFO_SESSION.value,
        date=TODAY,
        time=at,
        duration_minutes="90",
        site="cobalt",
        room=room,
        staff="Nadia Belkacem",
        capacity=capacity,
    )
    with window.context.database.session() as session:
        appointment_id = create_appointment(session, data, actor=make_actor("coordination")).id
    window.candidates_view.apply_filters()
    return appointment_id


def _open_appointments_tab(qtbot: QtBot, window: MainWindow) -> None:
    view = window.candidates_view
    bar = view.tabs.findChild(QTabBar)
    index = view.tabs.indexOf(view.appointments)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert view.tabs.currentWidget() is view.appointments


def _register_to_session(qtbot: QtBot, window: MainWindow, wanted: str) -> list[str]:
    """Click the register button and pick the session whose text contains `wanted`."""
    offered: list[str] = []

    def pick(dialog: QDialog) -> None:
        assert isinstance(dialog, SessionPickerDialog)
        picker = dialog.findChild(QListWidget, "sessionPicker")
        offered.extend(picker.item(row).text() for row in range(picker.count()))
        matches = [picker.item(row) for row in range(picker.count())]
        chosen = next(item for item in matches if wanted in item.text())
        picker.setCurrentItem(chosen)
        _click_ok(qtbot, dialog)

    _answer(qtbot, pick)
    button = window.findChild(QPushButton, "registerSessionButton")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return offered


# ---------------------------------------------------------------- the day strip


def test_new_session_from_today_strip_is_listed(qtbot: QtBot, window: MainWindow) -> None:
    assert _today_texts(window) == ["Aucun rendez-vous aujourd'hui."]
    seen: list[str] = []

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, AppointmentDialog)
        seen.append(dialog.windowTitle())
        _set_text(qtbot, dialog, "date", TODAY)
        _set_text(qtbot, dialog, "heure", "14h30")
        _set_text(qtbot, dialog, "duree", "90")
        site = dialog.findChild(QComboBox, "site")
        site.setCurrentIndex(site.findData("du-guesclin"))
        _set_text(qtbot, dialog, "salle", "Hopper")
        _set_text(qtbot, dialog, "intervenant", "Hélène Durand")
        _set_text(qtbot, dialog, "capacite", "10")
        _click_ok(qtbot, dialog)
        seen.append("closed" if not dialog.isVisible() else "still open")

    _answer(qtbot, fill)
    qtbot.mouseClick(window.findChild(QPushButton, "newSessionButton"), Qt.MouseButton.LeftButton)

    assert seen == ["Nouvelle information collective", "closed"]
    assert _today_texts(window) == [
        "Information collective — 14:30, salle Hopper, Centre Du Guesclin (0/10 inscrit)"
    ]
    with window.context.database.session() as session:
        stored = session.query(Appointment).one()
        assert (stored.starts_at, stored.capacity, stored.staff, stored.site.code) == (
            datetime.combine(date.today(), time(14, 30)),
            10,
            "Hélène Durand",
            "du-guesclin",
        )


def test_impossible_time_is_refused_next_to_the_field(qtbot: QtBot, window: MainWindow) -> None:
    shown: list[tuple[bool, str, bool, str]] = []

    def fill_bad_time(dialog: QDialog) -> None:
        _set_text(qtbot, dialog, "salle", "Turing")
        _set_text(qtbot, dialog, "heure", "25:99")
        _click_ok(qtbot, dialog)
        error = dialog.findChild(QLabel, "heureError")
        room_error = dialog.findChild(QLabel, "salleError")
        shown.append(
            (
                error.isVisible(),
                error.text(),
                dialog.isVisible(),
                dialog.findChild(QLineEdit, "heure").text(),
            )
        )
        assert not room_error.isVisible()
        dialog.reject()

    _answer(qtbot, fill_bad_time)
    qtbot.mouseClick(window.findChild(QPushButton, "newSessionButton"), Qt.MouseButton.LeftButton)

    assert shown == [(True, "Cette heure n'existe pas.", True, "25:99")]
    assert _appointment_count(window) == 0
    assert _today_texts(window) == ["Aucun rendez-vous aujourd'hui."]


def test_session_without_room_or_capacity_names_both_fields(
    qtbot: QtBot, window: MainWindow
) -> None:
    errors: dict[str, str] = {}

    def fill_empty(dialog: QDialog) -> None:
        _set_text(qtbot, dialog, "salle", "")
        _set_text(qtbot, dialog, "capacite", "")
        _click_ok(qtbot, dialog)
        for name in ("salleError", "capaciteError", "heureError"):
            label = dialog.findChild(QLabel, name)
            errors[name] = label.text() if label.isVisible() else ""
        dialog.reject()

    _answer(qtbot, fill_empty)
    qtbot.mouseClick(window.findChild(QPushButton, "newSessionButton"), Qt.MouseButton.LeftButton)

    assert "salle" in errors["salleError"]
    assert "capacité" in errors["capaciteError"]
    assert errors["heureError"] == ""
    assert _appointment_count(window) == 0


# ---------------------------------------------------------------- the Rendez-vous tab


def test_register_to_session_then_mark_present(qtbot: QtBot, window: MainWindow) -> None:
    _new_session(window, room="Lovelace", capacity="2")
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    assert _appointment_rows(window) == []
    assert not window.findChild(QComboBox, "attendanceCombo").isEnabled()

    offered = _register_to_session(qtbot, window, "Lovelace")

    assert offered == [
        f"{TODAY} — Information collective — 14:00, salle Lovelace, Cobalt (0/2 inscrit)"
    ]
    assert _appointment_rows(window) == [
        [
            f"{TODAY} 14:00",
            "Information collective",
            "Inscrit",
            "Cobalt, Lovelace",
            "Nadia Belkacem",
        ]
    ]
    assert _attendances(window) == ["inscrit"]
    # The day strip counts the new registration.
    assert _today_texts(window) == [
        "Information collective — 14:00, salle Lovelace, Cobalt (1/2 inscrit)"
    ]

    table = window.findChild(QTableWidget, "candidateAppointments")
    cell = table.visualItemRect(table.item(0, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    combo = window.findChild(QComboBox, "attendanceCombo")
    assert combo.isEnabled()
    assert combo.currentData() == "inscrit"

    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # Inscrit -> Présent, as the keyboard does

    assert combo.currentData() == "present"
    assert _attendances(window) == ["present"]
    assert _appointment_rows(window)[0][2] == "Présent"
    # The row stays selected and the combo shows the stored value after the refresh.
    assert table.selectedItems()
    assert combo.currentText() == "Présent"


def test_attendance_combo_by_activation(qtbot: QtBot, window: MainWindow) -> None:
    _new_session(window)
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    _register_to_session(qtbot, window, "Turing")
    table = window.findChild(QTableWidget, "candidateAppointments")
    table.selectRow(0)
    combo = window.findChild(QComboBox, "attendanceCombo")

    index = combo.findData("excuse")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)

    assert _attendances(window) == ["excuse"]
    assert _appointment_rows(window)[0][2] == "Excusé"


def test_full_session_is_not_offered(qtbot: QtBot, window: MainWindow) -> None:
    _new_session(window, room="Pleine", capacity="1")
    _new_session(window, room="Libre", capacity="5", at="16:00")
    first = _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    _register_to_session(qtbot, window, "Pleine")
    assert [row[3] for row in _appointment_rows(window)] == ["Cobalt, Pleine"]

    data = CandidateInput(
        nom="Martin",
        prenom="Léo",
        telephone="0612345678",
        saison=reference.current_season_label(),
        site="cobalt",
    )
    with window.context.database.session() as session:
        second = create_candidate(session, data, actor=make_actor("coordination", "test")).id
    assert second != first
    window.candidates_view.apply_filters()
    window.candidates_view.open_candidate(second)
    offered = _register_to_session(qtbot, window, "Libre")

    assert len(offered) == 1 and "salle Libre" in offered[0]
    assert [row[3] for row in _appointment_rows(window)] == ["Cobalt, Libre"]


def test_plan_interview_shows_in_tab_and_today_strip(qtbot: QtBot, window: MainWindow) -> None:
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    seen: list[tuple[str, str]] = []

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, AppointmentDialog)
        site = dialog.findChild(QComboBox, "site")
        seen.append((dialog.windowTitle(), str(site.currentData())))
        assert dialog.findChild(QLineEdit, "capacite") is None
        _set_text(qtbot, dialog, "date", TODAY)
        _set_text(qtbot, dialog, "heure", "16h15")
        _set_text(qtbot, dialog, "duree", "30")
        _set_text(qtbot, dialog, "salle", "Bureau 2")
        _click_ok(qtbot, dialog)

    _answer(qtbot, fill)
    qtbot.mouseClick(
        window.findChild(QPushButton, "planInterviewButton"), Qt.MouseButton.LeftButton
    )

    # The dialog opens on the candidate's site.
    assert seen == [("Planifier un entretien", "cobalt")]
    assert _appointment_rows(window) == [
        [f"{TODAY} 16:15", "Entretien", "Inscrit", "Cobalt, Bureau 2", "Nadia Belkacem"]
    ]
    assert _today_texts(window) == [
        "Entretien — 16:15, Bureau 2, Cobalt, avec Nadia Belkacem : LEFÈVRE Amélie"
    ]


def test_interview_on_another_day_stays_out_of_today_strip(
    qtbot: QtBot, window: MainWindow
) -> None:
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    later = date.today().replace(year=date.today().year + 1, month=1, day=15)

    def fill(dialog: QDialog) -> None:
        _set_text(qtbot, dialog, "date", later.strftime("%d/%m/%Y"))
        _click_ok(qtbot, dialog)

    _answer(qtbot, fill)
    qtbot.mouseClick(
        window.findChild(QPushButton, "planInterviewButton"), Qt.MouseButton.LeftButton
    )

    assert [row[:2] for row in _appointment_rows(window)] == [
        [f"{later:%d/%m/%Y} 10:00", "Entretien"]
    ]
    assert _today_texts(window) == ["Aucun rendez-vous aujourd'hui."]


# ---------------------------------------------------------------- attendance from the strip


def test_double_click_session_in_strip_records_attendance(qtbot: QtBot, window: MainWindow) -> None:
    _new_session(window)
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    _register_to_session(qtbot, window, "Turing")
    listed: list[tuple[str, str]] = []

    def mark_absent(dialog: QDialog) -> None:
        assert isinstance(dialog, AttendanceDialog)
        table = dialog.findChild(QTableWidget, "attendanceTable")
        for row in range(table.rowCount()):
            combo = table.cellWidget(row, 1)
            assert isinstance(combo, QComboBox)
            listed.append((table.item(row, 0).text(), combo.currentText()))
        combo = table.cellWidget(0, 1)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData("absent"))
        _click_ok(qtbot, dialog)

    strip = window.findChild(QListWidget, "todayAppointments")
    item = strip.item(0)
    assert "Turing" in item.text()
    _answer(qtbot, mark_absent)
    _double_click(qtbot, strip, strip.visualItemRect(item).center())

    assert listed == [("LEFÈVRE Amélie", "Inscrit")]
    assert _attendances(window) == ["absent"]


def test_enter_on_session_in_strip_opens_attendance(qtbot: QtBot, window: MainWindow) -> None:
    _new_session(window)
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    _register_to_session(qtbot, window, "Turing")
    opened: list[str] = []

    def mark_present(dialog: QDialog) -> None:
        opened.append(dialog.objectName())
        combo = dialog.findChild(QTableWidget, "attendanceTable").cellWidget(0, 1)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData("present"))
        _click_ok(qtbot, dialog)

    strip = window.findChild(QListWidget, "todayAppointments")
    strip.setCurrentRow(0)
    strip.setFocus()
    _answer(qtbot, mark_present)
    qtbot.keyClick(strip, Qt.Key.Key_Return)

    assert opened == ["attendanceDialog"]
    assert _attendances(window) == ["present"]


def test_placeholder_row_of_empty_strip_opens_nothing(qtbot: QtBot, window: MainWindow) -> None:
    strip = window.findChild(QListWidget, "todayAppointments")
    assert strip.count() == 1
    placeholder = strip.item(0)
    assert placeholder.flags() == Qt.ItemFlag.NoItemFlags
    # Activating the placeholder must not open a dialog (it has no appointment id).
    strip.itemActivated.emit(placeholder)
    assert window.findChild(AttendanceDialog) is None


def test_attendance_from_strip_refreshes_open_file(qtbot: QtBot, window: MainWindow) -> None:
    _new_session(window)
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    _register_to_session(qtbot, window, "Turing")

    def mark_absent(dialog: QDialog) -> None:
        combo = dialog.findChild(QTableWidget, "attendanceTable").cellWidget(0, 1)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData("absent"))
        _click_ok(qtbot, dialog)

    strip = window.findChild(QListWidget, "todayAppointments")
    strip.setCurrentRow(0)
    _answer(qtbot, mark_absent)
    qtbot.keyClick(strip, Qt.Key.Key_Return)

    assert _attendances(window) == ["absent"]
    assert _appointment_rows(window)[0][2] == "Absent"


# ---------------------------------------------------------------- the chosen appointment


def _choose_row(qtbot: QtBot, window: MainWindow, row: int = 0) -> None:
    table = window.findChild(QTableWidget, "candidateAppointments")
    cell = table.visualItemRect(table.item(row, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)


def test_cancel_from_the_tab_strikes_it_everywhere(qtbot: QtBot, window: MainWindow) -> None:
    _new_session(window)
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    _register_to_session(qtbot, window, "Turing")
    _choose_row(qtbot, window)
    listed: list[str] = []

    def cancel(dialog: QDialog) -> None:
        people = dialog.findChild(QTableWidget, "peopleToTell")
        listed.append(people.item(0, 0).text())
        reason = dialog.findChild(QWidget, "motif")
        type_text(qtbot, reason, "Salle inondée")
        _click_ok(qtbot, dialog)

    _answer(qtbot, cancel)
    qtbot.mouseClick(
        window.findChild(QPushButton, "cancelAppointmentButton"), Qt.MouseButton.LeftButton
    )

    assert listed == ["LEFÈVRE Amélie"]
    row = _appointment_rows(window)[0]
    assert row[2] == "Annulé"
    table = window.findChild(QTableWidget, "candidateAppointments")
    assert table.item(0, 1).font().strikeOut()
    assert table.item(0, 1).toolTip() == "Annulé — motif : Salle inondée"
    _choose_row(qtbot, window)
    for name in (
        "moveAppointmentButton",
        "cancelAppointmentButton",
        "unregisterAppointmentButton",
        "attendanceCombo",
    ):
        assert not window.findChild(QWidget, name).isEnabled(), name
    strip = window.findChild(QListWidget, "todayAppointments")
    assert strip.item(0).text().endswith("(1/8 inscrit) — annulée")
    assert strip.item(0).font().strikeOut()
    # The session no longer offers its places.
    offered: list[int] = []

    def look(dialog: QDialog) -> None:
        offered.append(dialog.findChild(QListWidget, "sessionPicker").count())
        dialog.reject()

    _answer(qtbot, look)
    qtbot.mouseClick(
        window.findChild(QPushButton, "registerSessionButton"), Qt.MouseButton.LeftButton
    )
    assert offered == [0]


def test_unregister_from_the_tab(qtbot: QtBot, window: MainWindow) -> None:
    _new_session(window)
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    _register_to_session(qtbot, window, "Turing")
    _choose_row(qtbot, window)

    def yes(box: QWidget) -> None:
        box.button(QMessageBox.StandardButton.Yes).click()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, yes)
    qtbot.mouseClick(
        window.findChild(QPushButton, "unregisterAppointmentButton"), Qt.MouseButton.LeftButton
    )

    assert _appointment_rows(window) == []
    assert _attendances(window) == []


def test_move_from_the_tab_is_refused_on_a_taken_room(qtbot: QtBot, window: MainWindow) -> None:
    _new_session(window, room="Turing", at="14:00")
    _new_session(window, room="Hopper", at="16:00")
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    _register_to_session(qtbot, window, "Hopper")
    _choose_row(qtbot, window)
    shown: list[str] = []

    def move(dialog: QDialog) -> None:
        _set_text(qtbot, dialog, "heure", "14:30")
        _set_text(qtbot, dialog, "salle", "Turing")
        _set_text(qtbot, dialog, "intervenant", "Hélène Durand")
        _click_ok(qtbot, dialog)
        shown.append(dialog.findChild(QLabel, "salleError").text())

    _answer(qtbot, move)
    qtbot.mouseClick(
        window.findChild(QPushButton, "moveAppointmentButton"), Qt.MouseButton.LeftButton
    )

    assert shown == [
        f"La salle Turing est déjà prise le {TODAY[:5]} de 14:00 à 15:30 par "
        "l'information collective (Cobalt, animée par Nadia Belkacem)."
    ]
    assert _appointment_rows(window)[0][0] == f"{TODAY} 16:00"


def test_a_trainer_sees_no_booking_buttons_in_the_tab(qtbot: QtBot, window: MainWindow) -> None:
    _new_candidate(window)
    _open_appointments_tab(qtbot, window)
    assert window.findChild(QPushButton, "moveAppointmentButton").isVisibleTo(window)
    window.context.signed_in = make_actor("formateur", "samir")
    window.candidates_view.appointments.show_candidate(None, "")
    for name in (
        "moveAppointmentButton",
        "cancelAppointmentButton",
        "unregisterAppointmentButton",
        "appointmentConvocationButton",
    ):
        assert not window.findChild(QPushButton, name).isVisibleTo(window), name
    assert window.findChild(QPushButton, "openAgendaButton").isVisibleTo(window)
