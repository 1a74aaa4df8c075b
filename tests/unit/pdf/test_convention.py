"""The convention de stage PDF: built from the services, every article, escaping,
determinism, embedded fonts, numbering on every page, clause templates."""

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.domain import Host, OrientationDecision, Tutor
from app.pdf.convention import (
    ANNEX_TITLE,
    DRAFT_MENTION,
    SECTION_TITLES,
    fill_placeholders,
    parse_clauses,
    render_convention,
)
from app.pdf.convention_data import ConventionData
from app.services import agreements as ag
from app.services.agreement_documents import convention_data
from app.services.candidates import CandidateInput, change_stage, create_candidate
from app.services.organisation import OrganisationInput, save_organisation
from app.storage import Database

NOW = datetime(2026, 5, 4, 9, 0)
TODAY = NOW.date()
COORD = "Claire Morel"
MARKUP = "<b>balise</b> & « guillemets » <font size=40>x</font>"
HEADINGS = (
    "Parties",
    "Objet",
    "Objectifs, activités et compétences",
    "Dates et durée",
    "Lieu",
    "Encadrement",
    "Statut et protection sociale",
    "Responsabilité civile et assurance",
    "Indemnité et avantages",
    "Règlement intérieur et discipline",
    "Absences et congés",
    "Rupture",
    "Confidentialité et propriété intellectuelle",
    "Fin du stage",
    "Données personnelles",
    "Signatures",
)
SIGNATURE_LABELS = (
    "Pour l'organisme de formation",
    "Pour la structure d'accueil",
    "Le stagiaire",
    "Le tuteur",
    "Le formateur référent",
)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


def _candidate(s: Session, birth: str = "12/03/2001") -> int:
    data = CandidateInput(
        civilite="Mme",
        nom="Dupont",
        prenom="Léa",
        email="lea.dupont@exemple.fr",
        telephone="06 12 34 56 78",
        adresse="3 rue des Lilas",
        code_postal="86000",
        commune="Poitiers",
        saison="2025-2026",
        site="cobalt",
        date_naissance=birth,
    )
    at = datetime(2025, 11, 1, 9, 0)
    candidate_id = create_candidate(s, data, author="test", now=at, role="coordination").id
    for stage in ("entretien", "admis", "entre_formation"):
        change_stage(s, candidate_id, stage, comment="", author="test", now=at, role="coordination")
    s.add(
        OrientationDecision(
            candidate_id=candidate_id,
            outcome="validee",
            decided_by=COORD,
            decided_at=datetime(2026, 1, 9, 17, 0),
        )
    )
    s.flush()
    return candidate_id


def _agreement(s: Session, *, ready: bool = True, **overrides: object) -> int:
    save_organisation(
        s,
        OrganisationInput(
            nom="La Fabrique du Numérique",
            adresse="12 rue de la Formation, 86000 Poitiers",
            siret="73282932000074",
            declaration_activite="75860123486",
            directeur="Hélène Garnier",
            fonction_directeur="Directrice",
            assureur="MAIF",
            numero_police="PO-445566",
            ville_signature="Poitiers",
        ),
        role="coordination",
    )
    host = Host(
        name="Atelier Vélo Solidaire",
        legal_form="association",
        siret="73282932000074",
        naf_code="9499Z",
        headcount_band="10 à 19",
        address="5 avenue du Cycle",
        postal_code="86000",
        city="Poitiers",
        representative_name="Marc Lemoine",
        representative_function="Président",
        insurer="MACIF",
        policy_number="AS-778899",
    )
    s.add(host)
    s.flush()
    tutor = Tutor(
        host_id=host.id,
        name="Jeanne Petit",
        function="Responsable atelier",
        phone="+33549000000",
        email="jeanne.petit@atelier.fr",
    )
    s.add(tutor)
    s.flush()
    data = ag.AgreementInput(
        candidat=str(_candidate(s)),
        structure=str(host.id),
        tuteur=str(tutor.id),
        formateur_referent="Samir Haddad",
        date_debut="01/06/2026",
        date_fin="31/07/2026",
        horaires={day: "7" for day in range(5)},
        activites="Accueil des usagers, petites réparations.\n" + MARKUP,
        competences="Diagnostic, relation client.",
        avantages="Tickets restaurant",
    )
    data = replace(data, **overrides)  # type: ignore[arg-type]
    info = ag.create_draft(s, data, author=COORD, role="coordination", now=NOW)
    if ready:
        ag.mark_ready(s, info.id, author=COORD, role="coordination", now=NOW)
    return info.id


