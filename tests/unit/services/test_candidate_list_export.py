"""The list as shown: the CSV holds exactly the files the list holds (re-importable), the
printed list the chosen columns of exactly those files, both journaled with their filters
and refused to a trainer."""

import csv
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.domain import AuditAction, AuditEntry
from app.services import reference
from app.services.candidates import actions, list_export
from app.services.candidates.csv_exchange import EXPORT_COLUMNS
from app.services.candidates.records import CandidateInput, CandidateQuery
from app.services.errors import PermissionDenied, UserFacingError
from app.storage import Database
from tests.conftest import make_actor

DESK = make_actor("accueil", "nadia")
COORDINATOR = make_actor("coordination", "claire")
TRAINER = make_actor("formateur", "marc")
SEASON = "2026-2027"
PRINTED = date(2026, 11, 28)

PEOPLE = (
    # nom, prénom, e-mail, téléphone, site, saison, commune
    ("Martin", "Léa", "lea.martin@exemple.fr", "0612345678", "cobalt", SEASON, "Poitiers"),
    ("Martinez", "Hugo", "hugo.martinez@exemple.fr", "0622334455", "cobalt", SEASON, "Niort"),
    ("Bernard", "Inès", "ines.bernard@exemple.fr", "0633445566", "cobalt", SEASON, "Poitiers"),
    ("Durand", "Yanis", "yanis.durand@exemple.fr", "0644556677", "du-guesclin", SEASON, "Niort"),
    ("Martin", "Paul", "paul.martin@exemple.fr", "0655667788", "cobalt", "2025-2026", "Poitiers"),
)


@pytest.fixture
def people(db: Database) -> Database:
    for day, (last, first, email, phone, site, season, city) in enumerate(PEOPLE, 10):
        data = CandidateInput(
            nom=last,
            prenom=first,
            email=email,
            telephone=phone,
            site=site,
            saison=season,
            commune=city,
            date_naissance=f"{day}/03/1994",
            prescripteur="france_travail",
        )
        outcome = actions.save_candidate(db, data, actor=DESK)
        assert outcome.file is not None, outcome.look_alikes
    return db


def _ids(db: Database, name: str, code: str) -> int:
    with db.session(commit=False) as session:
        options = {"season": reference.seasons, "site": reference.sites}[name](session)
        return next(o.id for o in options if o.code == code)


def _query(db: Database, text: str = "", site: str | None = "cobalt") -> CandidateQuery:
    return CandidateQuery(
        text=text,
        season_id=_ids(db, "season", SEASON),
        site_id=_ids(db, "site", site) if site else None,
    )


def _exports(db: Database) -> list[str]:
    with db.session(commit=False) as session:
        return list(
            session.scalars(
                select(AuditEntry.summary)
                .where(AuditEntry.action == AuditAction.EXPORT.value)
                .order_by(AuditEntry.id)
            )
        )


def _csv_rows(path: Path) -> list[dict[str, str]]:
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(EXPORT_COLUMNS)
    return list(csv.DictReader(lines, delimiter=";"))


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


# ---------------------------------------------------------------- CSV


def test_a_search_matching_one_person_exports_that_person_only(
    people: Database, tmp_path: Path
) -> None:
    out = tmp_path / "liste.csv"

    written = actions.export_shown_candidates(people, out, _query(people, "bernard"), actor=DESK)

    assert written == 1
    assert [(r["nom"], r["prenom"]) for r in _csv_rows(out)] == [("Bernard", "Inès")]
    assert _exports(people) == [
        "Export des candidats (CSV de la liste affichée) : 1 ligne — saison 2026-2027, "
        "site Cobalt, recherche « bernard »"
    ]


def test_the_csv_follows_the_list_order_and_imports_back_unchanged(
    people: Database, tmp_path: Path
) -> None:
    out = tmp_path / "liste.csv"
    query = _query(people, "mart")

    written = actions.export_shown_candidates(
        people, out, query, actor=COORDINATOR, sort="name", descending=True
    )

    assert written == 2  # the past season's Martin and the other site are not shown
    assert [r["nom"] for r in _csv_rows(out)] == ["Martinez", "Martin"]
    preview = actions.preview_import(people, out)
    assert not preview.invalid_rows
    assert all(row.action == "unchanged" for row in preview.valid_rows)


