"""Candidats › Exporter la liste… and Imprimer la liste… : exactly what the list shows, with
the chosen columns; hidden from a trainer, whom the services refuse anyway."""

import csv
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QFileDialog, QPushButton, QWidget

from app.domain import AuditAction, AuditEntry
from app.services import reference
from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput
from app.services.base_access.opening import open_app_database
from app.services.candidates import actions as candidate_actions
from app.services.candidates.csv_exchange import EXPORT_COLUMNS
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.errors import PermissionDenied
from app.ui.candidates.list_columns import ListColumnsDialog
from app.ui.main_window import MainWindow
from app.ui.printing.preview import PdfPreviewDialog
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text

PASSWORD = "phrase de passe longue"
CURRENT = reference.current_season_label()
PEOPLE = (
    # nom, prénom, filière, saison
    ("Martin", "Léa", "web", CURRENT),
    ("Martinez", "Hugo", "web", CURRENT),
    ("Bernard", "Inès", "reseaux", CURRENT),
    ("Durand", "Yanis", "web", CURRENT),
    ("Martin", "Paul", "web", "2017-2018"),
)


def _add_people(window: MainWindow) -> None:
    with window.context.database.session() as session:
        for day, (last, first, filiere, season) in enumerate(PEOPLE, 10):
            data = CandidateInput(
                nom=last,
                prenom=first,
                email=f"{last.lower()}{day}@exemple.fr",
                telephone=f"06123456{day}",
                date_naissance=f"{day}/04/1995",
                commune="Poitiers",
                filiere_souhaitee=filiere,
                saison=season,
                site="cobalt",
            )
            create_candidate(session, data, actor=make_actor("coordination", "test"))
    window.candidates_view.apply_filters()


def _shown_names(window: MainWindow) -> list[str]:
    model = window.candidates_view.model
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def _exports(window: MainWindow) -> list[str]:
    with window.context.database.session(commit=False) as session:
        return list(
            session.scalars(
                select(AuditEntry.summary)
                .where(AuditEntry.action == AuditAction.EXPORT.value)
                .order_by(AuditEntry.id)
            )
        )


def _button(window: MainWindow, name: str) -> QPushButton:
    button = window.findChild(QPushButton, name)
    assert button is not None, name
    return button


def _choose_filiere(window: MainWindow, label: str) -> None:
    combo = window.findChild(QComboBox, "filiereFilter")
    combo.setCurrentIndex(combo.findText(label))


# ---------------------------------------------------------------- export


