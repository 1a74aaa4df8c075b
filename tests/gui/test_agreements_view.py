"""Conventions view: the form from the keyboard with its live total and French errors, the
life cycle from draft to amended and broken-off agreement, the list's filters, printing."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QWidget,
)

from app.domain import Host, Tutor
from app.domain.agreement_rules import WeeklySchedule, effective_hours
from app.services import reference
from app.services.agreements import details, life_cycle, listing
from app.services.agreements.choices import default_period
from app.services.agreements.terms import AgreementInput
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.settings import organisation
from app.services.validation import format_date, parse_date
from app.ui.agreements.table_model import AgreementsTableModel
from app.ui.agreements.view import AgreementsView
from app.ui.main_window import MainWindow
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text

COORD = "coordination"
# A season still to come: its internships (June and July) are always in the future.
SEASON_YEAR = reference.season_start_year(date.today()) + 1
SEASON = reference.season_label(SEASON_YEAR)


@dataclass(frozen=True)
class World:
    lea: int
    marc: int
    host: int
    tutor: int


def _learner(window: MainWindow, nom: str, prenom: str, nom_usage: str = "") -> int:
    at = datetime(SEASON_YEAR, 11, 20, 9, 0)
    with window.context.database.session() as s:
        data = CandidateInput(
            nom=nom,
            nom_usage=nom_usage,
            prenom=prenom,
            email=f"{prenom.lower()}@exemple.fr",
            saison=SEASON,
            site="cobalt",
        )
        candidate_id = create_candidate(
            s, data, now=at, actor=make_actor("coordination", "test")
        ).id
        for stage in ("entretien", "admis", "entre_formation"):
            change_stage(
                s, candidate_id, stage, comment="", now=at, actor=make_actor("coordination", "test")
            )
    return candidate_id


def _world(window: MainWindow, *, organisation_complete: bool = True) -> World:
    lea = _learner(window, "Dupont", "Léa")
    marc = _learner(window, "Bernard", "Marc")
    with window.context.database.session() as s:
        host = Host(name="Atelier Vélo Solidaire", legal_form="association", city="Poitiers")
        s.add(host)
        s.flush()
        tutor = Tutor(host_id=host.id, name="Jeanne Petit", function="Responsable d'atelier")
        s.add(tutor)
        s.flush()
        if organisation_complete:
            organisation.save_organisation(
                s,
                organisation.OrganisationInput(
                    nom="La Fabrique du Numérique",
                    adresse="5 rue Cobalt, 86000 Poitiers",
                    siret="73282932000074",
                    declaration_activite="75860000086",
                    directeur="Hélène Garnier",
                    fonction_directeur="Directrice",
                    assureur="MAIF",
                    numero_police="123456",
                    ville_signature="Poitiers",
                ),
                actor=make_actor(COORD),
            )
        world = World(lea=lea, marc=marc, host=host.id, tutor=tutor.id)
    window.header.reload_seasons()
    window.header.season_combo.setCurrentIndex(
        window.header.season_combo.findText(f"Saison {SEASON}")
    )
    return world


def _view(window: MainWindow) -> AgreementsView:
    view = window.show_view("agreements")
    assert isinstance(view, AgreementsView)
    view.reload()
    view.new_agreement(ask=False)
    return view


def _draft(window: MainWindow, world: World, learner: int | None = None, **changes: object) -> int:
    start, end = default_period(date(SEASON_YEAR, 12, 1))
    with window.context.database.session() as s:
        info = life_cycle.create_draft(
            s,
            replace(
                AgreementInput(
                    candidat=str(learner or world.lea),
                    structure=str(world.host),
                    tuteur=str(world.tutor),
                    formateur_referent="Samir Haddad",
                    telephone_referent="05 49 52 10 10",
                    email_referent="samir.haddad@fabrique-numerique.fr",
                    financeur="region",
                    date_debut=start,
                    date_fin=end,
                    horaires={day: "7" for day in range(5)},
                    activites="Accueil des usagers",
                    competences="Diagnostic\nRelation client",
                ),
                **changes,
            ),
            actor=make_actor(COORD, "test"),
        )
    return info.id


def _click(qtbot: QtBot, view: QWidget, name: str) -> None:
    button = view.findChild(QPushButton, name) or view.findChild(QToolButton, name)
    assert button is not None and button.isVisible() and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _select(view: AgreementsView, agreement_id: int) -> None:
    row = view.model.row_of(agreement_id)
    assert row is not None
    view.table.setCurrentIndex(view.model.index(row, 0))


def _type_in(qtbot: QtBot, view: QWidget, name: str, text: str) -> None:
    field = view.findChild(QLineEdit, name)
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    type_text(qtbot, field, text)


def _yes(dialog: QWidget) -> None:
    assert isinstance(dialog, QMessageBox)
    dialog.button(QMessageBox.StandardButton.Yes).click()


# ---------------------------------------------------------------- the form


def test_fill_the_form_from_the_keyboard_with_its_live_total(
    qtbot: QtBot, window: MainWindow
) -> None:
    world = _world(window)
    view = _view(window)
    form = view.findChild(QWidget, "agreementForm")
    learner = form.findChild(QComboBox, "candidat")
    learner.setFocus()
    qtbot.keyClicks(learner, "DUP")  # type-ahead on the learners' names
    assert learner.currentData() == str(world.lea)
    # Picking the learner brought the usual dates of the cohort.
    start, end = default_period(date(SEASON_YEAR, 12, 1))
    assert form.findChild(QLineEdit, "date_debut").text() == start
    assert form.findChild(QLineEdit, "date_fin").text() == end
    host = form.findChild(QComboBox, "structure")
    host.setFocus()
    qtbot.keyClicks(host, "Atelier")
    assert host.currentData() == str(world.host)
    # The host's only tutor is proposed at once.
    assert form.findChild(QComboBox, "tuteur").currentData() == str(world.tutor)
    _type_in(qtbot, form, "formateur_referent", "Samir Haddad")
    first_week_start = f"07/06/{SEASON_YEAR + 1}"
    _type_in(qtbot, form, "date_debut", first_week_start)
    _type_in(qtbot, form, "date_fin", f"30/07/{SEASON_YEAR + 1}")
    _type_in(qtbot, form, "horaires_vendredi", "3,5")
    type_text(qtbot, form.findChild(QPlainTextEdit, "activites"), "Accueil, réparations")

    expected = effective_hours(
        parse_date(first_week_start),  # type: ignore[arg-type]
        date(SEASON_YEAR + 1, 7, 30),
        WeeklySchedule({0: 7, 1: 7, 2: 7, 3: 7, 4: 3.5}),
        [],
    )
    total = form.findChild(QLabel, "hoursTotal")
    hours = f"{expected.hours:g}".replace(".", ",")
    qtbot.waitUntil(lambda: f"Total : {hours} h, soit " in total.text())
    assert f"sur {expected.days} jours de présence" in total.text()
    assert "31,5 h par semaine" in total.text()

    qtbot.keyClick(
        form.findChild(QLineEdit, "formateur_referent"),
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier,
    )
    table = view.findChild(QTableView, "agreementsTable")
    assert table.model().rowCount() == 1
    assert table.model().index(0, 1).data() == "Brouillon"
    assert view.findChild(QLabel, "agreementStatus").text() == "brouillon sans numéro · brouillon"
    with window.context.database.session() as s:
        info = details.get_agreement(s, table.model().index(0, 0).data(Qt.ItemDataRole.UserRole))
    assert info.values.activites == "Accueil, réparations"
    assert info.hours.hours == expected.hours


def test_an_end_before_the_start_shows_a_french_error_and_keeps_the_typing(
    qtbot: QtBot, window: MainWindow
) -> None:
    _world(window)
    view = _view(window)
    form = view.findChild(QWidget, "agreementForm")
    _type_in(qtbot, form, "date_debut", f"15/06/{SEASON_YEAR + 1}")
    _type_in(qtbot, form, "date_fin", f"01/06/{SEASON_YEAR + 1}")
    error = form.findChild(QLabel, "date_finError")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "La date de fin doit être postérieure ou égale à la date de début."
    # Untouched fields do not shout before a save attempt.
    assert not form.findChild(QLabel, "candidatError").isVisible()

    _click(qtbot, view, "saveAgreementButton")
    assert form.findChild(QLabel, "candidatError").text() == "Choisir le stagiaire."
    assert form.findChild(QLineEdit, "date_fin").text() == f"01/06/{SEASON_YEAR + 1}"
    assert view.model.rowCount() == 0


def test_unsaved_draft_is_not_lost_when_moving_to_another_agreement(
    qtbot: QtBot, window: MainWindow
) -> None:
    world = _world(window)
    _draft(window, world)
    view = _view(window)
    _type_in(qtbot, view, "formateur_referent", "Nadia")
    answer_next_dialog(
        qtbot,
        lambda box: box.button(QMessageBox.StandardButton.Cancel).click(),  # type: ignore[attr-defined]
    )
    _select(view, view.model.row_at(0).id)  # type: ignore[union-attr]
    assert view.findChild(QLineEdit, "formateur_referent").text() == "Nadia"
    assert view.info is None


# ---------------------------------------------------------------- life cycle


def test_from_draft_to_signed_amended_and_broken_off(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _world(window)
    draft_id = _draft(window, world)
    view = _view(window)
    _select(view, draft_id)
    assert view.findChild(QLineEdit, "formateur_referent").text() == "Samir Haddad"

    answer_next_dialog(qtbot, _yes)
    _click(qtbot, view, "readyButton")
    number = f"FAB-{SEASON_YEAR + 1}-0001"
    assert view.findChild(QLabel, "agreementStatus").text() == f"{number} · prête à signer"
    assert view.findChild(QLineEdit, "formateur_referent").isReadOnly()

    # One signatory inside the app, then the paper copy signed by everyone, with its scan.
    def sign_one(dialog: QWidget) -> None:
        who = dialog.findChild(QComboBox, "signataire")
        who.setCurrentIndex(who.findData("stagiaire"))
        dialog.findChild(QPushButton, "chooseScanButton")
        dialog.confirm()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, sign_one)
    _click(qtbot, view, "signatureButton")
    assert "Stagiaire : signée le" in view.signatures.toPlainText()

    scan = tmp_path / "convention-signee.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    monkeypatch.setattr("app.ui.agreements.dialogs.choose_scan", lambda _parent: scan)

    def sign_outside(dialog: QWidget) -> None:
        dialog.findChild(QCheckBox, "hors_application").setChecked(True)
        dialog.findChild(QPushButton, "chooseScanButton").click()
        assert dialog.findChild(QLineEdit, "scan").text() == str(scan)
        dialog.confirm()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, sign_outside)
    _click(qtbot, view, "signatureButton")
    assert view.findChild(QLabel, "agreementStatus").text() == f"{number} · signée"

    # An amendment: a refused one keeps what was typed, then the end moves once it is signed.
    new_end = f"23/07/{SEASON_YEAR + 1}"

    def amend(dialog: QWidget) -> None:
        end = dialog.findChild(QLineEdit, "date_fin")
        end.setText(new_end)
        dialog.confirm()  # type: ignore[attr-defined]
        assert dialog.findChild(QLabel, "motifError").text() == "Indiquer le motif de l'avenant."
        assert end.text() == new_end
        dialog.findChild(QPlainTextEdit, "motif").setPlainText("Reprise d'un emploi le 26/07")
        dialog.confirm()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, amend)
    _click(qtbot, view, "amendmentButton")
    assert "Avenant n° 1 — en attente de signature" in view.signatures.toPlainText()
    assert view.findChild(QLineEdit, "date_fin").text() != new_end  # not signed yet

    def sign_amendment(dialog: QWidget) -> None:
        dialog.confirm()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, sign_amendment)
    _click(qtbot, view, "signAmendmentButton")
    assert view.findChild(QLineEdit, "date_fin").text() == new_end
    row = view.model.row_at(view.model.row_of(draft_id))  # type: ignore[arg-type]
    assert row is not None and format_date(row.end) == new_end

    def break_off(dialog: QWidget) -> None:
        dialog.findChild(QLineEdit, "date_rupture").setText(f"15/06/{SEASON_YEAR + 1}")
        dialog.findChild(QPlainTextEdit, "motif").setPlainText("Embauche en CDI")
        dialog.confirm()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, break_off)
    _click(qtbot, view, "breakOffButton")
    assert view.findChild(QLabel, "agreementStatus").text() == f"{number} · rompue"
    history = [view.events.item(row, 3).text() for row in range(view.events.rowCount())]
    assert history[0] == "Brouillon créé."
    assert any("Avenant n° 1 signé" in line for line in history)
    assert history[-1].startswith("Rompue au 15/06/")


def test_cancel_a_draft_keeps_it_listed_as_cancelled(qtbot: QtBot, window: MainWindow) -> None:
    world = _world(window)
    draft_id = _draft(window, world)
    view = _view(window)
    _select(view, draft_id)

    def cancel(dialog: QWidget) -> None:
        dialog.findChild(QPlainTextEdit, "motif").setPlainText("Stage trouvé ailleurs")
        dialog.confirm()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, cancel)
    _click(qtbot, view, "cancelAgreementButton")
    assert view.model.row_at(0).status_label == "annulée"  # type: ignore[union-attr]
    assert not view.findChild(QPushButton, "cancelAgreementButton").isVisible()


# ---------------------------------------------------------------- the list


def test_filters_waiting_for_signature_and_status(qtbot: QtBot, window: MainWindow) -> None:
    world = _world(window)
    first = _draft(window, world)
    _draft(window, world, learner=world.marc)
    with window.context.database.session() as s:
        life_cycle.mark_ready(s, first, actor=make_actor(COORD, "test"))
    view = _view(window)
    assert view.model.rowCount() == 2
    assert "1 à signer" in view.findChild(QLabel, "agreementCount").text()
    view.findChild(QCheckBox, "waitingFilter").setChecked(True)
    assert [view.model.row_at(0).id] == [first]  # type: ignore[union-attr]
    assert view.model.rowCount() == 1
    assert view.model.index(0, 5).data() == "À signer"
    view.findChild(QCheckBox, "waitingFilter").setChecked(False)
    status = view.findChild(QComboBox, "statusFilter")
    status.setCurrentIndex(status.findData("brouillon"))
    assert view.model.rowCount() == 1 and view.model.row_at(0).id != first  # type: ignore[union-attr]


def test_empty_season_says_why_and_the_banner_asks_for_the_settings(
    qtbot: QtBot, window: MainWindow
) -> None:
    _world(window, organisation_complete=False)
    view = _view(window)
    assert view.findChild(QLabel, "agreementsEmpty").isVisible()
    assert (
        f"Aucune convention pour la saison {SEASON}"
        in view.findChild(QLabel, "agreementsEmpty").text()
    )
    banner = view.findChild(QFrame, "organisationBanner")
    assert banner.isVisible()
    assert "SIRET" in banner.findChild(QLabel).text()
    _click(qtbot, view, "completeSettingsButton")
    assert window.stack.currentWidget().objectName() == "settingsView"


def test_table_model_passes_the_model_tester(qtmodeltester, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    world = _world(window)
    _draft(window, world)
    _draft(window, world, learner=world.marc)
    model = AgreementsTableModel()
    with window.context.database.session() as s:
        model.set_rows(listing.list_agreements(s, today=date.today()))
    qtmodeltester.check(model)
    model.sort(2, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 2).data().startswith("DUPONT")


# ---------------------------------------------------------------- printing


def test_print_button_opens_the_preview_of_the_convention(qtbot: QtBot, window: MainWindow) -> None:
    world = _world(window)
    draft_id = _draft(window, world)
    view = _view(window)
    _select(view, draft_id)
    seen: list[str] = []

    def look(dialog: QWidget) -> None:
        seen.append(dialog.objectName())
        seen.append(dialog.findChild(QLabel, "pageLabel").text())
        assert isinstance(dialog, QDialog)
        dialog.reject()

    answer_next_dialog(qtbot, look)
    _click(qtbot, view, "printButton")
    assert seen[0] == "pdfPreview"
    assert seen[1].startswith("Page 1 / ")
    menu = [action.text() for action in view.print_menu.actions()]
    assert menu == ["Convention de stage"]


def test_from_a_learner_file_to_their_agreement(qtbot: QtBot, window: MainWindow) -> None:
    world = _world(window)
    candidates = window.show_view("candidates")
    candidates.open_candidate(world.marc)  # type: ignore[attr-defined]
    button = candidates.findChild(QPushButton, "learnerAgreementButton")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    view = window.agreements_view
    assert window.stack.currentWidget() is view
    assert view.info is None  # no agreement yet: a new draft for Marc, with the usual dates
    assert view.form.value_of("candidat") == str(world.marc)
    start, _end = default_period(date(SEASON_YEAR, 12, 1))
    assert view.form.value_of("date_debut") == start

    draft_id = _draft(window, world, learner=world.lea)
    window.show_view("candidates")
    candidates.open_candidate(world.lea)  # type: ignore[attr-defined]
    answer_next_dialog(
        qtbot,
        lambda box: box.button(QMessageBox.StandardButton.Discard).click(),  # type: ignore[attr-defined]
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert view.info is not None and view.info.id == draft_id


# ---------------------------------------------------------------- the law in the form (issue 11)


def test_more_than_35_hours_a_week_is_refused_under_the_week(
    qtbot: QtBot, window: MainWindow
) -> None:
    _world(window)
    view = _view(window)
    form = view.findChild(QWidget, "agreementForm")
    _type_in(qtbot, form, "date_debut", f"07/06/{SEASON_YEAR + 1}")
    _type_in(qtbot, form, "date_fin", f"30/07/{SEASON_YEAR + 1}")
    _type_in(qtbot, form, "horaires_vendredi", "8")  # 4 x 7 h + 8 h = 36 h
    error = form.findChild(QLabel, "horairesError")
    qtbot.waitUntil(error.isVisible)
    assert error.text().startswith("36 h par semaine : un stagiaire sans contrat de travail")
    assert "35 h par semaine" in error.text() and "L6343-2" in error.text()
    _type_in(qtbot, form, "horaires_vendredi", "7")
    qtbot.waitUntil(lambda: not error.isVisible())


def test_sunday_is_never_a_day_of_presence(qtbot: QtBot, window: MainWindow) -> None:
    _world(window)
    view = _view(window)
    form = view.findChild(QWidget, "agreementForm")
    sunday = form.findChild(QLineEdit, "horaires_dimanche")
    assert not sunday.isEnabled()
    assert sunday.toolTip().startswith("Repos dominical (L6343-4)")
    assert not form.findChild(QCheckBox, "dimanche").isVisible()  # no such choice
    assert not form.findChild(QCheckBox, "teletravail_dimanche").isEnabled()


def test_remote_days_only_on_days_of_presence(qtbot: QtBot, window: MainWindow) -> None:
    _world(window)
    view = _view(window)
    form = view.findChild(QWidget, "agreementForm")
    monday = form.findChild(QCheckBox, "teletravail_lundi")
    saturday = form.findChild(QCheckBox, "teletravail_samedi")
    assert monday.isEnabled() and not saturday.isEnabled()
    assert monday.accessibleName() == "Télétravail le lundi"
    monday.setChecked(True)
    assert view.form.values().teletravail == [0]
    _type_in(qtbot, form, "horaires_lundi", "")  # no hours on Monday: not remote either
    assert not monday.isEnabled() and not monday.isChecked()
    assert view.form.values().teletravail == []


def test_another_payer_must_be_named_under_its_field(qtbot: QtBot, window: MainWindow) -> None:
    _world(window)
    view = _view(window)
    form = view.findChild(QWidget, "agreementForm")
    payer = form.findChild(QComboBox, "financeur")
    other = form.findChild(QLineEdit, "financeur_autre")
    assert payer.accessibleName() == "Rémunération du stagiaire versée par"
    assert [payer.itemData(i) for i in range(payer.count())] == [
        "",
        "region",
        "france_travail",
        "aucun",
        "autre",
    ]
    assert not other.isVisible()
    payer.setCurrentIndex(payer.findData("autre"))
    assert other.isVisible()
    _click(qtbot, view, "saveAgreementButton")
    error = form.findChild(QLabel, "financeur_autreError")
    assert error.isVisible()
    assert error.text() == "Préciser qui verse la rémunération du stagiaire."
    type_text(qtbot, other, "Département de la Vienne")
    qtbot.waitUntil(lambda: not error.isVisible())
    assert view.form.values().financeur_autre == "Département de la Vienne"
    payer.setCurrentIndex(payer.findData("region"))
    assert not other.isVisible() and view.form.values().financeur_autre == ""


def test_the_rule_on_rupture_only_for_a_flat_indemnity(qtbot: QtBot, window: MainWindow) -> None:
    _world(window)
    view = _view(window)
    form = view.findChild(QWidget, "agreementForm")
    rule = form.findChild(QComboBox, "regle_rupture")
    unit = form.findChild(QComboBox, "unite_indemnite")
    assert not rule.isVisible()
    unit.setCurrentIndex(unit.findData("forfait"))
    assert rule.isVisible()
    assert rule.accessibleName() == "En cas de rupture (indemnité forfaitaire)"
    rule.setCurrentIndex(rule.findData("prorata"))
    assert view.form.values().regle_rupture == "prorata"
    unit.setCurrentIndex(unit.findData("mois"))
    assert not rule.isVisible() and view.form.values().regle_rupture == ""


def test_the_wheel_scrolls_the_form_not_the_combo_under_the_pointer(
    qtbot: QtBot, window: MainWindow
) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QScrollArea

    _world(window)
    view = _view(window)
    unit = view.findChild(QComboBox, "unite_indemnite")
    view.findChild(QLineEdit, "date_debut").setFocus()
    before = unit.currentIndex()
    scroll = unit.parentWidget()
    while not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    scroll.verticalScrollBar().setValue(0)
    event = QWheelEvent(
        QPointF(5, 5),
        QPointF(unit.mapToGlobal(QPoint(5, 5))),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(unit, event)
    assert unit.currentIndex() == before
    assert scroll.verticalScrollBar().value() > 0  # the form scrolled instead


def test_a_frozen_agreement_is_read_only_and_looks_it(qtbot: QtBot, window: MainWindow) -> None:
    world = _world(window)
    draft_id = _draft(window, world)
    with window.context.database.session() as s:
        life_cycle.mark_ready(s, draft_id, actor=make_actor(COORD, "test"))
    view = _view(window)
    _select(view, draft_id)
    form = view.findChild(QWidget, "agreementForm")
    note = form.findChild(QLabel, "frozenNote")
    assert note.isVisible() and note.text().startswith("Contenu figé")
    texts = form.findChildren(QLineEdit) + form.findChildren(QPlainTextEdit)
    assert len(texts) > 15
    for field in texts:
        assert field.isReadOnly(), field.objectName()
        assert field.property("frozen") == "true", field.objectName()
    for choice in form.findChildren(QComboBox) + form.findChildren(QCheckBox):
        assert not choice.isEnabled(), choice.objectName()
    assert not form.findChild(QPushButton, "fullTimeButton").isVisible()
    # A read-only field with nothing in it says so instead of inviting to type.
    assert form.findChild(QLineEdit, "lieu").placeholderText() == "—"

    view.new_agreement(ask=False)  # a new draft is editable again
    assert not note.isVisible()
    assert not form.findChild(QLineEdit, "lieu").isReadOnly()
    assert form.findChild(QLineEdit, "lieu").property("frozen") == "false"
    assert form.findChild(QComboBox, "candidat").isEnabled()


def test_a_signed_agreement_says_changes_go_through_an_amendment(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    world = _world(window)
    draft_id = _draft(window, world)
    scan = tmp_path / "signee.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    with window.context.database.session() as s:
        life_cycle.mark_ready(s, draft_id, actor=make_actor(COORD, "test"))
        life_cycle.record_signature(
            s,
            draft_id,
            "organisme",
            date.today(),
            actor=make_actor(COORD, "test"),
            outside_app=True,
            scan_path=str(scan),
        )
    view = _view(window)
    _select(view, draft_id)
    assert view.info is not None and view.info.status == "signee"
    note = view.findChild(QLabel, "frozenNote")
    assert note.text() == "Contenu figé : toute modification passe par un avenant."


def test_ready_to_sign_refuses_what_is_missing_under_each_field(
    qtbot: QtBot, window: MainWindow
) -> None:
    world = _world(window)
    draft_id = _draft(window, world, activites="", telephone_referent="")
    view = _view(window)
    _select(view, draft_id)
    seen: list[str] = []

    def read_and_close(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.accept()

    answer_next_dialog(qtbot, _yes)
    answer_next_dialog(qtbot, read_and_close)
    _click(qtbot, view, "readyButton")
    qtbot.waitUntil(lambda: bool(seen))
    assert seen[0].startswith("La convention ne peut pas encore être déclarée prête à signer")
    form = view.findChild(QWidget, "agreementForm")
    assert form.findChild(QLabel, "activitesError").text().startswith("Décrire les activités")
    assert (
        form.findChild(QLabel, "telephone_referentError")
        .text()
        .startswith("Indiquer le téléphone du formateur référent")
    )
    assert view.info is not None and view.info.status == "brouillon"


def _past_draft(window: MainWindow, world: World) -> tuple[int, date]:
    start = date.today() - timedelta(days=3)
    end = date.today() + timedelta(days=40)
    return (
        _draft(window, world, date_debut=format_date(start), date_fin=format_date(end)),
        start,
    )


def test_ready_to_sign_with_a_past_start_asks_the_reason_then_succeeds(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _world(window)
    draft_id, start = _past_draft(window, world)
    view = _view(window)
    _select(view, draft_id)
    asked: list[date] = []

    def ask(_parent: QWidget, day: date) -> str | None:
        asked.append(day)
        return "Convention reçue signée de la structure après le début"

    monkeypatch.setattr("app.ui.agreements.dialogs.ask_late_start_reason", ask)
    answer_next_dialog(qtbot, _yes)
    _click(qtbot, view, "readyButton")
    assert asked == [start]
    assert view.info is not None and view.info.status == "prete_a_signer"
    history = [view.events.item(row, 3).text() for row in range(view.events.rowCount())]
    assert any("Convention reçue signée de la structure après le début" in h for h in history)


def test_a_past_start_without_a_reason_stays_a_draft(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _world(window)
    draft_id, _start = _past_draft(window, world)
    view = _view(window)
    _select(view, draft_id)
    monkeypatch.setattr(
        "app.ui.agreements.dialogs.ask_late_start_reason", lambda _parent, _day: None
    )
    answer_next_dialog(qtbot, _yes)
    _click(qtbot, view, "readyButton")
    assert view.info is not None and view.info.status == "brouillon"


def test_the_late_start_dialog_wants_a_reason(qtbot: QtBot) -> None:
    from app.ui.agreements.dialogs import late_start_dialog

    dialog = late_start_dialog(date(2027, 6, 1), None)
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert (
        "La date de début (01/06/2027) est déjà passée. Motif pour la déclarer quand même "
        "prête à signer :" in texts
    )
    dialog.confirm()
    assert dialog.findChild(QLabel, "motifError").text().startswith("Indiquer le motif")
    assert dialog.result() == 0
    dialog.findChild(QPlainTextEdit, "motif").setPlainText("Accord de la structure")
    dialog.confirm()
    assert dialog.result() == QDialog.DialogCode.Accepted


# ---------------------------------------------------------------- the list at 1366 x 768


def test_the_list_shows_whole_names_at_1366_by_768(qtbot: QtBot, window: MainWindow) -> None:
    world = _world(window)
    long_name = _learner(window, "Sabourin", "Nadège", nom_usage="François")
    _draft(window, world, learner=long_name)
    _draft(window, world, learner=world.marc)
    window.resize(1366, 768)
    view = _view(window)
    qtbot.waitUntil(lambda: view.table.viewport().width() > 300)
    names = [view.model.index(r, 2).data() for r in range(view.model.rowCount())]
    assert "SABOURIN (François) Nadège" in names
    metrics = view.table.fontMetrics()
    for column in (2, 3):
        width = view.table.columnWidth(column)
        for r in range(view.model.rowCount()):
            text = view.model.index(r, column).data()
            assert width >= metrics.horizontalAdvance(text), text
            assert view.model.index(r, column).data(Qt.ItemDataRole.ToolTipRole) == text
    # Every column fits: nothing to scroll sideways.
    shown = [c for c in range(view.model.columnCount()) if not view.table.isColumnHidden(c)]
    assert sum(view.table.columnWidth(c) for c in shown) <= view.table.viewport().width()
    # The agreement's panel keeps the room of its form.
    assert view.form.width() >= 440
    assert window.width() == 1366


def test_agreements_to_review_are_flagged_filtered_and_counted(
    qtbot: QtBot, window: MainWindow
) -> None:
    from app.domain import Agreement

    world = _world(window)
    broken = _draft(window, world)
    _draft(window, world, learner=world.marc)
    with window.context.database.session() as s:
        agreement = s.get(Agreement, broken)
        assert agreement is not None
        agreement.sunday_allowed = True  # saved under the earlier rules
    view = _view(window)
    row = view.model.row_of(broken)
    assert row is not None
    status_cell = view.model.index(row, 1)
    assert status_cell.data(Qt.ItemDataRole.DecorationRole) is not None  # a warning sign
    tooltip = status_cell.data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("À revoir :\n• ") and "dimanche" in tooltip
    assert view.findChild(QLabel, "agreementCount").text().endswith(" · 1 à revoir")

    status = view.findChild(QComboBox, "statusFilter")
    status.setCurrentIndex(status.findText("À revoir"))
    assert [view.model.row_at(r).id for r in range(view.model.rowCount())] == [broken]  # type: ignore[union-attr]
    status.setCurrentIndex(0)

    _select(view, broken)
    note = view.findChild(QLabel, "reviewNote")
    assert note.isVisible() and note.text().startswith("À revoir : ")
    # The draft shows the Sunday box it has ticked, refused under it, to untick it.
    sunday = view.findChild(QCheckBox, "dimanche")
    assert sunday.isVisible() and sunday.isChecked() and sunday.isEnabled()
    assert view.findChild(QLabel, "dimancheError").isVisible()
