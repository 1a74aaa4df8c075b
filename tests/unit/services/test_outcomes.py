"""Learners' outcomes: the pathway end at exit, the 3/6/12-month checks, the funders' rule,
the checks due."""

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import AuditEntry, Candidate
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.errors import PermissionDenied, UserFacingError, ValidationError
from app.services.journal import audit_log as audit
from app.services.outcomes import due, follow_up, funders
from app.services.outcomes.funders import FunderInfo, is_positive
from app.services.outcomes.pathway import add_months
from app.storage import Database
from tests.conftest import make_actor

DESK = make_actor("accueil", "nadia.accueil", "Nadia Accueil")
COORD = make_actor("coordination", "claire.vasseur", "Claire Vasseur")
TRAINER = make_actor("formateur", "samir.formateur")
ENTERED = datetime(2025, 12, 1, 9, 0)
LEFT = datetime(2026, 6, 26, 16, 0)


def _learner(
    s: Session, name: str, *, leave: bool = True, site: str = "cobalt", **exit_kw: str
) -> int:
    data = CandidateInput(
        nom=name,
        prenom="Léa",
        email=f"{name.lower()}@exemple.fr",
        telephone="06 12 34 56 78",
        saison="2025-2026",
        site=site,
    )
    cid = create_candidate(s, data, now=datetime(2025, 10, 1, 9), actor=COORD).id
    for stage in ("entretien", "admis", "entre_formation", "orientation_validee", "en_stage"):
        change_stage(s, cid, stage, comment="", actor=COORD, now=ENTERED)
    if leave:
        change_stage(
            s,
            cid,
            "sortie",
            comment="",
            actor=COORD,
            exit_type=exit_kw.get("exit_type", "cdd_long"),
            pathway_end=exit_kw.get("pathway_end", "complet"),
            pathway_end_reason=exit_kw.get("reason", ""),
            now=LEFT,
        )
    return cid


def _entries(s: Session, entity: str) -> list[AuditEntry]:
    return list(s.scalars(select(AuditEntry).where(AuditEntry.entity_type == entity)))


def test_exit_records_pathway_end_and_an_interruption_needs_a_reason(db: Database) -> None:
    with db.session() as s:
        done = _learner(s, "Complet")
        stopped = _learner(s, "Parti", pathway_end="interrompu_exterieur", reason="Déménagement")
        assert s.get(Candidate, done).pathway_end == "complet"
        assert s.get(Candidate, done).pathway_end_reason is None
        assert s.get(Candidate, stopped).pathway_end_reason == "Déménagement"
        other = _learner(s, "Sansmotif", leave=False)
        with pytest.raises(ValidationError) as refused:
            change_stage(
                s,
                other,
                "sortie",
                comment="",
                actor=COORD,
                exit_type="sans_solution",
                pathway_end="interrompu",
            )
        assert refused.value.errors == {"motif_fin": "Indiquer le motif de l'interruption."}
        with pytest.raises(ValidationError) as unknown:
            change_stage(
                s, other, "sortie", comment="", actor=COORD, exit_type="cdi", pathway_end="x"
            )
        assert "fin_parcours" in unknown.value.errors
        # Back before the exit: the exit and the pathway end no longer hold.
        change_stage(s, stopped, "en_stage", comment="Erreur", actor=COORD)
        assert s.get(Candidate, stopped).pathway_end is None


def test_follow_up_file_lists_the_three_checks_with_their_due_dates(db: Database) -> None:
    with db.session() as s:
        cid = _learner(s, "Martin")
        in_training = _learner(s, "Encore", leave=False)
        file = follow_up.follow_up_file(s, cid, actor=TRAINER)
        assert file.left and file.exit_date == date(2026, 6, 26)
        assert file.exit_label == "CDD de 6 mois ou plus"
        assert file.pathway_end_label == "Parcours complet"
        assert [(c.label, c.due_on) for c in file.checks] == [
            ("à 3 mois", date(2026, 9, 26)),
            ("à 6 mois", date(2026, 12, 26)),
            ("à 12 mois", date(2027, 6, 26)),
        ]
        assert all(c.outcome is None for c in file.checks)
        assert not follow_up.follow_up_file(s, in_training, actor=TRAINER).left


