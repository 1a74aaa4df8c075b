"""The Fichier menu: back up now, restore, check the base, choose the backup folder; the copies
taken at the window's start and on quit."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QWidget,
)

from app.config import backup_dir, manual_backup_days, set_backup_dir
from app.errors import UserFacingError
from app.services.maintenance import actions as maintenance_actions
from app.services.maintenance.health_check import CheckReport
from app.storage.backup import BackupReason, list_backups, parse_backup_name
from app.ui.main_window import MainWindow
from tests.encrypted import raw_connect
from tests.gui.conftest import answer_next_dialog


def reasons() -> list[str]:
    return sorted(backup.reason.value for backup in list_backups(backup_dir()))


def copies(reason: str) -> list[Path]:
    return [b.path for b in list_backups(backup_dir()) if b.reason.value == reason]


def db_file(window: MainWindow) -> Path:
    return Path(window.context.database.url.removeprefix("sqlite:///"))


def set_site_name(path: Path, name: str) -> None:
    connection = raw_connect(path)
    connection.execute("UPDATE site SET name = ? WHERE code = 'cobalt'", (name,))
    connection.commit()
    connection.close()


def click(text: str) -> Callable[[QWidget], None]:
    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        [button] = [b for b in box.buttons() if b.text() == text]
        button.click()

    return act


def accept(seen: list[str]) -> Callable[[QWidget], None]:
    """Close a message box, remembering its title and text."""

    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(f"{box.windowTitle()} | {box.text()} {box.informativeText()}")
        box.accept()

    return act


def test_the_file_menu_holds_the_database_actions(window: MainWindow) -> None:
    [menu] = [a.menu() for a in window.menuBar().actions() if a.text() == "&Fichier"]
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts == [
        "Sauvegarder maintenant",
        "Restaurer une sauvegarde…",
        "Vérifier la base",
        "Dossier des sauvegardes…",
        "Conservation des sauvegardes manuelles…",
        "Quitter",
    ]
    assert menu.actions()[-1].shortcut().toString() == "Ctrl+Q"


def test_a_copy_is_taken_at_start_and_on_quit(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: reasons() == ["demarrage"])
    window.close()
    assert reasons() == ["demarrage", "fermeture"]


def test_the_window_opens_without_waiting_for_the_start_copy(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    copying: list[str] = []
    real_backup = maintenance_actions.automatic_backup

    def slow_copy(url: str, reason: BackupReason, *args: Any, **kwargs: Any) -> Any:
        copying.append(reason.value)
        assert release.wait(timeout=60), "the test never let the copy finish"
        return real_backup(url, reason, *args, **kwargs)

    monkeypatch.setattr(maintenance_actions, "automatic_backup", slow_copy)
    main = MainWindow.open("sqlite:///" + str(tmp_path / "base.sqlite"), username="Nadia")
    qtbot.addWidget(main)
    main.show()

    # The window is open and usable while the copy of the base is still running.
    qtbot.waitUntil(lambda: copying == ["demarrage"])
    assert main.candidates_view.isVisible()
    assert reasons() == []
    release.set()
    qtbot.waitUntil(lambda: reasons() == ["demarrage"])
    main.close()
    assert reasons() == ["demarrage", "fermeture"]


def test_quitting_during_the_start_copy_waits_for_it(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_backup = maintenance_actions.automatic_backup

    def slow_copy(url: str, reason: BackupReason, *args: Any, **kwargs: Any) -> Any:
        if reason is BackupReason.START:
            assert release.wait(timeout=60), "the test never let the copy finish"
        return real_backup(url, reason, *args, **kwargs)

    monkeypatch.setattr(maintenance_actions, "automatic_backup", slow_copy)
    main = MainWindow.open("sqlite:///" + str(tmp_path / "base.sqlite"), username="Nadia")
    qtbot.addWidget(main)
    threading.Timer(0.2, release.set).start()

    main.close()

    # Both copies are complete: the start copy was not cut off by the closing base.
    assert reasons() == ["demarrage", "fermeture"]
    for copy in copies("demarrage"):
        connection = raw_connect(copy)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        connection.close()


def test_a_failed_start_copy_is_shown_once_and_the_window_opens(
    qtbot: QtBot, tmp_path: Path
) -> None:
    set_backup_dir(tmp_path / "CLE-USB" / "sauvegardes")  # the key is not plugged in
    main = MainWindow.open("sqlite:///" + str(tmp_path / "base.sqlite"), username="Nadia")
    qtbot.addWidget(main)
    qtbot.waitUntil(lambda: main.statusBar().currentMessage() != "")
    message = main.statusBar().currentMessage()
    assert message.startswith("Sauvegarde automatique (au démarrage) non faite : ")
    assert "CLE-USB" in message and "introuvable" in message
    main.context.database.dispose()


def test_backup_now(qtbot: QtBot, window: MainWindow) -> None:
    seen: list[str] = []
    answer_next_dialog(qtbot, accept(seen))
    window.maintenance.backup_now_action.trigger()
    [manual] = copies("manuelle")
    assert seen == [f"Sauvegarde enregistrée | La base a été sauvegardée dans :\n{manual} "]


def test_restore_a_copy_then_the_window_reopens_on_it(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = db_file(window)
    set_site_name(base, "Cobalt d'avant")
    answer_next_dialog(qtbot, accept([]))
    window.maintenance.backup_now_action.trigger()
    [copy] = copies("manuelle")
    set_site_name(base, "Cobalt d'après")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(copy), ""))
    seen: list[str] = []
    answer_next_dialog(qtbot, click("Restaurer"))
    answer_next_dialog(qtbot, accept(seen))
    window.maintenance.restore_action.trigger()
    replacement = window.maintenance.replacement
    assert replacement is not None
    qtbot.addWidget(replacement)
    try:
        assert not window.isVisible() and replacement.isVisible()
        sites = [replacement.header.site_combo.itemText(i) for i in range(3)]
        assert "Cobalt d'avant (Poitiers)" in sites
        [kept] = [
            b.path for b in list_backups(backup_dir()) if b.reason.value == "avant-restauration"
        ]
        assert seen[0].startswith("Sauvegarde restaurée | La sauvegarde du ")
        assert f"L'ancienne base est conservée dans :\n{kept}" in seen[0]
        connection = raw_connect(kept)
        [(name,)] = connection.execute("SELECT name FROM site WHERE code = 'cobalt'").fetchall()
        connection.close()
        assert name == "Cobalt d'après"
        assert "fermeture" not in reasons()  # the closed window's base was just kept
    finally:
        replacement.context.database.dispose()


def test_restore_asks_first_and_can_be_cancelled(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_next_dialog(qtbot, accept([]))
    window.maintenance.backup_now_action.trigger()
    [copy] = copies("manuelle")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(copy), ""))
    questions: list[str] = []

    def cancel(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        questions.append(f"{box.text()} {box.informativeText()}")
        click("Annuler")(box)

    answer_next_dialog(qtbot, cancel)
    window.maintenance.restore_action.trigger()
    [question] = questions
    parsed = parse_backup_name(copy)
    assert parsed is not None
    day = f"{parsed.taken_at:%d/%m/%Y à %H:%M}"
    assert question.startswith(
        f"Remplacer la base actuelle par la sauvegarde du {day} (manuelle) ?"
    )
    assert "La base actuelle est conservée" in question
    assert window.maintenance.replacement is None and window.isVisible()
    assert "avant-restauration" not in reasons()


def test_restore_refuses_a_damaged_copy(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    damaged = tmp_path / "fabrique-2026-11-20_1800-fermeture.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x13" * 8192)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(damaged), ""))
    seen: list[str] = []
    answer_next_dialog(qtbot, click("Restaurer"))
    answer_next_dialog(qtbot, accept(seen))
    window.maintenance.restore_action.trigger()
    [refusal] = seen
    assert refusal.startswith("Restauration refusée | La sauvegarde ")
    assert "endommagée" in refusal and "la base actuelle est intacte" in refusal
    assert window.isVisible() and window.maintenance.replacement is None


def _read_check_dialog(seen: list[tuple[str, list[str]]]) -> Callable[[QWidget], None]:
    def act(dialog: QWidget) -> None:
        summary = dialog.findChild(QLabel, "checkSummary")
        lines = dialog.findChild(QListWidget, "checkLines")
        seen.append((summary.text(), [lines.item(i).text() for i in range(lines.count())]))
        dialog.close()

    return act


def test_check_the_base(qtbot: QtBot, window: MainWindow) -> None:
    seen: list[tuple[str, list[str]]] = []
    answer_next_dialog(qtbot, _read_check_dialog(seen))
    window.maintenance.check_action.trigger()
    [(summary, lines)] = seen
    assert summary == "Base en bon état."
    assert "Intégrité du fichier : aucune anomalie." in lines
    assert any(line.startswith("Version du schéma : à jour") for line in lines)


def test_check_shows_problems(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = CheckReport(ok=True, database="fabrique.sqlite")
    report.add("Intégrité du fichier : 2 anomalie(s) : page 4 abîmée.", False)
    monkeypatch.setattr(maintenance_actions, "check_database", lambda _url: report)
    seen: list[tuple[str, list[str]]] = []
    answer_next_dialog(qtbot, _read_check_dialog(seen))
    window.maintenance.check_action.trigger()
    assert seen == [
        (
            "Des problèmes ont été trouvés.",
            ["Intégrité du fichier : 2 anomalie(s) : page 4 abîmée."],
        )
    ]


def test_choose_the_backup_folder(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    usb = tmp_path / "CLE-USB"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(usb))
    seen: list[str] = []
    answer_next_dialog(qtbot, accept(seen))
    window.maintenance.folder_action.trigger()
    assert backup_dir() == usb.resolve()
    assert seen[0].startswith(
        f"Dossier des sauvegardes | Les sauvegardes iront désormais dans :\n{usb}"
    )
    answer_next_dialog(qtbot, accept([]))
    window.maintenance.backup_now_action.trigger()
    assert [b.reason.value for b in list_backups(usb)] == ["manuelle"]


def test_a_folder_that_cannot_be_used_is_refused(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = backup_dir()
    a_file = tmp_path / "pas-un-dossier"
    a_file.write_text("x")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(a_file))
    seen: list[str] = []
    answer_next_dialog(qtbot, accept(seen))
    window.maintenance.folder_action.trigger()
    assert seen == [
        f"Dossier refusé | Le dossier des sauvegardes « {a_file} » est un fichier, pas un dossier. "
    ]
    assert backup_dir() == before


def test_a_window_that_cannot_reopen_after_a_restore_closes(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_next_dialog(qtbot, accept([]))
    window.maintenance.backup_now_action.trigger()
    [copy] = copies("manuelle")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(copy), ""))

    def refuse(_cls: type, _url: str, username: str | None = None) -> MainWindow:
        raise UserFacingError(f"Le compte « {username} » n'existe pas dans cette base.")

    monkeypatch.setattr(MainWindow, "open", classmethod(refuse))
    seen: list[str] = []
    answer_next_dialog(qtbot, click("Restaurer"))
    answer_next_dialog(qtbot, accept(seen))
    answer_next_dialog(qtbot, accept(seen))
    window.maintenance.restore_action.trigger()
    assert seen[1] == (
        "Réouverture impossible | La sauvegarde est restaurée, mais la fenêtre n'a pas pu se "
        "rouvrir : Le compte « Nadia Belkacem » n'existe pas dans cette base.\n\n"
        "Relancez l'application. "
    )
    assert not window.isVisible() and window.maintenance.replacement is None


def test_choose_how_long_manual_copies_are_kept(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[Any, ...]] = []

    def answer(*args: Any, **_kwargs: Any) -> tuple[int, bool]:
        asked.append(args)
        return 45, True

    monkeypatch.setattr(QInputDialog, "getInt", answer)
    window.maintenance.retention_action.trigger()
    [(_parent, title, _label, current, lowest, highest)] = asked
    assert (title, current, lowest, highest) == (
        "Conservation des sauvegardes manuelles",
        90,
        1,
        3650,
    )
    assert manual_backup_days() == 45
    assert window.statusBar().currentMessage() == "Sauvegardes manuelles gardées 45 jours."
