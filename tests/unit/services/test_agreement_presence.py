"""Presence that happened: absences and late arrivals by half-day, their French refusals,
and the hours done (planned by the one rule, minus half-days and late minutes)."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import AuditEntry
from app.services.agreements import amendments, details, life_cycle, presence, versions
from app.services.agreements.issued_documents import ATTESTATION, issue_document
from app.services.agreements.presence import AbsenceInput
from app.services.errors import NotFoundError, PermissionDenied, ValidationError
from app.services.journal import audit_log as audit
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.pdf.documents_world import COORD, break_off, finish, signed
from tests.unit.pdf.test_convention import _agreement

ROLE = "coordination"
TRAINER = "formateur"
AFTER = datetime(2026, 9, 2, 10, 0)  # the internship (01/06 → 31/07/2026) is over


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


def _record(
    s: Session, agreement_id: int, day: str, half: str = "matin", **fields: object
) -> presence.AbsenceInfo:
    data = replace(AbsenceInput(day=day, half_day=half), **fields)  # type: ignore[arg-type]
    return presence.record_absence(s, agreement_id, data, actor=make_actor(ROLE, COORD), now=AFTER)


def _refusal(s: Session, agreement_id: int, day: str, **fields: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        _record(s, agreement_id, day, **fields)
    return refused.value.errors


def _finished(s: Session, **overrides: object) -> int:
    """Mon-Fri 7 h from 01/06 to 31/07/2026: 308 h over 44 days; finished."""
    agreement_id = signed(s, **overrides)
    finish(s, agreement_id)
    return agreement_id


def test_summary_numbers_on_a_known_schedule(session: Session) -> None:
    agreement_id = _finished(session)
    _record(session, agreement_id, "02/06/2026", justified=True, reason="Rendez-vous médical")
    _record(session, agreement_id, "02/06/2026", "apres_midi")
    late = _record(session, agreement_id, "03/06/2026", kind="retard", minutes="30")
    assert (late.hours, late.description, late.kind_label) == (0.5, "retard de 30 min", "retard")
    summary = presence.presence_summary(session, agreement_id)
    assert (summary.planned_hours, summary.planned.days) == (308, 44)
    assert (summary.absent_hours, summary.done_hours) == (7.5, 300.5)
    assert (summary.absences, summary.absences_justified, summary.lates) == (2, 1, 1)
    assert (summary.justified, summary.unjustified) == (1, 2)
    assert (summary.start, summary.end, summary.ended_early, summary.finished) == (
        date(2026, 6, 1),
        date(2026, 7, 31),
        False,
        True,
    )
    assert summary.explanation == (
        "Heures effectuées : les 308 h prévues par la convention du 01/06/2026 au 31/07/2026 "
        "(jours fériés et interruptions déduits), moins 7,5 h d'absence relevées sur les "
        "feuilles de présence ; une demi-journée d'absence retire la moitié des heures "
        "prévues ce jour-là, un retard sa durée."
    )
    listed = presence.list_absences(session, agreement_id, actor=make_actor(TRAINER))
    assert [(a.day.day, a.half_day_label, a.hours) for a in listed] == [
        (2, "matin", 3.5),
        (2, "après-midi", 3.5),
        (3, "matin", 0.5),
    ]


def test_without_absence_hours_done_are_the_planned_hours(session: Session) -> None:
    agreement_id = _finished(session)
    summary = presence.presence_summary(session, agreement_id)
    assert (summary.planned_hours, summary.absent_hours, summary.done_hours) == (308, 0, 308)
    assert "aucune absence n'a été relevée" in summary.explanation


def test_a_late_arrival_counts_at_most_its_half_day(session: Session) -> None:
    agreement_id = _finished(session)
    errors = _refusal(session, agreement_id, "04/06/2026", kind="retard", minutes="211")
    assert errors == {
        "minutes": "Un retard dure de 1 à 210 minutes ce jour-là (la demi-journée compte "
        "3,5 h) ; au-delà, enregistrer une absence."
    }
    assert _refusal(session, agreement_id, "04/06/2026", kind="retard", minutes="0")
    assert _refusal(session, agreement_id, "04/06/2026", kind="retard", minutes="")["minutes"] == (
        "Indiquer la durée du retard, en minutes."
    )
    assert (
        "minutes entières"
        in _refusal(session, agreement_id, "04/06/2026", kind="retard", minutes="vingt")["minutes"]
    )
    assert _record(session, agreement_id, "04/06/2026", kind="retard", minutes="210").hours == 3.5
    # An absence's minutes mean nothing: they are not kept.
    assert _record(session, agreement_id, "05/06/2026", minutes="45").minutes is None


def test_days_without_planned_presence_are_refused(session: Session) -> None:
    agreement_id = _finished(session, interruptions=[("08/06/2026", "09/06/2026")])
    cases = {
        "31/05/2026": "Le 31/05/2026 est en dehors du stage (du 01/06/2026 au 31/07/2026).",
        "01/08/2026": "Le 01/08/2026 est en dehors du stage (du 01/06/2026 au 31/07/2026).",
        "06/06/2026": "Pas de présence prévue le samedi 06/06/2026 : les horaires en vigueur "
        "ce jour-là ne prévoient aucune heure le samedi.",
        "07/06/2026": "Pas de présence prévue le dimanche 07/06/2026 : le stagiaire a droit au "
        "repos dominical.",
        "14/07/2026": "Pas de présence prévue le mardi 14/07/2026 : c'est un jour férié.",
        "08/06/2026": "Pas de présence prévue le lundi 08/06/2026 : le stage est interrompu "
        "ce jour-là.",
        "31/06/2026": "Cette date n'existe pas.",
        "": "Indiquer la date de l'absence (JJ/MM/AAAA).",
    }
    for day, message in cases.items():
        assert _refusal(session, agreement_id, day) == {"date": message}, day


def test_other_fields_are_checked_in_french(session: Session) -> None:
    agreement_id = _finished(session)
    errors = _refusal(
        session, agreement_id, "02/06/2026", half_day="soir", kind="congé", reason="x" * 501
    )
    assert errors == {
        "demi_journee": "Demi-journée attendue : matin ou après-midi.",
        "nature": "Nature attendue : absence ou retard.",
        "motif": "Le motif dépasse 500 caractères.",
    }
    assert _record(session, agreement_id, "02/06/2026", "après-midi", reason="x" * 500).reason


def test_a_future_day_waits_for_the_weekly_sheet(session: Session) -> None:
    agreement_id = signed(session)
    life_cycle.refresh_status(session, agreement_id, date(2026, 6, 10))
    data = AbsenceInput(day="15/06/2026")
    with pytest.raises(ValidationError) as refused:
        presence.record_absence(
            session, agreement_id, data, actor=make_actor(ROLE, COORD), now=datetime(2026, 6, 10, 9)
        )
    assert refused.value.errors["date"].startswith("Le 15/06/2026 est à venir")
    today = AbsenceInput(day="10/06/2026", kind="retard", minutes="15")
    info = presence.record_absence(
        session, agreement_id, today, actor=make_actor(ROLE, COORD), now=datetime(2026, 6, 10, 9)
    )
    assert info.minutes == 15
    summary = presence.presence_summary(session, agreement_id)
    assert (summary.finished, summary.done_hours) == (False, 307.75)


def test_one_entry_per_half_day_then_change_and_delete(session: Session) -> None:
    agreement_id = _finished(session)
    first = _record(session, agreement_id, "02/06/2026")
    assert _refusal(session, agreement_id, "02/06/2026") == {
        "date": "Le 02/06/2026 matin a déjà une absence enregistrée : la modifier ou la supprimer."
    }
    changed = presence.update_absence(
        session,
        first.id,
        AbsenceInput(
            day="02/06/2026", kind="retard", minutes="20", justified=True, document_received=True
        ),
        actor=make_actor(TRAINER, "Samir Haddad"),
        now=AFTER,
    )
    assert (changed.id, changed.kind, changed.minutes, changed.hours) == (
        first.id,
        "retard",
        20,
        0.33,
    )
    assert (changed.justified, changed.document_received, changed.recorded_by) == (
        True,
        True,
        "Samir Haddad",
    )
    presence.delete_absence(session, first.id, actor=make_actor(TRAINER))
    assert presence.list_absences(session, agreement_id, actor=make_actor(ROLE)) == []
    with pytest.raises(NotFoundError):
        presence.delete_absence(session, first.id, actor=make_actor(ROLE))


def test_broken_off_agreement_stops_at_its_early_end(session: Session) -> None:
    agreement_id = signed(session)
    break_off(session, agreement_id, date(2026, 6, 12))
    assert _refusal(session, agreement_id, "15/06/2026") == {
        "date": "Le stage a été rompu : son dernier jour est le 12/06/2026, pas d'absence "
        "après cette date."
    }
    _record(session, agreement_id, "12/06/2026", "apres_midi")
    summary = presence.presence_summary(session, agreement_id)
    # 1-12 June 2026: 10 weekdays of 7 h.
    assert (summary.planned_hours, summary.absent_hours, summary.done_hours) == (70, 3.5, 66.5)
    assert (summary.end, summary.ended_early) == (date(2026, 6, 12), True)
    assert "du 01/06/2026 au 12/06/2026, date de fin anticipée" in summary.explanation


def test_an_amendment_changes_the_half_day_from_its_signing_day(session: Session) -> None:
    agreement_id = signed(session)
    life_cycle.refresh_status(session, agreement_id, date(2026, 6, 10))
    values = details.get_agreement(session, agreement_id).values
    six_hours = replace(values, horaires={day: "6" for day in range(5)})
    rank = amendments.create_amendment(
        session,
        agreement_id,
        six_hours,
        "Horaires réduits",
        actor=make_actor(ROLE, COORD),
        now=datetime(2026, 6, 11, 9),
    ).rank
    amendments.sign_amendment(
        session,
        agreement_id,
        rank,
        date(2026, 6, 15),
        actor=make_actor(ROLE, COORD),
        now=datetime(2026, 6, 15, 17),
    )
    finish(session, agreement_id)
    before = _record(session, agreement_id, "12/06/2026")
    after = _record(session, agreement_id, "22/06/2026")
    late = _record(session, agreement_id, "23/06/2026", kind="retard", minutes="180")
    assert (before.hours, after.hours) == (3.5, 3)
    assert (
        "de 1 à 180 minutes"
        in _refusal(session, agreement_id, "24/06/2026", kind="retard", minutes="181")["minutes"]
    )
    assert late.hours == 3  # the whole half-day under the amended schedule
    summary = presence.presence_summary(session, agreement_id)
    planned = versions.agreement_hours_for(session, agreement_id).total.hours
    # 1-12 June: 10 days of 7 h; 15 June - 31 July: 34 days of 6 h (14 July off).
    assert summary.planned_hours == planned == 70 + 34 * 6
    assert summary.absent_hours == 9.5
    assert summary.done_hours == planned - 9.5
    assert "la convention et ses avenants signés" in summary.explanation


def test_recording_follows_the_status(session: Session) -> None:
    ready = _agreement(session, date_debut="01/09/2026", date_fin="30/09/2026")
    message = _refusal(session, ready, "02/09/2026")["statut"]
    assert message == (
        "Les absences s'enregistrent pendant et après le stage (convention en cours, "
        "terminée ou rompue) : cette convention est prête à signer."
    )
    life_cycle.cancel(session, ready, "Reporté", actor=make_actor(ROLE, COORD), now=AFTER)
    assert _refusal(session, ready, "02/09/2026")["statut"].endswith("est annulée.")
    agreement_id = signed(session)
    assert presence.recording_refusal(session, agreement_id).endswith(
        "la convention est signée, le stage n'a pas commencé."
    )
    finish(session, agreement_id)
    assert presence.recording_refusal(session, agreement_id) == ""


def test_an_issued_attestation_freezes_the_absences(session: Session) -> None:
    agreement_id = _finished(session)
    absence = _record(session, agreement_id, "02/06/2026")
    issue_document(session, agreement_id, ATTESTATION, today=date(2026, 9, 4), author=COORD)
    message = (
        "L'attestation de stage n° ATT-2026-0001 a été délivrée le 04/09/2026 : les heures "
        "qu'elle certifie ne changent plus."
    )
    assert _refusal(session, agreement_id, "03/06/2026") == {"statut": message}
    with pytest.raises(ValidationError):
        presence.delete_absence(session, absence.id, actor=make_actor(ROLE))


def test_roles(session: Session) -> None:
    agreement_id = _finished(session)
    data = AbsenceInput(day="02/06/2026")
    with pytest.raises(PermissionDenied) as refused:
        presence.record_absence(
            session, agreement_id, data, actor=make_actor("accueil", "x"), now=AFTER
        )
    assert "formateurs et la coordination" in str(refused.value)
    with pytest.raises(PermissionDenied):
        presence.list_absences(session, agreement_id, actor=make_actor("accueil"))
    info = presence.record_absence(
        session, agreement_id, data, actor=make_actor(TRAINER, "Samir Haddad"), now=AFTER
    )
    assert info.recorded_by == "Samir Haddad"


def test_the_tab_reads_everything_at_once(session: Session) -> None:
    agreement_id = _finished(session)
    _record(session, agreement_id, "02/06/2026", justified=True)
    data = presence.presence(session, agreement_id, actor=make_actor(ROLE), today=date(2026, 9, 2))
    assert (data.status, data.refusal, data.suggested_day) == ("terminee", "", date(2026, 7, 31))
    assert len(data.absences) == 1 and data.summary.done_hours == 304.5


def test_the_journal_records_each_change(db: Database) -> None:
    audit.attach(db, lambda: "Claire Morel")
    with db.session() as s:
        agreement_id = _finished(s)
    with db.session() as s:
        absence = _record(s, agreement_id, "02/06/2026", reason="Grippe")
    with db.session() as s:
        presence.delete_absence(s, absence.id, actor=make_actor(ROLE))
    with db.session() as s:
        summaries = list(
            s.scalars(
                select(AuditEntry.summary)
                .where(AuditEntry.entity_type == "agreement_absence")
                .order_by(AuditEntry.id)
            )
        )
    assert summaries == [
        "Absence enregistrée du 02/06/2026 (matin)",
        "Absence supprimée du 02/06/2026 (matin)",
    ]
    audit.detach(db)
