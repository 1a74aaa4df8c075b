"""convention-pdf NUMBER --db D --out F (CONTRACT.md)."""

from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.services.agreements import life_cycle
from app.services.base_access.opening import open_app_database
from tests.conftest import TODAY, make_actor
from tests.unit.services.test_agreements import COORD, NOW, _form, _world


def test_prints_the_numbered_convention_and_refuses_an_unknown_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as session:
        world = _world(session)
        draft = life_cycle.create_draft(
            session, _form(world), actor=make_actor("coordination", COORD), now=NOW
        )
        life_cycle.mark_ready(session, draft.id, actor=make_actor("coordination", COORD), now=NOW)
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


@pytest.fixture
def finished_db(tmp_path: Path) -> Path:
    """FAB-2026-0001: signed, amended once (later end), finished."""
    from tests.unit.pdf.documents_world import amend, finish, signed

    path = tmp_path / "docs.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as session:
        agreement_id = signed(session)
        amend(session, agreement_id, "Prolongation", date_fin="07/08/2026")
        finish(session, agreement_id)
    database.dispose()
    return path


@pytest.mark.parametrize(
    ("options", "heading", "said"),
    [
        ([], "Convention de stage en milieu professionnel", "Convention FAB-2026-0001 imprimée"),
        (
            ["--document", "avenant"],
            "Avenant n° 1 à la convention de stage",
            "Avenant n° 1 à la convention FAB-2026-0001 imprimé",
        ),
        (
            ["--avenant", "1"],
            "Avenant n° 1 à la convention de stage",
            "Avenant n° 1 à la convention FAB-2026-0001 imprimé",
        ),
        (
            ["--document", "attestation"],
            "Attestation de stage",
            "Attestation de stage de la convention FAB-2026-0001 imprimée",
        ),
        (
            ["--document", "evaluation"],
            "Fiche d'évaluation du stage",
            "Fiche d'évaluation de la convention FAB-2026-0001 imprimée",
        ),
    ],
)
def test_prints_each_document(
    finished_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    heading: str,
    said: str,
) -> None:
    out = tmp_path / "out" / "document.pdf"
    args = ["convention-pdf", "FAB-2026-0001", "--db", str(finished_db), "--out", str(out)]
    assert main([*args, *options]) == 0
    assert said in capsys.readouterr().out
    pages = PdfReader(out).pages
    assert heading in pages[0].extract_text()
    assert all("FAB-2026-0001" in page.extract_text() for page in pages)
    assert [p.name for p in out.parent.iterdir()] == ["document.pdf"]


def test_refusals_exit_1_in_french_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.pdf.documents_world import signed

    path = tmp_path / "signed.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as session:
        signed(session)
    database.dispose()
    out = tmp_path / "refused.pdf"
    base = ["convention-pdf", "FAB-2026-0001", "--db", str(path), "--out", str(out)]
    cases = [
        (["--document", "attestation"], "L'attestation de stage se délivre à la fin du stage"),
        (["--document", "avenant"], "La convention FAB-2026-0001 n'a pas d'avenant."),
        (["--avenant", "2"], "L'avenant n° 2 n'existe pas pour cette convention."),
    ]
    for options, message in cases:
        assert main([*base, *options]) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert not out.exists()


def test_avenant_number_with_another_document_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.pdf"
    args = ["convention-pdf", "FAB-2026-0001", "--out", str(out), "--document", "attestation"]
    assert main([*args, "--avenant", "1"]) == 2
    assert "--avenant ne va qu'avec --document avenant" in capsys.readouterr().err
    with pytest.raises(SystemExit) as ended:
        main(["convention-pdf", "FAB-2026-0001", "--out", str(out), "--document", "bilan"])
    assert ended.value.code == 2
    assert "choix invalide" in capsys.readouterr().err
