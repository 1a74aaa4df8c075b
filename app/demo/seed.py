"""Demonstration data that follows the programme's calendar on the reference day.

A finished season like the programme's first one (40 candidates, 34 entries), and the current
season where the calendar puts it: in recruitment before 1 December (appointments today); from
1 December in training, its people recruited in the autumn and everything that has happened to
them since the cohort's entry (orientation, exits, internships) recorded up to the day before;
the desk then receives the first applicants of the next intake. Deterministic for a given seed
and reference day."""

import calendar
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo import words
from app.demo.agreements import AgreementsSummary, seed_agreements
from app.demo.orientation import OrientationSummary, seed_orientation
from app.demo.outcomes import seed_outcomes
from app.demo.people import People, feminine
from app.demo.projects import CURRENT, PAST, ProjectsSummary, seed_projects
from app.demo.sites import seed_site_contacts
from app.demo.timeline import PlannedInternship, in_training, season_start
from app.domain import Appointment, AppointmentKind, Candidate, Season, Site, Stage
from app.domain.values import FILIERES_SEED, POSITIVE_EXITS
from app.services import reference
from app.services.accounts.command_line import demo_accounts_text, ensure_demo_accounts
from app.services.accounts.management import has_accounts
from app.services.appointments import booking as appointments
from app.services.appointments.booking import AppointmentInfo, AppointmentInput
from app.services.base_access.demo_mark import demo_actor, is_demo_base, mark_demo_base
from app.services.candidates import records as candidates
from app.services.errors import UserFacingError
from app.services.unit_of_work import writes
from app.services.validation import format_date

ALREADY_FILLED = (
    "La base contient déjà des candidats : les données de démonstration ne sont ajoutées "
    "qu'à une base vide."
)
HAS_ACCOUNTS = (
    "Cette base a déjà des comptes : les données de démonstration vont dans une base neuve "
    "(une base de démonstration s'ouvre sans mot de passe)."
)
SITES = ("cobalt", "du-guesclin")
FILIERE_LABELS = dict(FILIERES_SEED)
PAST_SESSION_DAYS = ((9, 15), (10, 6), (10, 27), (11, 17))
PAST_SESSION_CAPACITY = 15
INTERVIEW_TIMES = ((9, 30), (10, 30), (11, 30), (14, 0), (15, 0), (16, 0))
TODAY_INTERVIEWS = {"cobalt": (10, 30), "du-guesclin": (11, 0)}


# ---------------------------------------------------------------- what the caller gets


@dataclass(frozen=True)
class SeasonSummary:
    label: str
    status: str
    per_site: tuple[tuple[str, int], ...]
    entries: int | None = None

    @property
    def candidates(self) -> int:
        return sum(count for _, count in self.per_site)

    def describe(self) -> str:
        sites = ", ".join(f"{name} : {count}" for name, count in self.per_site)
        line = f"saison {self.label} ({self.status}) : {self.candidates} candidats ({sites})"
        if self.entries is not None and self.candidates:
            share = round(100 * self.entries / self.candidates)
            line += f", dont {self.entries} entrés en formation ({share} %)"
        return line + "."


@dataclass(frozen=True)
class DemoSummary:
    today: date
    seasons: tuple[SeasonSummary, ...]
    info_sessions: int
    interviews: int
    today_appointments: int
    week_appointments: int = 0
    orientation: OrientationSummary | None = None
    agreements: AgreementsSummary | None = None
    projects: ProjectsSummary | None = None

    def describe(self) -> str:
        lines = [
            f"Données de démonstration ajoutées (jour de référence : {format_date(self.today)}) :"
        ]
        lines += [f"- {season.describe()}" for season in self.seasons]
        lines.append(
            f"- rendez-vous : {self.info_sessions} informations collectives et "
            f"{self.interviews} entretiens, dont {self.today_appointments} aujourd'hui et "
            f"{self.week_appointments} dans les sept jours qui viennent."
        )
        if self.orientation is not None:
            lines.append(f"- {self.orientation.describe()}")
        if self.agreements is not None:
            lines.append(f"- {self.agreements.describe()}")
        if self.projects is not None:
            lines.append(f"- {self.projects.describe()}")
        lines.append(demo_accounts_text())
        return "\n".join(lines)


