"""What the learner's bilan d'orientation prints."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from app.domain.orientation import Level
from app.pdf.bilan_data import NO_DECISION, BilanData, CommentLine, CriterionSummary, EventLine
from app.services.actor import Actor
from app.services.candidates.records import display_name, load_candidate
from app.services.orientation.cohorts import cohort_info, find_cohort
from app.services.orientation.decisions import latest_decision
from app.services.orientation.events import learner_events
from app.services.orientation.progress import learner_levels, learner_notes
from app.services.orientation.projects import project_of
from app.services.orientation.rules import REOPENED_LABEL
from app.services.permissions import require_orientation_reader
from app.services.validation import format_date

_LEVEL_RANK = {Level.ACQUIS.value: 3, Level.EN_COURS.value: 2, Level.NON_ACQUIS.value: 1}


def _trend(levels: Sequence[str]) -> str:
    observed = [_LEVEL_RANK[level] for level in levels if level in _LEVEL_RANK]
    if not observed:
        return "non observé"
    if observed[-1] > observed[0]:
        return "en progrès"
    if observed[-1] < observed[0]:
        return "en recul"
    return "stable"


def bilan_data(
    session: Session,
    candidate_id: int,
    *,
    actor: Actor,
    organisation: str = "La Fabrique du Numérique",
    today: date | None = None,
) -> BilanData:
    """What the learner's orientation summary (bilan d'orientation) prints."""
    require_orientation_reader(actor)
    candidate = load_candidate(session, candidate_id)
    cohort = find_cohort(session, candidate)
    levels = learner_levels(session, candidate_id)
    project = project_of(session, candidate_id)
    decision = latest_decision(session, candidate_id)
    summaries = tuple(
        CriterionSummary(
            code=w.criterion.code,
            label=w.criterion.label,
            latest_level=Level(levels.latest.get(w.criterion.id, Level.NON_OBSERVE.value)).label,
            trend=_trend(w.by_week),
            weekly_levels=tuple(Level(v).label if v else "" for v in w.by_week),
        )
        for w in levels.weeks
    )
    decision_label = decision.outcome_label if decision else NO_DECISION
    decision_reason = decision.reason if decision else ""
    if decision is not None and decision.reopened:
        decision_label = f"{REOPENED_LABEL} : nouvelle décision à prendre"
    if cohort is not None:
        info = cohort_info(cohort)
        cohort_label = f"{info.label} ({cohort.site.city})"
        period = f"du {format_date(info.start_date)} au {format_date(info.orientation_end)}"
    else:
        cohort_label = period = ""
    return BilanData(
        organisation=organisation,
        learner_name=display_name(candidate),
        birth_date=candidate.birth_date,
        cohort_label=cohort_label,
        period=period,
        criteria=summaries,
        comments=tuple(
            CommentLine(n.day, n.activity, n.author, n.text)
            for n in learner_notes(session, candidate_id)
        ),
        project_filiere=project.filiere,
        project_job=project.target_job,
        project_steps=project.steps,
        project_status=project.status_label,
        decision=decision_label,
        decision_filiere=decision.filiere if decision else "",
        decision_reason=decision_reason,
        decided_by=decision.decided_by if decision else "",
        decided_on=decision.decided_at.date() if decision else None,
        printed_on=today or date.today(),
        decision_reopened=decision is not None and decision.reopened,
        events=tuple(
            EventLine(e.day, e.title, e.place) for e in learner_events(session, candidate_id)
        ),
    )
