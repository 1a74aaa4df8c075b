"""Import of submitted projects from the Projets view: the preview lists every row with what
importing it would do, refuses a bad row with its column and reason, imports all or the valid
rows only; the file chooser cancelled imports nothing; the preview's model passes the tester."""

from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)

from app.domain.projects import Project
from app.services.projects.import_preview import PreviewRow
from app.ui.main_window import MainWindow
from app.ui.projects.import_dialog import (
    ANALYSING,
    DETAIL,
    LINE,
    REFERENCE,
    RESULT,
    ProjectImportDialog,
    ProjectImportRowsModel,
)
from tests.gui.conftest import answer_next_dialog
from tests.unit.services.test_projects_csv import csv_bytes, form_row

SEASON = "2026-2027"


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_bytes(csv_bytes(rows))
    return path


def _titles(window: MainWindow) -> list[str]:
    with window.context.database.session(commit=False) as s:
        return sorted(s.scalars(select(Project.title)))


def _child(dialog: QWidget, kind: type, name: str) -> object:
    found = dialog.findChild(kind, name)
    assert found is not None, name
    return found


def _summary(dialog: QWidget) -> str:
    label = _child(dialog, QLabel, "importSummary")
    assert isinstance(label, QLabel)
    return label.text()


def _button(dialog: QWidget, name: str) -> QPushButton:
    button = _child(dialog, QPushButton, name)
    assert isinstance(button, QPushButton)
    return button


def _shown(dialog: QWidget, *columns: int) -> list[tuple[str, ...]]:
    table = _child(dialog, QTableView, "importRows")
    assert isinstance(table, QTableView)
    model = table.model()
    return [
        tuple(model.index(row, column).data() for column in columns)
        for row in range(model.rowCount())
    ]


def _show_only(dialog: QWidget, key: str) -> None:
    combo = _child(dialog, QComboBox, "importFilter")
    assert isinstance(combo, QComboBox)
    position = combo.findData(key)
    assert position >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(position)


def _open(qtbot: QtBot, window: MainWindow, path: Path) -> ProjectImportDialog:
    dialog = ProjectImportDialog(window.context, SEASON, window, path=path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: _summary(dialog) != ANALYSING, timeout=10_000)
    return dialog


def _click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _wait_for_import(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.waitUntil(lambda: _summary(dialog).startswith("Import terminé"), timeout=10_000)


def test_a_bad_row_is_refused_with_its_column_and_the_valid_rows_imported_on_request(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "formulaire.csv",
        [form_row(), form_row(titre="Deuxième", contact_telephone="12")],
    )
    dialog = _open(qtbot, window, path)

    assert _summary(dialog).startswith("2 lignes lues : 1 valide (1 nouveau")
    assert "1 refusée" in _summary(dialog)
    # the refused rows are shown first
    assert _shown(dialog, LINE, RESULT, DETAIL) == [
        (
            "3",
            "refusée",
            "contact_telephone : Ce numéro de téléphone n'existe pas (10 chiffres attendus).",
        )
    ]
    detail = _child(dialog, QLabel, "importRowDetail")
    assert isinstance(detail, QLabel)
    assert detail.text() == (
        "Ligne 3 — refusée :\n"
        "• contact_telephone : Ce numéro de téléphone n'existe pas (10 chiffres attendus)."
    )
    _show_only(dialog, "all")
    assert _shown(dialog, LINE, RESULT, REFERENCE) == [
        ("2", "nouveau", "AAP-2026-001"),
        ("3", "refusée", ""),
    ]
    assert not _button(dialog, "importAllButton").isEnabled()
    assert _titles(window) == []  # the preview saved nothing

    _click(qtbot, _button(dialog, "importValidButton"))
    _wait_for_import(qtbot, dialog)

    assert _summary(dialog).startswith("Import terminé : 1 projet créé (AAP-2026-001)")
    assert "1 ligne refusée ignorée" in _summary(dialog)
    assert dialog.imported
    assert _titles(window) == ["Un site pour les adhérents"]
    assert _button(dialog, "cancelImportButton").text() == "Fermer"
    _click(qtbot, _button(dialog, "cancelImportButton"))
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_a_file_already_imported_has_nothing_to_import(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = _write(tmp_path / "formulaire.csv", [form_row()])
    dialog = _open(qtbot, window, path)
    _click(qtbot, _button(dialog, "importAllButton"))
    _wait_for_import(qtbot, dialog)
    dialog.reject()

    again = _open(qtbot, window, path)
    assert _shown(again, RESULT, DETAIL) == [("inchangé", "déjà importé (AAP-2026-001)")]
    assert "Rien à importer" in _summary(again)
    assert not _button(again, "importAllButton").isEnabled()
    assert _titles(window) == ["Un site pour les adhérents"]


def test_a_file_that_is_not_a_csv_is_refused_in_french(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "projets.xlsx"
    path.write_bytes(b"PK\x03\x04 classeur")
    dialog = _open(qtbot, window, path)
    assert _summary(dialog).startswith("Ce fichier ne peut pas être importé : Ce fichier est un")
    assert not _button(dialog, "importAllButton").isEnabled()
    assert not _button(dialog, "importValidButton").isEnabled()


def test_the_projects_view_imports_through_the_dialog_and_shows_the_projects(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path / "formulaire.csv",
        [form_row(), form_row(titre="Un outil de réservation des parcelles")],
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), ""))
    window.show_view("projects")
    assert window.findChild(QWidget, "projectsView") is not None
    seen: list[str] = []

    def import_all(dialog: QWidget) -> None:
        try:
            assert isinstance(dialog, ProjectImportDialog)
            qtbot.waitUntil(lambda: _summary(dialog) != ANALYSING, timeout=10_000)
            seen.append(_summary(dialog))
            _click(qtbot, _button(dialog, "importAllButton"))
            _wait_for_import(qtbot, dialog)
            seen.append(_summary(dialog))
            _click(qtbot, _button(dialog, "cancelImportButton"))
        finally:
            if dialog.isVisible():
                dialog.reject()

    answer_next_dialog(qtbot, import_all)
    button = window.findChild(QPushButton, "importProjectsButton")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert len(seen) == 2, seen
    assert seen[0].startswith("2 lignes lues : 2 valides (2 nouveaux")
    assert seen[1].startswith("Import terminé : 2 projets créés (AAP-2026-001, AAP-2026-002)")
    assert _titles(window) == [
        "Un outil de réservation des parcelles",
        "Un site pour les adhérents",
    ]


def test_cancelling_the_file_chooser_imports_nothing(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: ("", ""))
    dialog = ProjectImportDialog(window.context, SEASON, window)
    qtbot.addWidget(dialog)
    assert dialog.exec() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible() and _titles(window) == []


def test_the_preview_model_passes_the_model_tester(
    qtmodeltester: ModelTester, qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    qtmodeltester.check(ProjectImportRowsModel(), force_py=True)
    path = _write(
        tmp_path / "formulaire.csv",
        [form_row(), form_row(titre=""), form_row(titre="Trois", filieres="cuisine")],
    )
    dialog = _open(qtbot, window, path)
    model = dialog.model
    assert isinstance(model, ProjectImportRowsModel)
    model.set_filter("all")
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 3
    rows: list[PreviewRow] = [model.row_at(i) for i in range(3)]
    assert [row.valid for row in rows] == [True, False, False]
    model.set_filter("refused")
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2
