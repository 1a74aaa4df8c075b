"""Demonstration data for the orientation period of the finished season, and of the current
season's cohorts when they have entered training (only the days before the reference day).

For each cohort of the past season: two or three activities a week over S1 … S6 (workshops,
real cases for partner associations, visits, events), teams of three to five learners, the
trainers' observations on the team-work grid with each learner's profile and progress, a few
corrections, short factual comments, every learner's professional project, and the end-of-
orientation decision matching the stage the learner's history already went through.

Learners' stages are never moved: the decisions already reached are in the candidates'
histories, so decisions are recorded beside them. Deterministic for a given random generator
and day.
"""

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.demo import words
from app.demo.projects import (
    CURRENT,
    PAST,
    SESSION_STEPS,
    project_activity_title,
    session_title,
)
from app.demo.projects import cases as real_cases
from app.demo.timeline import in_training
from app.domain import (
    Candidate,
    Criterion,
    Observation,
    OrientationDecision,
    Stage,
    StageChange,
)
from app.domain.orientation import Level, Outcome, ProjectStatus
from app.domain.values import ALLOWED_TRANSITIONS, EXIT_STAGE
from app.services import reference
from app.services.base_access.demo_mark import demo_actor
from app.services.orientation import activities as orientation_activities
from app.services.orientation import cohorts as orientation_cohorts
from app.services.orientation import criteria
from app.services.orientation import decisions as orientation_decisions
from app.services.orientation import grid as orientation_grid
from app.services.orientation import projects as orientation_projects
from app.services.orientation.activities import ActivityInput
from app.services.orientation.cohorts import CohortInfo
from app.services.validation import format_date

COORDINATION_ROLE = "coordination"
TRAINER_ROLE = "formateur"
TEAM_NAMES = (
    "Équipe bleue",
    "Équipe verte",
    "Équipe orange",
    "Équipe violette",
    "Équipe jaune",
    "Équipe rouge",
)
_OUTCOME_BY_STAGE = {
    "orientation_validee": Outcome.VALIDATED,
    "orientation_reserves": Outcome.WITH_RESERVATIONS,
    "orientation_non_validee": Outcome.NOT_VALIDATED,
}
_DECISION_STAGES = frozenset(_OUTCOME_BY_STAGE)
# Fixed-date public holidays: no activity on these days.
_HOLIDAYS = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))
_RANK_LEVEL = {3: Level.ACQUIS.value, 2: Level.EN_COURS.value, 1: Level.NON_ACQUIS.value}
_LEVEL_RANK = {value: rank for rank, value in _RANK_LEVEL.items()}

# ---------------------------------------------------------------- the programme of S1 … S6


# Per week: (kind, title); a title may be a dict per site. The first two of a week always
# happen, the third now and then.
@dataclass(frozen=True)
class _Real:
    """A session on the real case of `slot` (app/demo/projects.py): the cohort's first one is
    the project's activity, the later ones work sessions (`step` in SESSION_STEPS)."""

    slot: str
    step: int


_Title = str | _Real | dict[str, str | _Real]
WEEKS: tuple[tuple[tuple[str, _Title], ...], ...] = (
    (
        ("atelier", "Atelier d'accueil : se présenter et présenter son voisin"),
        ("atelier", "Atelier : écrire ensemble la charte de la promotion"),
        (
            "visite",
            {
                "cobalt": "Visite de l'espace numérique de la médiathèque François-Mitterrand",
                "du-guesclin": "Visite de l'espace numérique de la médiathèque Pierre-Moinot",
            },
        ),
    ),
    (
        ("projet_reel", _Real("a", 0)),
        ("atelier", "Atelier : découvrir Git et travailler à plusieurs sur un dépôt"),
        ("atelier", "Atelier métiers : les trois filières racontées par d'anciens apprenants"),
    ),
    (
        ("projet_reel", _Real("a", 1)),
        ("projet_reel", {"cobalt": _Real("b", 0), "du-guesclin": _Real("c", 0)}),
        (
            "visite",
            {
                "cobalt": "Visite des Usines Nouvelles (Ligugé) : tiers-lieu et ateliers",
                "du-guesclin": "Visite d'une entreprise de services numériques à Niort",
            },
        ),
    ),
    (
        ("projet_reel", {"cobalt": _Real("b", 1), "du-guesclin": _Real("c", 1)}),
        ("evenement", "Hackathon open data : données de transport et de la ville"),
        ("atelier", "Atelier : débat mouvant sur les usages du numérique"),
    ),
    (
        ("atelier", "Atelier projet professionnel : enquête métier en binôme"),
        ("projet_reel", {"cobalt": _Real("d", 0), "du-guesclin": _Real("c", 2)}),
        ("atelier", "Atelier : préparer une présentation orale en équipe"),
    ),
    (
        ("projet_reel", "Restitution des projets réels devant les partenaires"),
        (
            "evenement",
            {
                "cobalt": "Salon Niort Numéric : rencontres avec les exposants",
                "du-guesclin": "Salon Niort Numéric : tenue du stand de la Fabrique",
            },
        ),
        ("atelier", "Atelier bilan : se situer sur la grille d'orientation"),
    ),
)

