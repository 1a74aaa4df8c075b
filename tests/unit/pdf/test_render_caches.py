"""What the PDF documents keep from one document to the next (parsed paragraphs, parsed
clause files) never changes what a document prints: the same bytes as without the caches,
and an edited clause file shows in the next one."""

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table
from reportlab.platypus import Paragraph as ReportlabParagraph
from sqlalchemy.orm import Session

from app.pdf import paragraph
from app.pdf.avenant import render_avenant
from app.pdf.convention import render_convention
from app.pdf.convention_data import ConventionData
from app.pdf.fonts import register_fonts
from app.pdf.layout import styles
from app.pdf.paragraph import Paragraph
from app.services.agreement_documents import avenant_data, convention_data
from tests.unit.pdf.documents_world import TODAY, amend, flat, signed
from tests.unit.pdf.test_convention import _agreement

ORGANISATION = "La Fabrique du Numérique"
RED, BLUE = (200, 30, 30), (30, 30, 200)
LONG = (
    "Le stagiaire suit une action de formation professionnelle continue ; il relève des "
    "articles L6341-1 et suivants du Code du travail, et non du régime des stages étudiants. "
) * 6


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    paragraph.clear_parsed()
    yield
    paragraph.clear_parsed()


@pytest.fixture
def data(session: Session) -> ConventionData:
    return convention_data(session, _agreement(session), today=TODAY)


def _render(data: ConventionData, **kwargs: Any) -> bytes:
    out = io.BytesIO()
    render_convention(data, out, **kwargs)
    return out.getvalue()


# ---------------------------------------------------------------- paragraphs


def _story(make: Callable[..., Any]) -> list[Any]:
    """Paragraphs the way the documents use them: justified text split across pages,
    bullets, markup, table cells (measured twice) and groups kept together."""
    style = styles()
    rows = [
        [
            make(f"<b>Libellé {i}</b>", style["label"]),
            make(f"valeur {i} &amp; « {i} »", style["cell"]),
        ]
        for i in range(12)
    ]
    flow: list[Any] = []
    for _ in range(6):
        flow += [
            make("Article — Parties", style["h1"]),
            make(LONG, style["clause"]),
            make("une puce – avec un tiret", style["bullet"], bulletText="–"),
            KeepTogether(
                [make("Encadrement", style["h2"]), Table(rows, colWidths=[50 * mm, 110 * mm])]
            ),
            make(LONG + "<br/>" + LONG, style["clause"]),
            Spacer(1, 4 * mm),
        ]
    return flow


def _document(make: Callable[..., Any]) -> bytes:
    register_fonts()
    out = io.BytesIO()
    SimpleDocTemplate(out, invariant=1).build(_story(make))
    return out.getvalue()


def test_cached_paragraphs_print_what_reportlab_prints() -> None:
    expected = _document(ReportlabParagraph)
    assert len(PdfReader(io.BytesIO(expected)).pages) > 2  # paragraphs and tables split
    assert _document(Paragraph) == expected  # parsed now
    assert _document(Paragraph) == expected  # parsed texts reused


def test_a_paragraph_measured_at_another_width_breaks_its_lines_again() -> None:
    text = Paragraph(LONG, styles()["clause"])
    _, wide = text.wrap(170 * mm, 1000)
    _, narrow = text.wrap(60 * mm, 1000)
    assert narrow > wide
    assert text.wrap(170 * mm, 1000)[1] == wide
    assert text.wrap(60 * mm, 1000)[1] == narrow


def test_parsed_paragraphs_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paragraph, "PARSED_LIMIT", 5)
    for i in range(20):
        Paragraph(f"texte {i}", styles()["cell"])
    assert len(paragraph._parsed) == 5


# ---------------------------------------------------------------- clause files


def _same_size_and_date(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` (same length) in the file, keeping its modification date."""
    assert len(old) == len(new)
    stat = path.stat()
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_an_edited_clause_file_prints_its_new_text(data: ConventionData, tmp_path: Path) -> None:
    clauses = tmp_path / "convention.md"
    clauses.write_text("## 2. Objet\nPremière version du texte.\n", "utf-8")
    first = _render(data, clauses_path=clauses)
    assert "Première version du texte." in flat(first)
    _same_size_and_date(clauses, "Première", "Deuxième")
    second = flat(_render(data, clauses_path=clauses))
    assert "Deuxième version du texte." in second and "Première" not in second
    _same_size_and_date(clauses, "Deuxième", "Première")
    assert _render(data, clauses_path=clauses) == first


def test_an_edited_avenant_template_prints_its_new_text(session: Session, tmp_path: Path) -> None:
    agreement_id = signed(session)
    rank = amend(session, agreement_id, "Changement de lieu", lieu="8 rue du Port, Niort")
    data = avenant_data(session, agreement_id, rank, today=TODAY)
    template = tmp_path / "avenant.md"
    template.write_text("## 1. Objet\nTexte initial.\n", "utf-8")
    out = io.BytesIO()
    render_avenant(data, out, template=template)
    assert "Texte initial." in flat(out.getvalue())
    _same_size_and_date(template, "initial", "modifié")
    out = io.BytesIO()
    render_avenant(data, out, template=template)
    assert "Texte modifié." in flat(out.getvalue()) and "initial" not in flat(out.getvalue())
