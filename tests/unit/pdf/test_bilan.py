"""The bilan d'orientation PDF: content, escaping, determinism, embedded fonts, pagination."""

import io
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.pdf.bilan import DOCUMENT_TITLE, NO_DECISION, french_date, render_bilan
from app.pdf.bilan_data import BilanData, CommentLine, CriterionSummary
from app.pdf.fonts import FONT_BOLD, FONT_ITALIC, FONT_REGULAR, register_fonts

LABELS = {
    "E1": "Respecte les règles collectives et les consignes",
    "E2": "Ponctualité et assiduité (retards / absences comptés)",
    "E3": "Coopère : partage l'information, aide les autres",
    "E4": "Communique dans le groupe : écoute, questionne, prend la parole",
    "E5": "S'engage : tient son rôle, respecte les échéances de l'équipe",
    "E6": "Gère les désaccords, prend du recul",
    "A1": "Organise son travail",
    "A2": "Prend des initiatives, fait des propositions",
    "P1": "Construit son projet professionnel",
    "P2": "Apprend à apprendre",
}
LEVELS = ("Acquis", "En cours d'acquisition", "Non acquis", "Non observé", "")
TRENDS = ("en progrès", "stable", "en recul", "non observé")
LEARNER = "N'Diaye Aïssatou"
MARKUP = "<b>balise</b> & « guillemets »"