def _render(data: ConventionData, **kwargs: object) -> bytes:
    out = io.BytesIO()
    render_convention(data, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def _pages(pdf: bytes) -> list[str]:
    return [
        re.sub(r"[ \t]+", " ", page.extract_text() or "")
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


@pytest.fixture
def data(session: Session) -> ConventionData:
    return convention_data(session, _agreement(session), today=TODAY)


def test_service_maps_the_agreement(data: ConventionData) -> None:
    assert data.number == "FAB-2026-0001"
    assert data.hours_total == 308
    assert data.days_total == 44
    assert data.hours_per_week == 35 and data.days_per_week == 5
    assert data.trainee.name == "Mme Léa DUPONT"
    assert not data.trainee.is_minor
    assert data.host.identifier == "732 829 320 00074"
    assert data.tutor_function == "Responsable atelier"
    assert data.organisation.signing_city == "Poitiers"
    assert data.schedule[0] == ("lundi", 7.0) and data.schedule[6] == ("dimanche", 0.0)


def test_every_article_parties_dates_and_signatures(data: ConventionData) -> None:
    pages = _pages(_render(data))
    text = "\n".join(pages)
    flat = " ".join(text.split())
    for number, heading in enumerate(HEADINGS, start=1):
        assert f"Article {number} — {heading}" in flat, heading
    assert ANNEX_TITLE in pages[-1]
    assert "Article 16" not in pages[-1]  # the annex starts on a new page
    positions = [flat.index(f"Article {n} — ") for n in range(1, 17)]
    assert positions == sorted(positions)
    for name in ("La Fabrique du Numérique", "Atelier Vélo Solidaire", "Léa DUPONT"):
        assert name in flat
    assert "01/06/2026" in flat and "31/07/2026" in flat
    assert "308 h" in flat and "44 jours" in flat
    assert "Fait à Poitiers" in flat and "en 3 exemplaires" in flat
    for label in SIGNATURE_LABELS:
        assert label in flat, label
    assert "Représentant légal" not in flat  # an adult trainee
    assert "Jeanne Petit" in flat and "Samir Haddad" in flat and "Hélène Garnier" in flat
    assert "L6342-1" in flat and "L6343-1" in flat
    assert "dans les 24 heures" in flat and "dans les 48 heures" in flat
    assert "[" not in flat  # every placeholder of the clause file is known
    total = len(pages)
    assert total >= 4
    for n, page in enumerate(pages, start=1):
        assert "Convention de stage n° FAB-2026-0001" in page
        assert f"page {n} / {total}" in page
    assert "page 1 / " in pages[0]


def test_markup_in_user_text_is_printed_literally(data: ConventionData) -> None:
    flat = " ".join("\n".join(_pages(_render(data))).split())
    assert flat.count("<b>balise</b> & « guillemets » <font size=40>x</font>") == 2


def test_same_data_same_bytes_and_fonts_embedded(data: ConventionData, tmp_path: Path) -> None:
    first = _render(data)
    assert first == _render(data)
    target = tmp_path / "sub" / "convention.pdf"
    render_convention(data, target)
    assert target.read_bytes() == first
    assert not [p for p in target.parent.iterdir() if p.name != "convention.pdf"]
    reader = PdfReader(io.BytesIO(first))
    names = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            if descendants is not None:
                font = descendants[0].get_object()
            assert "DejaVu" in str(font["/BaseFont"])
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            names.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= names


def test_draft_is_marked_and_minor_gets_a_legal_representative(data: ConventionData) -> None:
    trainee = replace(data.trainee, is_minor=True, legal_representative="Paul Dupont (père)")
    draft = replace(data, number=None, trainee=trainee)
    pages = _pages(_render(draft))
    for page in pages:
        assert DRAFT_MENTION in page
        assert "FAB-" not in page
    flat = " ".join("\n".join(pages).split())
    assert "Le représentant légal du stagiaire" in flat and "Paul Dupont (père)" in flat


def test_indemnity_interruptions_and_place(session: Session) -> None:
    agreement_id = _agreement(
        session,
        ready=False,
        indemnite="4,35",
        unite_indemnite="heure",
        mode_versement="virement",
        interruptions=[("08/06/2026", "12/06/2026")],
        lieu="Entrepôt, 8 rue du Port, 86100 Châtellerault",
    )
    data = convention_data(session, agreement_id, today=TODAY)
    assert data.number is None and data.hours_total == 273
    flat = " ".join("\n".join(_pages(_render(data))).split())
    assert "4,35 € par heure de présence effective" in flat
    assert "virement" in flat
    assert "du 08/06/2026 au 12/06/2026" in flat
    assert "Entrepôt, 8 rue du Port" in flat
    assert "273 h" in flat and "39 jours" in flat


def test_clause_templates(tmp_path: Path, data: ConventionData) -> None:
    values = {"stagiaire.nom": "<Léa>", "vide": ""}
    filled = fill_placeholders("A & {stagiaire.nom} {inconnu.champ} {vide} **gras**", values)
    assert filled == "A &amp; &lt;Léa&gt; [inconnu.champ] ………………… <b>gras</b>"
    clauses = parse_clauses(
        "<!-- note -->\n# titre\n## 2. Objet modifié\nLigne un\nsuite.\n\n- puce\n{{donnees}}\n"
    )
    assert set(clauses) == {2}
    assert clauses[2].title == "Objet modifié"
    assert clauses[2].blocks == (("p", "Ligne un suite."), ("li", "puce"), ("data", ""))
    # A custom file missing articles still prints all sixteen, with the default titles.
    custom = tmp_path / "clauses.md"
    custom.write_text("## 2. Objet\nTexte de {structure.nom} et {champ.inconnu}.\n", "utf-8")
    flat = " ".join("\n".join(_pages(_render(data, clauses_path=custom))).split())
    assert "Texte de Atelier Vélo Solidaire et [champ.inconnu]." in flat
    for number, title in SECTION_TITLES.items():
        assert f"Article {number} — {title}" in flat


def test_default_clause_file_has_the_sixteen_articles() -> None:
    from app.pdf.convention import CLAUSES_PATH

    clauses = parse_clauses(CLAUSES_PATH.read_text("utf-8"))
    assert sorted(clauses) == list(range(1, 17))
    assert [clauses[n].title for n in range(1, 17)] == list(HEADINGS)


def test_birth_date_comes_from_the_candidate(session: Session) -> None:
    agreement_id = _agreement(session, ready=False)
    data = convention_data(session, agreement_id, today=TODAY)
    assert data.trainee.birth_date == date(2001, 3, 12)
