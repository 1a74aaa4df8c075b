"""Internship agreements: form rules, drafts, numbering, life cycle, signatures, amendments."""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import (
    Agreement,
    AgreementEvent,
    AgreementNumber,
    Host,
    OrientationDecision,
    Tutor,
)
from app.domain.agreement import Signatory
from app.services.agreements import amendments as agreement_amendments
from app.services.agreements import details, life_cycle, listing, terms, terms_text, versions
from app.services.agreements import rules as agreement_rules
from app.services.agreements.documents import convention_data
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.errors import ConflictError, PermissionDenied, ValidationError
from app.storage import Database
from tests.conftest import make_actor

NOW = datetime(2026, 5, 4, 9, 0)
TODAY = NOW.date()
COORD = "Claire Morel"
WEEK_7H = {day: "7" for day in range(5)}


def _candidate(
    s: Session,
    nom: str,
    prenom: str,
    *,
    enter: bool = True,
    birth: str = "",
    validated: bool = True,
) -> int:
    data = CandidateInput(
        nom=nom,
        prenom=prenom,
        email=f"{prenom.lower()}.{nom.lower()}@exemple.fr",
        saison="2025-2026",  # starts 1 December 2025: internship window June-July 2026
        site="cobalt",
        date_naissance=birth,
    )
    at = datetime(2025, 11, 1, 9, 0)
    candidate_id = create_candidate(s, data, now=at, actor=make_actor("coordination", "test")).id
    if enter:
        for stage in ("entretien", "admis", "entre_formation"):
            change_stage(
                s, candidate_id, stage, comment="", now=at, actor=make_actor("coordination", "test")
            )
    if validated:
        s.add(
            OrientationDecision(
                candidate_id=candidate_id,
                outcome="validee",
                decided_by=COORD,
                decided_at=datetime(2026, 1, 9, 17, 0),
            )
        )
        s.flush()
    return candidate_id


@dataclass(frozen=True)
class World:
    lea: int
    marc: int
    host: int
    public_host: int
    tutor: int
    other_tutor: int  # belongs to the public host


def _world(s: Session) -> World:
    host = Host(name="Atelier Vélo Solidaire", legal_form="association", siret="73282932000074")
    public = Host(name="Mairie de Cobalt", legal_form="public", siret="21750001600019")
    s.add_all([host, public])
    s.flush()
    tutor = Tutor(host_id=host.id, name="Jeanne Petit", function="Responsable atelier")
    other = Tutor(host_id=public.id, name="Paul Martin")
    s.add_all([tutor, other])
    s.flush()
    return World(
        lea=_candidate(s, "Dupont", "Léa", birth="12/03/2001"),
        marc=_candidate(s, "Bernard", "Marc"),
        host=host.id,
        public_host=public.id,
        tutor=tutor.id,
        other_tutor=other.id,
    )


