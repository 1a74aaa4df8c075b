"""Avenant n° k: parties, reason, the table "Ce qui change" with before / after values and
the recomputed hours, the unchanged-clauses sentence, signature blocks, page furniture,
escaping, determinism, embedded fonts, editable texts."""

import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.pdf.avenant import UNCHANGED, render_avenant
from app.pdf.document_data import AmendmentChange, AvenantData
from app.services.agreements import amendments
from app.services.agreements.documents import HOURS_LABEL, avenant_data
from app.services.errors import NotFoundError
from tests.conftest import make_actor
from tests.unit.pdf.documents_world import (
    COORD,
    MARKUP,
    NOW,
    TODAY,
    amend,
    assert_furniture,
    embedded_fonts,
    flat,
    pages,
    second_tutor,
    signed,
)

WEDNESDAY_HALF = {0: "7", 1: "7", 2: "3,5", 3: "7", 4: "7"}
NO_FRIDAY = {0: "7", 1: "7", 2: "3,5", 3: "7"}
SIGNATURE_LABELS = (
    "Pour l'organisme de formation",
    "Pour la structure d'accueil",
    "Le stagiaire",
    "Le tuteur",
    "Le formateur référent",
)

T308 = "308 h, soit 44 journées de 7 h, sur 44 jours de présence"
T371 = "371 h, soit 53 journées de 7 h, sur 59 jours de présence"
T287 = "287 h, soit 41 journées de 7 h, sur 47 jours de présence"


