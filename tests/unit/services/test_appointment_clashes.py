"""The desk's refusals: a room, a member of staff or a candidate booked twice at the same time,
a full session; cancelled appointments that no longer hold anything; attendance in bulk; what
the journal keeps of a cancellation, a move and a withdrawal."""

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Attendee, AuditEntry
from app.services.accounts.management import AccountInput, create_account
from app.services.appointments import actions
from app.services.appointments import booking as ap
from app.services.appointments.booking import AppointmentInput, SessionFull
from app.services.appointments.clashes import room_key, staff_names
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.errors import PermissionDenied, ValidationError
from app.services.rgpd.person_data import export_person
from app.storage import Database
from tests.conftest import make_actor

DESK = make_actor("accueil", "nadia")
COORDINATION = make_actor("coordination", "claire")
DAY = "08/12/2026"


def _candidate(s: Session, nom: str, prenom: str = "Léa", sexe: str = "F") -> int:
    data = CandidateInput(
        nom=nom,
        prenom=prenom,
        sexe=sexe,
        telephone="0612345678",
        email=f"{prenom.lower()}.{nom.lower()}@exemple.fr",
        saison="2026-2027",
        site="cobalt",
    )
    return create_candidate(s, data, actor=COORDINATION).id


def _session(**changes: str) -> AppointmentInput:
    values = {
        "kind": "information_collective",
        "date": DAY,
        "time": "14:00",
        "duration_minutes": "60",
        "site": "cobalt",
        "room": "Turing",
        "staff": "Nadia Belkacem",
        "capacity": "12",
    }
    return AppointmentInput(**(values | changes))


def _interview(**changes: str) -> AppointmentInput:
    values = {
        "kind": "entretien",
        "date": DAY,
        "time": "10:00",
        "duration_minutes": "45",
        "site": "cobalt",
        "room": "Bureau 2",
        "staff": "Marc Petit",
    }
    return AppointmentInput(**(values | changes))


def _refusal(s: Session, data: AppointmentInput, ids: tuple[int, ...] = ()) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        ap.create_appointment(s, data, ids, actor=DESK)
    return caught.value.errors


# ---------------------------------------------------------------- rooms


def test_a_room_taken_at_an_overlapping_time_is_refused_naming_the_other(db: Database) -> None:
    with db.session() as s:
        ap.create_appointment(s, _session(), actor=DESK)
        errors = _refusal(s, _interview(time="14:30", room="salle turing"), (_candidate(s, "A"),))
    assert errors == {
        "salle": "La salle turing est déjà prise le 08/12 de 14:00 à 15:00 par "
        "l'information collective (Cobalt, animée par Nadia Belkacem)."
    }


def test_the_same_room_is_free_on_another_site_or_once_the_other_ends(db: Database) -> None:
    with db.session() as s:
        ap.create_appointment(s, _session(), actor=DESK)
        ap.create_appointment(s, _session(site="du-guesclin", staff="Hélène Durand"), actor=DESK)
        ap.create_appointment(s, _session(time="15:00", staff="Samir"), actor=DESK)
        ap.create_appointment(s, _session(time="13:00", staff="Samir"), actor=DESK)


def test_a_bureau_reads_as_such(db: Database) -> None:
    with db.session() as s:
        lea, noe = _candidate(s, "Dupont"), _candidate(s, "Traoré", "Noé", "M")
        ap.create_appointment(s, _interview(), (lea,), actor=DESK)
        errors = _refusal(s, _interview(time="10:30", staff="Samir"), (noe,))
    assert errors["salle"] == (
        "Bureau 2 est déjà pris le 08/12 de 10:00 à 10:45 par "
        "l'entretien de DUPONT Léa (Cobalt, avec Marc Petit)."
    )


