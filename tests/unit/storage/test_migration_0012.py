"""Migration 0012: an older base gets the appointment cancellation columns, the sites' contact
details (the two known sites with their address) and the convocation text; data is kept, and
the downgrade gives the 0011 tables back without touching a candidate."""

from sqlalchemy import inspect, text

from app.storage import Database
from app.storage.migrate import downgrade_to, upgrade_to_head


def _columns(db: Database, table: str) -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def test_a_0011_base_gets_the_new_columns_and_the_known_addresses(db: Database) -> None:
    downgrade_to(db.engine, "0011")
    assert "cancelled_at" not in _columns(db, "appointment")
    assert "address" not in _columns(db, "site")
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE site SET name = 'Cobalt (Poitiers)' WHERE code='cobalt'"))
    upgrade_to_head(db.engine)
    assert {"cancelled_at", "cancellation_reason", "cancelled_by"} <= _columns(db, "appointment")
    assert {"address", "postal_code", "phone", "email"} <= _columns(db, "site")
    assert "convocation_items" in _columns(db, "organisation_settings")
    with db.engine.connect() as connection:
        rows = dict(
            connection.execute(text("SELECT code, address || ' ' || postal_code FROM site")).all()
        )
        renamed = connection.scalar(text("SELECT name FROM site WHERE code = 'cobalt'"))
    assert rows == {"cobalt": "5 rue Victor Hugo 86000", "du-guesclin": "Place Chanzy 79000"}
    assert renamed == "Cobalt (Poitiers)"


def test_the_downgrade_keeps_the_sites_and_their_foreign_keys(db: Database) -> None:
    with db.engine.connect() as connection:
        before = connection.execute(text("SELECT id, code FROM site ORDER BY id")).all()
    downgrade_to(db.engine, "0011")
    with db.engine.connect() as connection:
        after = connection.execute(text("SELECT id, code FROM site ORDER BY id")).all()
        problems = connection.execute(text("PRAGMA foreign_key_check")).all()
    assert after == before
    assert problems == []
