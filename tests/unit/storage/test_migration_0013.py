"""Migration 0013: an older base gets the call-for-projects tables and the events' place, its
activities (and the teams, observations pointing at them) kept; the downgrade gives the 0012
tables back without touching an activity."""

from sqlalchemy import inspect, text

from app.storage import Database
from app.storage.migrate import downgrade_to, upgrade_to_head

PROJECT_TABLES = {
    "project_call",
    "project",
    "project_filiere",
    "project_activity",
    "project_state_change",
    "project_criterion",
    "project_review",
    "project_score",
    "project_milestone",
    "project_satisfaction",
    "activity_participant",
}


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _add_activity_with_a_team(db: Database) -> None:
    with db.engine.begin() as connection:
        season, site = (
            connection.scalar(text("SELECT min(id) FROM season")),
            connection.scalar(text("SELECT min(id) FROM site")),
        )
        connection.execute(
            text(
                "INSERT INTO cohort (season_id, site_id, start_date, capacity, uuid) "
                "VALUES (:season, :site, '2026-12-01', 20, 'c1')"
            ),
            {"season": season, "site": site},
        )
        connection.execute(
            text(
                "INSERT INTO activity (cohort_id, day, title, kind, trainers, uuid) "
                "SELECT id, '2026-12-03', 'Atelier', 'atelier', '', 'a1' FROM cohort"
            )
        )
        connection.execute(
            text(
                "INSERT INTO team (activity_id, name, position, uuid) "
                "SELECT id, 'Les castors', 0, 't1' FROM activity"
            )
        )


def _activities(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text(
                    "SELECT a.id, a.title, t.name FROM activity a "
                    "JOIN team t ON t.activity_id = a.id"
                )
            )
        ]


def test_a_0012_base_gets_the_projects_tables_and_keeps_its_activities(db: Database) -> None:
    downgrade_to(db.engine, "0012")
    assert not PROJECT_TABLES & _tables(db)
    _add_activity_with_a_team(db)
    before = _activities(db)
    upgrade_to_head(db.engine)
    assert _tables(db) >= PROJECT_TABLES
    assert _activities(db) == before
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT place FROM activity")) == ""
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []


def test_the_downgrade_keeps_the_activities_and_their_teams(db: Database) -> None:
    _add_activity_with_a_team(db)
    before = _activities(db)
    downgrade_to(db.engine, "0012")
    assert not PROJECT_TABLES & _tables(db)
    assert _activities(db) == before
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        columns = {c["name"] for c in inspect(db.engine).get_columns("activity")}
    assert "place" not in columns