def make_bilan(comment_count: int = 4, **changes: object) -> BilanData:
    criteria = tuple(
        CriterionSummary(
            code=code,
            label=label,
            latest_level=LEVELS[i % 4],
            trend=TRENDS[i % 4],
            weekly_levels=tuple(LEVELS[(i + w) % 5] for w in range(6)),
        )
        for i, (code, label) in enumerate(LABELS.items())
    )
    start = date(2025, 12, 1)
    texts = [
        MARKUP,
        "A pris la parole spontanément pour présenter la maquette de l'équipe ; "
        "écoute attentive des retours, reformule les consignes pour les autres.",
        "Retard de 20 minutes, prévenu à l'avance. Très impliquée dans la préparation "
        "de la visite chez l'association partenaire.",
        "Propose de répartir les tâches du hackathon avec un tableau partagé.",
    ]
    comments = tuple(
        CommentLine(
            # Given out of order on purpose: the bilan sorts them by date.
            day=start + timedelta(days=(comment_count - n) % 40),
            activity=f"Atelier n°{n + 1} « projet réel »",
            author="Mme Lefèvre" if n % 2 else "M. Gaël Bérénger",
            text=texts[n % len(texts)],
        )
        for n in range(comment_count)
    )
    data = BilanData(
        organisation="La Fabrique du Numérique",
        learner_name=LEARNER,
        birth_date=date(2001, 3, 7),
        cohort_label="Saison 2025-2026 — Cobalt (Poitiers)",
        period="du 01/12/2025 au 12/01/2026",
        criteria=criteria,
        comments=comments,
        project_filiere="Développement web",
        project_job="Développeuse front-end",
        project_steps="Enquête métier auprès de deux développeuses.\nImmersion d'une journée.",
        project_status="en cours",
        decision="Période validée avec réserves",
        decision_filiere="Développeur web et web mobile",
        decision_reason="Assiduité à consolider ; très bonne dynamique d'équipe.",
        decided_by="Claire Dubois (coordination)",
        decided_on=date(2026, 1, 12),
        printed_on=date(2026, 1, 14),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def render(data: BilanData, tmp_path: Path, name: str = "bilan.pdf") -> Path:
    out = tmp_path / name
    render_bilan(data, out)
    return out


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces folded (wrapped labels)."""
    return re.sub(r"\s+", " ", text)


def test_content_appears_in_the_text(tmp_path: Path) -> None:
    pages = page_texts(render(make_bilan(), tmp_path))
    text = flat(" ".join(pages))
    assert LEARNER in text
    for label in LABELS.values():
        assert label in text, label
    assert "Période validée avec réserves" in text
    assert "Développeur web et web mobile" in text
    assert "07/03/2001" in text
    assert "Saison 2025-2026 — Cobalt (Poitiers)" in text
    assert "page 1 / " in text
    assert "Fait à Poitiers, le 14/01/2026" in text
    for signatory in ("Le formateur référent", "La coordination", "L'apprenant(e)"):
        assert signatory in text
    assert "EC : en cours d'acquisition" in text


def test_markup_in_user_text_prints_literally(tmp_path: Path) -> None:
    text = flat(" ".join(page_texts(render(make_bilan(), tmp_path))))
    assert MARKUP in text


def test_markup_everywhere_never_breaks_the_pdf(tmp_path: Path) -> None:
    nasty = "<i>x</i> </para> &amp; <font size=40>"
    data = make_bilan(
        learner_name=nasty,
        organisation=nasty,
        cohort_label=nasty,
        project_steps=nasty,
        decision=nasty,
        signatories=(nasty,),
    )
    text = flat(" ".join(page_texts(render(data, tmp_path))))
    assert nasty in text


def test_same_data_gives_the_same_bytes(tmp_path: Path) -> None:
    first = render(make_bilan(), tmp_path, "a.pdf").read_bytes()
    second = render(make_bilan(), tmp_path, "b.pdf").read_bytes()
    assert first == second
    buffer = io.BytesIO()
    render_bilan(make_bilan(), buffer)
    assert buffer.getvalue() == first


def test_creation_date_is_the_print_date(tmp_path: Path) -> None:
    meta = PdfReader(render(make_bilan(), tmp_path)).metadata
    assert meta is not None
    assert str(meta["/CreationDate"]).startswith("D:20260114")


def test_fonts_are_embedded(tmp_path: Path) -> None:
    reader = PdfReader(render(make_bilan(), tmp_path))
    seen = 0
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts = resources["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            if descendants is not None:
                font = descendants[0].get_object()
            assert "DejaVu" in str(font["/BaseFont"])
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            seen += 1
    assert seen >= 2


def test_many_comments_flow_to_several_pages_with_the_header(tmp_path: Path) -> None:
    pages = page_texts(render(make_bilan(comment_count=60), tmp_path))
    assert len(pages) >= 2
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert DOCUMENT_TITLE in text
        assert LEARNER in text
        assert f"page {number} / {total}" in text


def test_comments_are_printed_in_date_order(tmp_path: Path) -> None:
    text = " ".join(page_texts(render(make_bilan(comment_count=8), tmp_path)))
    text = text.split("Observations des formateurs")[1].split("Projet professionnel")[0]
    dates = re.findall(r"\d{2}/\d{2}/2025", text)
    days = [date(int(d[6:]), int(d[3:5]), int(d[:2])) for d in dates]
    assert len(days) == 8
    assert days == sorted(days)


def test_no_decision(tmp_path: Path) -> None:
    data = make_bilan(
        decision="", decision_filiere="", decision_reason="", decided_by="", decided_on=None
    )
    text = flat(" ".join(page_texts(render(data, tmp_path))))
    assert NO_DECISION in text


def test_long_texts_wrap_and_empty_fields_do_not_break(tmp_path: Path) -> None:
    long_text = "Observation très détaillée de la séance. " * 250
    data = make_bilan(
        comments=(CommentLine(date(2025, 12, 3), "", "", long_text),),
        project_steps=long_text,
        birth_date=None,
        criteria=(),
        signatories=(),
        project_filiere="",
    )
    pages = page_texts(render(data, tmp_path))
    assert len(pages) >= 3
    assert "non renseignée" in pages[0]


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = render(make_bilan(), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
    assert out.read_bytes().startswith(b"%PDF-")


def test_register_fonts_is_idempotent() -> None:
    register_fonts()
    register_fonts()
    from reportlab.pdfbase import pdfmetrics

    for name in (FONT_REGULAR, FONT_BOLD, FONT_ITALIC):
        assert pdfmetrics.getFont(name).fontName == name


@pytest.mark.parametrize(
    ("day", "expected"), [(date(2026, 1, 5), "05/01/2026"), (None, "non renseignée")]
)
def test_french_date(day: date | None, expected: str) -> None:
    assert french_date(day) == expected
