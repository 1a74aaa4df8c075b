"""Bad databases and bad usage: a French reason, the right exit code, never a traceback."""

from pathlib import Path

import pytest

from app.cli import main


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as ended:
        raise SystemExit(main(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return int(ended.value.code or 0), err


@pytest.mark.parametrize(
    ("db", "reason"),
    [
        ("DIR", "ne peut pas être ouvert"),
        ("GARBAGE", "n'est pas une base Fabrique Accueil lisible"),
        ("foo://bar", "Adresse de base de données non reconnue"),
        ("postgresql+nodriver://u:secret@localhost/x", "non reconnue ou pilote absent"),
    ],
)
def test_unusable_database_is_refused_in_french(
    db: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if db == "DIR":
        db = str(tmp_path)
    elif db == "GARBAGE":
        garbage = tmp_path / "notes.csv"
        garbage.write_text("nom;prenom\nDupont;Léa\n", encoding="utf-8")
        db = str(garbage)
    code, err = _run(["export", "candidates", "--db", db, "--out", str(tmp_path / "o.csv")], capsys)
    assert code == 1
    assert err.startswith("Erreur : ")
    assert reason in err
    assert "secret" not in err
    assert not (tmp_path / "o.csv").exists()


def test_database_in_a_folder_that_cannot_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    target = str(blocker / "sous" / "base.sqlite")
    code, err = _run(["seed-demo", "--db", target], capsys)
    assert code == 1
    assert "Impossible de créer la base de données" in err
    assert "un élément du chemin n'est pas un dossier" in err


def test_usage_errors_are_french_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(
        ["export", "hosts", "--db", str(tmp_path / "d.sqlite"), "--out", "x"],
        capsys,
    )
    assert code == 2
    assert "choix invalide : 'hosts'" in err
    assert "utilisation : " in err
    code, err = _run(["export", "candidates"], capsys)
    assert code == 2
    assert "arguments obligatoires manquants : --out" in err
