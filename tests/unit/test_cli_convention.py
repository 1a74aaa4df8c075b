"""convention-pdf NUMBER --db D --out F (CONTRACT.md)."""

from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.services import agreements as ag
from app.services.bootstrap import open_app_database
from tests.conftest import TODAY
from tests.unit.services.test_agreements import COORD, NOW, _form, _world


def test_prints_the_numbered_convention_and_refuses_an_unknown_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as session:
        world = _world(session)
        draft = ag.create_draft(session, _form(world), author=COORD, role="coordination", now=NOW)
        ag.mark_ready(session, draft.id, author=COORD, role="coordination", now=NOW)
    database.dispose()
    out = tmp_path / "convention.pdf"

    assert main(["convention-pdf", "fab-2026-0001", "--db", str(path), "--out", str(out)]) == 0
    pages = PdfReader(out).pages
    assert all("FAB-2026-0001" in page.extract_text() for page in pages)
    assert "Atelier Vélo Solidaire" in pages[0].extract_text()

    assert main(["convention-pdf", "FAB-2026-0099", "--db", str(path), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Aucune convention ne porte le numéro « FAB-2026-0099 »" in err
    assert "Traceback" not in err
