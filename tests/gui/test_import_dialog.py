"""CSV import and export from the candidates view: preview of every row, refused rows,
people already known, conflicts, import, export."""

import csv
import zipfile
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from app.domain import Candidate
from app.services import reference
from app.services.candidates.csv_exchange import (
    CANDIDATE_COLUMNS,
    EXPORT_COLUMNS,
    export_candidates,
)
from app.services.candidates.import_rows import SPREADSHEET
from app.services.candidates.records import (
    CandidateInput,
    create_candidate,
    get_candidate,
    update_candidate,
)
from app.ui.candidates.import_dialog import ImportDialog
from app.ui.candidates.import_model import DECISION, DETAIL, LINE, RESULT, ImportRowsModel
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


def _table(dialog: QWidget) -> QTableView:
    table = dialog.findChild(QTableView, "importRows")
    assert table is not None
    return table


def _shown(dialog: QWidget, *columns: int) -> list[tuple[str, ...]]:
    """The cells of these columns of every row the table shows, as the person reads them."""
    model = _table(dialog).model()
    return [
        tuple(model.index(row, column).data() for column in columns)
        for row in range(model.rowCount())
    ]


def _show_only(dialog: QWidget, key: str) -> None:
    combo = dialog.findChild(QComboBox, "importFilter")
    assert combo is not None
    position = combo.findData(key)
    assert position >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(position)


def _problems(dialog: QWidget) -> list[tuple[str, str]]:
    _show_only(dialog, "refused")
    return [(line, detail) for line, detail in _shown(dialog, LINE, DETAIL)]


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

    assert _shown(dialog, LINE, RESULT) == [("2", "nouveau"), ("3", "nouveau"), ("4", "refusée")]
    assert _problems(dialog) == [
        ("4", "email : Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).")
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

    assert _shown(dialog, LINE, RESULT, 2) == [
        ("2", "nouveau", "LEFÈVRE Amélie"),
        ("3", "nouveau", "MARTIN Léo"),
    ]
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
    assert _shown(dialog, LINE) == []
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


# ---------------------------------------------------------------- people already known


def _file(window: MainWindow, season: str, **values: str) -> int:
    data = CandidateInput(saison=season, site="cobalt", **values)
    with window.context.database.session() as session:
        return create_candidate(session, data, actor=make_actor("coordination", "test")).id


def _persons(window: MainWindow) -> list[tuple[str, str, str]]:
    with window.context.database.session() as session:
        return [
            (c.person_uuid, c.season.label, c.first_name)
            for c in session.scalars(select(Candidate).order_by(Candidate.id))
        ]


KNOWN = {
    "nom": "Lefèvre",
    "prenom": "Amélie",
    "email": "amelie.lefevre@exemple.fr",
    "date_naissance": "14/03/1994",
}


def test_a_known_person_becomes_a_new_application_of_the_same_person(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    current = reference.parse_season_label(reference.current_season_label())
    assert current is not None
    past = reference.season_label(current - 1)
    _file(window, past, **KNOWN, telephone="06 11 22 33 44")
    path = _write_csv(
        tmp_path / "candidats.csv",
        [_row(**KNOWN, telephone="06 99 88 77 66", commune="Niort"), VALID_ROWS[1]],
    )
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)

    # The rows to decide come first; the import waits for a decision.
    assert _shown(dialog, LINE, RESULT, DECISION) == [("2", "déjà connu(e)", "à décider")]
    detail = _shown(dialog, DETAIL)[0][0]
    assert detail.startswith(f"LEFÈVRE Amélie, né(e) le 14/03/1994, {past}")
    assert "(même e-mail, même nom et même date de naissance)" in detail
    title = dialog.findChild(QLabel, "importKnownTitle")
    assert title is not None and title.isVisible()
    assert title.text().startswith("1 ligne ressemble à une personne déjà connue, à décider")
    assert not _button(dialog, "importAllButton").isEnabled()

    # Decided in the row itself, with the keyboard: F2 opens the list of decisions.
    table = _table(dialog)
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, DECISION))
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = table.findChild(QComboBox)
    assert editor is not None and editor.isVisible()
    editor.setCurrentIndex(editor.findText("Nouvelle candidature"))
    editor.activated.emit(editor.currentIndex())
    qtbot.waitUntil(lambda: _shown(dialog, DECISION)[0] == ("Nouvelle candidature",))

    assert _button(dialog, "importAllButton").isEnabled()
    _click(qtbot, _button(dialog, "importAllButton"))
    _wait_for_import(qtbot, dialog)

    assert _summary(dialog).text() == (
        "Import terminé : 2 nouveaux candidats, 0 mis à jour, 0 inchangé, "
        "0 ligne refusée ignorée ; dont 1 nouvelle candidature d'une personne déjà connue."
    )
    (first, first_season, _), (second, second_season, _), (other, _, _) = _persons(window)
    assert second == first and (first_season, second_season) == (
        past,
        reference.current_season_label(),
    )
    assert other != first
    dialog.close()


