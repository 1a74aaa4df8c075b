"""What the agreement form offers: learners in training, usual dates, interruptions as text."""

from datetime import date, datetime

from sqlalchemy.orm import Session

from app.domain import Agreement, Candidate, Host
from app.services.agreements import choices
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.storage import Database
from tests.conftest import make_actor

AT = datetime(2025, 11, 1, 9, 0)


def _candidate(s: Session, nom: str, *, site: str = "cobalt", enter: bool = True) -> int:
    data = CandidateInput(
        nom=nom, prenom="Alex", email=f"{nom}@exemple.fr", saison="2025-2026", site=site
    )
    candidate_id = create_candidate(s, data, now=AT, actor=make_actor("coordination", "test")).id
    if enter:
        for stage in ("entretien", "admis", "entre_formation"):
            change_stage(
                s, candidate_id, stage, comment="", now=AT, actor=make_actor("coordination", "test")
            )
    return candidate_id


def test_only_learners_in_training_are_offered_by_name(db: Database) -> None:
    with db.session() as s:
        zola = _candidate(s, "Zola")
        _candidate(s, "Martin", enter=False)
        abel = _candidate(s, "Abel", site="du-guesclin")
        offered = choices.learner_choices(s)
        assert [c.id for c in offered] == [abel, zola]
        assert offered[1].label == "ZOLA Alex — Cobalt, saison 2025-2026"
        assert offered[1].season_start == date(2025, 12, 1)
        site_id = s.get(Candidate, abel).site_id  # type: ignore[union-attr]
        assert [c.id for c in choices.learner_choices(s, site_id=site_id)] == [abel]
        season_id = s.get(Candidate, abel).season_id  # type: ignore[union-attr]
        assert len(choices.learner_choices(s, season_id=season_id)) == 2


def test_a_learner_already_on_an_agreement_is_found_whatever_the_stage(db: Database) -> None:
    with db.session() as s:
        martin = _candidate(s, "Martin", enter=False)
        assert choices.learner_choices(s) == []
        assert [c.id for c in choices.learner_choices(s, candidate_id=martin)] == [martin]


def test_default_period_is_the_cohort_window_from_its_first_monday() -> None:
    # Season from 1 December 2025: internships in June and July 2026; 1 June 2026 is a Monday.
    assert choices.default_period(date(2025, 12, 1)) == ("01/06/2026", "31/07/2026")
    # Season from 1 December 2026: 1 June 2027 is a Tuesday, so the 7th.
    assert choices.default_period(date(2026, 12, 1)) == ("07/06/2027", "31/07/2027")


def test_interruptions_read_from_and_written_to_text() -> None:
    text = "14/04/2027-18/04/2027 ; 2/5/2027 au 3/5/2027"
    pairs = choices.interruptions_from_text(text)
    assert pairs == [("14/04/2027", "18/04/2027"), ("2/5/2027", "3/5/2027")]
    assert choices.interruptions_text(pairs) == "14/04/2027 - 18/04/2027 ; 2/5/2027 - 3/5/2027"
    assert choices.interruptions_from_text("14/04/2027") == [("14/04/2027", "")]
    assert choices.interruptions_from_text("") == []


def test_referents_already_named_are_suggested_once(db: Database) -> None:
    with db.session() as s:
        learner = _candidate(s, "Zola")
        host = Host(name="Atelier", legal_form="association")
        s.add(host)
        s.flush()
        for referent in ("Samir Haddad", "samir haddad", "Samir Haddad", "Anne Roy", ""):
            s.add(
                Agreement(
                    candidate_id=learner,
                    host_id=host.id,
                    referent_trainer=referent,
                    start_date=date(2026, 6, 1),
                    end_date=date(2026, 7, 31),
                )
            )
        s.flush()
        assert choices.referent_suggestions(s) == ["Anne Roy", "Samir Haddad"]


def test_in_training_and_latest_agreement(db: Database) -> None:
    with db.session() as s:
        learner = _candidate(s, "Zola")
        applicant = _candidate(s, "Martin", enter=False)
        assert choices.in_training(s, learner) and not choices.in_training(s, applicant)
        assert choices.latest_agreement(s, learner) is None
        host = Host(name="Atelier", legal_form="association")
        s.add(host)
        s.flush()
        rows = [
            Agreement(
                candidate_id=learner,
                host_id=host.id,
                status=status,
                start_date=start,
                end_date=date(2026, 7, 31),
            )
            for status, start in (
                ("terminee", date(2026, 5, 1)),
                ("brouillon", date(2026, 6, 1)),
                ("annulee", date(2026, 7, 1)),
            )
        ]
        s.add_all(rows)
        s.flush()
        assert choices.latest_agreement(s, learner) == rows[1].id
