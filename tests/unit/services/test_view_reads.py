"""What the views read each time they show, kept proportional to what they show (issue 6):
the agreements list from columns, the learners the agreement form offers, the cohorts created
on the way, the candidate table's rows and phone numbers."""

from dataclasses import replace
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import Candidate, Cohort
from app.services.agreements import amendments, choices, listing
from app.services.candidates.records import (
    CandidateInput,
    change_stage,
    create_candidate,
    phone_for_list,
    rows,
    season_and_site,
)
from app.services.errors import NotFoundError
from app.services.orientation import cohorts as orientation_cohorts
from app.services.validation import format_phone
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.services.test_agreements import COORD, NOW, TODAY, _signed, _world

AT = datetime(2025, 11, 1, 9, 0)
COORD_ROLE = "coordination"


def _learner(s: Session, nom: str, season: str, *, enter: bool = True, site: str = "cobalt") -> int:
    data = CandidateInput(
        nom=nom,
        prenom="Alex",
        email=f"{nom.lower()}@exemple.fr",
        saison=season,
        site=site,
        telephone="06 12 34 56 78",
    )
    candidate_id = create_candidate(s, data, now=AT, actor=make_actor("coordination", "test")).id
    if enter:
        for stage in ("entretien", "admis", "entre_formation"):
            change_stage(
                s, candidate_id, stage, comment="", now=AT, actor=make_actor("coordination", "test")
            )
    return candidate_id


# ---------------------------------------------------------------- agreement form's learners


def test_every_season_offers_the_learners_whose_internship_is_not_over(db: Database) -> None:
    with db.session() as s:
        past = _learner(s, "Ancien", "2025-2026")  # internship June-July 2026
        coming = _learner(s, "Nouveau", "2026-2027")  # internship June-July 2027
        during = choices.learner_choices(s, internship_not_over_on=date(2026, 7, 31))
        assert [c.id for c in during] == [past, coming]
        after = choices.learner_choices(s, internship_not_over_on=date(2026, 8, 1))
        assert [c.id for c in after] == [coming]
        # A chosen season lists its learners whatever the date.
        season_id = s.get(Candidate, past).season_id  # type: ignore[union-attr]
        chosen = choices.learner_choices(
            s, season_id=season_id, internship_not_over_on=date(2026, 8, 1)
        )
        assert [c.id for c in chosen] == [past]


def test_the_learner_on_screen_stays_offered_whatever_the_scope(db: Database) -> None:
    with db.session() as s:
        past = _learner(s, "Ancien", "2025-2026")
        coming = _learner(s, "Nouveau", "2026-2027")
        offered = choices.learners_for_scope(
            s, season_id=None, site_id=None, keep=past, today=date(2026, 9, 1)
        )
        assert [c.id for c in offered] == [coming, past]
        assert offered[1].label == "ANCIEN Alex — Cobalt, saison 2025-2026"
        assert offered[1].season_start == date(2025, 12, 1)
        alone = choices.learners_for_scope(
            s, season_id=None, site_id=None, keep=None, today=date(2026, 9, 1)
        )
        assert [c.id for c in alone] == [coming]


# ---------------------------------------------------------------- agreements list


def test_list_rows_carry_the_host_and_the_dates_of_signed_amendments(db: Database) -> None:
    with db.session() as s:
        w = _world(s)
        info = _signed(s, w)
        longer = replace(info.values, date_fin="31/08/2026")
        amendments.create_amendment(
            s, info.id, longer, "Un mois de plus", actor=make_actor(COORD_ROLE, COORD), now=NOW
        )
        before = listing.list_agreements(s, today=TODAY)[0]
        assert (before.end, before.waiting_signature) == (date(2026, 7, 31), True)
        amendments.sign_amendment(
            s, info.id, 1, TODAY, actor=make_actor(COORD_ROLE, COORD), now=NOW
        )
        row = listing.list_agreements(s, today=date(2026, 8, 10))[0]
        assert (row.start, row.end) == (date(2026, 6, 1), date(2026, 8, 31))
        assert row.ends_this_month is True and row.waiting_signature is False
        assert (row.host_id, row.host) == (w.host, "Atelier Vélo Solidaire")
        assert (row.learner, row.status_label) == ("DUPONT Léa", "signée")


# ---------------------------------------------------------------- cohorts


def test_cohorts_are_created_only_where_a_learner_entered(db: Database) -> None:
    with db.session() as s:
        _learner(s, "Candidat", "2026-2027", enter=False)
        _learner(s, "Apprenant", "2025-2026", site="du-guesclin")
        listed = orientation_cohorts.cohorts(s)
        assert [c.label for c in listed] == ["Saison 2025-2026 — Centre Du Guesclin"]
        _learner(s, "Second", "2025-2026", site="du-guesclin")
        _learner(s, "Premier", "2026-2027")
        again = orientation_cohorts.cohorts(s)
        assert [c.label for c in again] == [
            "Saison 2026-2027 — Cobalt",
            "Saison 2025-2026 — Centre Du Guesclin",
        ]
        assert again[1].id == listed[0].id
        assert s.scalar(select(func.count()).select_from(Cohort)) == 2


# ---------------------------------------------------------------- candidates


def test_table_rows_are_read_from_columns(db: Database) -> None:
    with db.session() as s:
        learner = _learner(s, "Lefèvre", "2025-2026")
        other = _learner(s, "Martin", "2026-2027", enter=False, site="du-guesclin")
        found = rows(s, [learner, other], today=date(2026, 1, 5))
        assert found[learner].name == "LEFÈVRE Alex"
        assert (found[learner].site, found[learner].season) == ("Cobalt", "2025-2026")
        assert (found[learner].stage_code, found[learner].phone) == (
            "entre_formation",
            "06 12 34 56 78",
        )
        assert found[learner].filiere == ""
        assert (found[other].site, found[other].season) == ("Centre Du Guesclin", "2026-2027")
        assert rows(s, []) == {}


def test_season_and_site_of_a_candidate(db: Database) -> None:
    with db.session() as s:
        learner = _learner(s, "Martin", "2026-2027", site="du-guesclin")
        candidate = s.get(Candidate, learner)
        assert candidate is not None
        assert season_and_site(s, learner) == (candidate.season_id, candidate.site_id)
        try:
            season_and_site(s, learner + 1000)
        except NotFoundError as error:
            assert str(error) == "Ce dossier n'existe plus."
        else:
            raise AssertionError("a missing file must be refused")


@given(
    st.one_of(
        st.none(),
        st.just(""),
        st.from_regex(r"\+(33|262|590|594|596|508|44|32|1)[0-9]{6,11}", fullmatch=True),
        st.from_regex(r"0[0-9]{8,10}", fullmatch=True),
    )
)
def test_list_phone_matches_the_file_phone(e164: str | None) -> None:
    assert phone_for_list(e164) == format_phone(e164)