# Where the events of the grid above take place (by the start of their title).
EVENT_PLACES = (
    ("Hackathon open data", "Espace Mendès France, Poitiers"),
    ("Salon Niort Numéric", "Parc des expositions de Noron, Niort"),
)


def event_place(kind: str, title: str) -> str:
    if kind != "evenement":
        return ""
    return next((place for start, place in EVENT_PLACES if title.startswith(start)), "")


# ---------------------------------------------------------------- comments and projects

NOTES_POSITIVE = (
    "A pris la parole pour présenter la maquette de l'équipe.",
    "Aide spontanément un camarade sur Git.",
    "Propose de répartir les tâches et tient le tableau de suivi.",
    "Pose des questions précises aux partenaires.",
    "Termine sa partie en avance et relit celle des autres.",
    "Reformule les besoins du client pour toute l'équipe.",
    "Apaise un désaccord sur le choix des couleurs en proposant un vote.",
    "A préparé des questions pour l'enquête métier avant la séance.",
)
NOTES_NEUTRAL = (
    "Participe quand on l'y invite, peu d'initiatives.",
    "Travail soigné mais rendu un peu après l'échéance de l'équipe.",
    "Découvre l'outil, a besoin d'exemples avant de se lancer.",
    "Bonne écoute, prend des notes pour le groupe.",
    "A changé de rôle en cours de séance à sa demande.",
)
NOTES_STRUGGLING = (
    "Retard de 20 min, a prévenu.",
    "Reste en retrait lors du débat.",
    "Absence le matin, présence l'après-midi (rendez-vous médical).",
    "Téléphone sorti à plusieurs reprises malgré la consigne.",
    "N'a pas terminé sa partie ; l'équipe a dû la reprendre.",
    "Difficulté à accepter les remarques de l'équipe ; a quitté la salle un moment.",
    "Retard de 40 min sans prévenir.",
)
TARGET_JOBS = {
    "reseaux": (
        "Technicien·ne d'assistance informatique",
        "Technicien·ne réseaux",
        "Technicien·ne de maintenance informatique",
    ),
    "web": ("Développeur·se web", "Intégrateur·rice web", "Développeur·se web et web mobile"),
    "contenus": (
        "Community manager",
        "Chargé·e de communication numérique",
        "Rédacteur·rice web",
    ),
}
ENQUIRIES = {
    "reseaux": (
        "le service informatique d'une mairie",
        "un atelier de réparation informatique solidaire",
        "une entreprise de services numériques",
    ),
    "web": ("une agence web", "un développeur indépendant", "une PME du numérique"),
    "contenus": (
        "une agence de communication",
        "la chargée de communication d'une association",
        "un centre socioculturel (médiation numérique)",
    ),
}
STEPS = (
    "Enquête métier auprès de {enquiry}.",
    "Immersion d'une journée prévue (PMSMP).",
    "Fiche métier {job} rédigée et présentée à l'équipe.",
    "Recherche de stage : trois structures repérées.",
)
RESERVES_REASONS = (
    "Projet à préciser (hésite entre {project} et {other}) ; prise de parole en équipe "
    "à travailler. Point d'étape prévu en mars."
)
NON_VALIDATED_REASON = (
    "Absences et retards répétés, engagement dans l'équipe insuffisant ; projet non stabilisé. "
    "Orientation vers la Mission locale pour construire un nouveau projet."
)


