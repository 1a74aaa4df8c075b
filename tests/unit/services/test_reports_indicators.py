"""The indicators on a hand-built season whose figures are written here: eight applications
(two sites), one of unknown sex and QPV who left during orientation, an interruption for an
outside reason, checks at 3, 6 and 12 months, one finished agreement; every traced figure
lists exactly its people; an anonymised learner still counts; the demo's past season is
40 → 34."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.seed import seed_demo
from app.domain import Agreement, Host
from app.services.agreements.presence import presence_summary
from app.services.base_access.opening import open_app_database
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.errors import PermissionDenied, UserFacingError
from app.services.outcomes.follow_up import record_outcome
from app.services.reports import actions, comparison, composition, funnel, indicators, pathways
from app.services.reports import outcome_rates as rates
from app.services.reports.scope import ReportScope
from app.services.reports.tables import IndicatorTable
from app.services.reports.trace import people_behind
from app.services.rgpd.person_data import anonymise
from app.storage import Database
from tests.conftest import TODAY, make_actor

COORD = make_actor("coordination", "claire.vasseur", "Claire Vasseur")
DESK = make_actor("accueil", "nadia.accueil")
SEASON = ReportScope("2025-2026")
APPLIED = datetime(2025, 10, 1, 9, 0)
ENTERED = datetime(2025, 12, 1, 9, 0)
D = Decimal


@dataclass(frozen=True)
class World:
    ids: dict[str, int]


def _apply(s: Session, name: str, **fields: str) -> int:
    data = CandidateInput(
        nom=name, prenom="Test", saison="2025-2026", email=f"{name.lower()}@exemple.fr", **fields
    )
    return create_candidate(s, data, actor=COORD, now=APPLIED).id


def _move(s: Session, cid: int, *stages: str, at: datetime = ENTERED) -> None:
    for stage in stages:
        change_stage(s, cid, stage, comment="motif noté", actor=COORD, now=at)


def _leave(s: Session, cid: int, day: datetime, exit_type: str, end: str, reason: str = "") -> None:
    change_stage(
        s,
        cid,
        "sortie",
        comment="",
        actor=COORD,
        exit_type=exit_type,
        pathway_end=end,
        pathway_end_reason=reason,
        now=day,
    )


def _check(s: Session, cid: int, checkpoint: str, situation: str, day: date) -> None:
    record_outcome(
        s,
        cid,
        checkpoint,
        situation,
        day.strftime("%d/%m/%Y"),
        "telephone",
        "",
        actor=COORD,
        now=datetime(2027, 9, 1, 9, 0),
    )


def _agreement(s: Session, cid: int) -> None:
    """A finished internship, 1 June → 31 July 2026, 7 h Monday to Friday: 44 working days
    (14 July is a holiday) = 308 h, no absence."""
    host = Host(name="Association Numérique Solidaire", legal_form="association", city="Poitiers")
    s.add(host)
    s.flush()
    s.add(
        Agreement(
            number="FAB-2026-0001",
            status="terminee",
            candidate_id=cid,
            host_id=host.id,
            referent_trainer="Samir Haddad",
            start_date=date(2026, 6, 1),
            end_date=date(2026, 7, 31),
            schedule='{"0": 7.0, "1": 7.0, "2": 7.0, "3": 7.0, "4": 7.0}',
            interruptions="[]",
        )
    )
    s.flush()


def build(s: Session) -> World:
    ids = {}
    # Anne: complete pathway, CDI at exit, then CDD < 6 months, then studies.
    ids["anne"] = _apply(
        s, "Anne", sexe="F", date_naissance="10/05/2000", qpv="oui", zrr="non", rsa="oui",
        rqth="non", demandeur_emploi="oui", date_inscription_france_travail="01/06/2024",
        neet="non", niveau_diplome="3", prescripteur="mission_locale", site="cobalt",
        filiere_souhaitee="web",
    )  # fmt: skip
    _move(s, ids["anne"], "entretien", "admis", "entre_formation")
    _move(s, ids["anne"], "orientation_validee", at=datetime(2026, 1, 15, 9))
    _move(s, ids["anne"], "en_stage", at=datetime(2026, 6, 1, 9))
    _leave(s, ids["anne"], datetime(2026, 7, 31, 9), "cdi", "complet")
    _agreement(s, ids["anne"])
    # Bruno: interrupted for an outside reason (moved away), qualifying training at 3 months.
    ids["bruno"] = _apply(
        s, "Bruno", sexe="M", date_naissance="01/03/1990", qpv="non", zrr="oui", rsa="non",
        demandeur_emploi="oui", date_inscription_france_travail="01/09/2025", niveau_diplome="4",
        prescripteur="france_travail", site="cobalt",
    )  # fmt: skip
    _move(s, ids["bruno"], "entretien", "admis", "entre_formation", "orientation_validee")
    _move(s, ids["bruno"], "en_stage", at=datetime(2026, 3, 1, 9))
    _leave(
        s, ids["bruno"], datetime(2026, 3, 16, 9), "sans_solution", "interrompu_exterieur",
        "Déménagement",
    )  # fmt: skip
    # Chloé: sex and QPV unknown, a minor, no diploma; left during orientation.
    ids["chloe"] = _apply(
        s, "Chloé", date_naissance="15/01/2008", demandeur_emploi="non", neet="oui",
        niveau_diplome="aucun", site="cobalt",
    )  # fmt: skip
    _move(s, ids["chloe"], "admis", "entre_formation")
    _leave(s, ids["chloe"], datetime(2025, 12, 10, 9), "sans_solution", "interrompu", "Absente")
    # David: not retained after the interview; Emma: withdrew after the information session.
    ids["david"] = _apply(s, "David", sexe="M", site="cobalt")
    _move(s, ids["david"], "entretien", "non_retenu")
    ids["emma"] = _apply(s, "Emma", sexe="F", site="cobalt")
    _move(s, ids["emma"], "information_collective", "desiste")
    # Farid: application received, nothing since (waiting, not lost).
    ids["farid"] = _apply(s, "Farid", sexe="M", site="cobalt")
    # Gaëlle (Niort): in training; 50 at entry; job seeker since an unknown date.
    ids["gaelle"] = _apply(
        s, "Gaëlle", sexe="F", date_naissance="30/06/1975", qpv="non", zrr="non", rsa="non",
        demandeur_emploi="oui", neet="non", niveau_diplome="6", prescripteur="france_travail",
        site="du-guesclin",
    )  # fmt: skip
    _move(s, ids["gaelle"], "admis", "entre_formation")
    # Hugo: 26 on the day he entered; orientation validated, still in training.
    ids["hugo"] = _apply(
        s, "Hugo", sexe="M", date_naissance="01/12/1999", qpv="oui", zrr="non", rsa="non",
        rqth="oui", demandeur_emploi="non", neet="non", prescripteur="mission_locale",
        site="cobalt",
    )  # fmt: skip
    _move(s, ids["hugo"], "entretien", "admis", "entre_formation", "orientation_validee")
    # Checks after the exit.
    _check(s, ids["anne"], "3_mois", "cdi", date(2026, 11, 2))
    _check(s, ids["anne"], "6_mois", "cdd_court", date(2027, 2, 1))
    _check(s, ids["anne"], "12_mois", "etudes", date(2027, 8, 2))
    _check(s, ids["bruno"], "3_mois", "formation_qualifiante", date(2026, 6, 20))
    _check(s, ids["bruno"], "6_mois", "inconnue", date(2026, 9, 20))
    return World(ids)


@pytest.fixture
def world(db: Database) -> Iterator[tuple[Database, World]]:
    with db.session() as s:
        built = build(s)
    yield db, built


def figures(table: IndicatorTable) -> dict[str, list[object]]:
    return {row.label: [cell.value for cell in row.cells] for row in table.rows}


EXPECTED_FUNNEL = {
    "Candidatures": [8, D("100.0"), 0],
    "Information collective": [7, D("87.5"), 1],
    "Entretien": [6, D("75.0"), 1],
    "Admis": [5, D("62.5"), 0],
    "Entrés en formation": [5, D("62.5"), 1],
    "Orientation validée": [3, D("37.5"), 0],
    "En stage": [2, D("25.0"), 0],
    "Sortis": [3, D("37.5"), None],
}
EXPECTED_LOSSES = {
    "Information collective — désisté": [1],
    "Entretien — non retenu": [1],
    "Entrés en formation — sortie du parcours": [1],
}
EXPECTED_COMPOSITION = {
    "Entrés en formation": [5, None],
    "Femmes": [2, D("50.0")],
    "Hommes": [2, D("50.0")],
    "Autre": [0, D("0.0")],
    "Sexe non renseigné": [1, None],
    "Mineurs à l'entrée": [1, D("20.0")],
    "Moins de 26 ans": [2, D("40.0")],
    "26 à 30 ans": [1, D("20.0")],
    "31 à 49 ans": [1, D("20.0")],
    "50 ans et plus": [1, D("20.0")],
    "Date de naissance non renseignée": [0, None],
    "Résidant d'un QPV": [2, D("50.0")],
    "QPV non renseigné": [1, None],
    "Résidant d'une ZRR": [1, D("25.0")],
    "ZRR non renseignée": [1, None],
    "Bénéficiaires du RSA": [1, D("25.0")],
    "RSA non renseigné": [1, None],
    "RQTH": [1, D("50.0")],
    "RQTH non renseignée": [3, None],
    "Demandeurs d'emploi": [3, D("60.0")],
    "Inscription à France Travail inconnue": [0, None],
    "dont inscrits depuis 12 mois ou plus": [1, D("20.0")],
    "Ni en emploi ni en formation (NEET)": [1, D("25.0")],
    "NEET non renseigné": [1, None],
    "Aucun diplôme": [1, D("25.0")],
    "Niveau 1 à 3 (CAP, BEP)": [1, D("25.0")],
    "Niveau 4 (bac)": [1, D("25.0")],
    "Niveau 5 ou plus": [1, D("25.0")],
    "Bac ou moins (niveau 4 ou moins, ou aucun)": [3, D("75.0")],
    "Diplôme non renseigné": [1, None],
    "Prescripteur : Mission locale": [2, D("50.0")],
    "Prescripteur : France Travail (ex Pôle emploi)": [2, D("50.0")],
    "Prescripteur non renseigné": [1, None],
}
EXPECTED_PATHWAYS = {
    "Entrés en formation": [5, None],
    "En cours": [2, D("40.0")],
    "Sortis": [3, D("60.0")],
    "Parcours complets": [1, D("33.3")],
    "Interrompus pour une raison extérieure": [1, D("33.3")],
    "Interrompus (abandon, exclusion)": [1, D("33.3")],
    "Sortis, fin de parcours non renseignée": [0, None],
    "Sortis pendant l'orientation": [1, D("33.3")],
    # (242 + 105 + 9) / 3 days
    "Durée moyenne du parcours (jours)": [D("118.7"), None],
}
EXPECTED_COMPANY = {
    "Stagiaires (conventions terminées ou rompues)": [1],
    "Heures réalisées en entreprise": [D("308.0")],
    "Heures en entreprise par stagiaire (moyenne)": [D("308.0")],
    # 61 days of internship over the 243 days from entry to exit
    "Part du parcours passée en entreprise (%)": [D("25.1")],
}
EXPECTED_OUTCOMES = {
    "Sortis": [3, 3, 3, 3],
    "Situation connue": [3, 2, 1, 1],
    "Situation non renseignée ou inconnue": [0, 1, 2, 2],
    "Sorties positives — Grande École du Numérique": [1, 2, 1, 1],
    "Taux de sorties positives — Grande École du Numérique (%)": [
        D("33.3"), D("100.0"), D("100.0"), D("100.0"),
    ],
    "Sorties positives — Réseau E2C": [1, 2, 1, 0],
    "Taux de sorties positives — Réseau E2C (%)": [D("33.3"), D("100.0"), D("100.0"), D("0.0")],
    "Sorties positives — Région Nouvelle-Aquitaine": [1, 2, 0, 0],
    "Taux de sorties positives — Région Nouvelle-Aquitaine (%)": [
        D("33.3"), D("100.0"), D("0.0"), D("0.0"),
    ],
}  # fmt: skip
EXPECTED_SITUATIONS = {
    "CDI": [1, 1, 0, 0],
    "CDD de moins de 6 mois": [0, 0, 1, 0],
    "Formation qualifiante": [0, 1, 0, 0],
    "Études": [0, 0, 0, 1],
    "Sans solution": [2, 0, 0, 0],
    "Situation inconnue": [0, 0, 1, 0],
    "Non renseignée": [0, 1, 1, 2],
}


def all_tables(s: Session, scope: ReportScope = SEASON) -> dict[str, IndicatorTable]:
    return {t.key: t for t in indicators.indicator_tables(s, scope)}


def test_every_table_of_the_hand_built_season(world: tuple[Database, World]) -> None:
    db, _ = world
    with db.session(commit=False) as s:
        tables = all_tables(s)
    assert list(tables) == [
        "funnel",
        "funnel_losses",
        "composition",
        "pathways",
        "company_time",
        "outcomes",
        "outcome_situations",
    ]
    assert figures(tables["funnel"]) == EXPECTED_FUNNEL
    assert figures(tables["funnel_losses"]) == EXPECTED_LOSSES
    assert figures(tables["composition"]) == EXPECTED_COMPOSITION
    assert figures(tables["pathways"]) == EXPECTED_PATHWAYS
    assert figures(tables["company_time"]) == EXPECTED_COMPANY
    assert figures(tables["outcomes"]) == EXPECTED_OUTCOMES
    assert figures(tables["outcome_situations"]) == EXPECTED_SITUATIONS


def test_one_funder_and_the_scope_by_site_and_filiere(world: tuple[Database, World]) -> None:
    db, _ = world
    with db.session(commit=False) as s:
        gen = rates.outcomes(s, SEASON, "gen")
        niort = funnel.funnel(s, ReportScope("2025-2026", site_code="du-guesclin"))
        web = funnel.funnel(s, ReportScope("2025-2026", filiere_code="web"))
        with pytest.raises(UserFacingError, match="Saison inconnue"):
            funnel.funnel(s, ReportScope("2031-2032"))
        with pytest.raises(UserFacingError, match="Site inconnu"):
            funnel.funnel(s, ReportScope("2025-2026", site_code="lyon"))
    assert [r.label for r in gen.rows] == [
        "Sortis",
        "Situation connue",
        "Situation non renseignée ou inconnue",
        "Sorties positives — Grande École du Numérique",
        "Taux de sorties positives — Grande École du Numérique (%)",
    ]
    assert any("mesuré à 3 mois" in note for note in gen.notes)
    assert figures(niort)["Candidatures"][0] == 1
    assert figures(niort)["Entrés en formation"][0] == 1
    assert figures(web)["Sortis"][0] == 1


def _names(db: Database, trace: str) -> set[str]:
    found = actions.people_behind(db, SEASON, trace, actor=COORD)
    return {p.name.split()[0] for p in found}


def test_each_figure_lists_exactly_its_people(world: tuple[Database, World]) -> None:
    db, built = world
    with db.session(commit=False) as s:
        tables = all_tables(s)
    traced = 0
    for table in tables.values():
        for row in table.rows:
            for cell in row.cells:
                if cell.trace and cell.kind == "count":
                    people = actions.people_behind(db, SEASON, cell.trace, actor=COORD)
                    assert len(people) == cell.value, (table.key, row.label)
                    traced += 1
    assert traced > 80
    assert _names(db, "funnel:entres") == {"ANNE", "BRUNO", "CHLOÉ", "GAËLLE", "HUGO"}
    assert _names(db, "funnel_lost:entres") == {"CHLOÉ"}
    assert _names(db, "funnel_loss:entretien:non_retenu") == {"DAVID"}
    assert _names(db, "composition:sexe_inconnu") == {"CHLOÉ"}
    assert _names(db, "composition:qpv_inconnu") == {"CHLOÉ"}
    assert _names(db, "composition:mineurs") == {"CHLOÉ"}
    assert _names(db, "pathways:interrompus_exterieur") == {"BRUNO"}
    assert _names(db, "outcomes:positive:gen:3") == {"ANNE", "BRUNO"}
    assert _names(db, "pathways:en_entreprise") == {"ANNE"}
    chloe = actions.people_behind(db, SEASON, "pathways:sortis_orientation", actor=COORD)
    assert [(p.candidate_id, p.site, p.stage) for p in chloe] == [
        (built.ids["chloe"], "Cobalt", "sortie")
    ]
    with pytest.raises(UserFacingError, match="ne renvoie pas"):
        actions.people_behind(db, SEASON, "composition:inexistant", actor=COORD)


def test_coordination_only(world: tuple[Database, World]) -> None:
    db, _ = world
    for use_case in (
        lambda: actions.report_tables(db, SEASON, actor=DESK),
        lambda: actions.funnel_table(db, SEASON, actor=DESK),
        lambda: actions.season_comparison(db, None, actor=DESK),
        lambda: actions.people_behind(db, SEASON, "funnel:entres", actor=DESK),
    ):
        with pytest.raises(PermissionDenied, match="Seule la coordination"):
            use_case()


def test_an_anonymised_learner_still_counts_everywhere(world: tuple[Database, World]) -> None:
    db, built = world
    with db.session(commit=False) as s:
        before = {key: figures(t) for key, t in all_tables(s).items()}
    with db.session() as s:
        assert anonymise(s, [built.ids["bruno"]], actor=COORD) == 1
    with db.session(commit=False) as s:
        after = {key: figures(t) for key, t in all_tables(s).items()}
    assert after == before
    names = {p.name for p in actions.people_behind(db, SEASON, "funnel:sortis", actor=COORD)}
    assert len(names) == 3
    assert not any(name.startswith("BRUNO") for name in names)


def test_the_seasons_side_by_side(world: tuple[Database, World]) -> None:
    db, _ = world
    with db.session() as s:  # one application of the next season
        data = CandidateInput(
            nom="Ines", prenom="Test", saison="2026-2027", site="cobalt", email="ines@exemple.fr"
        )
        late = create_candidate(s, data, actor=COORD, now=datetime(2026, 10, 1, 9)).id
    assert late
    table = actions.season_comparison(db, None, actor=COORD)
    assert table.columns == ("Indicateur", "2025-2026", "2026-2027")
    got = figures(table)
    assert got["Candidatures"] == [8, 1]
    assert got["Entrés en formation"] == [5, 0]
    assert got["Entrés sur candidatures (%)"] == [D("62.5"), D("0.0")]
    assert got["Sortis"] == [3, 0]
    assert got["Sorties positives à 3 mois — Grande École du Numérique"] == [2, 0]
    assert got["Taux de sorties positives à 3 mois — Grande École du Numérique (%)"] == [
        D("100.0"),
        None,
    ]
    entered = table.row("Entrés en formation").cells[0]
    assert entered.trace == "funnel:entres@2025-2026"
    people = actions.people_behind(db, ReportScope("2026-2027"), entered.trace, actor=COORD)
    assert len(people) == 5
    with db.session(commit=False) as s:  # the site filter: one application in Niort
        assert figures(comparison.season_comparison(s, "du-guesclin"))["Candidatures"] == [1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as s:
        seed_demo(s, today=TODAY)
    yield database
    database.dispose()


def test_the_demo_past_season_is_40_candidates_and_34_entered(demo: Database) -> None:
    table = actions.funnel_table(demo, ReportScope("2025-2026"), actor=COORD)
    assert table.row("Candidatures").cells[0].value == 40
    assert table.row("Entrés en formation").cells[0].value == 34
    assert table.row("Entrés en formation").cells[1].value == D("85.0")


def test_the_comparison_says_what_each_season_s_tables_say(demo: Database) -> None:
    compared = actions.season_comparison(demo, "cobalt", actor=COORD)
    for index, season in enumerate(compared.columns[1:]):
        scope = ReportScope(season, site_code="cobalt")
        tables = {t.key: t for t in actions.report_tables(demo, scope, actor=COORD)}
        steps, outcomes = figures(tables["funnel"]), figures(tables["outcomes"])
        column = {row.label: row.cells[index].value for row in compared.rows}
        assert column["Candidatures"] == steps["Candidatures"][0]
        assert column["Entrés en formation"] == steps["Entrés en formation"][0]
        assert column["Orientation validée"] == steps["Orientation validée"][0]
        assert column["Sortis"] == outcomes["Sortis"][0]
        gen = "Sorties positives — Grande École du Numérique"
        assert column["Sorties positives à 3 mois — Grande École du Numérique"] == outcomes[gen][1]
        e2c = "Sorties positives — Réseau E2C"
        assert column["Sorties positives à la sortie — Réseau E2C"] == outcomes[e2c][0]
    assert compared.row("Candidatures").cells[0].value > 0


def test_hours_in_company_are_the_attestation_s_on_every_demo_agreement(demo: Database) -> None:
    with demo.session(commit=False) as s:
        done = list(s.scalars(select(Agreement).where(Agreement.status.in_(pathways.DONE))))
        bulk = pathways.done_hours(s, done)
        one_by_one = {a.id: presence_summary(s, a.id).done_hours for a in done}
    assert len(done) >= 10
    assert bulk == one_by_one
    with demo.session(commit=False) as s:
        amended = s.scalars(select(Agreement).where(Agreement.number == "FAB-2026-0005")).one()
        assert amended.status in pathways.DONE
        assert pathways.done_hours(s, [amended]) == {amended.id: 287.0}


def test_composition_and_pathways_predicates_cover_their_rows(
    world: tuple[Database, World],
) -> None:
    """Every traced key of the tables is one the trace module knows (no dead link)."""
    db, _ = world
    with db.session(commit=False) as s:
        keys = {
            c.trace
            for t in (composition.composition(s, SEASON), pathways.pathways(s, SEASON))
            for r in t.rows
            for c in r.cells
            if c.trace
        }
        for key in keys:
            people_behind(s, SEASON, key, actor=COORD)
