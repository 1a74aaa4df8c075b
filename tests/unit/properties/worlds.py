"""Valid records the property tests start from, before a field is replaced by hostile text."""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from app.domain import OrientationDecision
from app.domain.agreement import Signatory
from app.services.agreements import life_cycle
from app.services.agreements.terms import AgreementInput
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.hosts import directory as hosts
from app.services.orientation import activities, criteria
from app.services.orientation import cohorts as orientation_cohorts
from app.services.settings.organisation import OrganisationInput, save_organisation
from tests.conftest import make_actor

COORDINATION = "coordination"
NOW = datetime(2026, 11, 28, 10, 0)


def candidate_input(**overrides: str) -> CandidateInput:
    values = {
        "nom": "Lefèvre",
        "prenom": "Camille",
        "saison": "2026-2027",
        "site": "cobalt",
        "telephone": "06 12 34 56 78",
        "email": "camille.lefevre@exemple.fr",
        "date_naissance": "15/03/1995",
    }
    values.update(overrides)
    return CandidateInput(**values)


def add_candidate(
    session: Session, *, entered: bool = False, at: datetime = NOW, **overrides: str
) -> int:
    """A candidate (who entered training with `entered`), created as coordination."""
    data = candidate_input(**overrides)
    candidate_id = create_candidate(
        session, data, actor=make_actor(COORDINATION, "test"), now=at
    ).id
    if entered:
        for stage in ("entretien", "admis", "entre_formation"):
            change_stage(
                session,
                candidate_id,
                stage,
                comment="",
                actor=make_actor(COORDINATION, "test"),
                now=at,
            )
    return candidate_id


ORIENTATION_DAY = "03/12/2025"  # a Wednesday of S1 for the 2025-2026 cohorts
BEFORE_SEASON = datetime(2025, 11, 1, 9, 0)


@dataclass(frozen=True)
class Orientation:
    """A cohort whose learner is in the one team of an activity (committed once per test)."""

    cohort: int
    learner: int
    activity: int
    team: int
    criterion: int


def orientation_world(session: Session) -> Orientation:
    learner = add_candidate(session, entered=True, at=BEFORE_SEASON, saison="2025-2026")
    cohort = next(c for c in orientation_cohorts.cohorts(session) if c.season == "2025-2026")
    activity = activities.create_activity(
        session,
        cohort.id,
        activities.ActivityInput(day=ORIENTATION_DAY, title="Atelier affiche"),
        actor=make_actor(COORDINATION),
    )
    info = activities.set_teams(
        session, activity.id, [("Équipe A", [learner])], actor=make_actor(COORDINATION)
    )
    criterion = criteria.criteria(session)[0].id
    return Orientation(cohort.id, learner, activity.id, info.teams[0].id, criterion)


AGREEMENT_NOW = datetime(2026, 5, 4, 9, 0)


@dataclass(frozen=True)
class Placement:
    """An organisation, a host with its tutor, a learner whose orientation was validated."""

    candidate: int
    host: int
    tutor: int


def placement_world(session: Session) -> Placement:
    save_organisation(
        session,
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
        actor=make_actor(COORDINATION),
    )
    host = hosts.create_host(
        session,
        hosts.HostInput(
            nom="Atelier Vélo Solidaire",
            forme_juridique="association",
            identifiant="73282932000074",
            adresse="5 avenue du Cycle",
            code_postal="86000",
            commune="Poitiers",
            representant="Marc Lemoine",
            fonction_representant="Président",
            assureur="MACIF",
            numero_police="AS-778899",
        ),
        actor=make_actor(COORDINATION),
    )
    tutor = hosts.add_tutor(
        session,
        host.id,
        hosts.TutorInput(nom="Jeanne Petit", fonction="Responsable atelier"),
        actor=make_actor(COORDINATION),
    )
    learner = add_candidate(
        session, entered=True, at=BEFORE_SEASON, saison="2025-2026", adresse="3 rue des Lilas"
    )
    session.add(
        OrientationDecision(
            candidate_id=learner,
            outcome="validee",
            decided_by="Claire Morel",
            decided_at=datetime(2026, 1, 9, 17, 0),
        )
    )
    session.flush()
    return Placement(learner, host.id, tutor.id)


def agreement_input(world: Placement, **overrides: object) -> AgreementInput:
    data = AgreementInput(
        candidat=str(world.candidate),
        structure=str(world.host),
        tuteur=str(world.tutor),
        formateur_referent="Samir Haddad",
        telephone_referent="05 49 52 10 10",
        email_referent="samir.haddad@fabrique-numerique.fr",
        financeur="region",
        date_debut="01/06/2026",
        date_fin="31/07/2026",
        horaires={day: "7" for day in range(5)},
        activites="Accueil des usagers, petites réparations.",
        competences="Diagnostic ; relation client",
        indemnite="4,35",
        unite_indemnite="heure",
        mode_versement="virement",
        avantages="Tickets restaurant",
    )
    return replace(data, **overrides)  # type: ignore[arg-type]


def signed_agreement(session: Session, world: Placement, **overrides: object) -> int:
    """Drafted, numbered and signed by everybody on 04/05/2026."""
    data = agreement_input(world, **overrides)
    info = life_cycle.create_draft(
        session, data, actor=make_actor(COORDINATION, "Claire"), now=AGREEMENT_NOW
    )
    life_cycle.mark_ready(
        session, info.id, actor=make_actor(COORDINATION, "Claire"), now=AGREEMENT_NOW
    )
    for who in Signatory:
        life_cycle.record_signature(
            session,
            info.id,
            who.value,
            AGREEMENT_NOW.date(),
            actor=make_actor(COORDINATION, "Claire"),
            now=AGREEMENT_NOW,
        )
    return info.id