# ---------------------------------------------------------------- dates


def _weekday_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _weekday_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class _NotYet(Exception):
    """A step of a file's time line comes after the reference day's morning: not happened yet.
    (The day's 9 o'clock steps have: the cohort's entry on 1 December, the first day of an
    internship.)"""


# The demo is made as of this time of its reference day.
MORNING = time(9, 30)


class _Clock:
    """A candidate's own time line: each event strictly after the previous one."""

    def __init__(self) -> None:
        self.last = datetime.min

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        when = max(datetime.combine(day, time(hour, minute)), self.last + timedelta(minutes=5))
        self.last = when
        return when

    def next(self) -> datetime:
        self.last += timedelta(minutes=10)
        return self.last


# ---------------------------------------------------------------- people


@dataclass
class _Person:
    id: int
    sex: str
    site: str
    filiere: str
    clock: _Clock = field(default_factory=_Clock)

    def say(self, template: str, **values: str) -> str:
        return template.format(e=feminine(self.sex), **values)

    @property
    def filiere_label(self) -> str:
        return FILIERE_LABELS.get(self.filiere, "à définir").lower()


# ---------------------------------------------------------------- plans


@dataclass(frozen=True)
class _Path:
    """How a past-season file ends: `kind` names the route, then its outcome."""

    kind: str
    exit_type: str = ""
    orientation: str = "orientation_validee"


_FULL_EXITS = (
    ("cdi",) * 2
    + ("cdd_long",) * 3
    + ("cdd_court",) * 3
    + ("alternance",) * 4
    + ("formation_qualifiante",) * 5
    + ("creation",)
    + ("sans_solution",) * 4
    + ("autre",) * 2
)
_EARLY_EXITS = ("cdi", "cdi", "alternance", "alternance", "formation_qualifiante", "cdd_long")
_CURRENT_GROUPS = (
    ("recue", 5),
    ("contacte", 4),
    ("sans_reponse", 3),
    ("information_collective", 6),
    ("entretien", 4),
    ("admis", 4),
    ("liste_attente", 2),
    ("non_retenu", 1),
    ("desiste", 1),
)


def _entered_paths() -> list[_Path]:
    """34 entries: most go to the end and its internship, a few leave early or drop out."""
    full = [
        _Path("full", e, "orientation_reserves" if i % 5 == 2 else "orientation_validee")
        for i, e in enumerate(_FULL_EXITS)
    ]
    return [
        *full,
        *(_Path("early", e) for e in _EARLY_EXITS),
        _Path("non_validee", "abandon", "orientation_non_validee"),
        _Path("non_validee", "abandon", "orientation_non_validee"),
        _Path("abandon_orientation", "abandon"),
        _Path("abandon_training", "abandon"),
    ]


def _current_entered_paths() -> list[_Path]:
    """30 entries for the season in training: the same routes, a few fewer people."""
    paths = _entered_paths()
    for kind, exit_type in (("full", "cdd_court"), ("full", "autre"), ("early", "cdi")):
        paths.remove(next(p for p in paths if (p.kind, p.exit_type) == (kind, exit_type)))
    paths.remove(next(p for p in paths if p.kind == "non_validee"))
    return paths


_NOT_ENTERED = (
    _Path("non_retenu"),
    _Path("non_retenu"),
    _Path("desiste_before"),
    _Path("desiste_after"),
    _Path("liste_attente"),
    _Path("liste_attente"),
)


# ---------------------------------------------------------------- the seeder

# A season-in-recruitment route: (person, applied, group, index in group, the site's sessions).
_Route = Callable[[_Person, date, str, int, dict[str, AppointmentInfo]], None]


