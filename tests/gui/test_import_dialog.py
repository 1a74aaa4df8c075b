"""CSV import and export from the candidates view: preview, refused rows, import, export."""

import csv
import zipfile
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QWidget,
)

from app.domain import Candidate
from app.services import reference
from app.services.candidates.csv_exchange import (
    CANDIDATE_COLUMNS,
    EXPORT_COLUMNS,
    SPREADSHEET,
    export_candidates,
)
from app.services.candidates.records import (
    CandidateInput,
    create_candidate,
    get_candidate,
    update_candidate,
)
from app.ui.candidates.import_dialog import ImportDialog
from app.ui.main_window import MainWindow
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog

ANALYSING = "Analyse du fichier…"


# ---------------------------------------------------------------- helpers


def _row(**values: str) -> list[str]:
    unknown = set(values) - set(CANDIDATE_COLUMNS)
    assert not unknown, unknown
    base = {"saison": reference.current_season_label(), "site": "cobalt"}
    base.update(values)
    return [base.get(column, "") for column in CANDIDATE_COLUMNS]


VALID_ROWS = [
    _row(
        civilite="Mme",
        nom="Lefèvre",
        prenom="Amélie",
        email="amelie.lefevre@exemple.fr",
        date_naissance="14/03/1994",
        commune="Châtellerault",
    ),
    _row(nom="Martin", prenom="Léo", telephone="06 12 34 56 78", site="du-guesclin"),
]
BAD_EMAIL_ROW = _row(nom="Durand", prenom="Hélène", email="helene.durand@exemple")


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(CANDIDATE_COLUMNS)
        writer.writerows(rows)
    return path


def _names(window: MainWindow) -> list[tuple[str, str]]:
    with window.context.database.session() as session:
        return sorted((c.last_name, c.first_name) for c in session.query(Candidate))


def _summary(dialog: QWidget) -> QLabel:
    label = dialog.findChild(QLabel, "importSummary")
    assert label is not None
    return label


def _button(dialog: QWidget, name: str) -> QPushButton:
    button = dialog.findChild(QPushButton, name)
    assert button is not None, name
    return button


def _problems(dialog: QWidget) -> list[tuple[str, str, str]]:
    table = dialog.findChild(QTableWidget, "importProblems")
    return [
        (table.item(row, 0).text(), table.item(row, 1).text(), table.item(row, 2).text())
        for row in range(table.rowCount())
    ]


def _wait_for_preview(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.waitUntil(lambda: _summary(dialog).text() != ANALYSING, timeout=10_000)


def _wait_for_import(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.waitUntil(lambda: _summary(dialog).text().startswith("Import terminé"), timeout=10_000)


def _open(qtbot: QtBot, window: MainWindow, path: Path) -> ImportDialog:
    dialog = ImportDialog(window.context, str(path), window)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _click(qtbot: QtBot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# ---------------------------------------------------------------- import dialog


def test_bad_row_is_listed_and_valid_rows_imported_on_request(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = _write_csv(tmp_path / "candidats.csv", [*VALID_ROWS, BAD_EMAIL_ROW])
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)

    assert _problems(dialog) == [
        ("4", "email", "Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).")
    ]
    summary = _summary(dialog).text()
    assert summary.startswith("3 lignes lues : 2 valides")
    assert "1 refusée" in summary
    assert not _button(dialog, "importAllButton").isEnabled()
    assert _button(dialog, "importValidButton").isEnabled()
    assert _names(window) == []  # the preview saves nothing

    _click(qtbot, _button(dialog, "importValidButton"))
    _wait_for_import(qtbot, dialog)

    assert "2 nouveaux candidats" in _summary(dialog).text()
    assert "1 ligne refusée ignorée" in _summary(dialog).text()
    assert dialog.imported is True
    assert _names(window) == [("Lefèvre", "Amélie"), ("Martin", "Léo")]
    assert not _button(dialog, "importAllButton").isEnabled()
    assert not _button(dialog, "importValidButton").isEnabled()
    assert _button(dialog, "cancelImportButton").text() == "Fermer"
    _click(qtbot, _button(dialog, "cancelImportButton"))
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_file_of_valid_rows_imports_all(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "candidats.csv", VALID_ROWS)
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)

    assert _problems(dialog) == []
    assert _summary(dialog).text() == (
        "2 lignes lues : 2 valides (2 nouveaux, 0 mise à jour, 0 inchangé), 0 refusée."
    )
    import_all = _button(dialog, "importAllButton")
    assert import_all.isEnabled()
    assert import_all.isDefault()
    assert not _button(dialog, "importValidButton").isEnabled()

    _click(qtbot, import_all)
    _wait_for_import(qtbot, dialog)

    assert _summary(dialog).text() == (
        "Import terminé : 2 nouveaux candidats, 0 mis à jour, 0 inchangé, 0 ligne refusée ignorée."
    )
    assert dialog.imported is True
    assert _names(window) == [("Lefèvre", "Amélie"), ("Martin", "Léo")]
    with window.context.database.session() as session:
        stored = session.query(Candidate).filter_by(last_name="Lefèvre").one()
        assert (stored.email, stored.city, stored.site.code) == (
            "amelie.lefevre@exemple.fr",
            "Châtellerault",
            "cobalt",
        )
    dialog.close()


def test_binary_file_is_refused_in_french(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 8)
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)

    summary = _summary(dialog).text()
    assert summary.startswith("Ce fichier ne peut pas être importé")
    assert "binaire" in summary
    assert [(line, column) for line, column, _ in _problems(dialog)] == [("", "fichier")]
    assert not _button(dialog, "importAllButton").isEnabled()
    assert not _button(dialog, "importValidButton").isEnabled()
    assert dialog.imported is False
    assert _names(window) == []
    dialog.close()


def test_spreadsheet_file_is_refused_with_what_to_do(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "candidats.xlsx"
    with zipfile.ZipFile(path, "w") as workbook:  # an .xlsx is a ZIP archive
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)

    assert _summary(dialog).text() == "Ce fichier ne peut pas être importé : " + SPREADSHEET
    assert _problems(dialog) == [("", "fichier", SPREADSHEET)]
    assert not _button(dialog, "importAllButton").isEnabled()
    assert not _button(dialog, "importValidButton").isEnabled()
    _click(qtbot, _button(dialog, "cancelImportButton"))
    assert dialog.imported is False
    assert _names(window) == []


def test_wrong_header_is_refused(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "autre.csv"
    path.write_text("produit;prix\nclavier;20\n", encoding="utf-8")
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)

    assert "ligne d'en-tête" in _summary(dialog).text()
    assert not _button(dialog, "importAllButton").isEnabled()
    assert not _button(dialog, "importValidButton").isEnabled()
    dialog.close()


def test_cancel_before_import_closes_and_imports_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = _write_csv(tmp_path / "candidats.csv", VALID_ROWS)
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)
    assert _button(dialog, "importAllButton").isEnabled()

    _click(qtbot, _button(dialog, "cancelImportButton"))

    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.imported is False
    assert _names(window) == []


