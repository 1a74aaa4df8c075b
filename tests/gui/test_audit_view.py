"""Journal et RGPD view: the journal of what people did (filters, field-level detail, Qt model
checks), refused to other roles; the retention tab; printing logged from the window."""

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.domain import AuditAction, Candidate
from app.services.candidates.records import (
    CandidateInput,
    create_candidate,
    get_candidate,
    update_candidate,
)
from app.services.journal import audit_log as audit
from app.services.journal.audit_log import AuditQuery
from app.services.rgpd import person_data as rgpd
from app.ui.audit.table_model import AuditTableModel
from app.ui.audit.view import AuditView, JournalPage
from app.ui.main_window import VIEW_NAMES, MainWindow
from app.ui.rgpd.retention import RetentionPage
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text

COORD = "coordination"


@pytest.fixture(autouse=True)
def signed_in_as_coordination(qtbot: QtBot, window: MainWindow) -> None:
    """The journal is coordination's; tests of other roles change it themselves. The window
    has built its views first (building Paramètres journals the organisation's row), so that
    waiting for a background read does not let it write an entry in the middle of a test."""
    qtbot.waitUntil(lambda: all(name in window._views for name in VIEW_NAMES))
    window.context.signed_in = make_actor(COORD, window.context.username)


def _candidate(window: MainWindow, nom: str, *, now: datetime | None = None) -> int:
    with window.context.database.session() as session:
        return create_candidate(
            session,
            CandidateInput(
                nom=nom,
                prenom="Inès",
                email=f"{nom.lower()}@exemple.fr",
                saison="2026-2027",
                site="cobalt",
            ),
            actor=make_actor(COORD, "test"),
            now=now,
        ).id


def _change_phone(window: MainWindow, candidate_id: int, phone: str) -> None:
    with window.context.database.session() as session:
        file = get_candidate(session, candidate_id, actor=make_actor(COORD))
        update_candidate(
            session,
            candidate_id,
            replace(file.values, telephone=phone),
            expected_version=file.version,
            actor=make_actor(COORD, "test"),
        )


def _audit_view(window: MainWindow) -> AuditView:
    view = window.show_view("audit")
    assert isinstance(view, AuditView)
    return view


def _read(qtbot: QtBot, journal: JournalPage) -> JournalPage:
    """The journal once its background reads (authors, entries) are in."""
    qtbot.waitUntil(lambda: not journal.model.loading and not journal.authors_reader.busy)
    return journal


def _journal(qtbot: QtBot, window: MainWindow) -> JournalPage:
    return _read(qtbot, _audit_view(window).journal)


def _retention(qtbot: QtBot, window: MainWindow) -> RetentionPage:
    view = _audit_view(window)
    view.tabs.setCurrentWidget(view.retention)
    qtbot.waitUntil(lambda: not view.retention.reader.busy)
    return view.retention


def _entries_so_far(window: MainWindow) -> int:
    """Opening the window may already log something (the organisation's settings row)."""
    with window.context.database.session(commit=False) as session:
        return len(audit.entry_ids(session, AuditQuery(), actor=make_actor(COORD)))


def test_changes_made_in_the_window_are_in_the_journal_with_their_detail(
    qtbot: QtBot, window: MainWindow
) -> None:
    before = _entries_so_far(window)
    lefevre = _candidate(window, "Lefèvre")
    _candidate(window, "Martin")
    _change_phone(window, lefevre, "07 81 23 45 67")
    journal = _journal(qtbot, window)
    assert journal.model.rowCount() == before + 5  # two files, their first stage, one change
    assert journal.count_label.text() == f"{before + 5} actions"
    assert journal.model.index(0, 1).data() == window.context.username
    assert journal.model.index(0, 5).data() == "Dossier de candidature modifié : Téléphone"

    journal.person.setFocus()
    type_text(qtbot, journal.findChild(QLineEdit, "auditPersonFilter"), "lefevre")
    qtbot.waitUntil(lambda: journal.model.rowCount() == 3)
    assert {journal.model.index(r, 4).data() for r in range(3)} == {"LEFÈVRE Inès"}

    journal.table.selectRow(0)
    changes = journal.changes
    assert changes.rowCount() == 1
    assert [changes.item(0, c).text() for c in range(3)] == ["Téléphone", "—", "07 81 23 45 67"]
    assert "Dossier de candidature modifié" in journal.detail_title.text()


