"""`main.py import projects` and `main.py export projects` of CONTRACT.md: the preview printed,
exit 0 / 1 / 2, French messages, nothing written unless every row is valid or --valid-only,
coordination only, and an export imported back changing nothing."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main
from app.domain import AuditEntry
from app.domain.account import ROLE_COORDINATION, ROLE_FORMATEUR
from app.domain.projects import Project
from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput
from app.services.base_access.opening import open_app_database
from app.storage import Database
from tests.conftest import TODAY, make_actor
from tests.unit.services.test_projects_csv import csv_bytes, form_row

PASSWORD = "Fabrique-Accueil-2026!"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def count_projects(db: Database) -> int:
    with db.session(commit=False) as s:
        return int(s.scalar(select(func.count(Project.id))) or 0)


@pytest.fixture
def form(tmp_path: Path) -> Path:
    path = tmp_path / "formulaire.csv"
    path.write_bytes(
        csv_bytes([form_row(), form_row(titre="Un outil de réservation des parcelles")])
    )
    return path


def test_dry_run_prints_the_preview_and_imports_nothing(
    db: Database, db_path: Path, form: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(
        capsys, "import", "projects", str(form), "--db", str(db_path), "--dry-run"
    )
    assert code == EXIT_OK
    assert "2 lignes lues : 2 valides (2 nouveaux, 0 mise à jour, 0 inchangé), 0 refusée." in out
    assert "ligne 2 : nouveau — AAP-2026-001 Un site pour les adhérents" in out
    assert "structure ajoutée à l'annuaire" in out
    assert "rien n'a été importé" in out
    assert count_projects(db) == 0


def test_import_then_export_then_import_changes_nothing(
    db: Database, db_path: Path, form: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "import", "projects", str(form), "--db", str(db_path))
    assert code == EXIT_OK
    assert "Import terminé : 2 projets créés (AAP-2026-001, AAP-2026-002)" in out
    assert "1 structure ajoutée à l'annuaire" in out
    exported = tmp_path / "projets.csv"
    code, out, _err = run(
        capsys, "export", "projects", "--db", str(db_path), "--out", str(exported)
    )
    assert (code, out.strip()) == (EXIT_OK, f"2 projet(s) exporté(s) dans {exported}")
    first = exported.read_bytes()

    code, out, _err = run(capsys, "import", "projects", str(exported), "--db", str(db_path))
    assert code == EXIT_OK
    assert "0 projet créé, 0 mis à jour, 2 inchangés" in out
    run(capsys, "export", "projects", "--db", str(db_path), "--out", str(exported))
    assert exported.read_bytes() == first
    assert count_projects(db) == 2


def test_a_bad_row_exits_1_in_french_and_imports_nothing_unless_valid_only(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "formulaire.csv"
    path.write_bytes(csv_bytes([form_row(), form_row(titre="Deux", date_depot="hier")]))
    code, out, err = run(capsys, "import", "projects", str(path), "--db", str(db_path))
    assert code == EXIT_REFUSED
    assert "ligne 3, colonne date_depot : Date attendue au format JJ/MM/AAAA." in out
    assert "rien n'a été importé" in err and "--valid-only" in err
    assert count_projects(db) == 0

    code, out, _err = run(
        capsys, "import", "projects", str(path), "--db", str(db_path), "--valid-only"
    )
    assert code == EXIT_OK
    assert "1 projet créé (AAP-2026-001)" in out and "1 ligne refusée ignorée" in out
    assert count_projects(db) == 1


def test_a_file_that_is_not_a_projects_csv_exits_1(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "classeur.xlsx"
    path.write_bytes(b"PK\x03\x04 un classeur")
    code, out, err = run(capsys, "import", "projects", str(path), "--db", str(db_path))
    assert code == EXIT_REFUSED
    assert "Fichier refusé" in out and "classeur" in err


def test_the_candidate_options_are_wrong_usage_for_projects(
    db: Database, db_path: Path, form: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("import", "projects", str(form), "--db", str(db_path))
    code, _out, err = run(capsys, *argv, "--known", "creer")
    assert code == EXIT_USAGE and "--known ne va qu'avec import candidates" in err
    assert run(capsys, *argv, "--overwrite-newer")[0] == EXIT_USAGE
    export = ("export", "projects", "--db", str(db_path), "--out", str(form.with_name("o.csv")))
    assert run(capsys, *export, "--site", "cobalt")[0] == EXIT_USAGE
    assert count_projects(db) == 0


def test_export_of_one_season_and_of_an_unknown_season(
    db: Database, db_path: Path, form: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "import", "projects", str(form), "--db", str(db_path))[0] == EXIT_OK
    out = tmp_path / "o.csv"
    argv = ("export", "projects", "--db", str(db_path), "--out", str(out))
    code, printed, _err = run(capsys, *argv, "--season", "2025-2026")
    assert (code, printed.strip()) == (EXIT_OK, f"0 projet(s) exporté(s) dans {out}")
    code, _printed, err = run(capsys, *argv, "--season", "1990-1991")
    assert code == EXIT_REFUSED and "Saison inconnue : « 1990-1991 »" in err


def test_export_is_refused_over_the_base(
    db: Database, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "export", "projects", "--db", str(db_path), "--out", str(db_path))
    assert code == EXIT_REFUSED and err.startswith("Erreur : ")


def test_only_coordination_imports_and_exports_projects(
    tmp_path: Path, form: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fabrique.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as s:
        accounts.create_first_account(
            s, AccountInput("Claire Vasseur", "claire", ROLE_COORDINATION), PASSWORD, PASSWORD
        )
        accounts.create_account(
            s,
            AccountInput("Julien Morel", "julien", ROLE_FORMATEUR),
            PASSWORD,
            PASSWORD,
            actor=make_actor(ROLE_COORDINATION),
        )
    monkeypatch.setenv("FABRIQUE_PASSWORD", PASSWORD)
    out = tmp_path / "projets.csv"
    export = ("export", "projects", "--db", str(path), "--out", str(out))
    importing = ("import", "projects", str(form), "--db", str(path))

    code, _out, err = run(capsys, *importing, "--user", "julien")
    assert code == EXIT_REFUSED and "julien" in err
    assert run(capsys, *export, "--user", "julien")[0] == EXIT_REFUSED
    assert not out.exists()
    assert count_projects(database) == 0

    assert run(capsys, *importing, "--user", "claire")[0] == EXIT_OK
    assert run(capsys, *export, "--user", "claire")[0] == EXIT_OK
    with database.session(commit=False) as s:
        entries = s.execute(
            select(AuditEntry.entity_type, AuditEntry.summary, AuditEntry.author)
        ).all()
    claire = "Claire Vasseur (ligne de commande)"
    exports = [author for kind, _summary, author in entries if kind == "export"]
    assert exports == [claire]
    # each project and the structure the import added are in the journal, in Claire's name
    submitted = [summary for kind, summary, author in entries if kind == "project"]
    assert len(submitted) == 2 and all(s.startswith("Projet déposé") for s in submitted)
    assert {author for kind, _s, author in entries if kind in ("project", "host")} == {claire}
    assert any(kind == "host" for kind, _s, _a in entries)
    database.dispose()
