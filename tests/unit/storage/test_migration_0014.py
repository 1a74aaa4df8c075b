"""Migration 0014: an older base gets the outcomes table, the three funders' definitions and
the pathway's end on each candidate, its candidates kept; the downgrade gives them back."""

from sqlalchemy import inspect, text

from app.storage import Database
from app.storage.migrate import downgrade_to, upgrade_to_head


def _columns(db: Database, table: str) -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def test_a_0013_base_gets_outcomes_and_the_funders_definitions(db: Database) -> None:
    downgrade_to(db.engine, "0013")
    assert "learner_outcome" not in inspect(db.engine).get_table_names()
    assert "pathway_end" not in _columns(db, "candidate")
    upgrade_to_head(db.engine)
    assert {"learner_outcome", "funder"} <= set(inspect(db.engine).get_table_names())
    assert {"pathway_end", "pathway_end_reason"} <= _columns(db, "candidate")
    with db.engine.connect() as connection:
        funders = connection.execute(
            text(
                "SELECT code, measured_at_months, positive_situations FROM funder ORDER BY position"
            )
        ).all()
    assert [(code, months) for code, months, _ in funders] == [
        ("gen", 3),
        ("e2c", 0),
        ("region", 6),
    ]
    assert "contrat_aide" in funders[1][2] and "contrat_aide" not in funders[0][2]


def test_the_downgrade_keeps_the_candidates(db: Database) -> None:
    with db.engine.connect() as connection:
        before = connection.execute(text("SELECT id, last_name FROM candidate ORDER BY id")).all()
    downgrade_to(db.engine, "0013")
    assert "funder" not in inspect(db.engine).get_table_names()
    assert "pathway_end" not in _columns(db, "candidate")
    with db.engine.connect() as connection:
        after = connection.execute(text("SELECT id, last_name FROM candidate ORDER BY id")).all()
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    assert after == before