# ---------------------------------------------------------------- what the caller gets


@dataclass(frozen=True)
class OrientationSummary:
    season: str
    cohorts: int
    activities: int
    observations: int
    decisions: int
    current: "OrientationSummary | None" = None  # the season in training, once it has started
    # The cohorts' project activities: (activity id, real case's slot, day).
    real_cases: tuple[tuple[int, str, date], ...] = ()

    def describe(self) -> str:
        return self.text() + "."

    def text(self) -> str:
        text = (
            f"orientation {self.season} : {self.cohorts} promotions, {self.activities} activités, "
            f"{self.observations} observations, {self.decisions} décisions"
        )
        if self.current is not None:
            text += f" ; {self.current.text()}"
        return text


# ---------------------------------------------------------------- learners


@dataclass
class _Learner:
    id: int
    filiere: str  # code, "" when none was wished
    outcome: Outcome | None  # None: left during the orientation period
    decided_at: datetime | None
    left_on: date | None  # the day of the exit, when it came during the orientation
    profile: str = "average"
    offsets: dict[str, float] = field(default_factory=dict)

    def present(self, day: date) -> bool:
        return self.left_on is None or day < self.left_on

    @property
    def in_orientation(self) -> bool:
        """Still in the orientation period on the reference day: no decision, not left."""
        return self.outcome is None and self.left_on is None


def _weekdays(start: date) -> list[date]:
    days = [start + timedelta(days=i) for i in range(7)]
    return [d for d in days if d.weekday() < 5 and (d.month, d.day) not in _HOLIDAYS]


