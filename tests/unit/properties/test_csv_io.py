"""Candidate CSV export: any season or site typed as a filter exports or is refused in French."""

import io

from hypothesis import example, given
from hypothesis import strategies as st

from app.services.candidates.csv_exchange import export_candidates
from app.services.errors import UserFacingError
from app.storage import Database
from tests.unit.properties.strategies import assert_french, nasty_text, service_settings


@service_settings(60)
@given(
    season=st.one_of(st.none(), st.just("2026-2027"), nasty_text),
    site=st.one_of(st.none(), st.just("cobalt"), nasty_text),
)
@example(season="\ud800", site=None)
@example(season=None, site="\ud800")
def test_export_filters_export_or_refuse_in_french(
    db: Database, season: str | None, site: str | None
) -> None:
    with db.session(commit=False) as s:
        try:
            export_candidates(s, io.StringIO(newline=""), season=season, site=site)
        except UserFacingError as error:
            assert_french(str(error))