def test_record_and_correct_an_outcome_journaled(db: Database) -> None:
    now = datetime(2026, 10, 2, 11)
    audit.attach(db, lambda: DESK.author)
    with db.session() as s:
        cid = _learner(s, "Martin")
        saved = follow_up.record_outcome(
            s, cid, "3_mois", "cdi", "01/10/2026", "telephone", "Embauchée", actor=DESK, now=now
        )
        assert (saved.situation_label, saved.checked_on, saved.source_label) == (
            "CDI",
            "01/10/2026",
            "Téléphone",
        )
        assert saved.recorded_by == "nadia.accueil"  # no account: the username
    with db.session() as s:  # a correction, another action
        follow_up.record_outcome(
            s, cid, "3_mois", "interim", "02/10/2026", "email", "", actor=COORD, now=now
        )
        checks = follow_up.follow_up_file(s, cid, actor=DESK).checks
        assert checks[0].outcome is not None
        assert checks[0].outcome.situation == "interim"
        assert checks[0].outcome.checked_on == "02/10/2026"
        assert checks[1].outcome is None
    with db.session() as s:
        summaries = [e.summary for e in _entries(s, "learner_outcome")]
        assert summaries == [
            "Suivi après la sortie enregistré (à 3 mois)",
            "Suivi après la sortie modifié (à 3 mois) : "
            "Situation, Vérifiée le, Source, Commentaire",
        ]
        changes = _entries(s, "learner_outcome")[1].changes or ""
        assert "CDI" in changes and "Intérim" in changes


@pytest.mark.parametrize(
    ("checkpoint", "situation", "day", "source", "field", "message"),
    [
        ("3_mois", "abandon", "01/10/2026", "email", "situation", "Choisir la situation"),
        ("3_mois", "autre", "01/10/2026", "email", "situation", "Choisir la situation"),
        ("3_mois", "cdi", "31/02/2026", "email", "date", "n'existe pas"),
        ("3_mois", "cdi", "", "email", "date", "Indiquer la date"),
        ("3_mois", "cdi", "25/08/2026", "email", "date", "à partir du 26/08/2026"),
        ("6_mois", "cdi", "01/10/2026", "email", "date", "à partir du 26/11/2026"),
        ("3_mois", "cdi", "03/10/2026", "email", "date", "dans le futur"),
        ("3_mois", "cdi", "01/10/2026", "pigeon", "source", "d'où vient"),
    ],
)
def test_outcome_refusals_by_field(
    db: Database, checkpoint: str, situation: str, day: str, source: str, field: str, message: str
) -> None:
    with db.session() as s:
        cid = _learner(s, "Martin")
        with pytest.raises(ValidationError) as refused:
            follow_up.record_outcome(
                s,
                cid,
                checkpoint,
                situation,
                day,
                source,
                "",
                actor=DESK,
                now=datetime(2026, 10, 2, 11),
            )
        assert message in refused.value.errors[field]


def test_outcome_rights_and_only_for_a_learner_who_left(db: Database) -> None:
    now = datetime(2026, 10, 2)
    with db.session() as s:
        cid = _learner(s, "Martin")
        still = _learner(s, "Encore", leave=False)
        with pytest.raises(PermissionDenied):
            follow_up.record_outcome(
                s, cid, "3_mois", "cdi", "01/10/2026", "email", "", actor=TRAINER, now=now
            )
        with pytest.raises(PermissionDenied):
            follow_up.set_pathway_end(s, cid, "complet", "", actor=TRAINER)
        with pytest.raises(UserFacingError, match="sortie de formation"):
            follow_up.record_outcome(
                s, still, "3_mois", "cdi", "01/10/2026", "email", "", actor=DESK, now=now
            )
        file = follow_up.set_pathway_end(s, cid, "interrompu", "Ne vient plus", actor=DESK)
        assert (file.pathway_end, file.pathway_end_reason) == ("interrompu", "Ne vient plus")
        with pytest.raises(ValidationError):
            follow_up.set_pathway_end(s, cid, "interrompu", "  ", actor=DESK)