class _Seeder:
    def __init__(self, session: Session, today: date, rng: random.Random) -> None:
        self.session = session
        self.today = today
        self.rng = rng
        self.people = People(rng)
        self.site_ids = {o.code: o.id for o in reference.sites(session)}
        self.site_names = {o.code: o.label for o in reference.sites(session)}
        self.slots: dict[tuple[str, date], int] = {}
        self.current_year = reference.season_start_year(today)
        self.morning = datetime.combine(today, MORNING)
        # Per season label: the internships its learners' routes lead to.
        self.internships: dict[str, list[PlannedInternship]] = {}

    def draw_from(self, rng: random.Random) -> None:
        """Draw people and routes from `rng` from now on."""
        self.rng = self.people.rng = rng

    # -- building blocks

    def create(self, site: str, season: str, applied: date) -> _Person:
        data, sex, filiere = self.people.make(site, season, applied)
        person = _Person(0, sex, site, filiere)
        when = person.clock.at(applied, self.rng.randint(9, 16), self.rng.choice((0, 15, 30, 45)))
        author = words.STAFF[site].accueil_author
        person.id = candidates.create_candidate(
            self.session, data, actor=demo_actor(author), now=when
        ).id
        return person

    def move(
        self,
        person: _Person,
        code: str,
        when: datetime,
        author: str,
        comment: str,
        exit_type: str = "",
    ) -> None:
        if when >= self.morning:
            raise _NotYet
        candidates.change_stage(
            self.session,
            person.id,
            code,
            comment=comment,
            actor=demo_actor(author),
            exit_type=exit_type or None,
            now=when,
        )

    def info_session(self, site: str, day: date, capacity: int) -> AppointmentInfo:
        staff = words.STAFF[site]
        hour, minute = staff.session_time
        data = AppointmentInput(
            kind=AppointmentKind.INFO_SESSION.value,
            date=format_date(day),
            time=f"{hour:02d}:{minute:02d}",
            duration_minutes="90",
            site=site,
            room=staff.rooms[0],
            staff=f"{staff.accueil} et {staff.formateurs[0]}",
            capacity=str(capacity),
            notes=words.SESSION_NOTES,
        )
        return appointments.create_appointment(self.session, data, actor=demo_actor())

    def interview_slot(self, site: str, day: date) -> datetime:
        day = _weekday_after(day)
        while self.slots.get((site, day), 0) >= len(INTERVIEW_TIMES):
            day = _weekday_after(day + timedelta(days=1))
        used = self.slots.get((site, day), 0)
        self.slots[(site, day)] = used + 1
        return datetime.combine(day, time(*INTERVIEW_TIMES[used]))

    def contact(
        self, person: _Person, applied: date, target: AppointmentInfo, *, no_answer: bool = False
    ) -> None:
        """First call(s), then an invitation to the information session `target`."""
        rng, staff = self.rng, words.STAFF[person.site]
        day = self.before_today(_weekday_after(applied + timedelta(days=rng.randint(1, 2))))
        template = rng.choice(words.CONTACT_COMMENTS)
        if no_answer:
            comment = rng.choice(words.NO_ANSWER_COMMENTS)
            self.move(
                person, "sans_reponse", person.clock.at(day, 11), staff.accueil_author, comment
            )
            day = self.before_today(_weekday_after(day + timedelta(days=rng.randint(2, 3))))
            template = words.CALLBACK_COMMENT
        when = person.clock.at(day, rng.randint(9, 16), rng.choice((0, 20, 40)))
        comment = person.say(template, day=format_date(target.starts_at.date()))
        self.move(person, "contacte", when, staff.accueil_author, comment)
        appointments.register(self.session, target.id, person.id, actor=demo_actor())

    def attend(self, person: _Person, info: AppointmentInfo, attendance: str = "present") -> None:
        appointments.set_attendance(
            self.session, info.id, person.id, attendance, actor=demo_actor()
        )
        if attendance == "present":
            comment = person.say(words.SESSION_COMMENT, day=format_date(info.starts_at.date()))
            when = person.clock.at(info.ends_at.date(), info.ends_at.hour, info.ends_at.minute)
            self.move(
                person,
                "information_collective",
                when,
                words.STAFF[person.site].accueil_author,
                comment,
            )

    def schedule_interview(self, person: _Person, after: date, starts: datetime) -> AppointmentInfo:
        trainer = self.rng.choice(words.STAFF[person.site].formateurs)
        data = AppointmentInput(
            kind=AppointmentKind.INTERVIEW.value,
            date=format_date(starts.date()),
            time=f"{starts:%H:%M}",
            site=person.site,
            room="bureau 2",
            staff=trainer,
        )
        info = appointments.create_appointment(self.session, data, [person.id], actor=demo_actor())
        comment = words.INTERVIEW_COMMENT.format(
            day=format_date(starts.date()), hour=f"{starts:%H:%M}", staff=trainer
        )
        when = person.clock.at(_weekday_after(after + timedelta(days=1)), 10)
        self.move(person, "entretien", when, words.TRAINER_AUTHORS[trainer], comment)
        return info

    def interview_done(self, person: _Person, info: AppointmentInfo) -> date:
        appointments.set_attendance(self.session, info.id, person.id, "present", actor=demo_actor())
        return info.starts_at.date()

    def decide(self, person: _Person, code: str, day: date, comment: str) -> None:
        when = person.clock.at(day, 17, 30)
        self.move(person, code, when, words.STAFF[person.site].coordination_author, comment)

    def before_today(self, day: date) -> date:
        return min(day, self.today - timedelta(days=1))

    def decision_comment(self, person: _Person, code: str) -> str:
        templates = {
            "admis": words.ADMITTED_COMMENTS,
            "non_retenu": words.NOT_RETAINED_COMMENTS,
            "liste_attente": (words.WAITING_LIST_COMMENT,),
        }[code]
        return person.say(self.rng.choice(templates), filiere=person.filiere_label)

    # -- the finished season (like the programme's first: 40 candidates, 34 entries)

    def past_season(self) -> None:
        self.recruited_season(self.current_year - 1, _entered_paths())

    def season_in_training(self) -> None:
        """The current season recruited in the autumn, its files played up to yesterday."""
        self.recruited_season(self.current_year, _current_entered_paths())

    def recruited_season(self, year: int, entered: list[_Path]) -> None:
        label, start = reference.season_label(year), date(year, 12, 1)
        for site in SITES:
            for month, day in PAST_SESSION_DAYS:
                self.info_session(
                    site, _weekday_after(date(year, month, day)), PAST_SESSION_CAPACITY
                )
        for applied, site, path in self.past_plan(year, entered):
            try:
                self.past_candidate(label, start, site, path, applied)
            except _NotYet:
                continue  # the rest of this file's time line is still to come

    def past_plan(self, year: int, entered: list[_Path]) -> list[tuple[date, str, _Path]]:
        rng = self.rng
        rng.shuffle(entered)
        refused = list(_NOT_ENTERED)
        rng.shuffle(refused)
        split = (len(entered) + 2) // 2
        per_site = {
            "cobalt": entered[:split] + refused[:3],
            "du-guesclin": entered[split:] + refused[3:],
        }
        first, span = date(year, 9, 1), (date(year, 11, 3) - date(year, 9, 1)).days
        plan = [
            (_weekday_after(first + timedelta(days=rng.randint(0, span))), site, path)
            for site in SITES
            for path in per_site[site]
        ]
        return sorted(plan, key=lambda item: item[0])

    def next_session(self, site: str, day: date) -> AppointmentInfo:
        found = appointments.upcoming_sessions(self.session, day, self.site_ids[site])
        if not found:
            raise RuntimeError(f"no demonstration session left at {site} after {day}")
        return found[0]

    def past_candidate(
        self, season: str, start: date, site: str, path: _Path, applied: date
    ) -> None:
        rng = self.rng
        person = self.create(site, season, applied)
        target = self.next_session(site, applied + timedelta(days=12))
        self.contact(person, applied, target, no_answer=rng.random() < 0.2)
        target = self.missed_first(person, target)
        self.attend(person, target)
        session_day = target.starts_at.date()
        if path.kind == "desiste_before":
            day = _weekday_after(session_day + timedelta(days=rng.randint(2, 5)))
            self.withdraw(person, day, person.say(rng.choice(words.WITHDRAWN_BEFORE_COMMENTS)))
            return
        slot = self.interview_slot(site, session_day + timedelta(days=rng.randint(3, 7)))
        done = self.interview_done(person, self.schedule_interview(person, session_day, slot))
        code = path.kind if path.kind in ("non_retenu", "liste_attente") else "admis"
        last_day = start - timedelta(days=1)
        decided = min(_weekday_after(done + timedelta(days=rng.randint(1, 3))), last_day)
        self.decide(person, code, decided, self.decision_comment(person, code))
        if path.kind == "desiste_after":
            day = min(decided + timedelta(days=rng.randint(3, 6)), last_day)
            self.withdraw(person, day, words.WITHDRAWN_AFTER_COMMENT)
        elif code == "admis":
            self.train(person, path, season, start)

    def missed_first(self, person: _Person, target: AppointmentInfo) -> AppointmentInfo:
        """Now and then someone misses the session and comes to the next one."""
        day = target.starts_at.date() + timedelta(days=1)
        later = appointments.upcoming_sessions(self.session, day, self.site_ids[person.site])
        if not later or self.rng.random() >= 0.12:
            return target
        missed = self.rng.choice(("absent", "excuse"))
        appointments.set_attendance(self.session, target.id, person.id, missed, actor=demo_actor())
        return appointments.register(self.session, later[0].id, person.id, actor=demo_actor())

    def withdraw(self, person: _Person, day: date, comment: str) -> None:
        when = person.clock.at(day, 15)
        self.move(person, "desiste", when, words.STAFF[person.site].accueil_author, comment)

    def train(self, person: _Person, path: _Path, season: str, start: date) -> None:
        rng, staff = self.rng, words.STAFF[person.site]
        comment = words.ENTRY_COMMENT.format(
            season=season, site=self.site_names[person.site], filiere=person.filiere_label
        )
        self.move(
            person, "entre_formation", person.clock.at(start, 9), staff.coordination_author, comment
        )
        if path.kind == "abandon_orientation":
            self.leave(person, start + timedelta(days=rng.randint(10, 25)), "abandon")
            return
        if path.kind == "full":
            self.plan_internship(person, season, start, path.exit_type)
        orientation_end = _weekday_after(start + timedelta(weeks=reference.ORIENTATION_WEEKS))
        comment = self.orientation_comment(person, path.orientation)
        when = person.clock.at(orientation_end, 16)
        self.move(person, path.orientation, when, staff.coordination_author, comment)
        if path.kind == "non_validee":
            day = orientation_end + timedelta(days=3)
            self.leave(person, day, "abandon", words.NON_VALIDATED_EXIT_COMMENT)
        elif path.kind == "abandon_training":
            self.leave(person, start + timedelta(days=rng.randint(90, 120)), "abandon")
        elif path.kind == "early":
            day = date(start.year + 1, 2, 15) + timedelta(days=rng.randint(0, 89))
            self.leave(person, day, path.exit_type)
        else:
            planned = self.internships[season][-1]
            self.internship(person, planned.start)
            self.leave(person, planned.end, path.exit_type)

    def orientation_comment(self, person: _Person, code: str) -> str:
        project, other = words.PROJECTS[person.filiere]
        case = self.rng.choice(words.REAL_CASES)
        return words.ORIENTATION_COMMENTS[code].format(project=project, other=other, case=case)

    def plan_internship(self, person: _Person, season: str, start: date, exit_type: str) -> None:
        end = _weekday_before(_add_months(start, reference.SEASON_MONTHS) - timedelta(days=1))
        first_day = self.internship_start(start)
        if self.late_placement(season):
            first_day = _weekday_after(first_day + timedelta(weeks=5))
        planned = PlannedInternship(person.id, first_day, end, exit_type)
        self.internships.setdefault(season, []).append(planned)

    def late_placement(self, season: str) -> bool:
        """Now and then a learner of the season in training finds their host late (their
        agreement is still being drafted in June); the finished season's are left as they are."""
        if season != reference.season_label(self.current_year):
            return False
        return len(self.internships.get(season, ())) % 9 == 4

    @staticmethod
    def internship_start(start: date) -> date:
        return _weekday_after(_add_months(start, reference.SEASON_MONTHS - 2))

    def internship(self, person: _Person, day: date) -> None:
        trainer = self.rng.choice(words.STAFF[person.site].formateurs)
        place = self.rng.choice(words.INTERNSHIPS[person.site])
        comment = words.INTERNSHIP_COMMENT.format(place=place)
        self.move(
            person, "en_stage", person.clock.at(day, 9), words.TRAINER_AUTHORS[trainer], comment
        )

    def leave(self, person: _Person, day: date, exit_type: str, comment: str = "") -> None:
        day = _weekday_after(day)
        text = comment or self.rng.choice(words.EXIT_COMMENTS[exit_type])
        author = words.STAFF[person.site].coordination_author
        self.move(person, "sortie", person.clock.at(day, 16), author, text, exit_type)
        self.follow_up(person, day, exit_type)

    def follow_up(self, person: _Person, exit_day: date, exit_type: str) -> None:
        """The 6- and 12-month calls, for those whose date has already come. Both comments
        are drawn either way: what follows does not depend on the day."""
        if exit_type == "formation_qualifiante":
            group = "training"
        else:
            group = "positive" if exit_type in POSITIVE_EXITS else "other"
        calls = [
            (
                _weekday_after(_add_months(exit_day, months)),
                code,
                person.say(self.rng.choice(words.FOLLOW_UP_COMMENTS[group]), months=str(months)),
            )
            for months, code in ((6, "suivi_6_mois"), (12, "suivi_12_mois"))
        ]
        author = words.STAFF[person.site].accueil_author
        for day, code, comment in calls:
            if day >= self.today:
                return
            self.move(person, code, person.clock.at(day, 10, 30), author, comment)

    # -- the season in recruitment (applications of the last six weeks)

    def current_season(self) -> None:
        label = reference.season_label(self.current_year)
        sessions = self.current_sessions()
        plan = sorted(
            (self.current_applied(group, index), group, index)
            for group, size in _CURRENT_GROUPS
            for index in range(size)
        )
        routes: dict[str, _Route] = {
            "recue": self.stay_received,
            "contacte": self.invite,
            "sans_reponse": self.no_answer,
            "information_collective": self.information,
            "entretien": self.interview,
            "admis": self.decided,
            "liste_attente": self.decided,
            "non_retenu": self.decided,
            "desiste": self.withdrawn,
        }
        for applied, group, index in plan:
            person = self.create(SITES[index % 2], label, applied)
            routes[group](person, applied, group, index, sessions[person.site])

    def current_sessions(self) -> dict[str, dict[str, AppointmentInfo]]:
        today = self.today
        days = {
            "past1": _weekday_before(today - timedelta(days=27)),
            "past2": _weekday_before(today - timedelta(days=13)),
            "today": today,
            # In the agenda's coming working week, and the one after.
            "next1": _weekday_after(today + timedelta(days=3)),
            "next2": _weekday_after(today + timedelta(days=10)),
        }
        return {
            site: {
                key: self.info_session(site, day, words.STAFF[site].session_capacity)
                for key, day in days.items()
            }
            for site in SITES
        }

    def current_applied(self, group: str, index: int) -> date:
        """How many days ago each group applied, so that its route fits before today."""
        ranges = {
            "recue": (1, 6),
            "contacte": (5, 12),
            "sans_reponse": (8, 20),
            "information_collective": (20, 26) if index < 2 else (6, 14),
            "entretien": (34, 40) if index == 3 else (20, 26),
        }
        low, high = ranges.get(group, (34, 42))
        return _weekday_before(self.today - timedelta(days=self.rng.randint(low, high)))

    def stay_received(self, *_: object) -> None:
        """A fresh application nobody has called yet."""

    def no_answer(self, person: _Person, applied: date, *_: object) -> None:
        day = self.before_today(_weekday_after(applied + timedelta(days=self.rng.randint(2, 4))))
        comment = self.rng.choice(words.NO_ANSWER_COMMENTS)
        author = words.STAFF[person.site].accueil_author
        self.move(person, "sans_reponse", person.clock.at(day, 11), author, comment)

    def invite(
        self,
        person: _Person,
        applied: date,
        group: str,
        index: int,
        sessions: dict[str, AppointmentInfo],
    ) -> None:
        self.contact(person, applied, sessions["today" if index < 3 else "next1"])

    def information(
        self,
        person: _Person,
        applied: date,
        group: str,
        index: int,
        sessions: dict[str, AppointmentInfo],
    ) -> None:
        if index < 2:
            self.contact(person, applied, sessions["past2"])
            self.attend(person, sessions["past2"])
            return
        today = sessions["today"]
        self.contact(person, applied, today)
        comment = person.say(
            words.INVITED_COMMENT,
            day=format_date(today.starts_at.date()),
            hour=f"{today.starts_at:%H:%M}",
        )
        author = words.STAFF[person.site].accueil_author
        self.move(person, "information_collective", person.clock.next(), author, comment)

    def interview(
        self,
        person: _Person,
        applied: date,
        group: str,
        index: int,
        sessions: dict[str, AppointmentInfo],
    ) -> None:
        """Two interviews today, one to come, one held and waiting for the decision."""
        target = sessions["past1" if index == 3 else "past2"]
        self.contact(person, applied, target)
        self.attend(person, target)
        session_day = target.starts_at.date()
        if index < 2:
            starts = datetime.combine(self.today, time(*TODAY_INTERVIEWS[person.site]))
        elif index == 2:
            starts = datetime.combine(_weekday_after(self.today + timedelta(days=2)), time(10))
        else:
            starts = self.interview_slot(person.site, session_day + timedelta(days=6))
        info = self.schedule_interview(person, session_day, starts)
        if index == 3:
            self.interview_done(person, info)

    def decided(
        self,
        person: _Person,
        applied: date,
        group: str,
        index: int,
        sessions: dict[str, AppointmentInfo],
    ) -> None:
        rng, target = self.rng, sessions["past1"]
        self.contact(person, applied, target)
        self.attend(person, target)
        session_day = target.starts_at.date()
        slot = self.interview_slot(person.site, session_day + timedelta(days=rng.randint(3, 7)))
        done = self.interview_done(person, self.schedule_interview(person, session_day, slot))
        day = self.before_today(_weekday_after(done + timedelta(days=rng.randint(2, 4))))
        self.decide(person, group, day, self.decision_comment(person, group))

    def withdrawn(
        self,
        person: _Person,
        applied: date,
        group: str,
        index: int,
        sessions: dict[str, AppointmentInfo],
    ) -> None:
        target = sessions["past1"]
        self.contact(person, applied, target)
        self.attend(person, target, "excuse")
        day = self.before_today(target.starts_at.date() + timedelta(days=self.rng.randint(1, 3)))
        self.withdraw(person, day, self.rng.choice(words.WITHDRAWN_BEFORE_COMMENTS))

    # -- the next intake, while the current season is in training

    def next_intake(self) -> None:
        """The desk keeps receiving people all year: first applications for the next season,
        a monthly information session at each site (one last month, one this working week,
        one next month), an interview this week for those who came last month."""
        label = reference.season_label(self.current_year + 1)
        reference.ensure_season(self.session, label)
        sessions = {}
        for shift, site in enumerate(SITES):
            # The sites hold theirs on different days of the week.
            this_week = _weekday_after(self.today + timedelta(days=3 * shift))
            days = {
                "past": _weekday_before(self.today - timedelta(days=28 - 3 * shift)),
                "this_week": this_week,
                "next": _weekday_after(this_week + timedelta(days=28)),
            }
            sessions[site] = {
                key: self.info_session(site, day, words.STAFF[site].session_capacity)
                for key, day in days.items()
            }
        for group, low, high in _NEXT_INTAKE:
            applied = _weekday_before(self.today - timedelta(days=self.rng.randint(low, high)))
            for site in SITES:
                person = self.create(site, label, applied)
                self.next_intake_route(person, applied, group, sessions[site])

    def next_intake_route(
        self, person: _Person, applied: date, group: str, sessions: dict[str, AppointmentInfo]
    ) -> None:
        if group == "sans_reponse":
            self.no_answer(person, applied)
        elif group == "contacte":
            self.contact(person, applied, sessions["this_week"])
        elif group == "information_collective":
            past = sessions["past"]
            self.contact(person, applied, past)
            self.attend(person, past)
            # An interview this week to prepare the application; decisions come in the autumn.
            day = _weekday_after(sessions["this_week"].starts_at.date() + timedelta(days=1))
            starts = datetime.combine(day, time(*TODAY_INTERVIEWS[person.site]))
            self.schedule_interview(person, past.starts_at.date(), starts)