def test_known_people_of_the_season_are_ignored_by_default_and_decided_all_at_once(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    season = reference.current_season_label()
    _file(window, season, **KNOWN, commune="Poitiers")
    _file(window, "2017-2018", nom="Martin", prenom="Léo", telephone="06 12 34 56 78")
    path = _write_csv(
        tmp_path / "candidats.csv",
        [_row(**KNOWN, commune="Niort"), _row(**KNOWN, commune="Poitiers"), VALID_ROWS[1]],
    )
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)

    # A file of this season with the same values: unchanged; with another town: known,
    # ignored unless decided otherwise; the other person has no file this season: to decide.
    assert _shown(dialog, LINE, RESULT, DECISION) == [("4", "déjà connu(e)", "à décider")]
    _show_only(dialog, "all")
    assert _shown(dialog, LINE, RESULT, DECISION) == [
        ("2", "déjà connu(e)", "Ignorer"),
        ("3", "inchangé", ""),
        ("4", "déjà connu(e)", "à décider"),
    ]
    _click(qtbot, _button(dialog, "knownCreateAllButton"))
    assert [decision for (decision,) in _shown(dialog, DECISION)] == [
        "Créer quand même",
        "",
        "Créer quand même",
    ]
    _click(qtbot, _button(dialog, "knownIgnoreAllButton"))
    _click(qtbot, _button(dialog, "importAllButton"))
    _wait_for_import(qtbot, dialog)

    assert "0 nouveau candidat" in _summary(dialog).text()
    assert "2 lignes de personnes déjà connues ignorées" in _summary(dialog).text()
    assert len(_persons(window)) == 2
    dialog.close()


def test_the_preview_model_passes_the_model_tester(
    qtmodeltester: ModelTester, qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    _file(window, "2017-2018", **KNOWN)
    path = _write_csv(
        tmp_path / "candidats.csv", [*VALID_ROWS, BAD_EMAIL_ROW, _row(**KNOWN, commune="Niort")]
    )
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)
    assert isinstance(_table(dialog).model(), ImportRowsModel)
    preview = dialog.preview
    assert preview is not None

    for key in ("all", "undecided", "refused", "create", "update"):
        model = ImportRowsModel()
        model.set_rows(preview.rows)
        model.set_filter(key)
        qtmodeltester.check(model, force_py=True)
    model = ImportRowsModel()
    model.set_rows(preview.rows)
    model.set_filter("undecided")
    assert model.rowCount() == 1
    assert model.setData(model.index(0, DECISION), "nouvelle-candidature") is True
    assert model.index(0, DECISION).data() == "Nouvelle candidature"
    assert model.setData(model.index(0, DETAIL), "x") is False
    assert not model.flags(model.index(0, RESULT)) & Qt.ItemFlag.ItemIsEditable
    qtmodeltester.check(ImportRowsModel(), force_py=True)
    dialog.close()


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


def test_conflicts_are_listed_and_left_alone_unless_the_box_is_ticked(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "ancien.csv"
    _exported_then_edited(window, path)
    dialog = _open(qtbot, window, path)
    _wait_for_preview(qtbot, dialog)

    assert "2 en conflit" in _summary(dialog).text()
    _show_only(dialog, "conflict")
    rows = _shown(dialog, LINE, 2, DETAIL)
    assert [(line, person) for line, person, _detail in rows] == [
        ("2", "LEFÈVRE amelie"),
        ("3", "MARTIN leo"),
    ]
    assert "par Sophie Marchand" in rows[0][2]
    assert rows[0][2].endswith("email « amelie@nouveau.fr » → « amelie@ancien.fr »")
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
    assert not dialog.findChild(QCheckBox, "overwriteNewerCheck").isVisible()
    assert _shown(dialog, RESULT) == [("mise à jour",), ("mise à jour",)]
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