def test_room_and_staff_names_are_folded() -> None:
    assert room_key("Salle  Turing") == room_key("turing") == "turing"
    assert room_key("Bureau 2") != room_key("2")
    assert set(staff_names("Nadia Belkacem et Marc Petit, Samir / Hélène")) == {
        "nadia belkacem",
        "marc petit",
        "samir",
        "helene",
    }


# ---------------------------------------------------------------- staff


def test_an_interviewer_booked_elsewhere_is_refused_whatever_the_site_or_accents(
    db: Database,
) -> None:
    with db.session() as s:
        lea, noe = _candidate(s, "Dupont"), _candidate(s, "Traoré", "Noé", "M")
        ap.create_appointment(s, _interview(staff="Hélène Durand"), (lea,), actor=DESK)
        errors = _refusal(
            s,
            _interview(time="10:15", site="du-guesclin", room="Bureau 1", staff="HELENE  durand"),
            (noe,),
        )
    assert errors == {
        "intervenant": "HELENE  durand a déjà un rendez-vous le 08/12 de 10:00 à 10:45 : "
        "l'entretien de DUPONT Léa (Cobalt, Bureau 2, avec Hélène Durand)."
    }


def test_one_of_two_speakers_booked_is_a_clash(db: Database) -> None:
    with db.session() as s:
        ap.create_appointment(s, _session(staff="Nadia Belkacem et Marc Petit"), actor=DESK)
        errors = _refusal(s, _interview(time="14:45"), (_candidate(s, "Dupont"),))
    assert errors["intervenant"].startswith("Marc Petit a déjà un rendez-vous le 08/12 de 14:00")


# ---------------------------------------------------------------- candidates


def test_a_candidate_booked_at_the_same_time_is_refused_on_create_register_and_move(
    db: Database,
) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont")
        collective = ap.create_appointment(s, _session(), (lea,), actor=DESK)
        other = ap.create_appointment(
            s, _session(time="14:30", room="Hopper", staff="Samir"), actor=DESK
        )
        later = ap.create_appointment(s, _interview(time="16:00"), (lea,), actor=DESK)
        on_create = _refusal(s, _interview(time="14:15", staff="Léo", room="Lovelace"), (lea,))
        with pytest.raises(ValidationError) as on_register:
            ap.register(s, other.id, lea, actor=DESK)
        moved = ap.appointment_input(s, later)
        moved.time = "13:30"
        with pytest.raises(ValidationError) as on_move:
            ap.update_appointment(s, later.id, moved, actor=DESK)
        assert ap.get_appointment(s, later.id).starts_at == datetime(2026, 12, 8, 16, 0)
    expected = (
        "DUPONT Léa a déjà un rendez-vous le 08/12 de 14:00 à 15:00 : "
        "l'information collective (Cobalt, salle Turing, animée par Nadia Belkacem)."
    )
    assert on_create == {"candidat": expected}
    assert str(on_register.value) == expected
    assert on_move.value.errors == {"candidat": expected}
    assert collective.registered == 1


