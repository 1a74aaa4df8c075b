"""`main.py report funnel|indicators|outcomes|due` of CONTRACT.md (and the extract and the
bilan de saison), on the demo: output, files, exit codes, roles, journal."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app import cli
from app.cli import main
from app.demo.seed import seed_demo
from app.domain import AuditEntry
from app.services.base_access.opening import open_app_database
from app.services.reports.exports import ReportKind
from app.services.reports.extract import EXTRACT_COLUMNS
from tests.conftest import TODAY

PAST = "2025-2026"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as session:
        seed_demo(session, today=TODAY)
    database.dispose()
    yield path


def _report(demo: Path, *args: str) -> int:
    return main(["report", *args, "--db", str(demo), "--season", PAST])


def _journal(demo: Path) -> list[tuple[str, str]]:
    database = open_app_database("sqlite:///" + str(demo))
    try:
        with database.session() as s:
            return [
                (e.author, e.summary)
                for e in s.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.entity_type == "export")
                    .order_by(AuditEntry.id)
                )
            ]
    finally:
        database.dispose()


def test_report_choices_are_the_report_kinds() -> None:
    assert cli.REPORT_CHOICES[:4] == tuple(kind.value for kind in ReportKind)


def test_report_funnel_prints_40_candidates_and_34_entered(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _report(demo_path, "funnel")

    out = capsys.readouterr().out
    assert code == 0
    assert "## Parcours de recrutement" in out
    assert "_Saison 2025-2026 · les deux sites_" in out
    assert "| Candidatures           |        40 |              100,0 |" in out
    assert "| Entrés en formation    |        34 |               85,0 |" in out
    assert "## Perdus à chaque étape, par motif" in out


def test_report_indicators_as_csv_on_stdout_is_journaled(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _report(demo_path, "indicators", "--site", "cobalt", "--format", "csv")

    out = capsys.readouterr().out
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["Parcours de recrutement"]
    assert rows[1] == ["Saison 2025-2026 · Cobalt"]
    assert rows[2][0] == "Étape"
    titles = {row[0] for row in rows if len(row) == 1}
    assert {"Qui est entré en formation", "Sorties positives"} <= titles
    author, summary = _journal(demo_path)[-1]
    assert author == "Claire Vasseur (ligne de commande)"
    assert summary.startswith("Export des indicateurs de la saison (CSV, sortie standard)")
    assert summary.endswith("saison 2025-2026, site cobalt")


def test_report_outcomes_of_one_funder_to_an_xlsx_file(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sorties.xlsx"  # the format follows the extension

    code = _report(demo_path, "outcomes", "--funder", "e2c", "--out", str(out))

    assert code == 0
    assert f"écrite(s) dans {out}" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "Sorties positives"
    labels = [row[0].value for row in sheet.iter_rows(min_row=4)]
    assert "Taux de sorties positives — Réseau E2C (%)" in labels
    assert not any("Grande École" in str(label) for label in labels)
    assert _journal(demo_path)[-1][1].startswith("Export des indicateurs : sorties positives")


def test_report_due_lists_the_checks_with_the_phones(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _report(demo_path, "due", "--user", "nadia.belkacem")  # the desk may

    out = capsys.readouterr().out
    assert code == 0
    assert "## Suivis à faire au" in out
    assert "| Personne" in out and "Situation à 3 mois" in out


def test_report_extract_and_bilan_write_their_files(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extract, bilan = tmp_path / "extrait.csv", tmp_path / "bilan.pdf"

    assert _report(demo_path, "extract", "--out", str(extract)) == 0
    assert _report(demo_path, "bilan", "--site", "du-guesclin", "--out", str(bilan)) == 0

    printed = capsys.readouterr().out
    assert f"34 apprenant(s) dans l'extrait pseudonymisé écrit dans {extract}" in printed
    header = extract.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ";".join(EXTRACT_COLUMNS)
    text = " ".join(page.extract_text() for page in PdfReader(bilan).pages)
    assert "Bilan de saison 2025-2026" in text and "Centre Du Guesclin" in text
    journal = [summary for _, summary in _journal(demo_path)[-2:]]
    assert journal[0].startswith("Export des apprenants (extrait pseudonymisé, CSV) : 34 lignes")
    assert journal[1].startswith("Export des indicateurs : bilan de saison (PDF)")
    assert journal[1].endswith("saison 2025-2026, site du-guesclin")


@pytest.mark.parametrize(
    "args",
    [
        ("funnel", "--format", "xlsx"),  # a workbook needs a file
        ("bilan",),  # so does the PDF
        ("bilan", "--out", "b.pdf", "--format", "csv"),
        ("extract", "--format", "md", "--out", "e.csv"),
        ("due", "--funder", "gen"),
        ("indicators", "--out", "indicateurs.pdf"),  # the PDF is the bilan's
        ("funnel", "--site", "nulle-part"),
    ],
)
def test_wrong_usage_exits_2_and_writes_nothing(
    demo_path: Path, tmp_path: Path, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = _journal(demo_path)

    code = _report(demo_path, *args)

    assert code == 2
    assert list(tmp_path.iterdir()) == []
    assert _journal(demo_path) == before


def test_an_unknown_report_is_wrong_usage(demo_path: Path) -> None:
    with pytest.raises(SystemExit) as raised:
        _report(demo_path, "bilan-financier")
    assert raised.value.code == 2


def test_refused_exits_1_with_a_french_message(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _journal(demo_path)

    unknown_season = main(["report", "funnel", "--db", str(demo_path), "--season", "2031-2032"])
    unknown_funder = _report(demo_path, "outcomes", "--funder", "xyz")
    unknown_filiere = _report(demo_path, "funnel", "--filiere", "cuisine")
    trainer = _report(demo_path, "indicators", "--user", "julien.morel")
    desk = _report(demo_path, "extract", "--user", "nadia.belkacem", "--out", "x.csv")
    over_base = _report(demo_path, "funnel", "--format", "csv", "--out", str(demo_path))

    errors = capsys.readouterr().err
    statuses = (unknown_season, unknown_funder, unknown_filiere, trainer, desk, over_base)
    assert statuses == (1, 1, 1, 1, 1, 1)
    assert "Saison inconnue : « 2031-2032 » (saisons existantes : " in errors
    assert "Financeur inconnu : « xyz » (financeurs : gen, e2c, region)" in errors
    assert "Filière inconnue : « cuisine » (filières : reseaux, web, contenus)" in errors
    assert "« julien.morel » (formateur) ne peut pas consulter les indicateurs" in errors
    assert "« nadia.belkacem » (accueil) ne peut pas exporter l'extrait pseudonymisé" in errors
    assert "est la base de données elle-même" in errors
    assert "Traceback" not in errors
    assert _journal(demo_path) == before
