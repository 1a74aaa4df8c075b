"""Every file dialog is Qt's own, in French, opening in Documents, then in the last folder used."""

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit, QPushButton, QWidget

from app.ui.widgets import file_dialogs
from tests.gui.conftest import answer_next_dialog


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder with a Documents folder, as the user's."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))  # no user-dirs.dirs there
    return home / "Documents"


def _texts(dialog: QFileDialog) -> dict[str, str]:
    labels = {label.objectName(): label.text() for label in dialog.findChildren(QLabel)}
    buttons = {button.text() for button in dialog.findChildren(QPushButton)}
    return {**labels, **{text: text for text in buttons}}


def test_an_open_dialog_is_in_french_and_opens_in_documents(qtbot: QtBot, documents: Path) -> None:
    seen: dict[str, object] = {}

    def read_and_cancel(widget: QWidget) -> None:
        assert isinstance(widget, QFileDialog)
        seen["native"] = not widget.testOption(QFileDialog.Option.DontUseNativeDialog)
        seen["folder"] = Path(widget.directory().absolutePath())
        seen["texts"] = _texts(widget)
        widget.reject()

    answer_next_dialog(qtbot, read_and_cancel)
    chosen = file_dialogs.open_file(None, "Importer des candidats", "Fichiers CSV (*.csv)")

    assert chosen is None
    assert seen["native"] is False
    assert seen["folder"] == documents
    texts = seen["texts"]
    assert isinstance(texts, dict)
    assert texts["lookInLabel"] == "&Regarder dans\u00a0:"
    assert texts["fileTypeLabel"] == "&Type de fichier\u00a0:"
    assert texts["fileNameLabel"] == "&Nom de fichier\u00a0:"
    assert "&Ouvrir" in texts and "Annuler" in texts
    assert not {"&Look in:", "Files of &type:", "&Open", "Cancel"} & set(texts.values())


def test_the_next_dialog_opens_in_the_folder_last_used(qtbot: QtBot, documents: Path) -> None:
    elsewhere = documents.parent / "Bureau" / "exports"
    elsewhere.mkdir(parents=True)
    folders: list[Path] = []

    def save_there(widget: QWidget) -> None:
        assert isinstance(widget, QFileDialog)
        folders.append(Path(widget.directory().absolutePath()))
        name = widget.findChild(QLineEdit, "fileNameEdit")
        assert name.text() == "candidats.csv"  # the suggested name is offered
        widget.selectFile(str(elsewhere / "candidats.csv"))
        widget.accept()

    answer_next_dialog(qtbot, save_there)
    saved = file_dialogs.save_file(None, "Exporter", "candidats.csv", "Fichiers CSV (*.csv)")
    assert saved == elsewhere / "candidats.csv"

    def cancel(widget: QWidget) -> None:
        assert isinstance(widget, QFileDialog)
        folders.append(Path(widget.directory().absolutePath()))
        widget.reject()

    answer_next_dialog(qtbot, cancel)
    assert file_dialogs.choose_folder(None, "Choisir le dossier") is None
    assert folders == [documents, elsewhere]


def test_a_missing_last_folder_falls_back_to_documents(documents: Path) -> None:
    gone = documents.parent / "clé USB"
    gone.mkdir()
    file_dialogs.remember_folder(gone)
    assert file_dialogs.last_folder() == gone
    gone.rmdir()
    assert file_dialogs.last_folder() == documents
