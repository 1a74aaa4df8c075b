"""Migration 0009: amendments made before it kept only texts (field -> [from, to]); the upgrade
rebuilds each one's whole typed terms, so the hours and values read after it are unchanged."""

import json
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import text

from app.services.agreements import amendments as agreement_amendments
from app.services.agreements import details
from app.storage import Database
from app.storage.migrate import downgrade_to, upgrade_to_head
from tests.conftest import make_actor
from tests.unit.services.test_agreements import COORD, _form, _signed, _world

LATER = datetime(2026, 6, 20, 9, 0)


def test_amendment_terms_are_rebuilt_from_their_texts(db: Database) -> None:
    with db.session() as s:
        world = _world(s)
        info = _signed(s, world, interruptions=[("06/07/2026", "08/07/2026")])
        changed = _form(
            world,
            horaires={0: "7", 1: "7", 2: "3,5", 3: "7", 4: "7"},
            date_fin="14/08/2026",
            lieu="Atelier annexe",
            interruptions=[("06/07/2026", "08/07/2026")],
        )
        agreement_amendments.create_amendment(
            s, info.id, changed, "Rythme", actor=make_actor("coordination", COORD), now=LATER
        )
        agreement_amendments.sign_amendment(
            s, info.id, 1, date(2026, 6, 18), actor=make_actor("coordination", COORD), now=LATER
        )
    with db.session(commit=False) as s:
        before = details.get_agreement(s, info.id)
    # The texts an amendment kept before 0009 (the form's own writing of each field).
    old_texts = {
        "date_fin": ["31/07/2026", "14/08/2026"],
        "horaires": [
            "lundi 7 h ; mardi 7 h ; mercredi 7 h ; jeudi 7 h ; vendredi 7 h",
            "lundi 7 h ; mardi 7 h ; mercredi 3,5 h ; jeudi 7 h ; vendredi 7 h",
        ],
        "lieu": ["", "Atelier annexe"],
    }
    downgrade_to(db.engine, "0008")
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE amendment SET changes = :changes"),
            {"changes": json.dumps(old_texts, ensure_ascii=False)},
        )
    upgrade_to_head(db.engine)
    with db.session(commit=False) as s:
        after = details.get_agreement(s, info.id)
    # The downgrade dropped the columns 0009 adds; everything else reads as before.
    assert before.terms is not None
    assert after.terms == replace(before.terms, referent_phone="", referent_email="", payer=None)
    assert after.hours == before.hours
    assert after.hours_detail is not None and before.hours_detail is not None
    assert [(p.start, p.end, p.total) for p in after.hours_detail.periods] == [
        (p.start, p.end, p.total) for p in before.hours_detail.periods
    ]
    assert after.terms is not None and after.terms.week.hours_on(2) == 3.5
    assert after.end == date(2026, 8, 14)
