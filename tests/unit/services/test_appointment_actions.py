"""The appointment use cases the window calls: each one unit of work, refused as a whole."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.domain import Appointment, Attendee
from app.services.appointments import actions
from app.services.appointments.booking import AppointmentInput
from app.services.candidates import actions as candidate_actions
from app.services.candidates.records import CandidateInput
from app.services.errors import PermissionDenied
from app.storage import Database
from tests.conftest import TODAY, make_actor

DESK = make_actor("accueil", "nadia")
TRAINER = make_actor("formateur", "marc")


def _candidate(db: Database, last_name: str, site: str = "cobalt") -> int:
    data = CandidateInput(
        nom=last_name, prenom="Léa", email=f"{last_name}@exemple.fr", saison="2026-2027", site=site
    )
    saved = candidate_actions.save_candidate(db, data, actor=DESK).file
    assert saved is not None
    return saved.id


def _collective(db: Database, day: str, site: str = "cobalt", capacity: str = "12") -> int:
    data = AppointmentInput(
        kind="information_collective",
        date=day,
        time="14:00",
        site=site,
        room="Turing",
        staff="Nadia Belkacem",
        capacity=capacity,
    )
    return actions.create_appointment(db, data, actor=DESK).id


def _count(db: Database, table: type) -> int:
    with db.session(commit=False) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_places_open_to_a_candidate_are_those_of_their_site_they_have_not_joined(
    db: Database,
) -> None:
    lea = _candidate(db, "Dupont")
    joined = _collective(db, "01/12/2026")
    open_here = _collective(db, "02/12/2026")
    _collective(db, "03/12/2026", site="du-guesclin")
    full = _collective(db, "04/12/2026", capacity="1")
    actions.register(db, joined, lea, actor=DESK)
    actions.register(db, full, _candidate(db, "Martin"), actor=DESK)

    offered = actions.places_open_to(db, lea, "cobalt", TODAY)
    everywhere = actions.places_open_to(db, lea, "", TODAY)

    assert [info.id for info in offered] == [open_here]
    assert len(everywhere) == 2  # every site when the candidate's site is unknown


def test_a_trainer_cannot_book_and_nothing_is_saved(db: Database) -> None:
    lea = _candidate(db, "Dupont")
    collective = _collective(db, "01/12/2026")

    with pytest.raises(PermissionDenied):
        actions.register(db, collective, lea, actor=TRAINER)
    with pytest.raises(PermissionDenied):
        actions.create_appointment(
            db,
            AppointmentInput(kind="entretien", date="01/12/2026", time="10:00", site="cobalt"),
            [lea],
            actor=TRAINER,
        )

    assert (_count(db, Appointment), _count(db, Attendee)) == (1, 0)


def test_attendance_is_saved_and_read_back(db: Database) -> None:
    lea = _candidate(db, "Dupont")
    collective = _collective(db, "28/11/2026")
    actions.register(db, collective, lea, actor=DESK)

    actions.set_attendance(db, collective, lea, "present", actor=DESK)

    [info] = actions.for_candidate(db, lea)
    assert info.attendance_of(lea) == "present"
    assert [i.id for i in actions.appointments_on(db, date(2026, 11, 28))] == [collective]
    assert actions.get_appointment(db, collective).registered == 1
