"""Agreements at every step of their life, and PDF reading helpers, for the document tests."""

import io
import re
from dataclasses import replace
from datetime import date

from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.domain import Tutor
from app.domain.agreement import Signatory
from app.services.agreements import amendments, details, life_cycle
from tests.conftest import make_actor
from tests.unit.pdf.test_convention import COORD, MARKUP, NOW, TODAY, _agreement

__all__ = ["COORD", "MARKUP", "NOW", "TODAY"]

ROLE = "coordination"


def signed(s: Session, **overrides: object) -> int:
    """Mme Léa DUPONT at Atelier Vélo Solidaire, 01/06 → 31/07/2026, Monday-Friday 7 h
    (308 h, 44 days), signed by everybody on 04/05/2026."""
    agreement_id = _agreement(s, **overrides)
    for who in Signatory:
        life_cycle.record_signature(
            s, agreement_id, who.value, TODAY, actor=make_actor(ROLE, COORD), now=NOW
        )
    return agreement_id


def amend(
    s: Session, agreement_id: int, reason: str, *, sign: bool = True, **changes: object
) -> int:
    current = details.get_agreement(s, agreement_id).values
    new = replace(current, **changes)  # type: ignore[arg-type]
    rank = amendments.create_amendment(
        s, agreement_id, new, reason, actor=make_actor(ROLE, COORD), now=NOW
    ).rank
    if sign:
        amendments.sign_amendment(
            s, agreement_id, rank, TODAY, actor=make_actor(ROLE, COORD), now=NOW
        )
    return rank


def finish(s: Session, agreement_id: int) -> None:
    assert life_cycle.refresh_status(s, agreement_id, date(2026, 9, 1)).status == "terminee"


def break_off(s: Session, agreement_id: int, on: date) -> None:
    life_cycle.refresh_status(s, agreement_id, date(2026, 6, 2))
    life_cycle.break_off(
        s, agreement_id, on, "Embauche en CDI", actor=make_actor(ROLE, COORD), now=NOW
    )


def second_tutor(s: Session, agreement_id: int) -> int:
    host_id = details.get_agreement(s, agreement_id).host_id
    tutor = Tutor(host_id=host_id, name="Karim Benali", function="Mécanicien")
    s.add(tutor)
    s.flush()
    return tutor.id


def pages(pdf: bytes) -> list[str]:
    """Each page's text, runs of spaces collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"[ \t]+", " ", page.extract_text() or "") for page in reader.pages]


def flat(pdf: bytes) -> str:
    """The whole text on one line."""
    return " ".join("\n".join(pages(pdf)).split())


def embedded_fonts(pdf: bytes) -> set[str]:
    """Base names of the fonts used; fails when one is not embedded or not DejaVu."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            if descendants is not None:
                font = descendants[0].get_object()
            assert "DejaVu" in str(font["/BaseFont"])
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


def assert_furniture(pdf: bytes, label: str) -> None:
    """The header of every page: organisation, document label, page x / y."""
    texts = pages(pdf)
    for n, page in enumerate(texts, start=1):
        assert "La Fabrique du Numérique" in page
        assert "12 rue de la Formation, 86000 Poitiers" in page
        assert label in page, (n, label)
        assert f"page {n} / {len(texts)}" in page