def test_is_positive_per_funder_and_its_edit(db: Database) -> None:
    gen = FunderInfo("gen", "GEN", frozenset({"cdi", "etudes"}), 3)
    assert is_positive(gen, "cdi") and is_positive(gen, "etudes")
    assert not is_positive(gen, "interim")
    assert not is_positive(gen, None) and not is_positive(gen, "")
    with db.session() as s:
        seeded = {f.code: f for f in funders.funders(s)}
        assert list(seeded) == ["gen", "e2c", "region"]
        assert is_positive(seeded["e2c"], "interim") and not is_positive(seeded["gen"], "interim")
        assert seeded["region"].months == 6
        with pytest.raises(PermissionDenied):
            funders.save_funder(s, "gen", {"cdi"}, 3, actor=DESK)
        with pytest.raises(ValidationError) as refused:
            funders.save_funder(s, "gen", set(), 5, actor=COORD)
        assert set(refused.value.errors) == {"situations", "mesure"}
        with pytest.raises(ValidationError):
            funders.save_funder(s, "gen", {"abandon"}, 3, actor=COORD)
        with pytest.raises(ValidationError) as never:
            funders.save_funder(s, "gen", {"cdi", "sans_solution"}, 3, actor=COORD)
        assert never.value.errors["situations"] == (
            "Une sortie ne peut pas être positive avec : « Sans solution »."
        )
        saved = funders.save_funder(s, "gen", {"cdi", "interim"}, 6, actor=COORD)
        assert saved.positive == {"cdi", "interim"} and saved.months == 6
        assert is_positive(funders.funder(s, "gen"), "interim")
    with db.session() as s:
        entry = next(e for e in _entries(s, "setting") if "Grande École" in e.summary)
        assert "Intérim" in (entry.changes or "")


def test_due_follow_ups_from_due_date_until_recorded(db: Database) -> None:
    with db.session() as s:
        martin = _learner(s, "Martin")
        _learner(s, "Encore", leave=False)
        niort = _learner(s, "Niortais", site="du-guesclin")
        assert due.due_follow_ups(s, date(2026, 9, 25)) == []
        listed = due.due_follow_ups(s, date(2026, 9, 26))
        assert [(d.name, d.checkpoint, d.due_on) for d in listed] == [
            ("MARTIN Léa", "3_mois", date(2026, 9, 26)),
            ("NIORTAIS Léa", "3_mois", date(2026, 9, 26)),
        ]
        assert listed[0].phone == "06 12 34 56 78" and listed[0].email == "martin@exemple.fr"
        assert not listed[0].overdue
        niort_due = due.due_follow_ups(s, date(2026, 9, 26), site_code="du-guesclin")
        assert [d.candidate_id for d in niort_due] == [niort]
        assert due.due_follow_ups(s, date(2026, 9, 26), season_label="2026-2027") == []
        late = due.due_follow_ups(s, date(2026, 12, 27), site_code="cobalt")
        assert [(d.checkpoint, d.overdue) for d in late] == [("3_mois", True), ("6_mois", False)]
        follow_up.record_outcome(
            s,
            martin,
            "3_mois",
            "cdi",
            "01/10/2026",
            "email",
            "",
            actor=DESK,
            now=datetime(2026, 12, 27),
        )
        late = due.due_follow_ups(s, date(2026, 12, 27), site_code="cobalt")
        assert [d.checkpoint for d in late] == ["6_mois"]
        with pytest.raises(PermissionDenied):
            due.read_due_follow_ups(s, date(2026, 12, 27), actor=TRAINER)


def test_add_months_keeps_the_day_or_the_months_last() -> None:
    assert add_months(date(2026, 8, 31), 3) == date(2026, 11, 30)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2026, 6, 26), 12) == date(2027, 6, 26)
