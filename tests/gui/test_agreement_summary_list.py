"""Conventions › Imprimer la liste… › Liste récapitulative: one line per listed agreement, in
the list's order, with the hours the agreement's screen shows; for coordination only."""

import re
from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from app.demo.seed import seed_demo
from app.domain import AuditAction, AuditEntry
from app.services.agreements.summary_list import agreements_summary_pdf
from app.services.base_access.opening import open_app_database
from app.services.errors import PermissionDenied
from app.ui.agreements.view import AgreementsView
from app.ui.main_window import MainWindow
from app.ui.printing.preview import PdfPreviewDialog
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog

PAST_SEASON = "Saison 2025-2026"
NUMBER = re.compile(r"FAB-\d{4}-\d{4}")


@pytest.fixture
def demo_window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    url = "sqlite:///" + str(tmp_path / "demo.sqlite")
    database = open_app_database(url)
    with database.session() as session:
        seed_demo(session, today=date.today())
    database.dispose()
    window = MainWindow.open(url, username="Nadia Belkacem")
    qtbot.addWidget(
        window,
        before_close_func=lambda w: (
            w.candidates_view.form.discard_changes(),
            w.agreements_view.form.discard_changes(),
        ),
    )
    window.show()
    yield window
    window.context.database.dispose()


def _agreements(window: MainWindow) -> AgreementsView:
    combo = window.header.season_combo
    combo.setCurrentIndex(combo.findText(PAST_SEASON))
    view = window.show_view("agreements")
    assert isinstance(view, AgreementsView)
    view.reload()
    return view


def _summary_pdf(qtbot: QtBot, view: AgreementsView) -> bytes:
    previewed: list[bytes] = []

    def preview(dialog: QWidget) -> None:
        assert isinstance(dialog, PdfPreviewDialog)
        previewed.append(dialog.pdf)
        dialog.reject()

    answer_next_dialog(qtbot, preview)
    view.summary_action.trigger()
    assert previewed, "no preview opened"
    return previewed[0]


def _printed_rows(pdf: bytes) -> list[str]:
    """The text of each printed row, from its agreement number to the next one."""
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages)
    starts = [match.start() for match in NUMBER.finditer(text)]
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def _hours_on_screen(view: AgreementsView, agreement_id: int) -> str:
    """ "287 h", as the agreement's panel shows its total ("Total : 287 h, soit …")."""
    view.open_agreement(agreement_id)
    label = view.findChild(QLabel, "hoursTotal")
    assert label is not None
    found = re.match(r"Total : ([\d,]+ h),", label.text())
    assert found, label.text()
    return found.group(1)


def test_the_summary_has_one_line_per_listed_agreement_with_the_screen_hours(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    view = _agreements(demo_window)
    listed = [view.model.row_at(i) for i in range(view.model.rowCount())]
    assert len(listed) == 24

    rows = _printed_rows(_summary_pdf(qtbot, view))

    assert len(rows) == len(listed)
    hours = []
    for row, agreement in zip(rows, listed, strict=True):
        assert agreement is not None
        assert row.startswith(agreement.number)
        assert agreement.learner in row
        assert agreement.host.split()[0] in row
        screen = _hours_on_screen(view, agreement.id)
        assert f" {screen} " in f"{row} ", (row, screen)
        hours.append(screen)
    assert "287 h" in hours  # the amended agreement: each day with the terms of its day
    text = " ".join(rows)
    assert "24 conventions" in text
    with demo_window.context.database.session(commit=False) as session:
        journal = session.scalars(
            select(AuditEntry.summary).where(AuditEntry.action == AuditAction.EXPORT.value)
        ).all()
    assert journal == [
        "Export des conventions (liste récapitulative, PDF) : 24 lignes — Saison 2025-2026, "
        "Tous les sites"
    ]


def test_a_filtered_list_prints_only_its_agreements(qtbot: QtBot, demo_window: MainWindow) -> None:
    view = _agreements(demo_window)
    status = view.findChild(QComboBox, "statusFilter")
    status.setCurrentIndex(status.findText("Rompue"))
    assert view.model.rowCount() == 1
    broken = view.model.row_at(0)
    assert broken is not None

    pdf = _summary_pdf(qtbot, view)
    rows = _printed_rows(pdf)

    assert len(rows) == 1 and rows[0].startswith(broken.number)
    assert "Rompue" in rows[0]
    assert "1 convention" in rows[0] and "1 conventions" not in rows[0]
    assert (
        "Saison 2025-2026 · Tous les sites · Rompue"
        in PdfReader(BytesIO(pdf)).pages[0].extract_text()
    )


def test_only_coordination_prints_the_summary(tmp_path: Path) -> None:
    database = open_app_database("sqlite:///" + str(tmp_path / "x.sqlite"))
    try:
        for role in ("accueil", "formateur"):
            with pytest.raises(PermissionDenied):
                agreements_summary_pdf(database, [], actor=make_actor(role))
        assert agreements_summary_pdf(database, [], actor=make_actor("coordination")).startswith(
            b"%PDF"
        )
    finally:
        database.dispose()
