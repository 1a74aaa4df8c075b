"""The convention de stage PDF: built from the services, every article, escaping,
determinism, embedded fonts, numbering on every page, clause templates; the mentions of
issue 11 (referent's contact, remuneration and social protection, accident procedure,
harassment, personnel register, remote days, law and court, legal form and headcount), the
schedule period by period of an amended agreement, drafts, copies and consolidated versions."""

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
from app.domain.agreement import Signatory
from app.pdf.convention import (
    ANNEX_TITLE,
    CANCELLED_MENTION,
    COPY_MENTION,
    DEFAULT_COURT,
    DRAFT_MENTION,
    SECTION_TITLES,
    fill_placeholders,
    parse_clauses,
    render_convention,
)
from app.pdf.convention_data import (
    ConventionData,
    HostParty,
    OrganisationParty,
    SchedulePeriod,
    SignatureRecord,
    TraineeParty,
)
from app.services.agreements import amendments as agreement_amendments
from app.services.agreements import details, life_cycle, terms
from app.services.agreements.documents import convention_data
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.settings.organisation import OrganisationInput, save_organisation
from app.storage import Database
from tests.conftest import make_actor

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
    candidate_id = create_candidate(s, data, now=at, actor=make_actor("coordination", "test")).id
    for stage in ("entretien", "admis", "entre_formation"):
        change_stage(
            s, candidate_id, stage, comment="", now=at, actor=make_actor("coordination", "test")
        )
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
        actor=make_actor("coordination"),
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
    data = terms.AgreementInput(
        candidat=str(_candidate(s)),
        structure=str(host.id),
        tuteur=str(tutor.id),
        formateur_referent="Samir Haddad",
        telephone_referent="05 49 52 10 10",
        email_referent="samir.haddad@fabrique-numerique.fr",
        financeur="region",
        date_debut="01/06/2026",
        date_fin="31/07/2026",
        horaires={day: "7" for day in range(5)},
        activites="Accueil des usagers, petites réparations.\n" + MARKUP,
        competences="Diagnostic, relation client.",
        avantages="Tickets restaurant",
    )
    data = replace(data, **overrides)  # type: ignore[arg-type]
    info = life_cycle.create_draft(s, data, actor=make_actor("coordination", COORD), now=NOW)
    if ready:
        life_cycle.mark_ready(s, info.id, actor=make_actor("coordination", COORD), now=NOW)
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


# ---------------------------------------------------------------- issue 11, from typed data

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FULL_WEEK = (7.0, 7.0, 7.0, 7.0, 7.0, 0.0, 0.0)
SHORT_WEDNESDAY = (7.0, 7.0, 3.5, 7.0, 7.0, 0.0, 0.0)
TOTAL = "287 h, soit 41 journées de 7 h, sur 44 jours de présence"
SIGNED_ON = {
    "Directeur de l'organisme de formation": date(2026, 5, 4),
    "Représentant de la structure d'accueil": date(2026, 5, 5),
    "Stagiaire": date(2026, 5, 4),
    "Tuteur": date(2026, 5, 5),
    "Formateur référent": date(2026, 5, 6),
}


def _week(hours: tuple[float, ...]) -> tuple[tuple[str, float], ...]:
    return tuple(zip(WEEKDAYS, hours, strict=True))