class _OrientationSeeder:
    def __init__(self, session: Session, rng: random.Random, today: date, role: str) -> None:
        self.session = session
        self.rng = rng
        self.today = today
        self.role = role  # whose real cases: the finished season's or the current one's
        self.real_cases: list[tuple[int, str, date]] = []
        self.criteria = {c.code: c.id for c in self.session.scalars(select(Criterion))}
        self.criterion_codes = [c.code for c in criteria.criteria(session)]
        self.filiere_codes = {f.id: f.code for f in reference.filieres(session)}
        self.activities = 0
        self.observations = 0
        self.decisions = 0

    # -- learners and their profiles

    def learners(self, cohort: CohortInfo) -> list[_Learner]:
        ids = [
            learner.candidate_id
            for learner in orientation_cohorts.cohort_learners(self.session, cohort.id)
        ]
        candidates = {
            c.id: c for c in self.session.scalars(select(Candidate).where(Candidate.id.in_(ids)))
        }
        changes: dict[int, list[tuple[datetime, str]]] = {}
        for candidate_id, changed_at, code in self.session.execute(
            select(StageChange.candidate_id, StageChange.changed_at, Stage.code)
            .join(Stage, Stage.id == StageChange.to_stage_id)
            .where(StageChange.candidate_id.in_(ids))
            .order_by(StageChange.id)
        ):
            changes.setdefault(candidate_id, []).append((changed_at, code))
        end = cohort.orientation_end
        result = []
        for candidate_id in ids:
            history = changes.get(candidate_id, [])
            decided = [(when, code) for when, code in history if code in _DECISION_STAGES]
            exits = [when.date() for when, code in history if code == EXIT_STAGE]
            left_on = exits[0] if exits and exits[0] < end else None
            candidate = candidates[candidate_id]
            learner = _Learner(
                id=candidate_id,
                filiere=self.filiere_codes.get(candidate.filiere_id or 0, ""),
                outcome=_OUTCOME_BY_STAGE[decided[-1][1]] if decided else None,
                decided_at=decided[-1][0] if decided else None,
                left_on=left_on if not decided else None,
            )

            self.profile(learner)
            result.append(learner)
        return result

    def profile(self, learner: _Learner) -> None:
        rng = self.rng
        if learner.in_orientation:
            learner.profile = rng.choices(("strong", "average", "struggling"), (3, 5, 2))[0]
        elif learner.outcome == Outcome.NOT_VALIDATED:
            learner.profile = "struggling"
        elif learner.outcome == Outcome.WITH_RESERVATIONS or learner.outcome is None:
            learner.profile = rng.choice(("average", "struggling"))
        else:
            learner.profile = rng.choices(("strong", "average", "struggling"), (4, 5, 1))[0]
        learner.offsets = {code: rng.gauss(0, 0.3) for code in self.criterion_codes}

    def level(self, learner: _Learner, code: str, week: int) -> str:
        base, progress = {
            "strong": (2.45, 0.08),
            "average": (1.8, 0.14),
            "struggling": (1.2, 0.16),
        }[learner.profile]
        ceiling = 3
        if learner.outcome == Outcome.NOT_VALIDATED and code in ("E1", "E2", "E5"):
            base, progress, ceiling = 1.05, 0.0, 2
        elif learner.outcome == Outcome.WITH_RESERVATIONS and code in ("E4", "P1"):
            base, progress = 1.4, 0.08
        score = base + progress * (week - 1) + learner.offsets[code] + self.rng.gauss(0, 0.3)
        return _RANK_LEVEL[min(ceiling, max(1, round(score)))]

    # -- activities

    def cohort(self, cohort: CohortInfo, site: str) -> None:
        learners = self.learners(cohort)
        staff = words.STAFF[site]
        started: set[str] = set()  # the real cases whose project activity this cohort has
        for week, plan in enumerate(WEEKS, start=1):
            week_start = cohort.start_date + timedelta(weeks=week - 1)
            count = 3 if self.rng.random() < 0.55 else 2
            days = sorted(self.rng.sample(_weekdays(week_start), count))
            for day, (kind, title) in zip(days, plan[:count], strict=True):
                entry = title[site] if isinstance(title, dict) else title
                text, slot = self.title(entry, started)
                if day < self.today:
                    activity_id = self.activity(
                        cohort, site, staff.formateurs, learners, day, week, kind, text
                    )
                elif week_start <= self.today:
                    activity_id = self.planned(cohort, staff.formateurs, day, kind, text)
                elif slot and week_start <= self.today + timedelta(weeks=1):
                    # Next week's real case: the project is already given to the teams.
                    activity_id = self.planned(cohort, staff.formateurs, day, kind, text)
                    self.give_to_teams(activity_id, learners)
                else:
                    continue
                if slot:
                    self.real_cases.append((activity_id, slot, day))
        self.projects(learners, staff.formateurs, cohort)
        self.decide(learners, staff.coordination_author)

    def activity(
        self,
        cohort: CohortInfo,
        site: str,
        trainers: tuple[str, ...],
        learners: list[_Learner],
        day: date,
        week: int,
        kind: str,
        title: str,
    ) -> int:
        rng = self.rng
        lead = rng.choice(trainers)
        team_trainers = [lead]
        if kind in ("projet_reel", "evenement") or rng.random() < 0.3:
            team_trainers = list(trainers)
            team_trainers.remove(lead)
            team_trainers.insert(0, lead)
        info = orientation_activities.create_activity(
            self.session,
            cohort.id,
            ActivityInput(
                day=format_date(day),
                title=title,
                kind=kind,
                trainers=", ".join(team_trainers),
                place=event_place(kind, title),
            ),
            actor=demo_actor(role=TRAINER_ROLE),
        )
        self.activities += 1
        present = [learner for learner in learners if learner.present(day)]
        rng.shuffle(present)
        teams_count = max(1, round(len(present) / 4))
        teams = [
            (TEAM_NAMES[i], [learner.id for learner in present[i::teams_count]])
            for i in range(teams_count)
        ]
        orientation_activities.set_teams(
            self.session, info.id, teams, actor=demo_actor(role=TRAINER_ROLE)
        )
        by_id = {learner.id: learner for learner in present}
        corrections: list[tuple[Observation, str]] = []
        clock = datetime.combine(day, time(16, 30))
        for index, (_, members) in enumerate(teams):
            author = words.TRAINER_AUTHORS[team_trainers[index % len(team_trainers)]]
            for candidate_id in members:
                learner = by_id[candidate_id]
                clock += timedelta(minutes=1)
                observed = rng.sample(self.criterion_codes, rng.randint(4, 7))
                for code in sorted(observed, key=self.criterion_codes.index):
                    value = self.level(learner, code, week)
                    wrong = self.wrong_level(value) if rng.random() < 0.02 else None
                    row = Observation(
                        activity_id=info.id,
                        candidate_id=candidate_id,
                        criterion_id=self.criteria[code],
                        level=wrong or value,
                        author=author,
                        recorded_at=clock,
                    )
                    self.session.add(row)
                    self.observations += 1
                    if wrong is not None:
                        corrections.append((row, value))
                if rng.random() < 0.3:
                    orientation_grid.record_note(
                        self.session,
                        info.id,
                        candidate_id,
                        self.note(learner),
                        actor=demo_actor(author, TRAINER_ROLE),
                        now=clock,
                    )
        self.session.flush()
        for first, value in corrections:
            self.session.add(
                Observation(
                    activity_id=first.activity_id,
                    candidate_id=first.candidate_id,
                    criterion_id=first.criterion_id,
                    level=value,
                    author=first.author,
                    recorded_at=first.recorded_at + timedelta(minutes=rng.randint(3, 40)),
                    supersedes_id=first.id,
                )
            )
            self.observations += 1
        return info.id

    def title(self, entry: str | _Real, started: set[str]) -> tuple[str, str]:
        """The activity's title, and the real case's slot when it is the project's activity."""
        if isinstance(entry, str):
            return entry, ""
        case = real_cases(self.role)[entry.slot]
        if entry.slot in started:
            return session_title(case, SESSION_STEPS[entry.slot][entry.step]), ""
        started.add(entry.slot)
        return project_activity_title(case), entry.slot

    def planned(
        self, cohort: CohortInfo, trainers: tuple[str, ...], day: date, kind: str, title: str
    ) -> int:
        """An activity of this week still to come: planned, nobody observed yet."""
        info = orientation_activities.create_activity(
            self.session,
            cohort.id,
            ActivityInput(
                day=format_date(day),
                title=title,
                kind=kind,
                trainers=trainers[0],
                place=event_place(kind, title),
            ),
            actor=demo_actor(role=TRAINER_ROLE),
        )
        self.activities += 1
        return info.id

    def give_to_teams(self, activity_id: int, learners: list[_Learner]) -> None:
        present = [learner.id for learner in learners if learner.left_on is None]
        self.rng.shuffle(present)
        count = max(1, round(len(present) / 4))
        teams = [(TEAM_NAMES[i], present[i::count]) for i in range(count)]
        orientation_activities.set_teams(
            self.session, activity_id, teams, actor=demo_actor(role=TRAINER_ROLE)
        )

    def wrong_level(self, value: str) -> str:
        """A slip of the keyboard: the neighbouring level, corrected just after."""
        rank = _LEVEL_RANK[value]
        return _RANK_LEVEL[rank + 1 if rank < 3 else rank - 1]

    def note(self, learner: _Learner) -> str:
        weights = {
            "strong": (7, 2, 1),
            "average": (3, 4, 2),
            "struggling": (1, 2, 6),
        }[learner.profile]
        pool = self.rng.choices((NOTES_POSITIVE, NOTES_NEUTRAL, NOTES_STRUGGLING), weights)[0]
        return self.rng.choice(pool)

    # -- professional projects and decisions

    def projects(
        self, learners: list[_Learner], trainers: tuple[str, ...], cohort: CohortInfo
    ) -> None:
        rng = self.rng
        day = cohort.orientation_end - timedelta(days=rng.randint(4, 6))
        if day >= self.today:
            # Orientation in progress: projects take shape from the third week on.
            if self.today < cohort.start_date + timedelta(weeks=2, days=1):
                return
            day = self.today
        for learner in learners:
            if not learner.filiere:
                learner.filiere = rng.choice(sorted(TARGET_JOBS))
            job = rng.choice(TARGET_JOBS[learner.filiere])
            steps = [
                step.format(enquiry=rng.choice(ENQUIRIES[learner.filiere]), job=job.lower())
                for step in STEPS
            ]
            status = ProjectStatus.VALIDATED
            if learner.outcome == Outcome.WITH_RESERVATIONS:
                status, steps = ProjectStatus.IN_PROGRESS, steps[:2]
            elif learner.outcome != Outcome.VALIDATED:
                status, steps = rng.choice(
                    ((ProjectStatus.TO_BUILD, steps[:1]), (ProjectStatus.IN_PROGRESS, steps[:2]))
                )
            when = learner.left_on or day
            trainer = rng.choice(trainers)
            orientation_projects.save_project(
                self.session,
                learner.id,
                filiere=learner.filiere,
                target_job=job,
                steps="\n".join(f"- {step}" for step in steps),
                status=status.value,
                actor=demo_actor(words.TRAINER_AUTHORS[trainer], TRAINER_ROLE),
                now=datetime.combine(_before(when), time(12)),
            )

    def decide(self, learners: list[_Learner], author: str) -> None:
        for learner in learners:
            if learner.outcome is None or learner.decided_at is None:
                continue  # left during the orientation period: no decision was taken
            project, other = words.PROJECTS[learner.filiere]
            reason = {
                Outcome.VALIDATED: "",
                Outcome.WITH_RESERVATIONS: RESERVES_REASONS.format(project=project, other=other),
                Outcome.NOT_VALIDATED: NON_VALIDATED_REASON,
            }[learner.outcome]
            filiere = "" if learner.outcome == Outcome.NOT_VALIDATED else learner.filiere
            self.record_decision(learner, learner.outcome, filiere, reason, author)
            self.decisions += 1

    def record_decision(
        self, learner: _Learner, outcome: Outcome, filiere: str, reason: str, author: str
    ) -> None:
        """Through the service when it leaves the stage alone, else as a row beside it."""
        assert learner.decided_at is not None
        candidate = self.session.scalar(
            select(Candidate).where(Candidate.id == learner.id).options(joinedload(Candidate.stage))
        )
        assert candidate is not None
        current = candidate.stage.code
        target = next(code for code, value in _OUTCOME_BY_STAGE.items() if value == outcome)
        moves = current != target and (
            current in _DECISION_STAGES or target in ALLOWED_TRANSITIONS.get(current, ())
        )
        if not moves:
            orientation_decisions.decide(
                self.session,
                learner.id,
                outcome=outcome.value,
                filiere=filiere,
                reason=reason,
                actor=demo_actor(author, COORDINATION_ROLE),
                now=learner.decided_at,
            )
            return
        filiere_id = next(
            (key for key, code in self.filiere_codes.items() if code == filiere), None
        )
        self.session.add(
            OrientationDecision(
                candidate_id=learner.id,
                outcome=outcome.value,
                filiere_id=filiere_id,
                reason=reason or None,
                decided_by=author,
                decided_at=learner.decided_at,
            )
        )


