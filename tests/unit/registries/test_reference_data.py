"""Sites are seeded by `services.reference` and read from the database everywhere else: a site
added to a base is offered, filtered on and exported like the seeded ones."""

import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.domain import Site
from app.services import reference
from app.services.candidates import records as candidates
from app.services.candidates.records import CandidateInput
from app.storage import Database
from tests.conftest import make_actor

APP = Path(__file__).parents[3] / "app"
# Where the codes may be written: the seed, the demo's story, the database's history, and the
# passwords refused as too easy to guess (the words anyone here would try, not reference data).
ALLOWED = (
    "services/reference.py",
    "demo/",
    "storage/migrations/",
    "services/accounts/password_policy.py",
)


def _with_a_third_site(db: Database) -> None:
    with db.session() as session:
        session.add(
            Site(code="chatellerault", name="Antenne", city="Châtellerault", department="86")
        )
        session.flush()
        data = CandidateInput(
            nom="Martin",
            prenom="Léa",
            email="lea.martin@exemple.fr",
            saison="2026-2027",
            site="chatellerault",
        )
        candidates.create_candidate(
            session, data, now=datetime(2026, 11, 28, 9), actor=make_actor("coordination", "t")
        )


def test_a_new_base_gets_the_seeded_sites_with_their_town(db: Database) -> None:
    with db.session(commit=False) as session:
        places = [(o.code, o.label) for o in reference.site_places(session)]
        seeded = [(code, name) for code, name, *_place in reference.SITES_SEED]
        assert [(o.code, o.label) for o in reference.sites(session)] == seeded
    assert places == [
        ("cobalt", "Cobalt (Poitiers)"),
        ("du-guesclin", "Centre Du Guesclin (Niort)"),
    ]


def test_the_command_line_exports_any_site_of_the_base(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_a_third_site(db)
    out = tmp_path / "antenne.csv"
    argv = ["export", "candidates", "--db", str(db_path), "--out", str(out)]

    assert main([*argv, "--site", "chatellerault"]) == 0
    (line,) = out.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert ";chatellerault;" in line

    out.unlink()
    assert main([*argv, "--site", "paris"]) == 2  # wrong usage, as CONTRACT.md's exit codes say
    err = capsys.readouterr().err
    assert "site inconnu : « paris » (sites possibles : cobalt, du-guesclin, chatellerault)" in err
    assert not out.exists()
    with db.session(commit=False) as session:
        assert session.scalar(select(Site.id).where(Site.code == "paris")) is None


def test_site_codes_are_written_only_where_the_sites_are_seeded() -> None:
    codes = re.compile(r"[\"'](cobalt|du-guesclin)[\"']")
    found = {
        name
        for path in sorted(APP.rglob("*.py"))
        for name in [path.relative_to(APP).as_posix()]
        if not name.startswith(ALLOWED) and codes.search(path.read_text(encoding="utf-8"))
    }
    assert found == set()