def _render(data: AvenantData, **kwargs: object) -> bytes:
    out = io.BytesIO()
    render_avenant(data, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.fixture
def amended(session: Session) -> int:
    """Avenant 1 (signed): three more weeks and Wednesday afternoons off; avenant 2
    (not signed): no Friday any more and another tutor."""
    agreement_id = signed(session)
    amend(
        session,
        agreement_id,
        "Prolongation et mercredi après-midi libéré. " + MARKUP,
        date_fin="21/08/2026",
        horaires=dict(WEDNESDAY_HALF),
    )
    amend(
        session,
        agreement_id,
        "Vendredi consacré à la formation",
        sign=False,
        horaires=dict(NO_FRIDAY),
        tuteur=str(second_tutor(session, agreement_id)),
    )
    return agreement_id


def test_service_gives_each_change_and_the_hours_before_and_after(
    session: Session, amended: int
) -> None:
    first = avenant_data(session, amended, 1, today=TODAY)
    assert first.rank == 1 and first.signed_on == TODAY
    assert first.agreement.number == "FAB-2026-0001"
    labels = [change.label for change in first.changes]
    assert labels == ["Date de fin", "Horaires de présence", HOURS_LABEL]
    assert first.changes[0] == AmendmentChange("Date de fin", "31/07/2026", "21/08/2026")
    assert first.changes[1].before.splitlines() == [
        "Lundi : 7 h",
        "Mardi : 7 h",
        "Mercredi : 7 h",
        "Jeudi : 7 h",
        "Vendredi : 7 h",
        "soit 35 h par semaine sur 5 jours",
    ]
    assert "Mercredi : 3,5 h" in first.changes[1].after
    assert "soit 31,5 h par semaine sur 5 jours" in first.changes[1].after
    # 01/06 → 21/08/2026 without 14/07: 59 weekdays, 12 of them Wednesdays at 3.5 h.
    assert first.changes[2] == AmendmentChange(HOURS_LABEL, T308, T371)
    assert first.tutor_name == "Jeanne Petit"

    second = avenant_data(session, amended, 2, today=TODAY)
    assert second.signed_on is None
    # The 12 Fridays from 01/06 to 21/08/2026 leave.
    assert second.changes[-1] == AmendmentChange(HOURS_LABEL, T371, T287)
    assert second.changes[0] == AmendmentChange(
        "Tuteur", "Jeanne Petit, Responsable atelier", "Karim Benali, Mécanicien"
    )
    assert (second.tutor_name, second.tutor_function) == ("Karim Benali", "Mécanicien")
    with pytest.raises(NotFoundError, match="L'avenant n° 3 n'existe pas"):
        avenant_data(session, amended, 3, today=TODAY)


def test_signed_avenant_once_later_ones_are_signed_still_shows_its_own_change(
    session: Session, amended: int
) -> None:
    amendments.sign_amendment(
        session, amended, 2, TODAY, actor=make_actor("coordination", COORD), now=NOW
    )
    first = avenant_data(session, amended, 1, today=TODAY)
    assert first.changes[-1] == AmendmentChange(HOURS_LABEL, T308, T371)
    assert first.tutor_name == "Jeanne Petit"


def test_headings_parties_table_and_signatures(session: Session, amended: int) -> None:
    pdf = _render(avenant_data(session, amended, 1, today=TODAY))
    text = flat(pdf)
    assert "Avenant n° 1 à la convention de stage" in text
    assert "Convention n° FAB-2026-0001" in text
    assert "Avenant signé le 04/05/2026" in text
    titles = ["Parties", "Motif", "Ce qui change", "Prise d'effet", "Signatures"]
    positions = [text.index(f"Article {n} — {title}") for n, title in enumerate(titles, 1)]
    assert positions == sorted(positions)
    for party in ("La Fabrique du Numérique", "Atelier Vélo Solidaire", "Mme Léa DUPONT"):
        assert party in text
    assert "représenté par Hélène Garnier, Directrice" in text
    assert "représentée par Marc Lemoine, Président" in text
    assert "né(e) le 12/03/2001" in text
    assert "Ce qui change Avant l'avenant Après l'avenant" in text
    assert "Date de fin 31/07/2026 21/08/2026" in text
    assert "Mercredi : 3,5 h" in text
    assert f"{HOURS_LABEL} {T308} {T371}" in text
    assert UNCHANGED in text
    assert text.index(UNCHANGED) > text.index(T371)
    assert "Fait à Poitiers, le" in text and "en 3 exemplaires" in text
    for label in SIGNATURE_LABELS:
        assert label in text, label
    for name in ("Hélène Garnier", "Marc Lemoine", "Jeanne Petit", "Samir Haddad"):
        assert name in text
    assert "[" not in text  # every placeholder of the template is known
    assert_furniture(pdf, "Avenant n° 1 — convention n° FAB-2026-0001")
    assert "Imprimé le 04/05/2026" in pages(pdf)[0]


def test_unsigned_avenant_prints_normally_with_the_new_tutor(
    session: Session, amended: int
) -> None:
    text = flat(_render(avenant_data(session, amended, 2, today=TODAY)))
    assert "Avenant n° 2 à la convention de stage" in text
    assert "PROJET" not in text and "signé le" not in text
    assert "Tuteur Jeanne Petit, Responsable atelier Karim Benali, Mécanicien" in text
    assert f"{HOURS_LABEL} {T371} {T287}" in text
    signatures = text[text.index("Article 5 — Signatures") :]
    assert "Karim Benali" in signatures and "Jeanne Petit" not in signatures


def test_user_text_is_escaped_and_same_data_gives_same_bytes(
    session: Session, amended: int, tmp_path: Path
) -> None:
    data = avenant_data(session, amended, 1, today=TODAY)
    first = _render(data)
    assert first == _render(data)
    assert MARKUP in flat(first)
    target = tmp_path / "avenant.pdf"
    render_avenant(data, target)
    assert target.read_bytes() == first
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= embedded_fonts(first)


def test_texts_come_from_the_template(session: Session, amended: int, tmp_path: Path) -> None:
    custom = tmp_path / "avenant.md"
    custom.write_text(
        "# Avenant {avenant.numero} — {stagiaire.nom}\n"
        "## 3. Modifications\nTexte <i>libre</i> {champ.inconnu}.\n{{donnees}}\n"
        "## 6. Clause ajoutée\nUne clause de plus.\n",
        "utf-8",
    )
    text = flat(_render(avenant_data(session, amended, 1, today=TODAY), template=custom))
    assert "Avenant 1 — Mme Léa DUPONT" in text
    assert "Article 3 — Modifications" in text
    assert "Texte <i>libre</i> [champ.inconnu]." in text
    # Missing articles keep their default title; an added one prints after them.
    assert "Article 1 — Parties" in text and "Article 5 — Signatures" in text
    assert "Article 6 — Clause ajoutée Une clause de plus." in text


def test_every_kind_of_field_reads_in_french(session: Session) -> None:
    agreement_id = signed(session)
    amend(
        session,
        agreement_id,
        "Indemnité et lieu",
        lieu="Atelier annexe, 2 rue du Port",
        nuit="oui",
        indemnite="4,35",
        unite_indemnite="heure",
        mode_versement="virement",
        interruptions=[("08/06/2026", "12/06/2026")],
    )
    changes = {
        c.label: (c.before, c.after)
        for c in avenant_data(session, agreement_id, 1, today=TODAY).changes
    }
    assert changes == {
        "Lieu du stage": ("locaux de la structure d'accueil", "Atelier annexe, 2 rue du Port"),
        "Interruptions": ("aucune", "du 08/06/2026 au 12/06/2026 inclus"),
        "Présence de nuit": ("non autorisée", "autorisée"),
        "Indemnité": ("aucune", "4,35 €"),
        "Unité de l'indemnité": ("—", "par heure de présence effective"),
        "Mode de versement de l'indemnité": ("—", "virement"),
        HOURS_LABEL: (T308, "273 h, soit 39 journées de 7 h, sur 39 jours de présence"),
    }