def test_every_file_of_the_season_and_site_without_a_search(
    people: Database, tmp_path: Path
) -> None:
    out = tmp_path / "liste.csv"

    actions.export_shown_candidates(people, out, _query(people), actor=DESK)

    assert [r["nom"] for r in _csv_rows(out)] == ["Bernard", "Martin", "Martinez"]


def test_a_trainer_is_refused_both_exports_and_the_printed_list(
    people: Database, tmp_path: Path
) -> None:
    out = tmp_path / "liste.csv"
    with pytest.raises(PermissionDenied, match="accueil et la coordination"):
        actions.export_shown_candidates(people, out, _query(people), actor=TRAINER)
    with pytest.raises(PermissionDenied):
        actions.export_candidates(people, out, season=SEASON, site_id=None, actor=TRAINER)
    with pytest.raises(PermissionDenied):
        actions.candidate_list_pdf(people, _query(people), ["name"], actor=TRAINER)
    assert not out.exists()
    assert _exports(people) == []


@pytest.mark.sqlite_only  # the base's own file
def test_the_shown_export_never_goes_over_the_base(people: Database) -> None:
    base = Path(people.url.removeprefix("sqlite:///"))
    size = base.stat().st_size

    with pytest.raises(UserFacingError, match="base de données elle-même"):
        actions.export_shown_candidates(people, base, _query(people), actor=DESK)

    assert base.stat().st_size == size
    assert _exports(people) == []


# ---------------------------------------------------------------- the printed list


def test_the_printed_list_shows_the_shown_names_and_the_chosen_columns(people: Database) -> None:
    pdf = actions.candidate_list_pdf(
        people,
        _query(people, "mart"),
        ["name", "phone", "email", "city"],
        actor=DESK,
        today=PRINTED,
    )
    text = _pdf_text(pdf)

    assert "MARTIN Léa" in text and "MARTINEZ Hugo" in text
    assert "BERNARD" not in text and "DURAND" not in text and "MARTIN Paul" not in text
    for heading in ("Nom", "Téléphone", "E-mail", "Commune"):
        assert heading in text
    assert "Étape" not in text and "Âge" not in text  # columns not chosen
    assert "lea.martin@exemple.fr" in text and "06 12 34 56 78" in text and "Niort" in text
    assert "Saison 2026-2027 · site Cobalt · recherche « mart »" in text
    assert "2 candidats" in text
    assert _exports(people) == [
        "Export des candidats (liste imprimée, PDF) : 2 lignes — saison 2026-2027, "
        "site Cobalt, recherche « mart »"
    ]


def test_the_printed_list_keeps_the_list_order_and_says_it(people: Database) -> None:
    pdf = actions.candidate_list_pdf(
        people, _query(people), ["name"], actor=DESK, sort="name", descending=True
    )
    text = _pdf_text(pdf)

    names = [line for line in text.splitlines() if line.startswith(("MARTIN", "BERNARD"))]
    assert names == ["MARTINEZ Hugo", "MARTIN Léa", "BERNARD Inès"]
    assert "triée par nom, ordre décroissant" in text


def test_a_stage_filter_is_named_and_applied(people: Database) -> None:
    with people.session(commit=False) as session:
        received = reference.stages(session)[0]
    query = CandidateQuery(
        season_id=_ids(people, "season", SEASON), site_id=None, stage_id=received.id
    )

    text = _pdf_text(actions.candidate_list_pdf(people, query, ["name", "site"], actor=DESK))

    assert f"Saison 2026-2027 · tous les sites · étape {received.label}" in text
    assert "DURAND Yanis" in text and "4 candidats" in text


def test_a_printed_list_needs_a_column_and_a_reasonable_length(
    people: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UserFacingError, match="au moins une colonne"):
        actions.candidate_list_pdf(people, _query(people), [], actor=DESK)
    monkeypatch.setattr(list_export, "MAX_PRINTED_ROWS", 2)
    with pytest.raises(UserFacingError, match=r"3 candidats.*exportez-la en CSV"):
        actions.candidate_list_pdf(people, _query(people), ["name"], actor=DESK)
    assert _exports(people) == []


def test_every_column_can_be_printed(people: Database) -> None:
    keys = [column.key for column in list_export.LIST_COLUMNS]

    pdf = actions.candidate_list_pdf(people, _query(people, "durand", None), keys, actor=DESK)
    text = _pdf_text(pdf)

    for column in list_export.LIST_COLUMNS:
        assert column.label.split()[0] in text
    assert "13/03/1994" in text and "France Travail" in text and "Guesclin" in text
