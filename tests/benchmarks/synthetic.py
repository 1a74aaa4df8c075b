"""A synthetic database at network scale, built fast with bulk inserts.

100 000 candidates over 20 seasons and both sites, 40 000 of them learners with orientation
observations, 20 000 agreements; each candidate's stage history (received, then entered and
where they are now), the exit situation of those who left and, for half of them, their
situation 3 months later (what the indicators read). Rows are made the way the services make
them (the same search index text), but inserted in bulk: the services would take hours for
this volume.
"""

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from app.domain import (
    Activity,
    Agreement,
    Candidate,
    Cohort,
    Criterion,
    Host,
    LearnerOutcome,
    Observation,
    Season,
    Site,
    Stage,
    StageChange,
    Tutor,
)
from app.domain.values import AFTER_EXIT_STAGES
from app.services import reference
from app.services.base_access.opening import open_app_database
from app.services.candidates.records import _index_text  # the services' own search index text

LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Légaré",
    "Guérin",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérard",
    "Boyer",
    "Garnier",
    "Chevalier",
    "Clément",
    "Gauthier",
    "Perrin",
    "Robin",
    "Masson",
    "Sanchez",
    "Henry",
    "Rivière",
    "N'Diaye",
    "Diallo",
    "Traoré",
    "Nguyen",
    "Benali",
    "Haddad",
    "Kaya",
    "Öztürk",
    "Da",
    "Silva",
    "Ferreira",
    "Lopes",
    "Hébert",
]
FIRST_NAMES = [
    "Léa",
    "Emma",
    "Chloé",
    "Inès",
    "Manon",
    "Jade",
    "Louise",
    "Zoé",
    "Camille",
    "Sarah",
    "Hélène",
    "Océane",
    "Nadia",
    "Fatou",
    "Lucas",
    "Hugo",
    "Louis",
    "Nathan",
    "Enzo",
    "Mathis",
    "Théo",
    "Noah",
    "Gabriel",
    "Raphaël",
    "Loïc",
    "Jérôme",
    "Mehdi",
    "Yanis",
    "Karim",
    "Moussa",
    "Quentin",
    "Grégoire",
    "Aurélien",
    "Françoise",
    "Maëlle",
    "Anaïs",
    "Bérénice",
    "Élodie",
]
CITIES = [
    "Poitiers",
    "Niort",
    "Châtellerault",
    "Parthenay",
    "Loudun",
    "Melle",
    "Bressuire",
    "Thouars",
    "Ligugé",
    "Chauvigny",
    "Montmorillon",
    "Saint-Maixent-l'École",
    "Chasseneuil-du-Poitou",
    "Buxerolles",
]
BATCH = 5_000


@dataclass(frozen=True)
class Scale:
    candidates: int = 100_000
    seasons: int = 20
    learners: int = 40_000
    agreements: int = 20_000
    observations_per_learner: int = 60
    matrix_learners: int = 20  # the newest Cobalt cohort, opened by the benchmark


@dataclass(frozen=True)
class Built:
    url: str
    seconds: float
    counts: dict[str, int]
    matrix_cohort_id: int
    sample_candidate_ids: list[int]
    agreement_ids: list[int]


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(table), chunk)


def _ids(session: Session, model: Any) -> list[int]:
    return list(session.scalars(select(model.id).order_by(model.id)))


def _seasons(session: Session, scale: Scale, today: date) -> list[int]:
    newest = reference.season_start_year(today)  # the season the window opens on
    existing = {s.label for s in session.scalars(select(Season))}
    rows = [
        {"label": reference.season_label(year), "start_date": date(year, 12, 1)}
        for year in range(newest - scale.seasons + 1, newest + 1)
        if reference.season_label(year) not in existing
    ]
    _insert(session, Season.__table__, rows)  # type: ignore[arg-type]
    labels = [reference.season_label(y) for y in range(newest - scale.seasons + 1, newest + 1)]
    return [
        session.scalars(select(Season.id).where(Season.label == label)).one() for label in labels
    ]