def test_cancel_while_analysing_closes(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "candidats.csv", VALID_ROWS * 50)
    dialog = _open(qtbot, window, path)
    # Whether or not the analysis has finished, Annuler closes the dialog and saves nothing.
    _click(qtbot, _button(dialog, "cancelImportButton"))
    assert not dialog.isVisible()
    assert dialog.imported is False
    assert _names(window) == []


# ---------------------------------------------------------------- conflicts (issue 12.7)


def _exported_then_edited(window: MainWindow, path: Path) -> None:
    """Two files exported to `path`, then their e-mails changed at the desk."""
    season = reference.current_season_label()
    with window.context.database.session() as session:
        ids = [
            create_candidate(
                session,
                CandidateInput(
                    nom=last, prenom=first, email=f"{first}@ancien.fr", saison=season, site="cobalt"
                ),
                actor=make_actor("coordination", "test"),
            ).id
            for last, first in (("Lefèvre", "amelie"), ("Martin", "leo"))
        ]
        export_candidates(session, path)
    with window.context.database.session() as session:
        for candidate_id in ids:
            current = get_candidate(session, candidate_id, actor=make_actor("coordination"))
            current.values.email = current.values.email.replace("ancien", "nouveau")
            update_candidate(
                session,
                candidate_id,
                current.values,
                expected_version=current.version,
                actor=make_actor("coordination", "Sophie Marchand"),
            )


def _emails(window: MainWindow) -> list[str]:
    with window.context.database.session() as session:
        return sorted(c.email or "" for c in session.query(Candidate))


def _conflict_rows(dialog: QWidget) -> list[tuple[str, ...]]:
    table = dialog.findChild(QTableWidget, "importConflicts")
    assert table is not None and table.isVisible()
    return [
        tuple(table.item(row, col).text() for col in range(table.columnCount()))
        for row in range(table.rowCount())
    ]


def test_conflicts_are_listed_and_left_alone_unless_the_box_is_ticked(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "ancien.csv"
    _exported_then_edited(window, path)
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)

    assert "2 en conflit" in _summary(dialog).text()
    rows = _conflict_rows(dialog)
    assert [(line, person) for line, person, _when, _undone in rows] == [
        ("2", "LEFÈVRE amelie"),
        ("3", "MARTIN leo"),
    ]
    assert "par Sophie Marchand" in rows[0][2]
    assert rows[0][3] == "email « amelie@nouveau.fr » → « amelie@ancien.fr »"
    box = dialog.findChild(QCheckBox, "overwriteNewerCheck")
    assert box is not None and box.isVisible() and not box.isChecked()
    assert box.text() == "Écraser aussi les fiches modifiées depuis l'export"

    _click(qtbot, _button(dialog, "importAllButton"))
    _wait_for_import(qtbot, dialog)

    assert "0 mis à jour" in _summary(dialog).text()
    assert "2 fiches modifiées dans la base depuis l'export laissées" in _summary(dialog).text()
    assert _emails(window) == ["amelie@nouveau.fr", "leo@nouveau.fr"]
    dialog.close()

    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)
    box = dialog.findChild(QCheckBox, "overwriteNewerCheck")
    assert box is not None
    box.setChecked(True)
    _click(qtbot, _button(dialog, "importAllButton"))
    _wait_for_import(qtbot, dialog)

    assert "2 mis à jour" in _summary(dialog).text()
    assert _emails(window) == ["amelie@ancien.fr", "leo@ancien.fr"]
    dialog.close()


