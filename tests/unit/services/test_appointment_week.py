"""The agenda's week: its days, its appointments with their counts, its title, in two queries."""

from datetime import date, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.services.appointments import actions
from app.services.appointments import booking as ap
from app.services.appointments.booking import AppointmentInput
from app.services.appointments.week import monday_of, week_title
from app.services.candidates.records import CandidateInput, create_candidate
from app.storage import Database
from tests.conftest import make_actor

DESK = make_actor("accueil", "nadia")


def _candidate(s: Session, nom: str) -> int:
    data = CandidateInput(nom=nom, prenom="Léa", saison="2026-2027", site="cobalt")
    data.email = f"{nom.lower()}@exemple.fr"
    return create_candidate(s, data, actor=DESK).id


def _book(
    s: Session,
    day: str,
    time: str,
    *,
    kind: str = "information_collective",
    ids: str = "",
    **more: str,
) -> int:
    values = {
        "kind": kind,
        "date": day,
        "time": time,
        "site": "cobalt",
        "room": f"Salle {day[:2]}{time[:2]}",
        "staff": f"Animateur {day[:2]}{time[:2]}",
        "capacity": "12" if kind == "information_collective" else "",
    }
    data = AppointmentInput(**(values | more))
    return ap.create_appointment(s, data, [int(i) for i in ids.split(",") if i], actor=DESK).id


@pytest.mark.parametrize(
    ("first", "last", "title"),
    [
        (date(2026, 12, 7), date(2026, 12, 12), "Semaine du 7 au 12 décembre 2026"),
        (date(2026, 11, 30), date(2026, 12, 5), "Semaine du 30 novembre au 5 décembre 2026"),
        (date(2026, 12, 28), date(2027, 1, 2), "Semaine du 28 décembre 2026 au 2 janvier 2027"),
        (date(2027, 2, 1), date(2027, 2, 7), "Semaine du 1er au 7 février 2027"),
        (date(2027, 2, 22), date(2027, 3, 1), "Semaine du 22 février au 1er mars 2027"),
    ],
)
def test_week_titles(first: date, last: date, title: str) -> None:
    assert week_title(first, last) == title


def test_monday_of_any_day() -> None:
    assert monday_of(date(2026, 12, 6)) == date(2026, 11, 30)  # a Sunday
    assert monday_of(date(2026, 12, 7)) == date(2026, 12, 7)
    assert monday_of(date(2026, 12, 12)) == date(2026, 12, 7)


def test_the_week_of_a_site_with_counts_people_and_cancellations(db: Database) -> None:
    with db.session() as s:
        lea, noe = _candidate(s, "Dupont"), _candidate(s, "Traoré")
        session_id = _book(s, "08/12/2026", "14:00", ids=f"{lea},{noe}")
        interview = _book(s, "07/12/2026", "10:00", kind="entretien", ids=str(lea))
        cancelled = _book(s, "09/12/2026", "09:30")
        ap.cancel_appointment(s, cancelled, reason="Grève", actor=DESK)
        _book(s, "08/12/2026", "14:00", site="du-guesclin", staff="Hélène")  # another site
        _book(s, "14/12/2026", "14:00")  # next week
        _book(s, "06/12/2026", "14:00")  # the week before (a Sunday)
        cobalt = next(o.id for o in ap.reference.sites(s) if o.code == "cobalt")
    week = actions.agenda_week(db, date(2026, 12, 10), cobalt)
    assert week.title == "Semaine du 7 au 12 décembre 2026"
    assert week.days == tuple(date(2026, 12, d) for d in range(7, 13))
    assert [(e.id, e.starts_at) for e in week.entries] == [
        (interview, datetime(2026, 12, 7, 10, 0)),
        (session_id, datetime(2026, 12, 8, 14, 0)),
        (cancelled, datetime(2026, 12, 9, 9, 30)),
    ]
    first, second, third = week.entries
    assert (first.kind_label, first.person, first.attendance, first.hours) == (
        "Entretien",
        "DUPONT Léa",
        "DUPONT Léa",
        "10:00 – 10:45",
    )
    assert (second.registered, second.capacity, second.attendance, second.place) == (
        2,
        12,
        "2/12 inscrits",
        "Salle 0814",
    )
    assert (third.cancelled, third.cancellation_reason, third.attendance) == (
        True,
        "Grève",
        "0/12 inscrit",
    )
    assert [e.id for e in week.on(date(2026, 12, 8))] == [session_id]
    every_site = actions.agenda_week(db, date(2026, 12, 7))
    assert len(every_site.entries) == 4


def test_sunday_shows_only_when_something_is_booked_on_it(db: Database) -> None:
    with db.session() as s:
        _book(s, "06/12/2026", "10:00")
    assert len(actions.agenda_week(db, date(2026, 12, 6)).days) == 7
    assert actions.agenda_week(db, date(2026, 12, 6)).title == (
        "Semaine du 30 novembre au 6 décembre 2026"
    )
    assert len(actions.agenda_week(db, date(2026, 12, 7)).days) == 6


def test_the_week_is_read_in_two_queries_whatever_it_holds(db: Database) -> None:
    with db.session() as s:
        ids = [_candidate(s, f"Nom{i}") for i in range(5)]
        for day in range(7, 12):
            _book(s, f"{day:02d}/12/2026", "14:00", ids=",".join(map(str, ids)))
            for hour, who in zip(("09:00", "10:00", "11:00"), ids, strict=False):
                _book(s, f"{day:02d}/12/2026", hour, kind="entretien", ids=str(who))
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        week = actions.agenda_week(db, date(2026, 12, 7))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(week.entries) == 20
    assert sum(e.registered for e in week.entries) == 5 * 5 + 15
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
