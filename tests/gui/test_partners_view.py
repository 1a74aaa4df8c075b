"""Drive the host directory as the coordination would: type, save, search, tutors, guard."""

from datetime import date

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from app.domain import Host, Tutor
from app.services.hosts import directory as host_service
from app.services.hosts.actions import agreements_summary
from app.services.hosts.directory import HostInput, TutorInput
from app.ui.main_window import MainWindow
from app.ui.partners.models import HostsTableModel, TutorsTableModel
from app.ui.partners.tutor_dialog import TutorDialog
from app.ui.partners.view import PartnersView
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text
from tests.unit.services.test_agreements import _draft, _signed, _world

VALID_SIRET = "73282932000074"


def _view(window: MainWindow) -> PartnersView:
    view = window.show_view("partners")
    assert isinstance(view, PartnersView)
    return _listed(view)


def _listed(view: PartnersView) -> PartnersView:
    """The view once the search it started in the background has filled the list."""
    assert view.list_reader.wait()
    QCoreApplication.processEvents()
    assert not view.list_reader.busy
    return view


def _field(view: QWidget, name: str) -> QWidget:
    form = view.findChild(QWidget, "hostForm")
    widget = form.findChild(QWidget, name)
    assert widget is not None, name
    return widget


def _type(qtbot: QtBot, view: QWidget, name: str, text: str) -> None:
    widget = _field(view, name)
    assert isinstance(widget, QLineEdit)
    widget.setFocus()
    widget.clear()
    type_text(qtbot, widget, text)


def _choose(view: QWidget, name: str, value: str) -> None:
    combo = _field(view, name)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(value))


def _rows(view: QWidget) -> list[list[str]]:
    model = view.findChild(QTableView, "hostsTable").model()
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def _add_host(window: MainWindow, name: str, city: str, **values: str) -> int:
    data = HostInput(nom=name, forme_juridique="autre", commune=city, **values)
    with window.context.database.session() as session:
        return host_service.create_host(session, data, actor=make_actor("coordination")).id


def _hosts(window: MainWindow) -> list[Host]:
    with window.context.database.session() as session:
        return list(session.query(Host).order_by(Host.id))


def _button(answer: str):  # type: ignore[no-untyped-def]
    """Click the message box button whose French text is `answer`."""

    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        texts = [button.text() for button in box.buttons()]
        assert sorted(texts) == ["Annuler", "Enregistrer", "Ignorer"]
        next(b for b in box.buttons() if b.text() == answer).click()

    return act


