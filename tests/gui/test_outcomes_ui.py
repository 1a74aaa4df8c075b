"""Outcome screens driven as a user would: the Parcours tab's follow-up after the exit, the
stage dialog's move to sortie, the "Suivis à faire" list, Paramètres › Financeurs."""

from datetime import date, datetime, timedelta

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QWidget,
)

from app.domain import Candidate
from app.services import reference
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.outcomes import funders as funder_rules
from app.ui.candidates.follow_ups import (
    DueFollowUpsDialog,
    DueFollowUpsModel,
    FollowUpsLauncher,
    OutcomeDialog,
)
from app.ui.candidates.history import FollowUpBox
from app.ui.candidates.stage_dialog import StageDialog
from app.ui.context import AppContext
from app.ui.main_window import MainWindow
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text

COORD = make_actor("coordination", "test")
LEFT_DAYS_AGO = 100  # the 3-month check is due, the 6-month one not yet


def _learner(window: MainWindow, name: str, *, leave: bool = True) -> int:
    today = date.today()
    entered = datetime.combine(today - timedelta(days=300), datetime.min.time())
    with window.context.database.session() as s:
        data = CandidateInput(
            nom=name,
            prenom="Léa",
            telephone="06 12 34 56 78",
            email=f"{name}@exemple.fr",
            saison=reference.season_label(reference.season_start_year(today)),
            site="cobalt",
        )
        cid = create_candidate(s, data, actor=COORD, now=entered).id
        for stage in ("entretien", "admis", "entre_formation", "orientation_validee", "en_stage"):
            change_stage(s, cid, stage, comment="", actor=COORD, now=entered)
        if leave:
            change_stage(
                s,
                cid,
                "sortie",
                comment="",
                actor=COORD,
                exit_type="cdd_court",
                pathway_end="complet",
                now=entered + timedelta(days=300 - LEFT_DAYS_AGO),
            )
    return cid


def _open_parcours(window: MainWindow, candidate_id: int) -> QWidget:
    view = window.show_view("candidates")
    window.candidates_view.open_candidate(candidate_id)
    tabs = window.candidates_view.tabs
    tabs.setCurrentWidget(window.candidates_view.history)
    return view


def test_parcours_tab_records_the_3_month_check(qtbot: QtBot, window: MainWindow) -> None:
    cid = _learner(window, "Martin")
    _open_parcours(window, cid)
    box = window.findChild(QGroupBox, "followUpBox")
    assert box.isVisible()
    exit_date = date.today() - timedelta(days=LEFT_DAYS_AGO)
    assert window.findChild(QLabel, "exitSummary").text() == (
        f"Sortie le {exit_date:%d/%m/%Y} : CDD de moins de 6 mois"
    )
    assert window.findChild(QLabel, "pathwayEnd").text() == "Fin de parcours : Parcours complet"
    checks = window.findChild(QTableWidget, "followUpChecks")
    assert [checks.item(r, 0).text() for r in range(3)] == ["À 3 mois", "À 6 mois", "À 12 mois"]
    assert [checks.item(r, 2).text() for r in range(3)] == ["à faire", "pas encore", "pas encore"]
    assert checks.currentRow() == 0
    errors: list[str] = []

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, OutcomeDialog)
        save = dialog.findChild(QPushButton, "saveOutcomeButton")
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)  # nothing chosen yet
        errors.append(dialog.findChild(QLabel, "situationError").text())
        situation = dialog.findChild(QComboBox, "situation")
        situation.setCurrentIndex(situation.findData("cdi"))
        source = dialog.findChild(QComboBox, "source")
        source.setCurrentIndex(source.findData("telephone"))
        type_text(qtbot, dialog.findChild(QWidget, "commentaire"), "Embauchée après son CDD")
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    answer_next_dialog(qtbot, fill)
    qtbot.mouseClick(
        window.findChild(QPushButton, "recordOutcomeButton"), Qt.MouseButton.LeftButton
    )
    assert errors == ["Choisir la situation de la personne."]
    checks = window.findChild(QTableWidget, "followUpChecks")
    assert checks.item(0, 2).text() == "CDI"
    assert checks.item(0, 3).text() == f"{date.today():%d/%m/%Y} (Téléphone)"
    assert checks.item(0, 4).text() == "Embauchée après son CDD"