def test_filters_by_action_author_and_dates(qtbot: QtBot, window: MainWindow) -> None:
    before = _entries_so_far(window)
    _candidate(window, "Lefèvre")
    with window.context.database.session() as session:
        session.info[audit.AUTHOR_KEY] = "Claire Vasseur"
        audit.record_export(session, "candidats (CSV)", 1)
    journal = _journal(qtbot, window)
    assert journal.model.rowCount() == before + 3

    journal.action.setCurrentIndex(journal.action.findData(AuditAction.EXPORT.value))
    assert _read(qtbot, journal).model.rowCount() == 1
    journal.action.setCurrentIndex(0)
    assert journal.author.itemText(0) == "Tous"
    journal.author.setCurrentIndex(journal.author.findText("Claire Vasseur"))
    assert _read(qtbot, journal).model.rowCount() == 1
    tomorrow = QDate.currentDate().addDays(1)
    journal.since.setDate(tomorrow)
    assert _read(qtbot, journal).model.rowCount() == 0
    qtbot.mouseClick(journal.findChild(QPushButton, "auditClear"), Qt.MouseButton.LeftButton)
    assert _read(qtbot, journal).model.rowCount() == before + 3
    assert journal.since.text() == "—"


def test_table_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, window: MainWindow
) -> None:
    for n in range(12):
        _candidate(window, f"Nom{n:02d}")
    model = AuditTableModel(window.context.database, make_actor(COORD))
    with qtbot.waitSignal(model.loaded):
        model.reload()
    qtmodeltester.check(model, force_py=True)
    with qtbot.waitSignal(model.loaded):
        model.set_query(AuditQuery(person_text="nom03"))
    assert model.rowCount() == 2
    qtmodeltester.check(model, force_py=True)


def test_other_roles_see_that_the_journal_is_reserved(qtbot: QtBot, window: MainWindow) -> None:
    _candidate(window, "Lefèvre")
    window.context.signed_in = make_actor("accueil", window.context.username)
    view = window.audit_view  # the window does not even offer it to this role
    view.refresh()
    assert view.stack.currentWidget() is view.reserved
    assert "réservés à la coordination" in view.reserved.text()
    model = AuditTableModel(window.context.database, make_actor("formateur"))
    with qtbot.waitSignal(model.load_failed) as refused:
        model.reload()
    assert model.rowCount() == 0 and "coordination" in refused.args[0]


def test_retention_tab_lists_idle_files_and_anonymises_after_confirmation(
    qtbot: QtBot, window: MainWindow
) -> None:
    old = _candidate(window, "Ancien", now=datetime(2020, 1, 6, 9))
    recent = _candidate(window, "Récent")
    page = _retention(qtbot, window)
    assert page.model.rowCount() == 1
    assert page.model.index(0, 0).data() == "ANCIEN Inès"
    button = page.findChild(QPushButton, "anonymiseButton")
    assert button.text() == "Anonymiser ces 1 dossier…"

    def confirm(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        assert "1 dossier" in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()

    answer_next_dialog(qtbot, confirm)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert not button.isEnabled()
    assert page.count_label.text() == "1 dossier anonymisé."
    with window.context.database.session(commit=False) as session:
        anonymised = session.get(Candidate, old)
        kept = session.get(Candidate, recent)
        assert anonymised is not None and anonymised.last_name == rgpd.ANONYMOUS_NAME
        assert kept is not None and kept.last_name == "Récent"


def test_the_retention_period_is_changed_from_the_tab(qtbot: QtBot, window: MainWindow) -> None:
    _candidate(window, "Ancien", now=datetime(date.today().year - 2, 1, 6, 9))
    page = _retention(qtbot, window)
    spin = page.findChild(QSpinBox, "retentionMonths")
    assert spin.value() == 24
    before = page.model.rowCount()
    spin.setValue(120)
    qtbot.mouseClick(page.findChild(QPushButton, "retentionSave"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.reader.busy)
    assert page.model.rowCount() <= before
    assert "120 mois" in page.intro.text()
    with window.context.database.session(commit=False) as session:
        assert rgpd.retention_months(session) == 120


def test_printing_a_document_from_the_window_is_logged(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.gui import test_agreements_view as agreements

    world = agreements._world(window)
    draft_id = agreements._draft(window, world)
    view = agreements._view(window)
    agreements._select(view, draft_id)
    monkeypatch.setattr("app.ui.agreements.view.PdfPreviewDialog.exec", lambda _self: 0)
    view.print_main_document()
    journal = _journal(qtbot, window)
    journal.action.setCurrentIndex(journal.action.findData(AuditAction.IMPRESSION.value))
    assert _read(qtbot, journal).model.rowCount() == 1
    assert journal.model.index(0, 5).data() == "Convention de stage — (projet)"
    assert journal.model.index(0, 4).data() == "DUPONT Léa"


def test_exporting_candidates_from_the_window_is_logged(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _candidate(window, "Lefèvre")
    target = tmp_path / "candidats.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args, **_kwargs: (str(target), ""))
    window.show_view("candidates")
    window.candidates_view.export_csv()
    assert target.exists()
    journal = _journal(qtbot, window)
    journal.action.setCurrentIndex(journal.action.findData(AuditAction.EXPORT.value))
    assert _read(qtbot, journal).model.rowCount() == 1
    assert (
        journal.model.index(0, 5)
        .data()
        .startswith("Export des candidats (CSV de la liste affichée) : 1 ligne")
    )