def test_a_search_matching_one_person_exports_one_row_journaled_with_the_search(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_people(window)
    out = tmp_path / "liste.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(out), ""))

    type_text(qtbot, window.candidates_view.search, "bernard")
    qtbot.waitUntil(lambda: _shown_names(window) == ["BERNARD Inès"])
    qtbot.mouseClick(_button(window, "exportButton"), Qt.MouseButton.LeftButton)

    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(EXPORT_COLUMNS)
    rows = list(csv.DictReader(lines, delimiter=";"))
    assert [(r["nom"], r["prenom"]) for r in rows] == [("Bernard", "Inès")]
    assert _exports(window) == [
        "Export des candidats (CSV de la liste affichée) : 1 ligne — "
        f"saison {CURRENT}, tous les sites, recherche « bernard »"
    ]
    assert "1 candidat exporté dans" in window.statusBar().currentMessage()


def test_the_export_follows_the_filters_and_the_order_of_the_list(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_people(window)
    out = tmp_path / "liste.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(out), ""))
    _choose_filiere(window, "Développement web")
    window.candidates_view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert _shown_names(window) == ["MARTINEZ Hugo", "MARTIN Léa", "DURAND Yanis"]

    qtbot.mouseClick(_button(window, "exportButton"), Qt.MouseButton.LeftButton)

    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert [r["nom"] for r in rows] == ["Martinez", "Martin", "Durand"]
    assert _exports(window)[-1].endswith("filière Développement web")


# ---------------------------------------------------------------- printed list


def _print_list(
    qtbot: QtBot, window: MainWindow, choose: dict[str, bool]
) -> tuple[list[str], bytes]:
    """Click Imprimer la liste…, set the columns, ask for the preview; the columns the
    dialog offered checked, and the previewed PDF."""
    offered: list[str] = []
    previewed: list[bytes] = []

    def columns(dialog: QWidget) -> None:
        assert isinstance(dialog, ListColumnsDialog)
        offered.extend(dialog.chosen())
        for key, checked in choose.items():
            box = dialog.findChild(QCheckBox, f"column_{key}")
            assert box is not None, key
            box.setChecked(checked)
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)

    def preview(dialog: QWidget) -> None:
        assert isinstance(dialog, PdfPreviewDialog)
        previewed.append(dialog.pdf)
        assert dialog.windowTitle() == "Liste des candidats"
        dialog.reject()

    answer_next_dialog(qtbot, columns)
    answer_next_dialog(qtbot, preview)
    qtbot.mouseClick(_button(window, "printListButton"), Qt.MouseButton.LeftButton)
    assert previewed, "no preview opened"
    return offered, previewed[0]


def _pdf_lines(pdf: bytes) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return [line.strip() for line in text.splitlines()]


def test_the_printed_list_of_a_filtered_view_shows_the_shown_names_and_chosen_columns(
    qtbot: QtBot, window: MainWindow
) -> None:
    _add_people(window)
    _choose_filiere(window, "Développement web")
    type_text(qtbot, window.candidates_view.search, "mar")
    qtbot.waitUntil(lambda: _shown_names(window) == ["MARTIN Léa", "MARTINEZ Hugo"])

    offered, pdf = _print_list(
        qtbot, window, {"age": False, "stage": False, "last_action": False, "email": True}
    )

    # The first time, the columns the list shows: not the season's, hidden as the header
    # chose one.
    assert offered == ["name", "age", "stage", "phone", "site", "filiere", "last_action"]
    lines = _pdf_lines(pdf)
    names = [line for line in lines if line.startswith(("MARTIN", "BERNARD", "DURAND"))]
    assert [name.split(" 06")[0] for name in names] == ["MARTIN Léa", "MARTINEZ Hugo"]
    text = "\n".join(lines)
    for heading in ("Nom", "Téléphone", "Site", "Filière", "E-mail"):
        assert heading in text
    for absent in ("Âge", "Étape", "Dernière"):
        assert absent not in text
    assert "martin10@exemple.fr" in text and "martinez11@exemple.fr" in text
    assert (
        f"Saison {CURRENT} · tous les sites · filière Développement web · recherche « mar »" in text
    )
    assert "2 candidats" in text
    assert _exports(window)[-1].startswith("Export des candidats (liste imprimée, PDF) : 2 lignes")


def test_the_chosen_columns_are_offered_again_next_time(qtbot: QtBot, window: MainWindow) -> None:
    _add_people(window)
    _print_list(qtbot, window, {"age": False, "city": True, "birth_date": True})

    offered, pdf = _print_list(qtbot, window, {})

    assert offered == [
        "name",
        "stage",
        "phone",
        "site",
        "filiere",
        "last_action",
        "birth_date",
        "city",
    ]
    assert "Commune" in "\n".join(_pdf_lines(pdf))


def test_no_preview_without_a_column(qtbot: QtBot, window: MainWindow) -> None:
    dialog = ListColumnsDialog(["name"], shown=3, parent=window)
    qtbot.addWidget(dialog)
    assert dialog.preview_button.isEnabled()

    dialog.findChild(QCheckBox, "column_name").setChecked(False)

    assert not dialog.preview_button.isEnabled()


# ---------------------------------------------------------------- a trainer


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A base with nadia (coordination), karim (accueil) and samir (formateur)."""
    address = "sqlite:///" + str(tmp_path / "roles.sqlite")
    database = open_app_database(address)
    with database.session() as session:
        accounts.create_first_account(
            session, AccountInput("Nadia Belkacem", "nadia"), PASSWORD, PASSWORD
        )
        for name, username, role in (
            ("Karim Diallo", "karim", "accueil"),
            ("Samir Haddad", "samir", "formateur"),
        ):
            accounts.create_account(
                session,
                AccountInput(name, username, role),
                PASSWORD,
                PASSWORD,
                actor=make_actor("coordination"),
            )
    database.dispose()
    return address


@pytest.fixture
def trainer_window(qtbot: QtBot, url: str) -> Iterator[MainWindow]:
    main = MainWindow.open(url, username="samir")
    qtbot.addWidget(main, before_close_func=lambda w: w.candidates_view.form.discard_changes())
    main.show()
    yield main
    main.context.database.dispose()


def test_a_trainer_sees_neither_action_and_the_services_refuse_them(
    trainer_window: MainWindow, tmp_path: Path
) -> None:
    window = trainer_window
    assert window.context.role == "formateur"
    assert window.candidates_view.isVisible()
    assert not _button(window, "exportButton").isVisible()
    assert not _button(window, "printListButton").isVisible()

    query, sort, descending = window.candidates_view.shown_list()
    actor = window.context.actor
    with pytest.raises(PermissionDenied):
        candidate_actions.export_shown_candidates(
            window.context.database, tmp_path / "x.csv", query, actor=actor
        )
    with pytest.raises(PermissionDenied):
        candidate_actions.candidate_list_pdf(
            window.context.database, query, ["name"], actor=actor, sort=sort, descending=descending
        )
    assert not (tmp_path / "x.csv").exists()


def _unlock(qtbot: QtBot, window: MainWindow, username: str) -> None:
    panel = window.lock_screen.panel
    panel.username.setText(username)
    panel.password.clear()
    type_text(qtbot, panel.password, PASSWORD)
    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)


def test_the_actions_follow_who_signs_in(qtbot: QtBot, url: str) -> None:
    window = MainWindow.open(url, username="nadia")
    qtbot.addWidget(window, before_close_func=lambda w: w.candidates_view.form.discard_changes())
    window.show()
    export, print_list = _button(window, "exportButton"), _button(window, "printListButton")
    assert export.isVisible() and print_list.isVisible()

    window.switch_action.trigger()
    _unlock(qtbot, window, "samir")
    assert window.context.role == "formateur"
    assert not export.isVisible() and not print_list.isVisible()

    window.switch_action.trigger()
    _unlock(qtbot, window, "karim")
    assert window.context.role == "accueil"
    assert export.isVisible() and print_list.isVisible()
    window.context.database.dispose()