def _before(day: date) -> date:
    """The last weekday before `day`."""
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


# ---------------------------------------------------------------- entry point


def seed_orientation(
    session: Session, rng: random.Random, today: date, current_rng: random.Random | None = None
) -> OrientationSummary:
    """The orientation period of the finished season, for each of its cohorts; then, once the
    current season has entered training, what its cohorts have done so far (drawn from
    `current_rng`, so that the past season does not depend on the day)."""
    year = reference.season_start_year(today)
    summary = _seed_season(session, rng, today, reference.season_label(year - 1), PAST)
    if in_training(today):
        label = reference.season_label(year)
        current = _seed_season(session, current_rng or rng, today, label, CURRENT)
        summary = replace(summary, current=current)
    return summary


def _seed_season(
    session: Session, rng: random.Random, today: date, label: str, role: str
) -> OrientationSummary:
    sites = {o.id: o.code for o in reference.sites(session)}
    seeder = _OrientationSeeder(session, rng, today, role)
    cohorts = [c for c in orientation_cohorts.cohorts(session) if c.season == label]
    for cohort in sorted(cohorts, key=lambda c: c.site_id):
        seeder.cohort(cohort, sites[cohort.site_id])
    session.flush()
    return OrientationSummary(
        season=label,
        cohorts=len(cohorts),
        activities=seeder.activities,
        observations=seeder.observations,
        decisions=seeder.decisions,
        real_cases=tuple(seeder.real_cases),
    )