# The next intake's applicants per site: (group, applied between low and high days ago).
_NEXT_INTAKE = (
    ("information_collective", 35, 45),
    ("contacte", 8, 20),
    ("contacte", 5, 15),
    ("sans_reponse", 6, 12),
    ("recue", 1, 4),
)


# ---------------------------------------------------------------- entry point


def seed_demo(session: Session, today: date | None = None, seed: int = 2017) -> DemoSummary:
    """Fill an empty database with the demonstration data; refused if any candidate exists."""
    today = today or date.today()
    if session.scalar(select(func.count(Candidate.id))):
        raise UserFacingError(ALREADY_FILLED)
    if has_accounts(session) and not is_demo_base(session):
        raise UserFacingError(HAS_ACCOUNTS)
    # A demo base: its staff sign in without a password (CONTRACT.md, *Who acts*).
    mark_demo_base(session)
    ensure_demo_accounts(session)
    reference.ensure_reference_data(session, today)
    seed_site_contacts(session)
    # The past season draws from its own generator, the current season (whatever its phase)
    # from another: the past season is the same whatever the day the demo is made.
    past_rng, current_rng = random.Random(seed), random.Random(f"{seed}/current")
    seeder = _Seeder(session, today, past_rng)
    seeder.past_season()
    seeder.draw_from(current_rng)
    if in_training(today):
        seeder.season_in_training()
        seeder.next_intake()
    else:
        seeder.current_season()
    session.flush()
    orientation = seed_orientation(session, past_rng, today, current_rng)
    current = reference.season_label(seeder.current_year)
    planned = tuple(seeder.internships.get(current, ()))
    agreements = seed_agreements(session, past_rng, today, planned, current_rng)
    projects = seed_projects(session, today, _real_cases(orientation))
    # Last, and from no random generator: everything above stays as it was.
    seed_outcomes(session, today)
    return _summary(session, today, orientation, agreements, projects)


