"""The demo's learners after they left: how each pathway ended, and the situation checked at 3,
6 and 12 months as far as the demo's day allows.

Made after everything else and drawn from no random generator: what a learner becomes follows
from their exit and their file number alone, so the rest of the demo stays the same. The 6- and
12-month checks are the calls the demo's history already holds (the moves to *suivi à 6 mois*
and *suivi à 12 mois*, on their day); the 3-month check is made within two weeks of its date,
the desk being a little behind (those that fell due in the last three weeks are still to do),
and one learner in eleven never answers it: "Suivis à faire" is not empty on the demo.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import words
from app.domain import Candidate, Stage, StageChange
from app.domain.outcomes import Checkpoint, CheckSource, PathwayEnd
from app.domain.values import AFTER_EXIT_STAGES, EXIT_TYPES
from app.services.base_access.demo_mark import demo_actor
from app.services.outcomes import follow_up
from app.services.outcomes.pathway import add_months
from app.services.validation import format_date

BEHIND_DAYS = 21  # the desk records a check about three weeks after it falls due, at most
UNREACHABLE_EVERY = 11  # one learner in eleven does not answer the 3-month call
CALL_STAGES = {Checkpoint.M6: "suivi_6_mois", Checkpoint.M12: "suivi_12_mois"}

# Per exit situation, what some learners become at 3, 6 and 12 months (one route each,
# chosen by the file number).
ROUTES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "cdi": (("cdi", "cdi", "cdi"),),
    "cdd_long": (("cdd_long", "cdd_long", "cdi"), ("cdd_long", "cdd_long", "cdd_court")),
    "cdd_court": (
        ("cdd_court", "interim", "cdd_long"),
        ("interim", "sans_solution", "cdd_court"),
        ("cdd_court", "cdd_long", "cdi"),
    ),
    "alternance": (("alternance", "alternance", "alternance"),),
    "creation": (("creation", "creation", "creation"),),
    "formation_qualifiante": (
        ("formation_qualifiante", "formation_qualifiante", "cdd_long"),
        ("formation_qualifiante", "formation_qualifiante", "formation_qualifiante"),
    ),
    "sans_solution": (
        ("sans_solution", "formation_non_qualifiante", "contrat_aide"),
        ("interim", "cdd_court", "cdd_long"),
        ("sans_solution", "sans_solution", "service_civique"),
        ("inconnue", "inconnue", "inconnue"),
    ),
    "autre": (("etudes", "etudes", "etudes"), ("service_civique", "service_civique", "cdd_court")),
    "abandon": (
        ("inconnue", "sans_solution", "formation_non_qualifiante"),
        ("sans_solution", "interim", "interim"),
    ),
}
COMMENTS: dict[str, str] = {
    "cdi": "Toujours en poste, en CDI.",
    "cdd_long": "En poste, contrat de six mois ou plus.",
    "cdd_court": "Contrat court en cours, cherche à le prolonger.",
    "interim": "Missions d'intérim régulières dans le numérique.",
    "contrat_aide": "Embauche en contrat aidé dans une association.",
    "alternance": "Contrat d'alternance en cours, bons retours de l'employeur.",
    "creation": "Activité lancée, premiers clients.",
    "formation_qualifiante": "Poursuit sa formation qualifiante, bons résultats.",
    "formation_non_qualifiante": "Suit une remise à niveau avant une formation qualifiante.",
    "etudes": "A repris des études.",
    "service_civique": "Mission de service civique en cours.",
    "sans_solution": "En recherche d'emploi, accompagnement France Travail.",
    "inconnue": "Pas de réponse aux appels ni aux e-mails.",
}
SOURCES = (
    CheckSource.PHONE,
    CheckSource.PHONE,
    CheckSource.EMAIL,
    CheckSource.PHONE,
    CheckSource.FRANCE_TRAVAIL,
    CheckSource.PERSON,
)
EARLY_REASONS = {
    "alternance": "Contrat d'alternance signé avant la fin de la formation.",
    "formation_qualifiante": "Entrée en formation qualifiante avant la fin du parcours.",
}
EARLY_REASON = "Embauche avant la fin de la formation."
NOT_VALIDATED_REASON = "Orientation non validée."
DROPPED_REASONS = (
    "Ne vient plus, sans nouvelles malgré les relances.",
    "Déménagement hors de la région.",
)


@dataclass(frozen=True)
class OutcomesSummary:
    pathway_ends: int
    checks: int


def _learners_who_left(session: Session) -> list[tuple[Candidate, dict[str, date]]]:
    """Each learner who left, with the stages they went through and the day of each (the
    first move into it)."""
    learners = session.scalars(
        select(Candidate)
        .join(Stage, Stage.id == Candidate.stage_id)
        .where(Stage.code.in_(AFTER_EXIT_STAGES))
        .order_by(Candidate.id)
    ).all()
    codes = {stage.id: stage.code for stage in session.scalars(select(Stage))}
    history: dict[int, dict[str, date]] = {}
    for change in session.scalars(
        select(StageChange)
        .where(StageChange.candidate_id.in_([c.id for c in learners]))
        .order_by(StageChange.id)
    ):
        moves = history.setdefault(change.candidate_id, {})
        moves.setdefault(codes[change.to_stage_id], change.changed_at.date())
    return [(c, history.get(c.id, {})) for c in learners]


def _pathway_end(candidate: Candidate, stages: dict[str, date]) -> tuple[str, str]:
    exit_type = candidate.exit_type or ""
    if "orientation_non_validee" in stages:
        return PathwayEnd.INTERRUPTED.value, NOT_VALIDATED_REASON
    if exit_type == "abandon":
        # Leaving for a move is an outside reason; funders count it apart.
        reason = DROPPED_REASONS[candidate.id % len(DROPPED_REASONS)]
        outside = reason == DROPPED_REASONS[1]
        return (PathwayEnd.INTERRUPTED_OUTSIDE if outside else PathwayEnd.INTERRUPTED).value, reason
    if "en_stage" not in stages:
        return PathwayEnd.INTERRUPTED_OUTSIDE.value, EARLY_REASONS.get(exit_type, EARLY_REASON)
    return PathwayEnd.COMPLETE.value, ""


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _check_day(
    candidate_id: int, point: Checkpoint, left_on: date, stages: dict[str, date], today: date
) -> date | None:
    """The day the check was made, None while it is still to do."""
    if point in CALL_STAGES:
        return stages.get(CALL_STAGES[point])
    if candidate_id % UNREACHABLE_EVERY == 5:
        return None
    due_on = add_months(left_on, point.months)
    checked_on = _weekday_on_or_after(due_on + timedelta(days=(candidate_id * 7) % 12))
    return checked_on if checked_on + timedelta(days=BEHIND_DAYS) <= today else None


def seed_outcomes(session: Session, today: date) -> OutcomesSummary:
    """Pathway ends and the checks the desk has made by `today` for every learner who left."""
    ends = checks = 0
    for candidate, stages in _learners_who_left(session):
        left_on = follow_up.exit_date(session, candidate.id)
        if left_on is None:
            continue
        author = words.STAFF[candidate.site.code].accueil_author
        end, reason = _pathway_end(candidate, stages)
        follow_up.set_pathway_end(
            session,
            candidate.id,
            end,
            reason,
            actor=demo_actor(words.STAFF[candidate.site.code].coordination_author),
            now=candidate.stage_changed_at,
        )
        ends += 1
        routes = ROUTES.get(candidate.exit_type or "", ROUTES["sans_solution"])
        route = routes[candidate.id % len(routes)]
        for index, point in enumerate(Checkpoint):
            checked_on = _check_day(candidate.id, point, left_on, stages, today)
            if checked_on is None:
                continue
            situation = route[index]
            follow_up.record_outcome(
                session,
                candidate.id,
                point.value,
                situation,
                format_date(checked_on),
                SOURCES[(candidate.id + index) % len(SOURCES)].value,
                COMMENTS.get(situation, EXIT_TYPES[situation]),
                actor=demo_actor(author),
                now=datetime.combine(checked_on, time(10, 30)),
            )
            checks += 1
    return OutcomesSummary(ends, checks)