def test_no_follow_up_block_before_the_exit(qtbot: QtBot, window: MainWindow) -> None:
    cid = _learner(window, "Encore", leave=False)
    _open_parcours(window, cid)
    assert not window.findChild(QGroupBox, "followUpBox").isVisible()


def test_stage_dialog_asks_the_pathway_end_and_its_reason(qtbot: QtBot, window: MainWindow) -> None:
    cid = _learner(window, "Partie", leave=False)
    dialog = StageDialog(window.context, cid, "en_stage", window)
    qtbot.addWidget(dialog)
    dialog.show()
    stage = dialog.findChild(QComboBox, "stageCombo")
    reason_field = dialog.findChild(QLineEdit, "motif_fin")
    end = dialog.findChild(QComboBox, "fin_parcours")
    assert not end.isVisible()
    stage.setCurrentIndex(stage.findData("sortie"))
    assert end.isVisible() and not reason_field.isVisible()
    exit_combo = dialog.findChild(QComboBox, "type_sortie")
    offered = {exit_combo.itemData(i) for i in range(exit_combo.count())}
    assert "abandon" not in offered and "autre" not in offered and "interim" in offered
    exit_combo.setCurrentIndex(exit_combo.findData("sans_solution"))
    ok = dialog.findChild(QPushButton, "confirmStageButton")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.findChild(QLabel, "fin_parcoursError").text() == (
        "Indiquer comment le parcours s'est terminé."
    )
    end.setCurrentIndex(end.findData("interrompu_exterieur"))
    assert reason_field.isVisible()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.findChild(QLabel, "motif_finError").text() == (
        "Indiquer le motif de l'interruption."
    )
    type_text(qtbot, reason_field, "Déménagement à Lyon")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with window.context.database.session() as s:
        learner = s.get(Candidate, cid)
        assert (learner.exit_type, learner.pathway_end, learner.pathway_end_reason) == (
            "sans_solution",
            "interrompu_exterieur",
            "Déménagement à Lyon",
        )