def _form(w: World, candidate: int | None = None, **overrides: object) -> terms.AgreementInput:
    data = terms.AgreementInput(
        candidat=str(candidate or w.lea),
        structure=str(w.host),
        tuteur=str(w.tutor),
        formateur_referent="Samir Haddad",
        telephone_referent="05 49 52 10 10",
        email_referent="samir.haddad@fabrique-numerique.fr",
        financeur="region",
        date_debut="01/06/2026",
        date_fin="31/07/2026",
        horaires=dict(WEEK_7H),
        activites="Accueil des usagers, petites réparations.",
        competences="Diagnostic, relation client.",
    )
    return replace(data, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


@pytest.fixture
def w(session: Session) -> World:
    return _world(session)


def _draft(
    s: Session, w: World, candidate: int | None = None, **overrides: object
) -> details.AgreementInfo:
    data = _form(w, candidate, **overrides)
    return life_cycle.create_draft(s, data, actor=make_actor("coordination", COORD), now=NOW)


def _signed(
    s: Session, w: World, candidate: int | None = None, **overrides: object
) -> details.AgreementInfo:
    info = _draft(s, w, candidate, **overrides)
    life_cycle.mark_ready(s, info.id, actor=make_actor("coordination", COORD), now=NOW)
    for who in Signatory:
        info = life_cycle.record_signature(
            s, info.id, who.value, TODAY, actor=make_actor("coordination", COORD), now=NOW
        )
    return info


# ---------------------------------------------------------------- the live form


def test_hours_total_of_june_and_july_full_time(session: Session, w: World) -> None:
    check = agreement_rules.validate_agreement(session, _form(w), today=TODAY)
    assert check.errors == {}
    assert check.warnings == []
    assert check.hours is not None
    # 1 June → 31 July 2026, Monday to Friday: 45 weekdays minus 14 July.
    assert (check.hours.hours, check.hours.days, check.hours.days_as_7h) == (308, 44, 44)


def test_hours_with_half_hours_and_interruption(session: Session, w: World) -> None:
    horaires = {0: "7,5", 1: "7,5", 2: "3,5", 3: "7,5", 4: "7,5"}
    data = _form(w, horaires=horaires, interruptions=[("08/06/2026", "12/06/2026")])
    check = agreement_rules.validate_agreement(session, data, today=TODAY)
    assert check.errors == {}
    assert check.hours is not None
    # 45 weekdays (9 of each), minus 14 July (a Tuesday) and the week of 8 June:
    # 8 Mondays, 7 Tuesdays, 8 Wednesdays, 8 Thursdays, 8 Fridays.
    assert check.hours.days == 39
    assert check.hours.hours == 7.5 * (8 + 7 + 8 + 8) + 3.5 * 8 == 260.5


def test_every_blocking_rule_reaches_its_field(session: Session, w: World) -> None:
    outsider = _candidate(session, "Admis", "Paul", enter=False)
    data = terms.AgreementInput(
        candidat=str(outsider),
        structure=str(w.public_host),
        tuteur=str(w.tutor),  # tutor of the other host
        date_debut="01/07/2026",
        date_fin="30/06/2026",
        horaires={0: "11", 1: "7"},
        interruptions=[("01/05/2026", "02/05/2026")],
        indemnite="4,35",
        unite_indemnite="semaine",
        nuit="peut-être",
    )
    check = agreement_rules.validate_agreement(session, data, today=TODAY)
    assert set(check.errors) == {
        "candidat",
        "tuteur",
        "date_fin",
        "horaires",
        "unite_indemnite",
        "mode_versement",
        "nuit",
    }
    assert "n'est pas entré(e) en formation" in check.errors["candidat"]
    assert (
        "Jeanne Petit n'est pas tuteur de la structure Mairie de Cobalt" in check.errors["tuteur"]
    )
    assert "ne peut pas dépasser 10 h par jour" in check.errors["horaires"]
    # An indemnity from a public host has no legal bar: at most a warning (agreements.md).
    assert "indemnite" not in check.errors


def test_missing_fields_and_unreadable_values(session: Session, w: World) -> None:
    check = agreement_rules.validate_agreement(
        session,
        terms.AgreementInput(horaires={0: "sept"}, date_debut="32/01/2026", indemnite="beaucoup"),
        today=TODAY,
    )
    assert check.errors == {
        "candidat": "Choisir le stagiaire.",
        "structure": "Choisir la structure d'accueil.",
        "date_debut": "Cette date n'existe pas.",
        "date_fin": "Indiquer la date de fin.",
        "horaires": "Nombre d'heures illisible le lundi (exemple : 7 ou 7,5).",
        "indemnite": "Montant illisible (exemple : 4,35).",
    }
    assert check.hours is None


def test_interruption_outside_the_period_and_empty_schedule(session: Session, w: World) -> None:
    data = _form(w, horaires={}, interruptions=[("25/07/2026", "05/08/2026")])
    errors = agreement_rules.validate_agreement(session, data, today=TODAY).errors
    assert errors["horaires"] == "Indiquer au moins un jour de présence dans l'emploi du temps."
    assert "sort de la période du stage" in errors["interruptions"]


def test_minor_learner_limited_to_8_hours_a_day(session: Session, w: World) -> None:
    young = _candidate(session, "Jeune", "Tom", birth="15/09/2008")
    check = agreement_rules.validate_agreement(
        session, _form(w, young, horaires={0: "9"}), today=TODAY
    )
    assert "moins de 18 ans" in check.errors["horaires"]
    with_parent = _form(w, young, representant_legal="Léa Jeune, mère")
    assert agreement_rules.validate_agreement(session, with_parent, today=TODAY).errors == {}


def test_indemnity_with_french_comma_needs_unit_and_mode(session: Session, w: World) -> None:
    data = _form(w, indemnite="4,35", unite_indemnite="heure", mode_versement="virement")
    assert agreement_rules.validate_agreement(session, data, today=TODAY).errors == {}
    info = life_cycle.create_draft(session, data, actor=make_actor("coordination", COORD), now=NOW)
    assert info.values.indemnite == "4,35"
    assert info.values.unite_indemnite == "heure"
    missing = agreement_rules.validate_agreement(
        session, replace(data, mode_versement=""), today=TODAY
    )
    assert missing.errors == {"mode_versement": "Indiquer le mode de versement de l'indemnité."}


# ---------------------------------------------------------------- warnings


def test_warning_outside_the_cohort_window(session: Session, w: World) -> None:
    check = agreement_rules.validate_agreement(
        session, _form(w, date_fin="31/08/2026"), today=TODAY
    )
    assert check.errors == {}
    assert check.warnings == [
        "Les dates sortent de la période de stage de la promotion (du 01/06/2026 au 31/07/2026)."
    ]


def test_warning_when_orientation_not_validated(session: Session, w: World) -> None:
    nora = _candidate(session, "Ziani", "Nora", validated=False)
    assert agreement_rules.validate_agreement(session, _form(w, nora), today=TODAY).warnings == [
        "L'orientation du stagiaire n'a pas encore été validée."
    ]
    session.add(
        OrientationDecision(
            candidate_id=nora,
            outcome="reserves",
            decided_by=COORD,
            decided_at=datetime(2026, 2, 1),
        )
    )
    session.flush()
    assert agreement_rules.validate_agreement(session, _form(w, nora), today=TODAY).warnings == []
    session.add(
        OrientationDecision(
            candidate_id=nora,
            outcome="non_validee",
            decided_by=COORD,
            decided_at=datetime(2026, 3, 1),
        )
    )
    session.flush()
    assert (
        len(agreement_rules.validate_agreement(session, _form(w, nora), today=TODAY).warnings) == 1
    )


def test_warning_when_tutor_supervises_three_ongoing(session: Session, w: World) -> None:
    for index, status in enumerate(("signee", "en_cours", "en_cours", "terminee")):
        other = _candidate(session, f"Autre{index}", "Stagiaire")
        session.add(
            Agreement(
                status=status,
                candidate_id=other,
                host_id=w.host,
                tutor_id=w.tutor,
                start_date=date(2026, 3, 2),
                end_date=date(2026, 6, 30),
                schedule='{"0": 7}',
            )
        )
        session.flush()
        check = agreement_rules.validate_agreement(session, _form(w), today=TODAY)
        expected = (
            []
            if index < 2
            else ["Le tuteur encadre déjà 3 conventions en cours (repère : 3 au plus)."]
        )
        assert check.warnings == expected


def test_warning_start_already_passed_does_not_block(session: Session, w: World) -> None:
    check = agreement_rules.validate_agreement(session, _form(w), today=date(2026, 6, 3))
    assert check.errors == {}
    assert check.warnings == ["La date de début (01/06/2026) est déjà passée."]


# ---------------------------------------------------------------- overlap


def test_overlap_with_an_active_agreement_is_refused(session: Session, w: World) -> None:
    first = _draft(session, w)
    # A draft does not hold the learner's time yet.
    assert agreement_rules.validate_agreement(session, _form(w), today=TODAY).errors == {}
    life_cycle.mark_ready(session, first.id, actor=make_actor("coordination", COORD), now=NOW)
    second = _form(w, date_debut="15/07/2026", date_fin="31/07/2026")
    errors = agreement_rules.validate_agreement(session, second, today=TODAY).errors
    assert errors == {
        "date_debut": "DUPONT Léa a déjà une convention prête à signer sur cette période "
        "(FAB-2026-0001, du 01/06/2026 au 31/07/2026)."
    }
    with pytest.raises(ValidationError) as refused:
        life_cycle.create_draft(session, second, actor=make_actor("coordination", COORD), now=NOW)
    assert set(refused.value.errors) == {"date_debut"}
    # Itself is excluded; another learner or a later period is fine.
    assert agreement_rules.validate_agreement(
        session, _form(w), agreement_id=first.id, today=TODAY
    ).ok
    assert agreement_rules.validate_agreement(session, _form(w, w.marc), today=TODAY).ok
    later = _form(w, date_debut="01/08/2026", date_fin="14/08/2026")
    assert agreement_rules.validate_agreement(session, later, today=TODAY).errors == {}
    life_cycle.cancel(
        session, first.id, "Structure fermée", actor=make_actor("coordination", COORD), now=NOW
    )
    assert agreement_rules.validate_agreement(session, second, today=TODAY).errors == {}


# ---------------------------------------------------------------- drafts


def test_create_draft_saves_values_and_logs(session: Session, w: World) -> None:
    info = _draft(session, w, lieu="12 rue des Ateliers, Cobalt")
    assert info.status == "brouillon"
    assert info.status_label == "brouillon"
    assert info.number is None
    assert info.learner_name == "DUPONT Léa"
    assert info.host_name == "Atelier Vélo Solidaire"
    assert info.tutor_name == "Jeanne Petit"
    assert info.referent == "Samir Haddad"
    assert (info.start, info.end) == (date(2026, 6, 1), date(2026, 7, 31))
    assert info.hours.hours == 308
    assert info.values.horaires == {0: "7", 1: "7", 2: "7", 3: "7", 4: "7"}
    assert info.values.lieu == "12 rue des Ateliers, Cobalt"
    assert len(info.missing_signatures) == 5
    assert [(e.author, e.from_label, e.to_label) for e in info.events] == [(COORD, "", "brouillon")]


def test_invalid_draft_saves_nothing(session: Session, w: World) -> None:
    with pytest.raises(ValidationError) as refused:
        _draft(session, w, date_fin="01/05/2026", horaires={})
    assert set(refused.value.errors) == {"date_fin", "horaires"}
    assert session.scalar(select(func.count(Agreement.id))) == 0
    assert session.scalar(select(func.count(AgreementEvent.id))) == 0


def test_update_draft_checks_version(session: Session, w: World) -> None:
    info = _draft(session, w)
    updated = life_cycle.update_draft(
        session,
        info.id,
        _form(w, date_fin="30/06/2026"),
        expected_version=info.version,
        actor=make_actor("coordination", COORD),
        now=NOW,
    )
    assert updated.end == date(2026, 6, 30)
    assert updated.hours.hours == 22 * 7
    assert updated.version == info.version + 1
    with pytest.raises(ConflictError):
        life_cycle.update_draft(
            session,
            info.id,
            _form(w),
            expected_version=info.version,
            actor=make_actor("coordination", COORD),
            now=NOW,
        )


def test_no_change_after_signature_except_by_amendment(session: Session, w: World) -> None:
    info = _signed(session, w)
    with pytest.raises(ValidationError) as refused:
        life_cycle.update_draft(
            session,
            info.id,
            _form(w),
            expected_version=info.version,
            actor=make_actor("coordination", COORD),
            now=NOW,
        )
    assert refused.value.errors == {
        "statut": "Après signature, toute modification passe par un avenant."
    }


# ---------------------------------------------------------------- numbering


def test_numbers_have_no_gaps_and_no_duplicates(session: Session, w: World) -> None:
    def ready(info: details.AgreementInfo) -> str | None:
        return life_cycle.mark_ready(
            session, info.id, actor=make_actor("coordination", COORD), now=NOW
        ).number

    cancelled = _draft(session, w)
    life_cycle.cancel(
        session, cancelled.id, "Erreur de saisie", actor=make_actor("coordination", COORD), now=NOW
    )
    assert ready(_draft(session, w)) == "FAB-2026-0001"
    assert ready(_draft(session, w, w.marc)) == "FAB-2026-0002"
    third = _candidate(session, "Morel", "Inès")
    next_year = _draft(session, w, third, date_debut="04/01/2027", date_fin="26/02/2027")
    assert ready(next_year) == "FAB-2027-0001"
    fourth = _candidate(session, "Roux", "Hugo")
    assert ready(_draft(session, w, fourth)) == "FAB-2026-0003"
    numbers = session.execute(
        select(AgreementNumber.year, AgreementNumber.last).order_by(AgreementNumber.year)
    ).all()
    assert [tuple(row) for row in numbers] == [(2026, 3), (2027, 1)]
    assert details.get_agreement(session, cancelled.id).number is None


def test_mark_ready_requires_tutor_and_referent(session: Session, w: World) -> None:
    info = _draft(session, w, tuteur="", formateur_referent="")
    with pytest.raises(ValidationError) as refused:
        life_cycle.mark_ready(session, info.id, actor=make_actor("coordination", COORD), now=NOW)
    assert set(refused.value.errors) == {"tuteur", "formateur_referent"}
    assert session.scalar(select(func.count(AgreementNumber.id))) == 0


# ---------------------------------------------------------------- life cycle


def test_refused_transitions_name_the_status(session: Session, w: World) -> None:
    info = _draft(session, w)
    with pytest.raises(ValidationError) as refused:
        life_cycle.break_off(
            session,
            info.id,
            date(2026, 6, 5),
            "x",
            actor=make_actor("coordination", COORD),
            now=NOW,
        )
    assert refused.value.errors == {
        "statut": "Impossible de rompre la convention : la convention est brouillon."
    }
    with pytest.raises(ValidationError) as refused:
        life_cycle.record_signature(
            session, info.id, "tuteur", TODAY, actor=make_actor("coordination", COORD), now=NOW
        )
    assert "brouillon" in refused.value.errors["statut"]
    signed = _signed(session, w, candidate=w.marc)
    with pytest.raises(ValidationError) as refused:
        life_cycle.cancel(session, signed.id, "x", actor=make_actor("coordination", COORD), now=NOW)
    assert refused.value.errors == {
        "statut": "Impossible d'annuler la convention : la convention est signée."
    }
    with pytest.raises(ValidationError) as refused:
        life_cycle.mark_ready(session, signed.id, actor=make_actor("coordination", COORD), now=NOW)
    assert "signée" in refused.value.errors["statut"]


def test_signatures_lead_to_signed(session: Session, w: World) -> None:
    info = _draft(session, w)
    info = life_cycle.mark_ready(session, info.id, actor=make_actor("coordination", COORD), now=NOW)
    assert info.status_label == "prête à signer"
    signatories = list(Signatory)
    for who in signatories[:-1]:
        info = life_cycle.record_signature(
            session,
            info.id,
            who.value,
            date(2026, 5, 2),
            actor=make_actor("coordination", COORD),
            now=NOW,
        )
        assert info.status == "prete_a_signer"
    assert info.missing_signatures == ("Formateur référent",)
    with pytest.raises(ValidationError) as refused:
        life_cycle.record_signature(
            session, info.id, "tuteur", TODAY, actor=make_actor("coordination", COORD), now=NOW
        )
    assert refused.value.errors == {"signataire": "La signature « Tuteur » est déjà enregistrée."}
    info = life_cycle.record_signature(
        session, info.id, "referent", TODAY, actor=make_actor("coordination", COORD), now=NOW
    )
    assert info.status == "signee"
    assert info.missing_signatures == ()
    assert [s.signatory for s in info.signatures] == [s.value for s in signatories]
    assert info.events[-1].to_label == "signée"


def test_signed_outside_the_app_needs_the_scan(session: Session, w: World, tmp_path: Path) -> None:
    info = _draft(session, w)
    life_cycle.mark_ready(session, info.id, actor=make_actor("coordination", COORD), now=NOW)
    with pytest.raises(ValidationError) as refused:
        life_cycle.record_signature(
            session,
            info.id,
            "organisme",
            TODAY,
            actor=make_actor("coordination", COORD),
            outside_app=True,
            scan_path=str(tmp_path / "absent.pdf"),
            now=NOW,
        )
    assert set(refused.value.errors) == {"scan"}
    scan = tmp_path / "convention-signee.pdf"
    scan.write_bytes(b"%PDF-1.4")
    info = life_cycle.record_signature(
        session,
        info.id,
        "organisme",
        TODAY,
        actor=make_actor("coordination", COORD),
        outside_app=True,
        scan_path=str(scan),
        now=NOW,
    )
    assert info.status == "signee"
    assert info.signatures[0].label == "Signée hors application"
    assert info.missing_signatures == ()


def test_refresh_status_follows_the_dates(session: Session, w: World) -> None:
    info = _signed(session, w)
    assert life_cycle.refresh_status(session, info.id, date(2026, 5, 31)).status == "signee"
    assert life_cycle.refresh_status(session, info.id, date(2026, 6, 1)).status == "en_cours"
    assert life_cycle.refresh_status(session, info.id, date(2026, 7, 31)).status == "en_cours"
    info = life_cycle.refresh_status(session, info.id, date(2026, 8, 1))
    assert info.status == "terminee"
    assert [(e.from_label, e.to_label) for e in info.events if e.to_label][-2:] == [
        ("signée", "en cours"),
        ("en cours", "terminée"),
    ]
    # A signed agreement found long after its end goes through both steps.
    late = _signed(session, w, candidate=w.marc)
    assert life_cycle.refresh_status(session, late.id, date(2026, 9, 1)).status == "terminee"


def test_break_off_needs_a_reason(session: Session, w: World) -> None:
    info = _signed(session, w)
    life_cycle.refresh_status(session, info.id, date(2026, 6, 2))
    with pytest.raises(ValidationError) as refused:
        life_cycle.break_off(
            session,
            info.id,
            date(2026, 6, 12),
            "  ",
            actor=make_actor("coordination", COORD),
            now=NOW,
        )
    assert refused.value.errors == {"motif": "Indiquer le motif de la rupture."}
    info = life_cycle.break_off(
        session,
        info.id,
        date(2026, 6, 12),
        "Déménagement du stagiaire",
        actor=make_actor("coordination", COORD),
        now=NOW,
    )
    assert info.status_label == "rompue"
    assert (info.ended_on, info.end_reason) == (date(2026, 6, 12), "Déménagement du stagiaire")
    assert info.events[-1].comment == "Rompue au 12/06/2026 : Déménagement du stagiaire"
    # A broken agreement frees the learner's time.
    assert agreement_rules.validate_agreement(session, _form(w), today=TODAY).errors == {}


def test_cancel_from_ready_keeps_its_number(session: Session, w: World) -> None:
    info = _draft(session, w)
    life_cycle.mark_ready(session, info.id, actor=make_actor("coordination", COORD), now=NOW)
    with pytest.raises(ValidationError) as refused:
        life_cycle.cancel(session, info.id, "", actor=make_actor("coordination", COORD), now=NOW)
    assert set(refused.value.errors) == {"motif"}
    info = life_cycle.cancel(
        session, info.id, "Stage reporté", actor=make_actor("coordination", COORD), now=NOW
    )
    assert (info.status, info.number) == ("annulee", "FAB-2026-0001")
    assert _draft(session, w).number is None


# ---------------------------------------------------------------- amendments


def test_amendment_changes_current_values_once_signed(session: Session, w: World) -> None:
    info = _signed(session, w)
    with pytest.raises(ValidationError) as refused:
        agreement_amendments.create_amendment(
            session, info.id, info.values, "Rien", actor=make_actor("coordination", COORD), now=NOW
        )
    assert set(refused.value.errors) == {"avenant"}
    new = replace(info.values, date_fin="31/08/2026", lieu="Atelier annexe")
    amendment = agreement_amendments.create_amendment(
        session,
        info.id,
        new,
        "Prolongation d'un mois",
        actor=make_actor("coordination", COORD),
        now=NOW,
    )
    assert amendment.rank == 1
    assert amendment.changes == {
        "date_fin": ("31/07/2026", "31/08/2026"),
        "lieu": ("locaux de la structure d'accueil", "Atelier annexe"),
    }
    # Not signed yet: the current values are unchanged.
    current = details.get_agreement(session, info.id)
    assert (current.end, current.hours.hours) == (date(2026, 7, 31), 308)
    assert current.amendments[0].signed_on is None
    current = agreement_amendments.sign_amendment(
        session, info.id, 1, date(2026, 5, 4), actor=make_actor("coordination", COORD), now=NOW
    )
    # August 2026: 21 weekdays, 15 August is a Saturday.
    assert (current.end, current.hours.hours, current.hours.days) == (date(2026, 8, 31), 455, 65)
    assert current.values.lieu == "Atelier annexe"
    second = agreement_amendments.create_amendment(
        session,
        info.id,
        replace(current.values, horaires={0: "7", 1: "7", 2: "7", 3: "7"}),
        "Vendredi libéré pour la formation",
        actor=make_actor("coordination", COORD),
        now=NOW,
    )
    assert second.rank == 2
    assert second.changes == {
        "horaires": (
            "Lundi : 7 h\nMardi : 7 h\nMercredi : 7 h\nJeudi : 7 h\nVendredi : 7 h\n"
            "soit 35 h par semaine sur 5 jours",
            "Lundi : 7 h\nMardi : 7 h\nMercredi : 7 h\nJeudi : 7 h\n"
            "soit 28 h par semaine sur 4 jours",
        )
    }
    current = agreement_amendments.sign_amendment(
        session, info.id, 2, date(2026, 5, 4), actor=make_actor("coordination", COORD), now=NOW
    )
    assert current.values.horaires == {0: "7", 1: "7", 2: "7", 3: "7"}
    assert current.hours.hours == 455 - 13 * 7  # 13 Fridays from 1 June to 31 August
    # The end date of the amendment drives the life cycle.
    assert life_cycle.refresh_status(session, info.id, date(2026, 8, 15)).status == "en_cours"
    assert life_cycle.refresh_status(session, info.id, date(2026, 9, 1)).status == "terminee"


def test_amendment_refusals(session: Session, w: World) -> None:
    draft = _draft(session, w)
    with pytest.raises(ValidationError) as refused:
        agreement_amendments.create_amendment(
            session, draft.id, _form(w), "x", actor=make_actor("coordination", COORD), now=NOW
        )
    assert "brouillon" in refused.value.errors["statut"]
    life_cycle.cancel(
        session, draft.id, "doublon", actor=make_actor("coordination", COORD), now=NOW
    )
    info = _signed(session, w)
    with pytest.raises(ValidationError) as refused:
        agreement_amendments.create_amendment(
            session,
            info.id,
            replace(info.values, candidat=str(w.marc), date_fin="30/07/2026"),
            "",
            actor=make_actor("coordination", COORD),
            now=NOW,
        )
    assert set(refused.value.errors) == {"motif"}
    with pytest.raises(ValidationError) as refused:
        agreement_amendments.create_amendment(
            session,
            info.id,
            replace(info.values, candidat=str(w.marc)),
            "Changement",
            actor=make_actor("coordination", COORD),
            now=NOW,
        )
    assert set(refused.value.errors) == {"candidat"}
    with pytest.raises(ValidationError) as refused:
        agreement_amendments.create_amendment(
            session,
            info.id,
            replace(info.values, horaires={0: "12"}),
            "Plus d'heures",
            actor=make_actor("coordination", COORD),
            now=NOW,
        )
    assert set(refused.value.errors) == {"horaires"}
    agreement_amendments.create_amendment(
        session,
        info.id,
        replace(info.values, date_fin="30/07/2026"),
        "Fin avancée",
        actor=make_actor("coordination", COORD),
        now=NOW,
    )
    with pytest.raises(ValidationError) as refused:
        agreement_amendments.create_amendment(
            session,
            info.id,
            replace(info.values, date_fin="29/07/2026"),
            "Encore",
            actor=make_actor("coordination", COORD),
            now=NOW,
        )
    assert refused.value.errors == {"avenant": "L'avenant n° 1 attend encore sa signature."}


# ---------------------------------------------------------------- roles, events, list


@pytest.mark.parametrize("role", ["accueil", "formateur"])
def test_only_coordination_writes(session: Session, w: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        life_cycle.create_draft(session, _form(w), actor=make_actor(role, "x"), now=NOW)
    info = _draft(session, w)
    with pytest.raises(PermissionDenied):
        life_cycle.mark_ready(session, info.id, actor=make_actor(role, "x"), now=NOW)
    with pytest.raises(PermissionDenied):
        life_cycle.cancel(session, info.id, "x", actor=make_actor(role, "x"), now=NOW)
    with pytest.raises(PermissionDenied):
        life_cycle.update_draft(
            session, info.id, _form(w), expected_version=info.version, actor=make_actor(role, "x")
        )
    signed = _signed(session, w, candidate=w.marc)
    with pytest.raises(PermissionDenied):
        life_cycle.break_off(
            session, signed.id, date(2026, 6, 5), "x", actor=make_actor(role, "x"), now=NOW
        )
    with pytest.raises(PermissionDenied):
        agreement_amendments.create_amendment(
            session, signed.id, signed.values, "x", actor=make_actor(role, "x"), now=NOW
        )
    # Reading stays open to everyone.
    assert details.get_agreement(session, info.id).status == "brouillon"


def test_every_transition_is_logged(session: Session, w: World) -> None:
    info = _signed(session, w)
    life_cycle.refresh_status(session, info.id, date(2026, 6, 1))
    info = life_cycle.break_off(
        session,
        info.id,
        date(2026, 6, 20),
        "Abandon",
        actor=make_actor("coordination", "Nadia"),
        now=datetime(2026, 6, 20, 16, 0),
    )
    transitions = [(e.from_label, e.to_label, e.author) for e in info.events if e.to_label]
    assert transitions == [
        ("", "brouillon", COORD),
        ("brouillon", "prête à signer", COORD),
        ("prête à signer", "signée", COORD),
        ("signée", "en cours", "application"),
        ("en cours", "rompue", "Nadia"),
    ]
    assert info.events[1].comment == "Numéro attribué : FAB-2026-0001."
    signature_notes = [e.comment for e in info.events if e.comment.startswith("Signature")]
    assert len(signature_notes) == 5


def test_list_filters_and_flags(session: Session, w: World) -> None:
    lea = _signed(session, w)
    marc = _draft(session, w, candidate=w.marc, structure=str(w.public_host), tuteur="")
    third = _candidate(session, "Morel", "Inès")
    ready = _draft(session, w, third)
    life_cycle.mark_ready(session, ready.id, actor=make_actor("coordination", COORD), now=NOW)
    rows = listing.list_agreements(session, today=date(2026, 7, 10))
    assert [r.learner for r in rows] == ["BERNARD Marc", "DUPONT Léa", "MOREL Inès"]
    by_id = {r.id: r for r in rows}
    assert by_id[lea.id].number == "FAB-2026-0001"
    assert by_id[lea.id].ends_this_month is True
    assert by_id[lea.id].waiting_signature is False
    assert by_id[ready.id].waiting_signature is True
    assert by_id[ready.id].ends_this_month is False  # not signed yet
    assert by_id[marc.id].status_label == "brouillon"
    assert [r.id for r in listing.list_agreements(session, host_id=w.public_host, today=TODAY)] == [
        marc.id
    ]
    assert [r.id for r in listing.list_agreements(session, status="signee", today=TODAY)] == [
        lea.id
    ]
    assert (
        len(listing.list_agreements(session, season="2025-2026", site="cobalt", today=TODAY)) == 3
    )
    assert listing.list_agreements(session, season="2026-2027", today=TODAY) == []


def test_list_filters_by_site_and_season_ids(session: Session, w: World) -> None:
    lea = _draft(session, w)
    season_id = session.get(Agreement, lea.id).candidate.season_id  # type: ignore[union-attr]
    site_id = session.get(Agreement, lea.id).candidate.site_id  # type: ignore[union-attr]
    assert [r.id for r in listing.list_agreements(session, season_id=season_id, today=TODAY)] == [
        lea.id
    ]
    assert [r.id for r in listing.list_agreements(session, site_id=site_id, today=TODAY)] == [
        lea.id
    ]
    assert listing.list_agreements(session, site_id=site_id + 1, today=TODAY) == []
    assert listing.list_agreements(session, season_id=season_id + 1, today=TODAY) == []
    assert listing.list_agreements(session, today=TODAY)[0].status == "brouillon"


def test_refresh_statuses_moves_every_agreement_due(session: Session, w: World) -> None:
    lea = _signed(session, w)
    marc = _signed(session, w, candidate=w.marc, date_debut="01/07/2026")
    assert life_cycle.refresh_statuses(session, date(2026, 5, 31)) == 0
    assert life_cycle.refresh_statuses(session, date(2026, 6, 15)) == 1
    assert details.get_agreement(session, lea.id).status == "en_cours"
    assert details.get_agreement(session, marc.id).status == "signee"
    assert life_cycle.refresh_statuses(session, date(2026, 8, 1)) == 2
    assert {details.get_agreement(session, i).status for i in (lea.id, marc.id)} == {"terminee"}
    assert life_cycle.refresh_statuses(session, date(2026, 8, 2)) == 0


def test_rule_check_carries_the_weekly_hours_and_a_readable_total(
    session: Session, w: World
) -> None:
    check = agreement_rules.validate_agreement(
        session, _form(w, horaires={0: "7", 1: "7", 2: "3,5"}), today=TODAY
    )
    assert check.weekly_hours == 17.5
    assert check.hours is not None
    assert terms_text.describe_hours(check.hours, check.weekly_hours) == (
        "150,5 h, soit 21,5 journées de 7 h, sur 26 jours de présence · 17,5 h par semaine"
    )


def test_hours_done_count_each_amendment_from_its_signing_day(session: Session, w: World) -> None:
    info = _signed(session, w)  # 01/06 → 31/07/2026, 35 h a week: 308 h over 44 days
    assert versions.agreement_hours_for(session, info.id).total.hours == 308
    later = datetime(2026, 6, 20, 9, 0)
    agreement_amendments.create_amendment(
        session,
        info.id,
        _form(w, horaires={0: "7", 1: "7", 2: "3,5", 3: "7", 4: "7"}),
        "Mercredi après-midi libéré",
        actor=make_actor("coordination", COORD),
        now=later,
    )
    agreement_amendments.sign_amendment(
        session, info.id, 1, date(2026, 6, 18), actor=make_actor("coordination", COORD), now=later
    )
    # 1-17 June: 13 days at 7 h = 91 h. From Thursday 18 June: 31 days (14 July excluded),
    # 6 of them Wednesdays at 3.5 h = 196 h.
    done = versions.agreement_hours_for(session, info.id).total
    assert (done.hours, done.days) == (287, 44)
    # The agreement shows the same total (its form, its reprint, the CSV export).
    assert details.get_agreement(session, info.id).hours.hours == 287
    # Up to a day: the early end of a broken-off agreement.
    assert (
        versions.agreement_hours_for(session, info.id, until=date(2026, 6, 19)).total.hours
        == 91 + 14
    )


def test_a_minor_needs_a_legal_representative(session: Session, w: World) -> None:
    minor = _candidate(session, "Petit", "Noé", birth="01/09/2008")  # 17 on 1 June 2026
    check = agreement_rules.validate_agreement(session, _form(w, minor), today=TODAY)
    assert check.errors == {
        "representant_legal": "PETIT Noé aura moins de 18 ans au début du stage : indiquer son "
        "représentant légal (nom, qualité, téléphone)."
    }
    info = _draft(session, w, minor, representant_legal="  Anne Petit, mère, 06 12 34 56 78 ")
    assert info.values.representant_legal == "Anne Petit, mère, 06 12 34 56 78"
    trainee = convention_data(session, info.id, today=TODAY).trainee
    assert trainee.is_minor and trainee.legal_representative == "Anne Petit, mère, 06 12 34 56 78"
    # An adult needs none, and may still have one written down.
    assert agreement_rules.validate_agreement(session, _form(w), today=TODAY).ok


def test_the_week_is_checked_and_counted_before_the_rest_is_chosen(
    session: Session, w: World
) -> None:
    """A coordinator often types the week first: its legal limits show at once, and the total
    shows as soon as the dates are there, before the learner and the host are chosen."""
    week_only = terms.AgreementInput(horaires={0: "8", 1: "7", 2: "7", 3: "7", 4: "7"})
    check = agreement_rules.validate_agreement(session, week_only, today=TODAY)
    assert "35 h par semaine" in check.errors["horaires"]
    assert check.hours is None
    dated = terms.AgreementInput(date_debut="01/06/2026", date_fin="31/07/2026", horaires=WEEK_7H)
    check = agreement_rules.validate_agreement(session, dated, today=TODAY)
    assert check.hours is not None and check.hours.hours == 308
    assert "candidat" in check.errors and "structure" in check.errors
