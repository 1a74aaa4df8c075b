"""Information sessions and interviews: validation, registrations, attendance, day lists."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import Attendee
from app.services.appointments import booking as ap
from app.services.appointments.booking import AppointmentInput
from app.services.appointments.fields import parse_time
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.errors import NotFoundError, ValidationError
from app.storage import Database
from tests.conftest import TODAY, make_actor

NOW = datetime(2026, 11, 20, 10, 0)


def _candidate(session: Session, nom: str, prenom: str, sexe: str = "F") -> int:
    data = CandidateInput(
        nom=nom,
        prenom=prenom,
        sexe=sexe,
        email=f"{prenom.lower()}.{nom.lower()}@exemple.fr",
        saison="2026-2027",
        site="cobalt",
    )
    return create_candidate(session, data, now=NOW, actor=make_actor("coordination", "test")).id


def _session_input(**changes: str) -> AppointmentInput:
    values = {
        "kind": "information_collective",
        "date": "28/11/2026",
        "time": "14:00",
        "site": "cobalt",
        "room": "Turing",
        "staff": "Nadia Belkacem",
        "capacity": "12",
    }
    values.update(changes)
    return AppointmentInput(**values)


def _interview_input(**changes: str) -> AppointmentInput:
    values = {
        "kind": "entretien",
        "date": "28/11/2026",
        "time": "10:30",
        "site": "cobalt",
        "staff": "Mme Girard",
    }
    values.update(changes)
    return AppointmentInput(**values)


def _errors(session: Session, data: AppointmentInput, ids: tuple[int, ...] = ()) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        ap.create_appointment(session, data, ids, actor=make_actor("coordination"))
    return caught.value.errors


# ---------------------------------------------------------------- validation


def test_session_is_created_with_defaults_and_summary(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        info = ap.create_appointment(s, _session_input(), [lea], actor=make_actor("coordination"))
    assert info.kind == "information_collective"
    assert info.kind_label == "Information collective"
    assert info.starts_at == datetime(2026, 11, 28, 14, 0)
    assert info.duration_minutes == 60
    assert info.site_name == "Cobalt"
    assert info.capacity == 12
    assert info.registered == 1
    assert info.attendees[0].name == "DUPONT Léa"
    assert info.attendees[0].attendance == "inscrit"
    assert info.attendees[0].attendance_label == "Inscrit"
    assert info.summary == "Information collective — 14:00, salle Turing, Cobalt (1/12 inscrit)"


def test_interview_summary_and_default_duration(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        info = ap.create_appointment(
            s, _interview_input(capacity="99"), [lea], actor=make_actor("coordination")
        )
    assert info.duration_minutes == 45
    assert info.capacity is None
    assert info.summary == "Entretien — 10:30, Cobalt, avec Mme Girard : DUPONT Léa"


def test_every_field_is_checked_at_once(db: Database) -> None:
    data = AppointmentInput(
        kind="",
        date="31/02/2026",
        time="25:00",
        duration_minutes="beaucoup",
        site="Paris",
        room="",
        staff="",
        capacity="",
    )
    with db.session() as s:
        errors = _errors(s, data)
    assert errors == {
        "type": "Choisir le type de rendez-vous : information collective ou entretien.",
        "date": "Cette date n'existe pas.",
        "heure": "Cette heure n'existe pas.",
        "duree": "La durée est un nombre de minutes (exemple : 60).",
        "site": "Site inconnu : « Paris » (valeurs possibles : cobalt, du-guesclin).",
        "intervenant": "Indiquer l'intervenant.",
    }


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"kind": "réunion"}, "type", "Type de rendez-vous inconnu"),
        ({"date": ""}, "date", "La date est obligatoire."),
        ({"date": "2026-13-01"}, "date", "Cette date n'existe pas."),
        ({"date": "demain"}, "date", "Date attendue au format JJ/MM/AAAA."),
        ({"time": ""}, "heure", "L'heure est obligatoire."),
        ({"time": "midi"}, "heure", "Heure attendue au format HH:MM"),
        ({"time": "14h75"}, "heure", "Cette heure n'existe pas."),
        ({"duration_minutes": "2"}, "duree", "La durée doit être comprise entre 5 et 480"),
        ({"site": ""}, "site", "Choisir le site."),
        ({"room": ""}, "salle", "Indiquer la salle de l'information collective."),
        ({"room": "x" * 81}, "salle", "La salle dépasse 80 caractères."),
        ({"staff": "  "}, "intervenant", "Indiquer l'intervenant."),
        ({"capacity": ""}, "capacite", "Indiquer la capacité"),
        ({"capacity": "douze"}, "capacite", "La capacité est un nombre entier de places."),
        ({"capacity": "0"}, "capacite", "La capacité doit être comprise entre 1 et 200 places."),
        ({"capacity": "201"}, "capacite", "La capacité doit être comprise entre 1 et 200 places."),
    ],
)
def test_session_field_messages(
    db: Database, changes: dict[str, str], key: str, message: str
) -> None:
    with db.session() as s:
        errors = _errors(s, _session_input(**changes))
    assert list(errors) == [key]
    assert errors[key].startswith(message)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:00", time(14, 0)),
        ("9:05", time(9, 5)),
        ("14h", time(14, 0)),
        ("14h30", time(14, 30)),
        ("14H30", time(14, 30)),
        ("9 h 15", time(9, 15)),
        (" 08:45 ", time(8, 45)),
    ],
)
def test_time_formats(db: Database, typed: str, expected: time) -> None:
    with db.session() as s:
        info = ap.create_appointment(
            s, _session_input(time=typed), actor=make_actor("coordination")
        )
    assert info.starts_at.time() == expected


@pytest.mark.parametrize("typed", ["14", "14:5", "14:", "h30", "1430", "14-30"])
def test_time_formats_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="Heure attendue"):
        parse_time(typed)


def test_kind_accepts_the_french_label_and_duration_in_minutes(db: Database) -> None:
    with db.session() as s:
        info = ap.create_appointment(
            s,
            _session_input(kind="Information collective", duration_minutes="90 min"),
            actor=make_actor("coordination"),
        )
    assert info.kind == "information_collective"
    assert info.duration_minutes == 90


def test_interview_needs_exactly_one_candidate(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        noe = _candidate(s, "Traoré", "Noé", "M")
        none = _errors(s, _interview_input())
        two = _errors(s, _interview_input(), (lea, noe))
    assert none == {"candidat": "Choisir le candidat de l'entretien."}
    assert two == {"candidat": "Un entretien ne concerne qu'un seul candidat."}


def test_unknown_candidate_is_refused(db: Database) -> None:
    with db.session() as s:
        errors = _errors(s, _session_input(), (999,))
    assert errors == {"candidat": "Dossier introuvable (n° 999)."}


def test_more_candidates_than_places_is_refused(db: Database) -> None:
    with db.session() as s:
        ids = (_candidate(s, "Dupont", "Léa"), _candidate(s, "Traoré", "Noé", "M"))
        errors = _errors(s, _session_input(capacity="1"), ids)
    assert errors == {"candidat": "Trop de candidats pour la capacité (2 pour 1 places)."}


def test_a_refused_form_saves_nothing(db: Database) -> None:
    with db.session() as s:
        _errors(s, _session_input(staff=""))
        assert ap.appointments_on(s, TODAY) == []


# ---------------------------------------------------------------- update and cancel


def test_update_changes_the_appointment(db: Database) -> None:
    with db.session() as s:
        info = ap.create_appointment(s, _session_input(), actor=make_actor("coordination"))
        data = ap.appointment_input(s, info)
        data.time, data.site, data.room, data.capacity = "9h30", "du-guesclin", "Hopper", "8"
        updated = ap.update_appointment(s, info.id, data, actor=make_actor("coordination"))
    assert updated.starts_at == datetime(2026, 11, 28, 9, 30)
    assert updated.site_name == "Centre Du Guesclin"
    assert (updated.room, updated.capacity) == ("Hopper", 8)


def test_update_keeps_capacity_above_registered(db: Database) -> None:
    with db.session() as s:
        ids = [_candidate(s, "Dupont", "Léa"), _candidate(s, "Traoré", "Noé", "M")]
        info = ap.create_appointment(s, _session_input(), ids, actor=make_actor("coordination"))
        with pytest.raises(ValidationError) as caught:
            ap.update_appointment(
                s, info.id, _session_input(capacity="1"), actor=make_actor("coordination")
            )
        with pytest.raises(ValidationError) as to_interview:
            ap.update_appointment(s, info.id, _interview_input(), actor=make_actor("coordination"))
    assert caught.value.errors == {
        "capacite": "La capacité ne peut pas être inférieure au nombre d'inscrits (2)."
    }
    assert "type" in to_interview.value.errors


def test_cancel_keeps_the_appointment_and_its_people(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        info = ap.create_appointment(s, _session_input(), [lea], actor=make_actor("coordination"))
        cancelled = ap.cancel_appointment(
            s,
            info.id,
            reason=" Formateur malade ",
            actor=make_actor("accueil", "nadia"),
            now=datetime(2026, 11, 27, 9, 15),
        )
        listed = ap.appointments_on(s, TODAY)
        assert s.scalar(select(func.count(Attendee.id))) == 1
        with pytest.raises(ValidationError, match="Ce rendez-vous est annulé : il a déjà été"):
            ap.cancel_appointment(s, info.id, reason="encore", actor=make_actor("coordination"))
    assert cancelled.cancelled
    assert (cancelled.cancelled_at, cancelled.cancellation_reason, cancelled.cancelled_by) == (
        datetime(2026, 11, 27, 9, 15),
        "Formateur malade",
        "nadia",
    )
    assert [a.id for a in listed] == [info.id] and listed[0].cancelled
    assert listed[0].summary.endswith("(1/12 inscrit) — annulée")


# ---------------------------------------------------------------- registrations


def test_full_session_refuses_a_registration(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        noe = _candidate(s, "Traoré", "Noé", "M")
        info = ap.create_appointment(
            s, _session_input(capacity="1"), [lea], actor=make_actor("coordination")
        )
        with pytest.raises(ValidationError) as caught:
            ap.register(s, info.id, noe, actor=make_actor("coordination"))
    assert str(caught.value) == "La session est complète (1 place)."
    assert caught.value.errors == {"candidat": "La session est complète (1 place)."}


def test_full_session_message_counts_places(db: Database) -> None:
    with db.session() as s:
        ids = [_candidate(s, f"Nom{i}", "Léa") for i in range(13)]
        info = ap.create_appointment(
            s, _session_input(), ids[:12], actor=make_actor("coordination")
        )
        with pytest.raises(ValidationError, match=r"^La session est complète \(12 places\)\.$"):
            ap.register(s, info.id, ids[12], actor=make_actor("coordination"))


def test_double_registration_is_refused(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        info = ap.create_appointment(s, _session_input(), actor=make_actor("coordination"))
        after = ap.register(s, info.id, lea, actor=make_actor("coordination"))
        with pytest.raises(ValidationError, match="DUPONT Léa est déjà inscrite à ce rendez-vous"):
            ap.register(s, info.id, lea, actor=make_actor("coordination"))
    assert after.registered == 1


def test_interview_keeps_its_single_candidate(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        noe = _candidate(s, "Traoré", "Noé", "M")
        info = ap.create_appointment(s, _interview_input(), [lea], actor=make_actor("coordination"))
        with pytest.raises(ValidationError, match="Cet entretien a déjà son candidat : DUPONT Léa"):
            ap.register(s, info.id, noe, actor=make_actor("coordination"))
        emptied = ap.unregister(s, info.id, lea, actor=make_actor("coordination"))
        refilled = ap.register(s, info.id, noe, actor=make_actor("coordination"))
    assert emptied.attendees == []
    assert [a.name for a in refilled.attendees] == ["TRAORÉ Noé"]


def test_register_unknown_candidate_or_appointment(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        info = ap.create_appointment(s, _session_input(), actor=make_actor("coordination"))
        with pytest.raises(NotFoundError, match="Ce dossier n'existe plus"):
            ap.register(s, info.id, 999, actor=make_actor("coordination"))
        with pytest.raises(NotFoundError, match="Ce rendez-vous n'existe plus"):
            ap.register(s, 999, lea, actor=make_actor("coordination"))


def test_unregister_someone_not_registered(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        info = ap.create_appointment(s, _session_input(), actor=make_actor("coordination"))
        with pytest.raises(ValidationError, match="n'est pas inscrit"):
            ap.unregister(s, info.id, lea, actor=make_actor("coordination"))


@pytest.mark.parametrize(
    ("typed", "value", "label"),
    [
        ("present", "present", "Présent"),
        ("Présent", "present", "Présent"),
        ("absent", "absent", "Absent"),
        ("excuse", "excuse", "Excusé"),
        ("Excusé", "excuse", "Excusé"),
        ("inscrit", "inscrit", "Inscrit"),
    ],
)
def test_set_attendance(db: Database, typed: str, value: str, label: str) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        info = ap.create_appointment(s, _session_input(), [lea], actor=make_actor("coordination"))
        after = ap.set_attendance(s, info.id, lea, typed, actor=make_actor("coordination"))
    assert (after.attendees[0].attendance, after.attendees[0].attendance_label) == (value, label)
    assert after.attendance_of(lea) == value


def test_set_attendance_refuses_unknown_value_and_unregistered(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        noe = _candidate(s, "Traoré", "Noé", "M")
        info = ap.create_appointment(s, _session_input(), [lea], actor=make_actor("coordination"))
        with pytest.raises(ValidationError) as caught:
            ap.set_attendance(s, info.id, lea, "en retard", actor=make_actor("coordination"))
        with pytest.raises(ValidationError, match="n'est pas inscrit"):
            ap.set_attendance(s, info.id, noe, "present", actor=make_actor("coordination"))
    assert caught.value.errors == {
        "presence": "Présence inconnue : « en retard » "
        "(valeurs possibles : inscrit, présent, absent, excusé)."
    }


# ---------------------------------------------------------------- lists


def test_appointments_on_filters_by_day_and_site_and_sorts_by_time(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        ap.create_appointment(s, _session_input(time="14:00"), actor=make_actor("coordination"))
        ap.create_appointment(
            s, _interview_input(time="10:30"), [lea], actor=make_actor("coordination")
        )
        ap.create_appointment(
            s,
            _session_input(time="9:30", site="du-guesclin", room="Hopper", capacity="10"),
            actor=make_actor("coordination"),
        )
        ap.create_appointment(
            s, _session_input(date="29/11/2026", time="8:00"), actor=make_actor("coordination")
        )
        ap.create_appointment(
            s, _session_input(date="27/11/2026", time="23:59"), actor=make_actor("coordination")
        )
        cobalt = next(o.id for o in ap.reference.sites(s) if o.code == "cobalt")
        every_site = ap.appointments_on(s, TODAY)
        at_cobalt = ap.appointments_on(s, TODAY, site_id=cobalt)
    assert [(a.starts_at.time(), a.site_name) for a in every_site] == [
        (time(9, 30), "Centre Du Guesclin"),
        (time(10, 30), "Cobalt"),
        (time(14, 0), "Cobalt"),
    ]
    assert [a.kind for a in at_cobalt] == ["entretien", "information_collective"]


def test_for_candidate_lists_their_appointments_in_date_order(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        noe = _candidate(s, "Traoré", "Noé", "M")
        interview = ap.create_appointment(
            s, _interview_input(date="03/12/2026"), [lea], actor=make_actor("coordination")
        )
        session_ = ap.create_appointment(
            s, _session_input(date="20/11/2026"), [noe, lea], actor=make_actor("coordination")
        )
        ap.create_appointment(
            s, _session_input(date="21/11/2026"), [noe], actor=make_actor("coordination")
        )
        ap.set_attendance(s, session_.id, lea, "present", actor=make_actor("coordination"))
        listed = ap.for_candidate(s, lea)
    assert [a.id for a in listed] == [session_.id, interview.id]
    assert listed[0].attendance_of(lea) == "present"
    assert listed[0].attendance_of(noe) == "inscrit"
    assert [a.name for a in listed[0].attendees] == ["DUPONT Léa", "TRAORÉ Noé"]


def test_upcoming_sessions_only_with_free_places(db: Database) -> None:
    with db.session() as s:
        lea = _candidate(s, "Dupont", "Léa")
        ap.create_appointment(
            s, _session_input(date="20/11/2026"), actor=make_actor("coordination")
        )
        full = ap.create_appointment(
            s,
            _session_input(date="01/12/2026", capacity="1"),
            [lea],
            actor=make_actor("coordination"),
        )
        today = ap.create_appointment(
            s, _session_input(time="18:00"), actor=make_actor("coordination")
        )
        later = ap.create_appointment(
            s,
            _session_input(date="05/12/2026", site="du-guesclin", room="Hopper"),
            actor=make_actor("coordination"),
        )
        ap.create_appointment(
            s, _interview_input(date="02/12/2026"), [lea], actor=make_actor("coordination")
        )
        listed = ap.upcoming_sessions(s, TODAY)
        guesclin = ap.upcoming_sessions(s, TODAY, site_id=later.site_id)
        ap.unregister(s, full.id, lea, actor=make_actor("coordination"))
        freed = ap.upcoming_sessions(s, date(2026, 11, 29))
    assert [a.id for a in listed] == [today.id, later.id]
    assert [a.id for a in guesclin] == [later.id]
    assert [a.id for a in freed] == [full.id, later.id]
    assert freed[0].free_places == 1


def test_lists_load_attendees_in_a_few_queries(db: Database) -> None:
    from sqlalchemy import event

    with db.session() as s:
        ids = [_candidate(s, f"Nom{i}", "Léa") for i in range(6)]
        for hour in range(8, 14):
            ap.create_appointment(
                s, _session_input(time=f"{hour}:00"), ids, actor=make_actor("coordination")
            )
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as s:
            listed = ap.appointments_on(s, TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert sum(a.registered for a in listed) == 36
    assert len(statements) <= 3