def test_due_list_shows_checks_and_opens_the_file(
    qtbot: QtBot,
    window: MainWindow,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    cid = _learner(window, "Martin")
    _learner(window, "Encore", leave=False)
    opened: list[int] = []
    late = date.today() + timedelta(days=70)  # the 3-month check a month overdue
    dialog = DueFollowUpsDialog(window.context, opened.append, window, today=late)
    qtbot.addWidget(dialog)
    dialog.show()
    assert isinstance(dialog.model, DueFollowUpsModel)
    qtmodeltester.check(dialog.model, force_py=True)
    table = dialog.findChild(QTableView, "dueFollowUps")
    model = table.model()
    assert model.rowCount() == 1
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[:3] == ["En retard", "MARTIN Léa", "3 mois"]
    assert row[7:] == ["06 12 34 56 78", "Martin@exemple.fr"]
    assert dialog.findChild(QLabel, "followUpCount").text() == "1 suivi à faire, dont 1 en retard"
    site = dialog.findChild(QComboBox, "followUpSite")
    site.setCurrentIndex(site.findData("du-guesclin"))
    assert model.rowCount() == 0
    assert dialog.findChild(QLabel, "followUpCount").text() == "Aucun suivi à faire."
    site.setCurrentIndex(0)
    rect = table.visualRect(model.index(0, 1))
    # Qt's views see a double-click after a press (QTest sends the double-click alone).
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [cid]


def test_launcher_button_and_shortcut_for_the_desk_not_for_trainers(
    qtbot: QtBot, window: MainWindow
) -> None:
    _learner(window, "Martin")
    host, _ = _toolbar_host(qtbot)
    launcher = FollowUpsLauncher(host, window.context, lambda _id: None)
    host.layout().addWidget(launcher.button)
    host.show()
    assert launcher.button.isVisible()
    assert "Ctrl+Shift+U" in launcher.button.toolTip()
    seen = answer_next_dialog(qtbot, lambda dialog: dialog.reject())
    # The test window is not the active one offscreen: the shortcut is fired, not typed.
    (shortcut,) = [
        s for s in host.findChildren(QShortcut) if s.key() == QKeySequence("Ctrl+Shift+U")
    ]
    assert shortcut.context() == Qt.ShortcutContext.WidgetWithChildrenShortcut
    shortcut.activated.emit()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen[0].objectName() == "dueFollowUpsDialog"
    trainer = AppContext(window.context.database, signed_in=make_actor("formateur", "samir"))
    other, _ = _toolbar_host(qtbot)
    hidden = FollowUpsLauncher(other, trainer, lambda _id: None)
    other.layout().addWidget(hidden.button)
    other.show()
    assert not hidden.button.isVisible()


def _toolbar_host(qtbot: QtBot) -> tuple[QWidget, QLineEdit]:
    host = QWidget()
    qtbot.addWidget(host)
    field = QLineEdit(host)
    QHBoxLayout(host).addWidget(field)
    return host, field


def test_settings_funders_edit_positive_situations_and_checkpoint(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = window.show_view("settings")
    form = view.findChild(QGroupBox, "funderForm-gen")
    assert form.title() == "Financeur : Grande École du Numérique"
    interim = form.findChild(QCheckBox, "positive-interim")
    assert not interim.isChecked() and form.findChild(QCheckBox, "positive-cdi").isChecked()
    interim.click()
    months = form.findChild(QComboBox, "measuredAt")
    assert months.currentText() == "À 3 mois"
    months.setCurrentIndex(months.findData(6))
    assert form.findChild(QLabel, "funderDirty").isVisible()
    qtbot.mouseClick(form.findChild(QPushButton, "saveFunder"), Qt.MouseButton.LeftButton)
    with window.context.database.session() as s:
        gen = funder_rules.funder(s, "gen")
    assert "interim" in gen.positive and gen.months == 6
    assert not form.findChild(QLabel, "funderDirty").isVisible()
    for box in form.findChildren(QCheckBox):
        if box.isChecked():
            box.click()
    qtbot.mouseClick(form.findChild(QPushButton, "saveFunder"), Qt.MouseButton.LeftButton)
    assert form.findChild(QLabel, "funderError").text() == (
        "Cocher au moins une situation comptée comme positive."
    )
    form.discard_changes()


def test_trainers_read_the_follow_up_without_recording(qtbot: QtBot, window: MainWindow) -> None:
    cid = _learner(window, "Martin")
    trainer = AppContext(window.context.database, signed_in=make_actor("formateur", "samir"))
    box = FollowUpBox(trainer)
    qtbot.addWidget(box)
    box.show()
    box.show_file(cid)
    assert box.isVisible()
    assert box.findChild(QTableWidget, "followUpChecks").item(0, 2).text() == "à faire"
    assert not box.findChild(QPushButton, "recordOutcomeButton").isVisible()
    assert not box.findChild(QPushButton, "pathwayEndButton").isVisible()
    box.record(0)  # a double-click does nothing either: no dialog opens
    assert QApplication.activeModalWidget() is None


def test_the_candidates_view_opens_the_due_list_and_a_file_on_its_parcours(
    qtbot: QtBot, window: MainWindow
) -> None:
    cid = _learner(window, "Rivière")
    view = window.show_view("candidates")
    button = view.findChild(QPushButton, "followUpsButton")
    assert button is not None and button.isVisible()

    def open_the_first(dialog: QWidget) -> None:
        table = dialog.findChild(QTableView, "dueFollowUps")
        model = table.model()
        names = [model.index(r, 1).data() for r in range(model.rowCount())]
        assert "RIVIÈRE Léa" in names
        rect = table.visualRect(model.index(names.index("RIVIÈRE Léa"), 1))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        if dialog.isVisible():
            dialog.close()

    seen = answer_next_dialog(qtbot, open_the_first)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert seen, "the due list did not open"
    assert window.candidates_view.tabs.currentWidget() is window.candidates_view.history
    assert window.candidates_view.form.findChild(QLineEdit, "nom").text() == "Rivière"
    assert cid