def _real_cases(summary: OrientationSummary) -> dict[str, tuple[tuple[int, str, date], ...]]:
    cases = {PAST: summary.real_cases}
    if summary.current is not None:
        cases[CURRENT] = summary.current.real_cases
    return cases


def season_status(today: date) -> str:
    """Where the calendar puts the current season on `today`, in French."""
    start = season_start(today)
    if today < start:
        return "en recrutement"
    week = (today - start).days // 7 + 1
    if week <= reference.ORIENTATION_WEEKS:
        return f"en période d'orientation, semaine {week}"
    if today < _Seeder.internship_start(start):
        return "en formation"
    return "en stage"


def _season_summary(session: Session, label: str, status: str, *, entries: bool) -> SeasonSummary:
    by_site = (
        select(Site.name, func.count(Candidate.id))
        .select_from(Candidate)
        .join(Site, Site.id == Candidate.site_id)
        .join(Season, Season.id == Candidate.season_id)
        .where(Season.label == label)
        .group_by(Site.id, Site.name)
        .order_by(Site.id)
    )
    entered = (
        select(func.count(Candidate.id))
        .join(Season, Season.id == Candidate.season_id)
        .join(Stage, Stage.id == Candidate.stage_id)
        .where(Season.label == label, Stage.counts_as_entry.is_(True))
    )
    return SeasonSummary(
        label=label,
        status=status,
        per_site=tuple((name, count) for name, count in session.execute(by_site)),
        entries=(session.scalar(entered) or 0) if entries else None,
    )


