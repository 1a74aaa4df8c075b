"""The window's one background idiom (app/ui/operations.py): results and French failures
reach the UI thread, a cancelled or orphaned operation delivers nothing, progress stops
the work once cancelled, and LatestOnly answers the newest request only."""

import logging
import threading

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QWidget

from app.services.errors import NotFoundError
from app.ui.operations import UNEXPECTED, LatestOnly, Progress, run_in_background


def test_the_result_reaches_the_ui_thread(qtbot: QtBot) -> None:
    owner = QWidget()
    worked_on: list[QThread] = []
    delivered_on: list[QThread] = []

    def work(_progress: Progress) -> int:
        worked_on.append(QThread.currentThread())
        return 42

    results: list[int] = []
    operation = run_in_background(
        owner,
        work,
        on_success=lambda r: (results.append(r), delivered_on.append(QThread.currentThread())),
    )
    qtbot.waitUntil(lambda: results == [42])
    assert worked_on[0] is not owner.thread()
    assert delivered_on == [owner.thread()]
    assert not operation.running


def test_a_refusal_is_delivered_as_its_french_message(qtbot: QtBot) -> None:
    owner = QWidget()
    messages: list[str] = []

    def work(_progress: Progress) -> None:
        raise NotFoundError("Ce dossier n'existe plus.")

    run_in_background(owner, work, on_success=lambda _r: None, on_failure=messages.append)
    qtbot.waitUntil(lambda: messages == ["Ce dossier n'existe plus."])


def test_an_unexpected_error_is_logged_and_shown_in_french(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    owner = QWidget()
    messages: list[str] = []

    def work(_progress: Progress) -> None:
        raise KeyError("Dupont Jeanne 06 12 34 56 78")

    with caplog.at_level(logging.ERROR):
        run_in_background(owner, work, on_success=lambda _r: None, on_failure=messages.append)
        qtbot.waitUntil(lambda: messages == [UNEXPECTED])
    assert "KeyError" in caplog.text  # the detail is in the log, not in front of the user
    assert "Dupont" not in messages[0]


def test_progress_is_shown_and_stops_the_work_once_cancelled(qtbot: QtBot) -> None:
    owner = QWidget()
    release = threading.Event()
    steps: list[tuple[int, int]] = []
    answers: list[bool] = []
    results: list[str] = []

    def work(progress: Progress) -> str:
        answers.append(progress(1, 3))
        release.wait(5)
        answers.append(progress(2, 3))  # cancelled meanwhile: the work is told to stop
        return "fini"

    operation = run_in_background(
        owner,
        work,
        on_success=results.append,
        on_progress=lambda done, total: steps.append((done, total)),
    )
    qtbot.waitUntil(lambda: steps == [(1, 3)])
    operation.cancel()
    release.set()
    assert operation.wait()
    qtbot.wait(50)  # let any queued signal arrive: nothing may be delivered
    assert answers == [True, False]
    assert results == []
    assert steps == [(1, 3)]


def test_closing_the_owner_drops_the_result(qtbot: QtBot) -> None:
    owner = QWidget()
    release = threading.Event()
    results: list[str] = []

    def work(_progress: Progress) -> str:
        release.wait(5)
        return "trop tard"

    operation = run_in_background(owner, work, on_success=results.append)
    worker = operation._worker
    owner.deleteLater()
    qtbot.waitUntil(lambda: worker.cancelled.is_set())
    release.set()
    assert worker.wait(5000)
    qtbot.wait(50)
    assert results == []


def test_latest_only_answers_the_newest_request(qtbot: QtBot) -> None:
    owner = QWidget()
    reader = LatestOnly(owner)
    answers: list[object] = []
    reader.loaded.connect(answers.append)
    reader.start(lambda: "old")
    reader.wait()
    reader.start(lambda: "new")
    assert reader.busy
    qtbot.waitUntil(lambda: answers == ["new"])
    assert not reader.busy

    def refused() -> object:
        raise NotFoundError("Cette convention n'existe plus.")

    with qtbot.waitSignal(reader.failed) as failure:
        reader.start(refused)
    assert failure.args == ["Cette convention n'existe plus."]
    assert answers == ["new"]