def test_a_file_without_versions_warns_that_newer_changes_cannot_be_seen(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    exported = tmp_path / "ancien.csv"
    _exported_then_edited(window, exported)
    text = exported.read_text(encoding="utf-8-sig")
    lines = list(csv.reader(text.splitlines(), delimiter=";"))
    path = _write_csv(tmp_path / "sans_version.csv", [line[:-1] for line in lines[1:]])
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)

    warning = dialog.findChild(QLabel, "importWarnings")
    assert warning is not None and warning.isVisible()
    assert "pas de colonne « version »" in warning.text()
    assert not dialog.findChild(QTableWidget, "importConflicts").isVisible()
    assert not dialog.findChild(QCheckBox, "overwriteNewerCheck").isVisible()
    dialog.close()


# ---------------------------------------------------------------- from the view


def _table_names(window: MainWindow) -> list[str]:
    table = window.findChild(QTableView, "candidatesTable")
    model = table.model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def _add(window: MainWindow, last: str, first: str, season: str) -> None:
    data = CandidateInput(
        nom=last, prenom=first, email=f"{first}.{last}@exemple.fr", saison=season, site="cobalt"
    )
    with window.context.database.session() as session:
        create_candidate(session, data, actor=make_actor("coordination", "test"))


def test_export_writes_current_season(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = reference.current_season_label()
    _add(window, "Lefevre", "Amelie", current)
    _add(window, "Martin", "Leo", current)
    _add(window, "Ancien", "Paul", "2017-2018")
    out = tmp_path / "out.csv"
    asked: list[str] = []

    def save_as(*args: object, **_kwargs: object) -> tuple[str, str]:
        asked.append(str(args[1]))
        return str(out), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    assert window.header.season_combo.currentText() == f"Saison {current}"

    qtbot.mouseClick(window.findChild(QPushButton, "exportButton"), Qt.MouseButton.LeftButton)

    assert asked == ["Exporter les candidats"]
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: opens as-is in a French spreadsheet
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(EXPORT_COLUMNS)
    rows = list(csv.DictReader(lines, delimiter=";"))
    assert [(r["nom"], r["prenom"], r["saison"]) for r in rows] == [
        ("Lefevre", "Amelie", current),
        ("Martin", "Leo", current),
    ]
    assert all(r["identifiant"] for r in rows)
    assert "2 candidats exportés" in window.statusBar().currentMessage()


def test_export_cancelled_writes_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: ("", ""))
    qtbot.mouseClick(window.findChild(QPushButton, "exportButton"), Qt.MouseButton.LeftButton)
    assert list(tmp_path.glob("*.csv")) == []


def test_export_to_a_missing_folder_says_why_in_french(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(window, "Lefevre", "Amelie", reference.current_season_label())
    out = tmp_path / "absent" / "out.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(out), ""))
    warnings: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _parent, title, text: warnings.append((title, text))
    )

    qtbot.mouseClick(window.findChild(QPushButton, "exportButton"), Qt.MouseButton.LeftButton)

    assert warnings == [("Export impossible", f"Le dossier « {out.parent} » n'existe pas.")]
    assert not out.parent.exists()


def test_import_from_view_refreshes_table(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_csv(tmp_path / "candidats.csv", VALID_ROWS)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), ""))
    assert _table_names(window) == []
    seen: list[str] = []

    def import_all(dialog: QWidget) -> None:
        try:
            assert isinstance(dialog, ImportDialog)
            _wait_for_preview(qtbot, dialog)
            seen.append(_summary(dialog).text())
            _click(qtbot, _button(dialog, "importAllButton"))
            _wait_for_import(qtbot, dialog)
            seen.append(_summary(dialog).text())
            _click(qtbot, _button(dialog, "cancelImportButton"))
        finally:
            if dialog.isVisible():
                dialog.reject()

    answer_next_dialog(qtbot, import_all)
    qtbot.mouseClick(window.findChild(QPushButton, "importButton"), Qt.MouseButton.LeftButton)

    assert len(seen) == 2 and seen[1].startswith("Import terminé : 2 nouveaux candidats")
    assert sorted(_table_names(window)) == ["LEFÈVRE Amélie", "MARTIN Léo"]
    assert window.findChild(QLabel, "candidateCount").text() == "2 candidats"