def _candidate_row(
    rng: random.Random, number: int, season_id: int, site_id: int, stage_id: int, start: date
) -> dict[str, Any]:
    last = rng.choice(LAST_NAMES)
    first = rng.choice(FIRST_NAMES)
    phone = f"06{rng.randrange(10**8):08d}"
    candidate = Candidate(
        last_name=last.upper() if rng.random() < 0.1 else last,
        first_name=first,
        usage_name=rng.choice(LAST_NAMES) if rng.random() < 0.08 else None,
        email=f"{first.lower()}.{last.lower()}{number}@exemple.fr".replace(" ", "").replace(
            "'", ""
        ),
        phone=phone,
        city=rng.choice(CITIES),
    )
    _index_text(candidate)
    return {
        "last_name": candidate.last_name,
        "first_name": candidate.first_name,
        "usage_name": candidate.usage_name,
        "email": candidate.email,
        "phone": phone,
        "city": candidate.city,
        "postal_code": "86000",
        "sex": rng.choice(("F", "M")),
        "birth_date": date(1965, 1, 1) + timedelta(days=rng.randrange(40 * 365)),
        "season_id": season_id,
        "site_id": site_id,
        "stage_id": stage_id,
        "application_date": start - timedelta(days=rng.randrange(30, 150)),
        "last_action_at": datetime.combine(start, datetime.min.time()),
        "search_text": candidate.search_text,
        "email_key": candidate.email_key,
        "name_key": candidate.name_key,
        "usage_name_key": candidate.usage_name_key,
        "first_name_key": candidate.first_name_key,
    }