def _summary(
    session: Session,
    today: date,
    orientation: OrientationSummary | None = None,
    agreements: AgreementsSummary | None = None,
    projects: ProjectsSummary | None = None,
) -> DemoSummary:
    year = reference.season_start_year(today)
    per_kind = dict(
        session.execute(
            select(Appointment.kind, func.count(Appointment.id)).group_by(Appointment.kind)
        )
        .tuples()
        .all()
    )
    seasons = [
        _season_summary(session, reference.season_label(year - 1), "terminée", entries=True),
        _season_summary(
            session, reference.season_label(year), season_status(today), entries=in_training(today)
        ),
    ]
    if in_training(today):
        label = reference.season_label(year + 1)
        seasons.append(_season_summary(session, label, "prochaine rentrée", entries=False))
    week = [today + timedelta(days=offset) for offset in range(7)]
    return DemoSummary(
        today=today,
        seasons=tuple(seasons),
        info_sessions=per_kind.get(AppointmentKind.INFO_SESSION.value, 0),
        interviews=per_kind.get(AppointmentKind.INTERVIEW.value, 0),
        today_appointments=len(appointments.appointments_on(session, today)),
        week_appointments=sum(len(appointments.appointments_on(session, day)) for day in week),
        orientation=orientation,
        agreements=agreements,
        projects=projects,
    )


# `seed_demo` as a use case, in its own unit of work (the window's `--demo`).
fill_demo_base = writes(seed_demo)
