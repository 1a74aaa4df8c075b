"""Anonymising a person also clears the legal representative that amendments keep in their
copy of the agreement's terms and in the texts of what they changed."""

from datetime import date, datetime

from app.domain import Amendment
from app.services.agreements import amendments as agreement_amendments
from app.services.agreements import details
from app.services.rgpd import person_data as rgpd
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.services.test_agreements import COORD, _candidate, _form, _signed, _world

LATER = datetime(2026, 6, 20, 9, 0)


def test_anonymisation_clears_the_representative_in_amendments(db: Database) -> None:
    with db.session() as s:
        world = _world(s)
        minor = _candidate(s, "Petit", "Tom", birth="12/09/2008")
        info = _signed(s, world, minor, representant_legal="Anne Petit, mère, 06 12 34 56 78")
        changed = _form(
            world, minor, representant_legal="Paul Petit, père, 06 98 76 54 32", lieu="Annexe"
        )
        agreement_amendments.create_amendment(
            s, info.id, changed, "Tuteur légal", actor=make_actor("coordination", COORD), now=LATER
        )
        agreement_amendments.sign_amendment(
            s, info.id, 1, date(2026, 6, 18), actor=make_actor("coordination", COORD), now=LATER
        )
    with db.session() as s:
        stored = s.query(Amendment).one()
        assert "Paul Petit" in (stored.terms or "") and "Anne Petit" in stored.changes
        assert rgpd.anonymise(s, [minor], actor=make_actor("coordination", COORD)) == 1
    with db.session(commit=False) as s:
        stored = s.query(Amendment).one()
        assert "Petit" not in (stored.terms or "")
        assert "Petit" not in stored.changes
        assert "Annexe" in stored.changes  # the rest of the amendment stays readable
        current = details.get_agreement(s, info.id)
        assert current.terms is not None and current.terms.legal_representative == ""