def build(
    url: str, scale: Scale = Scale(), *, seed: int = 2026, today: date | None = None
) -> Built:
    """Fill the (empty) database at `url`; returns what the benchmark needs to find."""
    today = today or date.today()
    rng = random.Random(seed)
    started = time.perf_counter()
    database = open_app_database(url)
    with database.session() as session:
        season_ids = _seasons(session, scale, today)
        sites = _ids(session, Site)
        stages = {s.code: s.id for s in session.scalars(select(Stage))}
        entered = [s.id for s in session.scalars(select(Stage)) if s.counts_as_entry]
        applying = [s.id for s in session.scalars(select(Stage)) if not s.counts_as_entry]
        starts = {s.id: s.start_date for s in session.scalars(select(Season))}
        newest, cobalt = season_ids[-1], sites[0]
        rows = []
        for number in range(scale.candidates):
            learner = number < scale.learners
            if learner and number < scale.matrix_learners:
                season_id, site_id = newest, cobalt
            else:
                season_id = rng.choice(season_ids[:-1]) if learner else rng.choice(season_ids)
                site_id = rng.choice(sites)
                if learner and season_id == newest and site_id == cobalt:
                    site_id = sites[1]
            stage = stages["entre_formation"] if learner else rng.choice(applying)
            if learner and rng.random() < 0.5:
                stage = rng.choice(entered)
            rows.append(_candidate_row(rng, number, season_id, site_id, stage, starts[season_id]))
        _insert(session, Candidate.__table__, rows)  # type: ignore[arg-type]
        learner_rows = session.execute(
            select(Candidate.id, Candidate.season_id, Candidate.site_id)
            .order_by(Candidate.id)
            .limit(scale.learners)
        ).all()
        _history(session, rng, stages, starts)
        matrix_cohort = _orientation(session, rng, scale, learner_rows, starts, (newest, cobalt))
        agreement_ids = _agreements(session, rng, scale, learner_rows, starts)
        counts = {
            "candidats": scale.candidates,
            "saisons": len(season_ids),
            "apprenants": scale.learners,
            "observations": session.query(Observation).count(),
            "conventions": len(agreement_ids),
        }
        sample = [r[0] for r in learner_rows[:: max(1, len(learner_rows) // 50)]]
    database.dispose()
    return Built(
        url=url,
        seconds=time.perf_counter() - started,
        counts=counts,
        matrix_cohort_id=matrix_cohort,
        sample_candidate_ids=sample,
        agreement_ids=agreement_ids,
    )


def _history(
    session: Session, rng: random.Random, stages: dict[str, int], starts: dict[int, date]
) -> None:
    """Each candidate received on their application date; a learner entered on the season's
    first day, then moved to where they are a month later; the others moved to their stage
    ten days after applying. Who left has an exit situation, half of them a 3-month check."""
    code_of = {stage_id: code for code, stage_id in stages.items()}
    exits = ("cdi", "cdd_long", "cdd_court", "alternance", "formation_qualifiante", "sans_solution")
    moves: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    exited: dict[int, str] = {}
    rows = session.execute(
        select(Candidate.id, Candidate.stage_id, Candidate.season_id, Candidate.application_date)
    ).all()
    for candidate_id, stage_id, season_id, applied in rows:
        received = datetime.combine(applied, datetime.min.time()).replace(hour=9)
        moves.append(_move(candidate_id, None, stages["recue"], received))
        code, start = code_of[stage_id], starts[season_id]
        entered = datetime.combine(start, datetime.min.time()).replace(hour=9)
        if code == "recue":
            continue
        if stage_id == stages["entre_formation"] or code not in _APPLYING:
            moves.append(_move(candidate_id, stages["recue"], stages["entre_formation"], entered))
            if stage_id != stages["entre_formation"]:
                later = entered + timedelta(days=30)
                moves.append(_move(candidate_id, stages["entre_formation"], stage_id, later))
        else:
            moves.append(_move(candidate_id, stages["recue"], stage_id, received + timedelta(10)))
        if code in AFTER_EXIT_STAGES:
            exited[candidate_id] = rng.choice(exits)
            if rng.random() < 0.5:
                checks.append(
                    {
                        "candidate_id": candidate_id,
                        "checkpoint": "3_mois",
                        "situation": rng.choice(exits),
                        "checked_on": start + timedelta(days=120),
                        "check_source": "telephone",
                        "comment": "",
                        "recorded_by": "benchmark",
                        "recorded_at": entered + timedelta(days=120),
                    }
                )
    _insert(session, StageChange.__table__, moves)  # type: ignore[arg-type]
    _insert(session, LearnerOutcome.__table__, checks)  # type: ignore[arg-type]
    for candidate_id, exit_type in exited.items():
        session.execute(
            Candidate.__table__.update()  # type: ignore[attr-defined]
            .where(Candidate.__table__.c.id == candidate_id)  # type: ignore[attr-defined]
            .values(exit_type=exit_type)
        )


_APPLYING = frozenset(
    {"recue", "contacte", "sans_reponse", "information_collective", "entretien", "admis",
     "liste_attente", "non_retenu", "desiste"}
)  # fmt: skip


def _move(candidate_id: int, from_id: int | None, to_id: int, at: datetime) -> dict[str, Any]:
    return {
        "candidate_id": candidate_id,
        "changed_at": at,
        "from_stage_id": from_id,
        "to_stage_id": to_id,
        "author": "benchmark",
        "comment": None,
    }


def _orientation(
    session: Session,
    rng: random.Random,
    scale: Scale,
    learners: list[Any],
    starts: dict[int, date],
    matrix_key: tuple[int, int],
) -> int:
    """One cohort per season and site, 30 activities each, observations for every learner."""
    pairs = sorted({(season, site) for _, season, site in learners})
    _insert(
        session,
        Cohort.__table__,  # type: ignore[arg-type]
        [{"season_id": s, "site_id": t, "start_date": starts[s], "capacity": 20} for s, t in pairs],
    )
    cohort_of = {(c.season_id, c.site_id): c.id for c in session.scalars(select(Cohort))}
    activity_rows = []
    for (season, _site), cohort_id in sorted(cohort_of.items()):
        for index in range(30):
            activity_rows.append(
                {
                    "cohort_id": cohort_id,
                    "day": starts[season] + timedelta(days=index * 42 // 30),
                    "title": f"Atelier {index + 1}",
                    "kind": "atelier",
                    "trainers": "Équipe pédagogique",
                }
            )
    _insert(session, Activity.__table__, activity_rows)  # type: ignore[arg-type]
    activities: dict[int, list[int]] = {}
    for activity_id, cohort_id in session.execute(select(Activity.id, Activity.cohort_id)):
        activities.setdefault(cohort_id, []).append(activity_id)
    criteria = _ids(session, Criterion)
    levels = ("acquis", "en_cours", "non_acquis")
    observed_at = datetime(2020, 1, 1, 10, 0)
    rows: list[dict[str, Any]] = []
    per_activity = max(1, scale.observations_per_learner // len(criteria))
    for candidate_id, season, site in learners:
        cohort_activities = activities[cohort_of[(season, site)]]
        for activity_id in rng.sample(cohort_activities, per_activity):
            for criterion_id in criteria:
                rows.append(
                    {
                        "activity_id": activity_id,
                        "candidate_id": candidate_id,
                        "criterion_id": criterion_id,
                        "level": rng.choice(levels),
                        "author": "Formateur",
                        "recorded_at": observed_at,
                    }
                )
        if len(rows) >= 50 * BATCH:
            _insert(session, Observation.__table__, rows)  # type: ignore[arg-type]
            rows = []
    _insert(session, Observation.__table__, rows)  # type: ignore[arg-type]
    return cohort_of[matrix_key]


def _agreements(
    session: Session,
    rng: random.Random,
    scale: Scale,
    learners: list[Any],
    starts: dict[int, date],
) -> list[int]:
    """Signed and finished agreements for half the learners, with 200 hosts of 2 tutors."""
    hosts = [
        {"name": f"Structure {n:03d}", "legal_form": "association", "city": rng.choice(CITIES)}
        for n in range(200)
    ]
    _insert(session, Host.__table__, hosts)  # type: ignore[arg-type]
    host_ids = _ids(session, Host)
    tutors = [
        {"host_id": host_id, "name": f"Tuteur {k} {host_id}", "function": "Responsable"}
        for host_id in host_ids
        for k in (1, 2)
    ]
    _insert(session, Tutor.__table__, tutors)  # type: ignore[arg-type]
    tutor_of: dict[int, int] = {}
    for tutor_id, host_id in session.execute(select(Tutor.id, Tutor.host_id)):
        tutor_of.setdefault(host_id, tutor_id)
    sequence: dict[int, int] = {}
    rows = []
    for candidate_id, season, _site in learners[: scale.agreements]:
        start = date(starts[season].year + 1, 6, 1)
        sequence[start.year] = sequence.get(start.year, 0) + 1
        host_id = rng.choice(host_ids)
        rows.append(
            {
                "number": f"FAB-{start.year}-{sequence[start.year]:04d}",
                "status": "terminee",
                "version": 1,
                "candidate_id": candidate_id,
                "host_id": host_id,
                "tutor_id": tutor_of[host_id],
                "referent_trainer": "Samir Haddad",
                "start_date": start,
                "end_date": date(start.year, 7, 31),
                "schedule": '{"0": 7.0, "1": 7.0, "2": 7.0, "3": 7.0, "4": 7.0}',
                "interruptions": "[]",
                "activities": "Accueil des usagers, maintenance du parc informatique.",
                "competences": "Diagnostiquer une panne ; communiquer avec les utilisateurs",
                "benefits": "",
            }
        )
    _insert(session, Agreement.__table__, rows)  # type: ignore[arg-type]
    return _ids(session, Agreement)