def _typed(**changes: object) -> ConventionData:
    """FAB-2026-0005 as the services give it: 01/06 -> 31/07/2026, 35 h a week until the
    avenant n° 1 signed on 18/06/2026, then 31,5 h with Tuesday worked remotely; 287 h."""
    data = ConventionData(
        organisation=OrganisationParty(
            name="La Fabrique du Numérique",
            address="12 rue de la Formation, 86000 Poitiers",
            siret="732 829 320 00074",
            activity_declaration="75860123486",
            director_name="Hélène Garnier",
            director_function="Directrice",
            insurer="MAIF",
            policy_number="PO-445566",
            signing_city="Poitiers",
            competent_court="tribunal judiciaire de Poitiers",
        ),
        host=HostParty(
            name="Atelier Vélo Solidaire",
            legal_form="Association loi 1901",
            identifier="W863001234",
            identifier_label="RNA",
            naf_code="94.99Z",
            headcount_band="10 à 19 salariés",
            address="5 avenue du Cycle, 86000 Poitiers",
            representative_name="Marc Lemoine",
            representative_function="Président",
            insurer="MACIF",
            policy_number="AS-778899",
        ),
        trainee=TraineeParty(
            name="Mme Léa DUPONT",
            birth_date=date(2001, 3, 12),
            address="3 rue des Lilas, 86000 Poitiers",
            phone="06 12 34 56 78",
            email="lea.dupont@exemple.fr",
        ),
        filiere="développement d'applications web",
        site="Cobalt",
        season="2025-2026",
        place="",
        start=date(2026, 6, 1),
        end=date(2026, 7, 31),
        interruptions=(),
        schedule=_week(SHORT_WEDNESDAY),
        hours_total=287,
        days_total=41,
        presence_days=44,
        hours_per_week=31.5,
        days_per_week=5,
        tutor_name="Jeanne Petit",
        tutor_function="Responsable atelier",
        tutor_phone="05 49 00 00 00",
        tutor_email="jeanne.petit@atelier.fr",
        referent="Samir Haddad",
        activities="Accueil des usagers, petites réparations.",
        competences="Diagnostic, relation client.",
        printed_on=date(2026, 12, 5),
        number="FAB-2026-0005",
        amendments=("Avenant n° 1 signé le 18/06/2026",),
        periods=(
            SchedulePeriod(date(2026, 6, 1), date(2026, 6, 17), _week(FULL_WEEK), 91, 13),
            SchedulePeriod(
                date(2026, 6, 18),
                date(2026, 7, 31),
                _week(SHORT_WEDNESDAY),
                196,
                31,
                amendment_rank=1,
                remote_days=("mardi",),
            ),
        ),
        hours_text=TOTAL,
        referent_phone="05 49 52 40 10",
        referent_email="samir.haddad@fabrique-numerique.fr",
        payer="region",
        payer_label="Région Nouvelle-Aquitaine",
        remote_days=("mardi",),
        status="terminee",
        signatures=tuple(SignatureRecord(label, day) for label, day in SIGNED_ON.items()),
        consolidated_rank=1,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def _single(**changes: object) -> ConventionData:
    """The same agreement before any amendment: a draft, one period, 35 h a week."""
    single: dict[str, object] = {
        "periods": (),
        "amendments": (),
        "consolidated_rank": None,
        "schedule": _week(FULL_WEEK),
        "hours_total": 308,
        "days_total": 44,
        "hours_per_week": 35,
        "hours_text": "308 h, soit 44 journées de 7 h, sur 44 jours de présence",
        "remote_days": (),
        "number": None,
        "status": "brouillon",
        "signatures": (),
    }
    return _typed(**(single | changes))


def _flat(pdf: bytes) -> str:
    return " ".join("\n".join(_pages(pdf)).split())


def test_every_new_mention_is_printed() -> None:
    flat = _flat(_render(_typed()))
    # The referent trainer's phone and e-mail.
    assert "05 49 52 40 10" in flat and "samir.haddad@fabrique-numerique.fr" in flat
    # The accident procedure.
    assert "informe immédiatement la structure d'accueil" in flat
    assert "dans les 24 heures" in flat and "dans les 48 heures" in flat
    assert "caisse primaire d'assurance maladie (CPAM) du lieu de résidence du stagiaire" in flat
    assert "dimanches et jours fériés non compris (article R6342-3" in flat
    assert "par tout moyen conférant date certaine" in flat
    # Harassment and discrimination, the personnel register.
    assert "L1153-2" in flat and "harcèlement" in flat and "discrimination" in flat
    assert "registre unique du personnel" in flat and "L1221-13" in flat
    # The corrected limits of presence.
    assert "35 heures par semaine ni 10 heures par jour" in flat and "L6343-4" in flat
    assert "48 heures par semaine" not in flat
    assert "Aucune indemnité ne peut être versée par un organisme public" not in flat
    # Applicable law and competent court.
    assert "régie par le droit français" in flat
    assert "porté devant le tribunal judiciaire de Poitiers." in flat
    # The host's legal form and headcount with its unit.
    assert "Forme juridique Association loi 1901" in flat
    assert "Effectif 10 à 19 salariés" in flat
    assert "[" not in flat


PAYER_WORDING = {
    "region": (
        "Région Nouvelle-Aquitaine",
        "Le stagiaire est rémunéré par la Région pendant la formation. Ses cotisations de "
        "sécurité sociale sont prises en charge par la Région, dans les conditions de "
        "l'article L6342-3 du Code du travail, et sa protection contre les accidents du "
        "travail et les maladies professionnelles est assurée dans les conditions de "
        "l'article R6342-1.",
    ),
    "france_travail": (
        "France Travail",
        "Le stagiaire est rémunéré par France Travail pendant la formation. Sa protection "
        "sociale est assurée dans les conditions de l'article L6342-3 du Code du travail, et "
        "sa protection contre les accidents du travail et les maladies professionnelles dans "
        "les conditions de l'article R6342-1.",
    ),
    "aucun": (
        "aucune rémunération",
        "Le stagiaire ne perçoit aucune rémunération pendant la formation. Ses cotisations "
        "de sécurité sociale sont prises en charge par le financeur de l'action de "
        "formation",
    ),
    "autre": (
        "autre : Agefiph",
        "Le stagiaire est rémunéré pendant la formation par le financeur indiqué ci-dessus.",
    ),
    "": ("", "Le financeur de la rémunération du stagiaire reste à préciser."),
}


@pytest.mark.parametrize("payer", list(PAYER_WORDING))
def test_who_pays_the_trainee_and_the_social_protection_that_follows(payer: str) -> None:
    label, wording = PAYER_WORDING[payer]
    flat = _flat(_render(_typed(payer=payer, payer_label=label)))
    shown = label or "à préciser"
    assert f"Rémunération du stagiaire pendant la formation : {shown}." in flat
    assert wording in flat
    assert "L6342-1" in flat
    for other, (_label, text) in PAYER_WORDING.items():
        if other != payer:
            assert text not in flat, other


def test_remote_days_only_when_the_schedule_has_any() -> None:
    remote = _flat(_render(_single(remote_days=("mardi", "jeudi"))))
    assert "à distance les jours suivants : mardi et jeudi" in remote
    assert "équipements" in remote
    assert "Mardi oui 7 h (à distance)" in remote  # the annex marks the day
    office = _flat(_render(_single()))
    assert "à distance les jours suivants" not in office
    assert "(à distance)" not in office


def test_court_default_and_typed() -> None:
    default = _typed(organisation=replace(_typed().organisation, competent_court=""))
    assert f"porté devant {DEFAULT_COURT}." in _flat(_render(default))
    typed = _typed(
        organisation=replace(_typed().organisation, competent_court="Tribunal judiciaire de Niort")
    )
    assert "porté devant le tribunal judiciaire de Niort." in _flat(_render(typed))


def test_amended_agreement_prints_the_schedule_period_by_period() -> None:
    pages = _pages(_render(_typed()))
    flat = " ".join("\n".join(pages).split())
    first = flat.index("Du 01/06/2026 au 17/06/2026 (convention initiale)")
    second = flat.index("À partir du 18/06/2026 (avenant n° 1)")
    assert first < second
    assert "35 h sur 5 jours par semaine — 91 h sur 13 jours de présence" in flat
    assert "31,5 h sur 5 jours par semaine — 196 h sur 31 jours de présence" in flat
    # The total once, in the service's words; no weekly figure for the whole period.
    assert f"Durée totale {TOTAL}" in flat
    assert "Durée hebdomadaire selon la période" in flat
    assert "31,5 h sur 5 jours Présence" not in flat
    assert "287 h (41 jours)" not in flat
    # The annex has one column per period.
    annex = " ".join(pages[-1].split())
    assert "Du 01/06/2026 au 17/06/2026 (convention initiale)" in annex
    assert "À partir du 18/06/2026 (avenant n° 1)" in annex
    assert "35 h sur 5 jours 31,5 h sur 5 jours" in annex


def test_one_period_keeps_one_table_and_the_total_wording() -> None:
    flat = _flat(_render(_single()))
    assert "convention initiale" not in flat and "À partir du" not in flat
    assert "Durée totale 308 h, soit 44 journées de 7 h, sur 44 jours de présence" in flat
    assert "Durée hebdomadaire 35 h sur 5 jours" in flat


@pytest.mark.parametrize("status", ["signee", "en_cours", "terminee", "rompue"])
def test_a_signed_agreement_reprints_as_a_copy_with_its_signature_dates(status: str) -> None:
    pages = _pages(_render(_typed(status=status)))
    for page in pages:
        assert "Copie imprimée le 05/12/2026 — ne vaut pas original" in page
    flat = " ".join("\n".join(pages).split())
    assert COPY_MENTION in flat
    assert "Signé le 04/05/2026" in flat and "Signé le 06/05/2026" in flat
    assert flat.count("Signé le") == 5
    assert "exemplaires originaux, un pour chacune" not in flat
    assert "Lu et approuvé" not in flat
    assert DRAFT_MENTION not in flat


def test_signed_outside_the_application_says_so_in_every_box() -> None:
    outside = (SignatureRecord("Signée hors application", date(2026, 5, 12)),)
    flat = _flat(_render(_typed(status="signee", signatures=outside)))
    assert flat.count("Signée hors application le 12/05/2026") == 5
    assert COPY_MENTION in flat


def test_a_minor_s_legal_representative_box_on_a_copy_says_nothing_was_recorded() -> None:
    trainee = replace(_typed().trainee, is_minor=True, legal_representative="Paul Dupont")
    flat = _flat(_render(_typed(trainee=trainee)))
    assert "Le représentant légal du stagiaire Paul Dupont Date de signature non enregistrée" in (
        flat
    )


def test_draft_keeps_projet_and_blank_originals() -> None:
    pages = _pages(_render(_single()))
    for page in pages:
        assert DRAFT_MENTION in page
    flat = " ".join("\n".join(pages).split())
    assert "Copie" not in flat and "Signé le" not in flat
    assert "en 3 exemplaires originaux, un pour chacune des parties" in flat
    assert "Lu et approuvé" in flat


def test_ready_to_sign_is_an_original_to_sign() -> None:
    flat = _flat(_render(_single(number="FAB-2026-0005", status="prete_a_signer")))
    assert DRAFT_MENTION not in flat and "Copie" not in flat
    assert "Fait à Poitiers, le" in flat and "en 3 exemplaires originaux" in flat


def test_cancelled_agreement_says_so() -> None:
    pages = _pages(_render(_single(number="FAB-2026-0005", status="annulee")))
    for page in pages:
        assert CANCELLED_MENTION in page
    assert "Copie" not in " ".join(pages)


def test_consolidated_version_says_which_amendment_it_integrates() -> None:
    pdf = _render(_typed(consolidated_rank=2))
    first = " ".join(_pages(pdf)[0].split())
    assert "Version consolidée intégrant l'avenant n° 2" in first
    title = PdfReader(io.BytesIO(pdf)).metadata.title
    assert title is not None and "Version consolidée intégrant l'avenant n° 2" in title
    assert "Version consolidée" not in _flat(_render(_single()))


def test_conditions_in_a_custom_clause_file(tmp_path: Path) -> None:
    custom = tmp_path / "clauses.md"
    custom.write_text(
        "## 7. Statut\n"
        "{?remuneration=region} Payé par la Région.\n\n"
        "{?!remuneration=region} Pas payé par la Région.\n\n"
        "{?teletravail.jours} À distance : {teletravail.jours}.\n\n"
        "{?!teletravail.jours} Toujours sur place.\n\n"
        "{?champ.inconnu} Condition mal écrite.\n",
        "utf-8",
    )
    region = _flat(_render(_typed(), clauses_path=custom))
    assert "Payé par la Région." in region and "Pas payé" not in region
    assert "À distance : mardi." in region and "Toujours sur place" not in region
    assert "[?champ.inconnu] Condition mal écrite." in region
    other = _flat(_render(_single(payer="aucun", payer_label="aucune"), clauses_path=custom))
    assert "Pas payé par la Région." in other and "Payé par la Région." not in other
    assert "Toujours sur place." in other and "À distance :" not in other


# ---------------------------------------------------------------- issue 11, through the services


def _sign_all(s: Session, agreement_id: int) -> None:
    for who in Signatory:
        life_cycle.record_signature(
            s, agreement_id, who.value, TODAY, actor=make_actor("coordination", COORD)
        )


def test_amended_agreement_from_the_services_prints_two_periods(session: Session) -> None:
    agreement_id = _agreement(session)
    _sign_all(session, agreement_id)
    life_cycle.refresh_status(session, agreement_id, date(2026, 6, 1))
    current = details.get_agreement(session, agreement_id).values
    shorter = replace(current, horaires={0: "7", 1: "7", 2: "3,5", 3: "7", 4: "7"})
    rank = agreement_amendments.create_amendment(
        session,
        agreement_id,
        shorter,
        "Mercredi après-midi libéré",
        actor=make_actor("coordination", COORD),
        now=datetime(2026, 6, 15, 9, 0),
    ).rank
    agreement_amendments.sign_amendment(
        session,
        agreement_id,
        rank,
        date(2026, 6, 18),
        actor=make_actor("coordination", COORD),
        now=datetime(2026, 6, 18, 9, 0),
    )
    data = convention_data(session, agreement_id, today=date(2026, 6, 20))
    assert len(data.periods) == 2 and data.consolidated_rank == 1
    assert data.hours_text == TOTAL
    flat = _flat(_render(data))
    assert "Du 01/06/2026 au 17/06/2026 (convention initiale)" in flat
    assert "À partir du 18/06/2026 (avenant n° 1)" in flat
    assert "Version consolidée intégrant l'avenant n° 1" in flat
    assert COPY_MENTION in flat and "Signé le 04/05/2026" in flat
    assert "Rémunération du stagiaire pendant la formation : Région" in flat
    assert "05 49 52 10 10" in flat and "samir.haddad@fabrique-numerique.fr" in flat
    assert "Effectif 10 à 19 salariés" in flat