def test_moving_an_appointment_keeps_it_out_of_its_own_way(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont")
        info = ap.create_appointment(s, _interview(), (lea,), actor=DESK)
        data = ap.appointment_input(s, info)
        data.time = "10:15"
        moved = ap.update_appointment(s, info.id, data, actor=DESK)
    assert moved.starts_at == datetime(2026, 12, 8, 10, 15)


def test_a_move_onto_a_taken_room_changes_nothing(db: Database) -> None:
    with db.session() as s:
        ap.create_appointment(s, _session(), actor=DESK)
        info = ap.create_appointment(s, _session(date="09/12/2026"), actor=DESK)
        data = ap.appointment_input(s, info)
        data.date = DAY
        with pytest.raises(ValidationError) as caught:
            ap.update_appointment(s, info.id, data, actor=DESK)
        assert ap.get_appointment(s, info.id).starts_at.date() == date(2026, 12, 9)
    assert set(caught.value.errors) == {"salle", "intervenant"}


# ---------------------------------------------------------------- cancelled appointments


def test_a_cancelled_appointment_holds_no_room_staff_person_or_place(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont")
        first = ap.create_appointment(s, _session(capacity="1"), (lea,), actor=DESK)
        ap.cancel_appointment(s, first.id, reason="Salle inondée", actor=DESK)
        again = ap.create_appointment(s, _session(), (lea,), actor=DESK)
        upcoming = ap.upcoming_sessions(s, date(2026, 12, 1))
        listed = ap.for_candidate(s, lea)
    assert [i.id for i in upcoming] == [again.id]
    assert [(i.id, i.cancelled) for i in listed] == [(first.id, True), (again.id, False)]


def test_a_cancelled_appointment_refuses_every_change(db: Database) -> None:
    with db.session() as s:
        lea, noe = _candidate(s, "Dupont"), _candidate(s, "Traoré", "Noé", "M")
        info = ap.create_appointment(s, _session(), (lea,), actor=DESK)
        ap.cancel_appointment(s, info.id, reason="Intervenant absent", actor=DESK)
        refusals = []
        for act in (
            lambda: ap.register(s, info.id, noe, actor=DESK),
            lambda: ap.unregister(s, info.id, lea, actor=DESK),
            lambda: ap.set_attendance(s, info.id, lea, "present", actor=DESK),
            lambda: ap.update_appointment(s, info.id, _session(time="9:00"), actor=DESK),
        ):
            with pytest.raises(ValidationError) as caught:
                act()
            refusals.append(str(caught.value))
    assert all(r.startswith("Ce rendez-vous est annulé : ") for r in refusals)


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Indiquer le motif de l'annulation."), ("  ", "Indiquer le motif de l'annulation.")],
)
def test_a_cancellation_needs_its_reason(db: Database, reason: str, message: str) -> None:
    with db.session() as s:
        info = ap.create_appointment(s, _session(), actor=DESK)
        with pytest.raises(ValidationError) as caught:
            ap.cancel_appointment(s, info.id, reason=reason, actor=DESK)
        assert not ap.get_appointment(s, info.id).cancelled
    assert caught.value.errors == {"motif": message}


def test_places_open_to_a_candidate_skip_cancelled_sessions(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont")
        cancelled = ap.create_appointment(s, _session(), actor=DESK).id
        kept = ap.create_appointment(s, _session(date="09/12/2026"), actor=DESK).id
        ap.cancel_appointment(s, cancelled, reason="Grève", actor=DESK)
    offered = actions.places_open_to(db, lea, "cobalt", date(2026, 12, 1))
    assert [i.id for i in offered] == [kept]


# ---------------------------------------------------------------- a full session


def test_a_full_session_refuses_the_desk_and_coordination_may_override(db: Database) -> None:
    with db.session() as s:
        ids = [_candidate(s, f"Nom{i}") for i in range(3)]
        info = ap.create_appointment(s, _session(capacity="2"), ids[:2], actor=DESK)
        with pytest.raises(SessionFull) as full:
            ap.register(s, info.id, ids[2], actor=DESK)
        with pytest.raises(PermissionDenied, match="Seule la coordination peut inscrire"):
            ap.register(s, info.id, ids[2], actor=DESK, override_capacity=True)
        with pytest.raises(SessionFull):
            ap.register(s, info.id, ids[2], actor=COORDINATION)
        overbooked = ap.register(s, info.id, ids[2], actor=COORDINATION, override_capacity=True)
    assert str(full.value) == "La session est complète (2 places)."
    assert (overbooked.registered, overbooked.capacity) == (3, 2)
    assert ap.can_override_capacity("coordination") and not ap.can_override_capacity("accueil")


# ---------------------------------------------------------------- attendance in bulk


def test_everyone_present_then_one_absent_in_one_action(db: Database) -> None:
    with db.session() as s:
        ids = [_candidate(s, f"Nom{i}") for i in range(4)]
        info = ap.create_appointment(s, _session(), ids, actor=DESK)
    marks = dict.fromkeys(ids, "present") | {ids[2]: "absent"}
    after = actions.record_attendance(db, info.id, marks, actor=DESK)
    assert [after.attendance_of(i) for i in ids] == ["present", "present", "absent", "present"]


def test_one_bad_mark_records_none(db: Database) -> None:
    with db.session() as s:
        ids = [_candidate(s, f"Nom{i}") for i in range(2)]
        outsider = _candidate(s, "Dehors")
        info = ap.create_appointment(s, _session(), ids, actor=DESK)
    with pytest.raises(ValidationError, match="Présence inconnue"):
        actions.record_attendance(db, info.id, {ids[0]: "present", ids[1]: "peut-être"}, actor=DESK)
    with pytest.raises(ValidationError, match="n'est pas inscrit"):
        actions.record_attendance(db, info.id, {ids[0]: "present", outsider: "present"}, actor=DESK)
    with pytest.raises(PermissionDenied):
        actions.record_attendance(db, info.id, {ids[0]: "present"}, actor=make_actor("formateur"))
    with db.session(commit=False) as s:
        assert set(s.scalars(select(Attendee.attendance))) == {"inscrit"}


# ---------------------------------------------------------------- the journal


def _journal(db: Database) -> list[tuple[str, str]]:
    with db.session(commit=False) as s:
        rows = s.execute(
            select(AuditEntry.author, AuditEntry.summary).where(
                AuditEntry.summary.like("%endez-vous%") | AuditEntry.summary.like("Désinscription%")
            )
        )
        return [(author, summary) for author, summary in rows]


def test_cancel_move_and_unregister_are_in_each_persons_history(db: Database) -> None:
    with db.session() as s:
        lea, noe = _candidate(s, "Dupont"), _candidate(s, "Traoré", "Noé", "M")
        info = ap.create_appointment(s, _session(), (lea, noe), actor=DESK)
    data = actions.edit_form(db, info.id)
    data.date = "09/12/2026"
    actions.update_appointment(db, info.id, data, actor=DESK)
    actions.unregister(db, info.id, noe, actor=DESK)
    actions.cancel_appointment(db, info.id, reason="Formateur malade", actor=DESK)
    about = "information collective du 09/12/2026 à 14:00 (Cobalt)"
    assert _journal(db) == [
        (
            "nadia",
            f"Rendez-vous déplacé : information collective du {DAY} à 14:00 (Cobalt) → {about}",
        ),
        (
            "nadia",
            f"Rendez-vous déplacé : information collective du {DAY} à 14:00 (Cobalt) → {about}",
        ),
        ("nadia", f"Désinscription : {about}"),
        ("nadia", f"Rendez-vous annulé : {about}"),
    ]


def test_who_cancelled_is_shown_by_their_name(db: Database) -> None:
    with db.session() as s:
        data = AccountInput("Nadia Belkacem", "nadia", "accueil")
        create_account(
            s, data, "phrase de passe longue", "phrase de passe longue", actor=COORDINATION
        )
        info = ap.create_appointment(s, _session(), actor=DESK)
        cancelled = ap.cancel_appointment(s, info.id, reason="Grève", actor=DESK)
        stored = ap.get_appointment(s, info.id)
    assert cancelled.cancelled_by == stored.cancelled_by == "Nadia Belkacem"


def test_the_personal_data_export_says_an_appointment_was_cancelled(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont")
        info = ap.create_appointment(s, _session(), (lea,), actor=DESK)
        ap.cancel_appointment(
            s, info.id, reason="Grève", actor=DESK, now=datetime(2026, 12, 7, 9, 0)
        )
        exported = export_person(s, lea, actor=COORDINATION)
    [appointment] = exported["candidatures"][0]["rendez_vous"]
    assert appointment["presence"].startswith("Rendez-vous annulé le 07/12/2026")
    assert appointment["presence"].endswith("(Grève)")
