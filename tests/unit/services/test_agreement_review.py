"""Agreements saved under the earlier, wrong rules (48 h a week, Sunday presence): they stay
readable and printable, the list flags them "à revoir" and `check` reports them."""

import json

import pytest
from sqlalchemy import update

from app.cli import main
from app.domain import Agreement
from app.services.agreements import details, listing
from app.services.agreements.documents import convention_data
from app.services.maintenance.health_check import check_database
from app.storage import Database
from tests.unit.services.test_agreements import TODAY, _signed, _world


def _saved_under_old_rules(db: Database) -> int:
    """A signed agreement whose week was 40 h with Saturday and Sunday, as 48 h allowed."""
    with db.session() as s:
        info = _signed(s, _world(s))
        s.execute(
            update(Agreement)
            .where(Agreement.id == info.id)
            .values(schedule=json.dumps({"0": 8, "1": 8, "2": 8, "3": 8, "4": 4, "6": 4}))
        )
        return info.id


def test_the_list_and_the_agreement_flag_it_and_it_still_prints(db: Database) -> None:
    agreement_id = _saved_under_old_rules(db)
    with db.session(commit=False) as s:
        rows = listing.list_agreements(s, today=TODAY)
        flagged = [row for row in rows if row.id == agreement_id]
        assert flagged and flagged[0].to_review
        assert "dimanche" in flagged[0].to_review[0]
        info = details.get_agreement(s, agreement_id)
        assert info.to_review == flagged[0].to_review
        printed = convention_data(s, agreement_id, today=TODAY)
        assert ("dimanche", 4.0) in printed.schedule


def test_a_lawful_agreement_is_not_flagged(db: Database) -> None:
    with db.session() as s:
        info = _signed(s, _world(s))
    with db.session(commit=False) as s:
        assert listing.list_agreements(s, today=TODAY)[0].to_review == ()
        assert details.get_agreement(s, info.id).to_review == ()


def test_check_reports_it_without_failing(db: Database) -> None:
    agreement_id = _saved_under_old_rules(db)
    with db.session(commit=False) as s:
        number = details.get_agreement(s, agreement_id).number
    db.dispose()
    report = check_database(db.url)
    assert report.ok
    assert len(report.attention) == 1
    assert number is not None and number in report.attention[0]
    assert "À REVOIR" in report.describe()
    assert "1 convention à revoir" in report.describe()


def test_check_command_prints_it(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    _saved_under_old_rules(db)
    db.dispose()
    assert main(["check", "--db", db.url]) == 0
    assert "À REVOIR" in capsys.readouterr().out