def test_new_host_typed_and_saved_with_ctrl_s_is_listed(qtbot: QtBot, window: MainWindow) -> None:
    view = _view(window)
    search = view.findChild(QLineEdit, "hostSearch")
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert _field(view, "nom").hasFocus()

    type_text(qtbot, _field(view, "nom"), "Atelier Mélusine")
    _choose(view, "forme_juridique", "sarl")
    _type(qtbot, view, "identifiant", VALID_SIRET)
    _type(qtbot, view, "code_naf", "6201z")
    _choose(view, "effectif", "1 à 9")
    _type(qtbot, view, "code_postal", "86600")
    _type(qtbot, view, "commune", "Lusignan")
    _type(qtbot, view, "telephone", "0549123456")
    qtbot.keyClick(_field(view, "telephone"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    _listed(view)
    assert _rows(view) == [["Atelier Mélusine", "Lusignan", "SARL", "732 829 320 00074", "0"]]
    [host] = _hosts(window)
    assert (host.name, host.siret, host.naf_code, host.headcount_band) == (
        "Atelier Mélusine",
        VALID_SIRET,
        "62.01Z",
        "1 à 9",
    )
    assert view.findChild(QTableView, "hostsTable").currentIndex().row() == 0
    assert view.findChild(QLabel, "hostTitle").text() == "Atelier Mélusine"
    assert _field(view, "telephone").text() == "05 49 12 34 56"  # type: ignore[attr-defined]
    assert window.statusBar().currentMessage() == "Structure d'accueil enregistrée."
    assert view.findChild(QPushButton, "addTutorButton").isEnabled()


def test_invalid_siret_is_refused_in_french_and_nothing_typed_is_lost(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _view(window)
    qtbot.mouseClick(view.findChild(QPushButton, "newHostButton"), Qt.MouseButton.LeftButton)
    type_text(qtbot, _field(view, "nom"), "Garage Solidaire")
    _choose(view, "forme_juridique", "sas")
    _type(qtbot, view, "identifiant", "12345678901234")
    _type(qtbot, view, "commune", "Niort")
    qtbot.mouseClick(view.findChild(QPushButton, "saveHostButton"), Qt.MouseButton.LeftButton)

    error = _field(view, "identifiantError")
    assert isinstance(error, QLabel)
    assert error.isVisible()
    assert (
        error.text() == "SIRET invalide : la clé de contrôle ne correspond pas, vérifier la saisie."
    )
    assert _field(view, "identifiant").hasFocus()
    assert _field(view, "identifiant").text() == "12345678901234"  # type: ignore[attr-defined]
    assert _field(view, "nom").text() == "Garage Solidaire"  # type: ignore[attr-defined]
    assert _field(view, "commune").text() == "Niort"  # type: ignore[attr-defined]
    assert _hosts(window) == []
    assert view.findChild(QLabel, "hostDirty").isVisible()


def test_legal_forms_from_the_list_and_headcount_with_its_unit(window: MainWindow) -> None:
    view = _view(window)
    forms = _field(view, "forme_juridique")
    assert isinstance(forms, QComboBox)
    labels = [forms.itemText(i) for i in range(forms.count())]
    assert labels == [
        "Choisir…",
        "Association loi 1901",
        "SARL",
        "SAS / SASU",
        "SA",
        "SCOP / SCIC",
        "EI / micro-entreprise",
        "EURL",
        "Collectivité territoriale",
        "Établissement public",
        "Autre",
    ]
    bands = _field(view, "effectif")
    assert isinstance(bands, QComboBox)
    assert [bands.itemText(i) for i in range(1, bands.count())] == [
        "aucun salarié",
        "1 à 9 salariés",
        "10 à 19 salariés",
        "20 à 49 salariés",
        "50 à 249 salariés",
        "250 salariés et plus",
    ]


def test_a_host_with_a_former_vague_form_shows_it_to_be_made_precise(
    qtbot: QtBot, window: MainWindow
) -> None:
    with window.context.database.session() as session:
        session.add(Host(name="Garage Martin", legal_form="entreprise", siret=VALID_SIRET))
        session.add(Host(name="Mairie de Lusignan", legal_form="public"))
    view = _view(window)
    assert [row[2] for row in _rows(view)] == ["Entreprise (forme à préciser)", "Organisme public"]
    table = view.findChild(QTableView, "hostsTable")
    forms = _field(view, "forme_juridique")
    assert isinstance(forms, QComboBox)
    table.selectRow(0)
    assert forms.currentText() == "Entreprise (forme à préciser)"
    assert forms.findData("public") < 0
    _type(qtbot, view, "commune", "Lusignan")
    assert view.form.save()  # another field changed: the former code is kept
    assert [h.legal_form for h in _hosts(window)] == ["entreprise", "public"]
    _choose(view, "forme_juridique", "eurl")
    assert view.form.save()
    assert _rows(_listed(view))[0][2] == "EURL"
    assert forms.findData("entreprise") < 0  # no longer offered once made precise
    table.selectRow(1)
    assert forms.currentText() == "Organisme public"
    assert forms.findData("entreprise") < 0
    view.form.start_new()
    assert forms.findData("public") < 0 and forms.currentText() == "Choisir…"


def test_search_ignores_accents_and_case(qtbot: QtBot, window: MainWindow) -> None:
    _add_host(window, "Médiathèque François-Mitterrand", "Poitiers")
    _add_host(window, "Radio Clain FM", "Châtellerault")
    _add_host(window, "Repair Café", "Niort")
    view = _view(window)
    assert [row[0] for row in _rows(view)] == [
        "Médiathèque François-Mitterrand",
        "Radio Clain FM",
        "Repair Café",
    ]
    search = view.findChild(QLineEdit, "hostSearch")

    qtbot.keyClicks(search, "chatellerault")
    qtbot.waitUntil(lambda: [row[0] for row in _rows(view)] == ["Radio Clain FM"])
    search.clear()
    type_text(qtbot, search, "CHÂTELLERAULT")
    qtbot.waitUntil(lambda: [row[0] for row in _rows(view)] == ["Radio Clain FM"])
    search.clear()
    type_text(qtbot, search, "médiathèque")
    qtbot.waitUntil(lambda: [row[0] for row in _rows(view)] == ["Médiathèque François-Mitterrand"])
    search.clear()
    qtbot.keyClicks(search, "cafe niort")
    qtbot.waitUntil(lambda: [row[0] for row in _rows(view)] == ["Repair Café"])
    qtbot.keyClicks(search, "x")
    qtbot.waitUntil(lambda: _rows(view) == [])
    assert view.findChild(QLabel, "hostCount").text() == "Aucune structure trouvée"


def test_add_then_edit_a_tutor_through_the_dialog(qtbot: QtBot, window: MainWindow) -> None:
    host_id = _add_host(window, "Dynamob", "Loudun")
    view = _view(window)
    view.findChild(QTableView, "hostsTable").selectRow(0)
    assert view.form.host_id == host_id
    refused: list[str] = []

    def add(dialog: QWidget) -> None:
        assert isinstance(dialog, TutorDialog)
        type_text(qtbot, dialog.findChild(QLineEdit, "nom"), "Inès Moreau")
        type_text(qtbot, dialog.findChild(QLineEdit, "email"), "ines.moreau@exemple")
        save = dialog.findChild(QPushButton, "saveTutorButton")
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        refused.append(dialog.findChild(QLabel, "emailError").text())
        assert dialog.isVisible()
        assert dialog.findChild(QLineEdit, "nom").text() == "Inès Moreau"
        assert dialog.findChild(QLineEdit, "email").text() == "ines.moreau@exemple"
        type_text(qtbot, dialog.findChild(QLineEdit, "email"), ".fr")
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    answer_next_dialog(qtbot, add)
    qtbot.mouseClick(view.findChild(QPushButton, "addTutorButton"), Qt.MouseButton.LeftButton)

    assert refused and "e-mail" in refused[0].lower()
    tutors = view.findChild(QTableView, "tutorsTable")
    assert tutors.model().index(0, 0).data() == "Inès Moreau"
    assert tutors.model().index(0, 3).data() == "ines.moreau@exemple.fr"
    assert _rows(_listed(view))[0][4] == "1"

    def edit(dialog: QWidget) -> None:
        assert dialog.findChild(QLineEdit, "nom").text() == "Inès Moreau"
        type_text(qtbot, dialog.findChild(QLineEdit, "fonction"), "Chargée de projets")
        qtbot.mouseClick(
            dialog.findChild(QPushButton, "saveTutorButton"), Qt.MouseButton.LeftButton
        )

    answer_next_dialog(qtbot, edit)
    rect = tutors.visualRect(tutors.model().index(0, 0))
    # A real double-click: the first press selects, the second opens.
    qtbot.mouseClick(tutors.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tutors.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert tutors.model().index(0, 1).data() == "Chargée de projets"
    with window.context.database.session() as session:
        [tutor] = session.query(Tutor).all()
        assert (tutor.name, tutor.function) == ("Inès Moreau", "Chargée de projets")

    def edit_again(dialog: QWidget) -> None:
        type_text(qtbot, dialog.findChild(QLineEdit, "telephone"), "0612345678")
        qtbot.mouseClick(
            dialog.findChild(QPushButton, "saveTutorButton"), Qt.MouseButton.LeftButton
        )

    tutors.selectRow(0)
    answer_next_dialog(qtbot, edit_again)
    qtbot.mouseClick(view.findChild(QPushButton, "editTutorButton"), Qt.MouseButton.LeftButton)
    assert tutors.model().index(0, 2).data() == "06 12 34 56 78"


def test_tutors_wait_for_the_host_to_be_saved(qtbot: QtBot, window: MainWindow) -> None:
    view = _view(window)
    qtbot.mouseClick(view.findChild(QPushButton, "newHostButton"), Qt.MouseButton.LeftButton)
    assert not view.findChild(QPushButton, "addTutorButton").isEnabled()
    assert "Enregistrer d'abord" in view.findChild(QLabel, "tutorsHint").text()


def test_switching_host_asks_about_unsaved_changes(qtbot: QtBot, window: MainWindow) -> None:
    first = _add_host(window, "Agence Alpha", "Poitiers")
    second = _add_host(window, "Bureau Bêta", "Niort")
    view = _view(window)
    table = view.findChild(QTableView, "hostsTable")
    table.selectRow(0)
    _type(qtbot, view, "commune", "Buxerolles")

    answer_next_dialog(qtbot, _button("Annuler"))
    table.selectRow(1)
    assert view.form.host_id == first
    assert _field(view, "commune").text() == "Buxerolles"  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: table.currentIndex().row() == 0)

    answer_next_dialog(qtbot, _button("Ignorer"))
    table.selectRow(1)
    assert view.form.host_id == second
    assert _field(view, "commune").text() == "Niort"  # type: ignore[attr-defined]
    assert [h.city for h in _hosts(window)] == ["Poitiers", "Niort"]

    _type(qtbot, view, "commune", "Chauray")
    answer_next_dialog(qtbot, _button("Enregistrer"))
    table.selectRow(0)
    assert view.form.host_id == first
    assert [h.city for h in _hosts(window)] == ["Poitiers", "Chauray"]
    assert not view.form.is_dirty()


def test_closing_the_window_asks_about_an_unsaved_host(qtbot: QtBot, window: MainWindow) -> None:
    _add_host(window, "Agence Alpha", "Poitiers")
    view = _view(window)
    view.findChild(QTableView, "hostsTable").selectRow(0)
    _type(qtbot, view, "commune", "Buxerolles")
    answer_next_dialog(qtbot, _button("Annuler"))
    window.close()
    assert window.isVisible()


def test_agreements_of_the_host_are_counted(qtbot: QtBot, window: MainWindow) -> None:
    with window.context.database.session() as session:
        world = _world(session)
        _signed(session, world)  # 1 June - 31 July 2026
        _draft(session, world, world.marc)
        summary = agreements_summary(session, world.host, date(2026, 6, 15))
        after = agreements_summary(session, world.host, date(2026, 9, 1))
        none = agreements_summary(session, world.public_host, date(2026, 6, 15))
    assert summary == "2 conventions de stage (dont 1 en cours)"
    assert after == "2 conventions de stage"
    assert none == "Aucune convention de stage pour l'instant"
    view = _view(window)
    view.open_host(world.host)
    assert view.findChild(QLabel, "hostAgreements").text().startswith("2 conventions de stage")


def test_models_pass_qt_model_checks(qtmodeltester: ModelTester, window: MainWindow) -> None:
    host_id = _add_host(window, "Dynamob", "Loudun")
    _add_host(window, "Radio Clain FM", "Poitiers")
    with window.context.database.session() as session:
        host_service.add_tutor(
            session, host_id, TutorInput(nom="Inès Moreau"), actor=make_actor("coordination")
        )
        rows = host_service.search_hosts(session)
        info = host_service.get_host(session, host_id)
    hosts = HostsTableModel()
    hosts.set_rows(rows)
    qtmodeltester.check(hosts, force_py=True)
    tutors = TutorsTableModel()
    tutors.set_rows(info.tutors)
    qtmodeltester.check(tutors, force_py=True)
    assert hosts.headerData(3, Qt.Orientation.Horizontal) == "SIRET / RNA"
    assert tutors.headerData(3, Qt.Orientation.Horizontal) == "E-mail"
    view_model = _view(window).findChild(QTableView, "hostsTable").model()
    qtmodeltester.check(view_model, force_py=True)
