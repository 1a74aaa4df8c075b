"""Candidate CSV: export, import preview, all-or-nothing import, round trip."""

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import Candidate, Season, StageChange
from app.domain.values import STAGES
from app.services.base_access.opening import open_app_database
from app.services.candidates import import_preview, import_writing
from app.services.candidates import records as candidates
from app.services.candidates.csv_exchange import (
    CANDIDATE_COLUMNS,
    EXPORT_COLUMNS,
    export_candidates,
)
from app.services.candidates.import_preview import ImportCancelled, preview_import
from app.services.candidates.import_rows import NOT_UTF8
from app.services.candidates.import_writing import apply_import
from app.services.candidates.records import CandidateInput
from app.services.errors import UserFacingError
from app.storage import Database
from tests.conftest import TODAY, make_actor

NOW = datetime(2026, 11, 28, 10, 30)
SEASON = "2026-2027"
HEADER = ";".join(CANDIDATE_COLUMNS)
EXPORT_HEADER = ";".join(EXPORT_COLUMNS)  # the contract's columns, then the record's version

# Hand-picked awkward values; every stage is covered by cycling through them.
SAMPLES: list[dict[str, str]] = [
    {"nom": "N'Diaye", "prenom": "Aïssatou", "civilite": "Mme", "sexe": "F", "qpv": "oui"},
    {"nom": "Lefèvre", "nom_usage": "Martin-Lefèvre", "prenom": "Hélène", "rsa": "non"},
    {"nom": "O'Brien", "prenom": "Seán", "adresse": '12 rue "Les Lilas"; bât. B', "qpv": "non"},
    {"nom": "Dupont", "prenom": "Jean", "adresse": "3 allée des Pins\nRésidence Alpha\nApt 4"},
    {"nom": "Ba", "prenom": "Moussa", "commune": "Saint-Benoît; Vienne", "niveau_diplome": "aucun"},
    {"nom": "Çelik", "prenom": "Zoé", "niveau_diplome": "4", "demandeur_emploi": "oui"},
    {"nom": "Ngô", "prenom": "Bảo", "telephone": "+32 470 12 34 56", "niveau_diplome": "8"},
    {"nom": "Durand", "prenom": "Éloïse", "email": "", "niveau_diplome": "3", "rsa": "oui"},
    {"nom": "dupont", "prenom": "jean", "telephone": "", "sexe": "autre", "civilite": "M."},
    {"nom": "Œuvray", "prenom": "Maëlle", "filiere_souhaitee": "", "prescripteur": ""},
]


def candidate_data(index: int = 0, **overrides: str) -> CandidateInput:
    values = {
        "nom": f"Nom{index}",
        "prenom": f"Prénom{index}",
        "date_naissance": f"{1 + index % 28:02d}/0{1 + index % 9}/{1970 + index % 30}",
        "telephone": f"06 12 34 {10 + index % 90:02d} {10 + index // 90:02d}",
        "email": f"personne{index}@exemple.fr",
        "adresse": f"{index} rue de la Gare",
        "code_postal": "86000",
        "commune": "Poitiers",
        "saison": SEASON,
        "site": "cobalt" if index % 2 else "du-guesclin",
        "filiere_souhaitee": "Développement web",
        "prescripteur": "Mission locale",
        "date_candidature": "02/10/2026",
    }
    values.update(overrides)
    return CandidateInput(**values)


def create(session: Session, index: int = 0, **overrides: str) -> candidates.SavedCandidate:
    return candidates.create_candidate(
        session,
        candidate_data(index, **overrides),
        now=NOW,
        actor=make_actor("coordination", "test"),
    )


def create_varied(session: Session) -> int:
    """One candidate per stage, cycling through the awkward samples; returns the count."""
    for index, stage in enumerate(STAGES):
        sample = dict(SAMPLES[index % len(SAMPLES)])
        if index >= len(SAMPLES):
            sample["nom"] += f" {index}"
        create(session, index, etape=stage.label, **sample)
    create(session, 99, notes="Hors CSV", commune_naissance="Dakar", etape="")
    return len(STAGES) + 1


def row(index: int = 0, **overrides: str) -> list[str]:
    data = candidate_data(index, **overrides)
    return [getattr(data, name) for name in CANDIDATE_COLUMNS]


def csv_bytes(
    rows: list[list[str]],
    *,
    delimiter: str = ";",
    bom: bool = True,
    newline: str = "\r\n",
    header: list[str] | None = None,
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header or CANDIDATE_COLUMNS)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def count_candidates(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Candidate)) or 0


def preview(db: Database, source: Path | bytes) -> import_preview.ImportPreview:
    with db.session() as s:
        result = preview_import(s, source, today=TODAY)
        s.rollback()
    return result


def apply(db: Database, source: Path | bytes, **kwargs: Any) -> import_writing.ImportResult:
    kwargs.setdefault("valid_only", False)
    with db.session() as s:
        return apply_import(
            s, source, actor=make_actor("coordination", "import"), today=TODAY, **kwargs
        )


def export(db: Database, out: Path, **kwargs: Any) -> int:
    with db.session() as s:
        return export_candidates(s, out, **kwargs)


def versions(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {c.uuid: c.version for c in s.scalars(select(Candidate))}


@pytest.fixture
def other_db(tmp_path: Path) -> Iterator[Database]:
    database = open_app_database("sqlite:///" + str(tmp_path / "other.sqlite"), today=TODAY)
    yield database
    database.dispose()


# ---------------------------------------------------------------- export


def test_columns_are_the_contract_columns() -> None:
    assert HEADER == (
        "identifiant;civilite;nom;nom_usage;prenom;sexe;date_naissance;telephone;email;"
        "adresse;code_postal;commune;saison;site;filiere_souhaitee;prescripteur;niveau_diplome;"
        "demandeur_emploi;rsa;qpv;date_candidature;etape"
    )


def test_export_writes_bom_header_and_french_values(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        saved = create(s, 1, demandeur_emploi="oui", rsa="non", niveau_diplome="aucun")
    out = tmp_path / "export.csv"

    assert export(db, out) == 1

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + EXPORT_HEADER.encode() + b"\r\n")
    cells = raw.decode("utf-8-sig").splitlines()[1].split(";")
    values = dict(zip(EXPORT_COLUMNS, cells, strict=True))
    assert values["identifiant"] == saved.uuid
    assert values["date_naissance"] == "02/02/1971"
    assert values["telephone"] == "06 12 34 11 10"
    assert values["site"] == "cobalt"
    assert values["filiere_souhaitee"] == "Développement web"
    assert values["niveau_diplome"] == "aucun"
    assert (values["demandeur_emploi"], values["rsa"], values["qpv"]) == ("oui", "non", "")
    assert values["etape"] == "candidature reçue"
    assert values["version"] == "1"


def test_export_quotes_separators_quotes_and_line_breaks(db: Database, tmp_path: Path) -> None:
    address = 'Bât. "A"; 2e étage\nRésidence du Parc'
    with db.session() as s:
        create(s, 1, adresse=address, commune="Saint-Benoît; Vienne")
    out = tmp_path / "export.csv"
    export(db, out)

    text = out.read_text(encoding="utf-8-sig")
    assert '"Bât. ""A""; 2e étage\nRésidence du Parc"' in text
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(records) == 2
    assert records[1][CANDIDATE_COLUMNS.index("adresse")] == address
    assert records[1][CANDIDATE_COLUMNS.index("commune")] == "Saint-Benoît; Vienne"


def test_export_orders_by_name_then_id(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        for index, (last, first) in enumerate(
            [("Zola", "Émile"), ("dupont", "Marc"), ("Dupont", "Anne"), ("Dupont", "anne")]
        ):
            create(s, index, nom=last, prenom=first)
    out = tmp_path / "export.csv"
    export(db, out)

    lines = out.read_text(encoding="utf-8-sig").splitlines()[1:]
    names = [(line.split(";")[2], line.split(";")[4]) for line in lines]
    assert names == [("Dupont", "Anne"), ("Dupont", "anne"), ("dupont", "Marc"), ("Zola", "Émile")]


def test_export_filters_by_season_and_site(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        create(s, 1, nom="Cobalt-Courante", site="cobalt")
        create(s, 2, nom="Guesclin-Courante", site="du-guesclin")
        create(s, 3, nom="Cobalt-Ancienne", site="cobalt", saison="2025-2026")
    out = tmp_path / "export.csv"

    assert export(db, out, season=SEASON) == 2
    assert "Cobalt-Ancienne" not in out.read_text(encoding="utf-8-sig")
    assert export(db, out, season=SEASON, site="du-guesclin") == 1
    body = out.read_text(encoding="utf-8-sig")
    assert "Guesclin-Courante" in body
    assert "Cobalt" not in body
    assert export(db, out, site="cobalt") == 2


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"season": "2001-2002"}, "Saison inconnue : « 2001-2002 »"),
        ({"season": "n'importe"}, "Saison inconnue"),
        ({"site": "paris"}, "Site inconnu : « paris »"),
    ],
)
def test_export_refuses_unknown_filters(
    db: Database, tmp_path: Path, filters: dict[str, str], message: str
) -> None:
    out = tmp_path / "export.csv"
    with pytest.raises(UserFacingError, match=message):
        export(db, out, **filters)
    assert not out.exists()


def test_failed_export_keeps_previous_file_and_leaves_no_temporary(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session() as s:
        create(s, 1)
        create(s, 2)
    out = tmp_path / "export.csv"
    out.write_text("ancien contenu", encoding="utf-8")
    real = candidates.candidate_input
    calls = []

    def failing(candidate: Candidate) -> CandidateInput:
        calls.append(candidate.id)
        if len(calls) > 1:
            raise RuntimeError("disque plein")
        return real(candidate)

    monkeypatch.setattr(candidates, "candidate_input", failing)
    with pytest.raises(RuntimeError):
        export(db, out)

    assert out.read_text(encoding="utf-8") == "ancien contenu"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export")] == []


def test_export_to_missing_folder_is_refused_in_french(db: Database, tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="n'existe pas"):
        export(db, tmp_path / "absent" / "export.csv")


def test_export_to_a_text_stream(db: Database) -> None:
    with db.session() as s:
        create(s, 1)
        buffer = io.StringIO(newline="")
        assert export_candidates(s, buffer) == 1
    assert buffer.getvalue().startswith("\ufeff" + EXPORT_HEADER + "\r\n")


# ---------------------------------------------------------------- round trip


def test_round_trip_into_a_fresh_database_gives_identical_bytes(
    db: Database, other_db: Database, tmp_path: Path
) -> None:
    with db.session() as s:
        total = create_varied(s)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    assert export(db, first, season=SEASON) == total

    result = apply(other_db, first)

    assert (result.created, result.updated, result.unchanged, result.skipped) == (total, 0, 0, 0)
    assert export(other_db, second, season=SEASON) == total
    assert second.read_bytes() == first.read_bytes()
    text = first.read_text(encoding="utf-8-sig")
    assert "N'Diaye" in text
    assert "+32 470 12 34 56" in text


def test_round_trip_keeps_stage_uuid_and_application_date(
    db: Database, other_db: Database, tmp_path: Path
) -> None:
    with db.session() as s:
        saved = create(s, 1, etape="entré en formation", date_candidature="15/09/2026")
    out = tmp_path / "export.csv"
    export(db, out)
    apply(other_db, out)

    with other_db.session() as s:
        copy = s.scalars(select(Candidate)).one()
        assert copy.uuid == saved.uuid
        assert copy.stage.code == "entre_formation"
        assert copy.application_date is not None
        assert copy.application_date.isoformat() == "2026-09-15"


def test_reimport_into_the_same_database_changes_nothing(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        total = create_varied(s)
    out = tmp_path / "export.csv"
    export(db, out)
    before = versions(db)
    with db.session() as s:
        history_before = s.scalar(select(func.count()).select_from(StageChange))

    checked = preview(db, out)
    result = apply(db, out)

    assert [r.action for r in checked.rows] == ["unchanged"] * total
    assert (result.created, result.updated, result.unchanged) == (0, 0, total)
    assert versions(db) == before
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(StageChange)) == history_before


def test_reimport_tolerates_other_spellings_of_the_same_values(db: Database) -> None:
    with db.session() as s:
        saved = create(s, 1, demandeur_emploi="oui", civilite="Mme", niveau_diplome="4")
    source = csv_bytes(
        [
            row(
                1,
                identifiant=saved.uuid.upper(),
                telephone="0612341110",
                demandeur_emploi="Oui",
                civilite="madame",
                niveau_diplome="niveau 4",
                site="COBALT",
                etape="",
                date_candidature="",
            )
        ]
    )

    assert [r.action for r in preview(db, source).rows] == ["unchanged"]
    assert apply(db, source).unchanged == 1
    assert versions(db) == {saved.uuid: saved.version}


def test_update_keeps_fields_outside_the_csv_and_logs_the_stage(db: Database) -> None:
    with db.session() as s:
        saved = create(s, 1, notes="Suivi par Anne", commune_naissance="Dakar", rqth="oui")
    changed = row(1, identifiant=saved.uuid, email="nouvelle@exemple.fr", etape="entretien")

    checked = preview(db, csv_bytes([changed]))
    result = apply(db, csv_bytes([changed]))

    assert [r.action for r in checked.rows] == ["update"]
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    with db.session() as s:
        candidate = s.scalars(select(Candidate)).one()
        assert candidate.email == "nouvelle@exemple.fr"
        assert candidate.version == saved.version + 1
        assert (candidate.notes, candidate.birth_place, candidate.rqth) == (
            "Suivi par Anne",
            "Dakar",
            True,
        )
        assert candidate.stage.code == "entretien"
        last = candidates.stage_history(s, candidate.id)[-1]
        assert (last.to_label, last.author, last.comment) == ("entretien", "import", "Import")


def test_stored_field_that_no_longer_validates_is_a_row_problem(db: Database) -> None:
    with db.session() as s:
        saved = create(s, 1)
        s.get_one(Candidate, saved.id).notes = "x" * 20001
    source = csv_bytes([row(1, identifiant=saved.uuid, commune="Niort")])

    checked = preview(db, source)

    assert [(p.line, p.column) for p in checked.problems] == [(2, "notes")]
    with pytest.raises(UserFacingError, match="1 ligne refusée"):
        apply(db, source)


def test_unknown_identifiant_creates_the_candidate_with_that_uuid(db: Database) -> None:
    wanted = str(uuid.uuid4())
    result = apply(db, csv_bytes([row(1, identifiant=wanted), row(2)]))

    assert result.created == 2
    with db.session() as s:
        last_name = s.scalar(select(Candidate.last_name).where(Candidate.uuid == wanted))
    assert last_name == "Nom1"


# ---------------------------------------------------------------- reading files


@pytest.mark.parametrize(
    "options",
    [
        {"bom": True},
        {"bom": False},
        {"delimiter": ","},
        {"delimiter": ",", "bom": False, "newline": "\n"},
        {"newline": "\n"},
        {"newline": "\r\n"},
    ],
)
def test_accepted_encodings_separators_and_line_ends(db: Database, options: Any) -> None:
    address = 'Bât. "B", 1er; porte 3\nRésidence Les Érables'
    rows = [row(1, adresse=address, commune="Saint-Benoît, Vienne; 86"), row(2, nom="N'Diaye")]

    checked = preview(db, csv_bytes(rows, **options))

    assert checked.fatal == []
    assert [(r.line, r.problems, r.action) for r in checked.rows] == [
        (2, [], "create"),
        (4, [], "create"),
    ]
    assert checked.rows[0].data.adresse == address
    assert checked.rows[0].data.commune == "Saint-Benoît, Vienne; 86"
    assert checked.rows[1].data.nom == "N'Diaye"


def test_header_matching_ignores_case_spaces_and_order(db: Database) -> None:
    order = list(reversed(CANDIDATE_COLUMNS))
    header = [f"  {name.upper()} " for name in order]
    values = dict(zip(CANDIDATE_COLUMNS, row(1, nom="Lefèvre"), strict=True))
    source = csv_bytes([[values[name] for name in order]], header=header)

    checked = preview(db, source)

    assert checked.fatal == []
    assert checked.rows[0].data.nom == "Lefèvre"
    assert checked.rows[0].problems == []


def test_bad_rows_report_physical_lines_columns_and_french_reasons(db: Database) -> None:
    rows = [
        row(1),
        row(2, email="pas-une-adresse"),
        row(3, adresse="1 rue Haute\nBâtiment C\nEscalier 2"),
        row(4, date_naissance="31/02/1990", site="paris"),
        row(5)[:20],
        row(6, telephone="", email=""),
    ]

    checked = preview(db, csv_bytes(rows))

    assert checked.fatal == []
    assert [r.line for r in checked.rows] == [2, 3, 4, 7, 8, 9]
    assert len(checked.valid_rows) == 2
    found = {(p.line, p.column): p.message for p in checked.problems}
    assert set(found) == {
        (3, "email"),
        (7, "date_naissance"),
        (7, "site"),
        (8, ""),
        (9, "telephone"),
        (9, "email"),
    }
    assert found[3, "email"].startswith("Adresse e-mail invalide")
    assert found[7, "date_naissance"] == "Cette date n'existe pas."
    assert "Site inconnu : « paris »" in found[7, "site"]
    assert found[8, ""].startswith("20 champs au lieu de 22")
    assert found[9, "email"] == "Indiquer au moins un téléphone ou un e-mail."
    report = checked.describe()
    assert report.splitlines()[0] == (
        "6 lignes lues : 2 valides (2 nouveaux, 0 mise à jour, 0 inchangé), 4 refusées."
    )
    assert "ligne 3, colonne email : Adresse e-mail invalide" in report
    assert "ligne 8 : 20 champs au lieu de 22" in report


def test_bad_rows_block_the_whole_import(db: Database) -> None:
    source = csv_bytes([row(1), row(2, email="pas-une-adresse"), row(3)])

    with pytest.raises(UserFacingError, match="Rien n'a été importé : 1 ligne refusée"):
        apply(db, source)

    assert count_candidates(db) == 0


def test_valid_only_imports_the_good_rows(db: Database) -> None:
    source = csv_bytes([row(1), row(2, email="pas-une-adresse"), row(3)])

    result = apply(db, source, valid_only=True)

    assert (result.created, result.skipped) == (2, 1)
    assert count_candidates(db) == 2
    assert "1 ligne refusée ignorée" in result.describe()


def test_age_limits_use_the_given_day(db: Database) -> None:
    checked = preview(db, csv_bytes([row(1, date_naissance="29/11/2010")]))

    assert [(p.column, p.message) for p in checked.problems] == [
        ("date_naissance", "L'âge doit être compris entre 16 et 80 ans (ici 15 ans).")
    ]


def test_extra_empty_trailing_fields_are_tolerated(db: Database) -> None:
    text = HEADER + ";;\r\n" + ";".join(row(1)) + ";;\r\n;;;;\r\n"

    checked = preview(db, text.encode("utf-8"))

    assert checked.fatal == []
    assert [(r.line, r.problems) for r in checked.rows] == [(2, [])]


def test_duplicate_identifiant_is_refused_on_the_second_row(db: Database) -> None:
    same = str(uuid.uuid4())
    source = csv_bytes([row(1, identifiant=same), row(2), row(3, identifiant=same.upper())])

    checked = preview(db, source)

    assert [(p.line, p.column, p.message) for p in checked.problems] == [
        (4, "identifiant", "Identifiant déjà présent ligne 2 du fichier.")
    ]


def test_malformed_identifiant_is_refused(db: Database) -> None:
    checked = preview(db, csv_bytes([row(1, identifiant="42", email="faux")]))

    assert [(p.line, p.column) for p in checked.problems] == [(2, "identifiant"), (2, "email")]
    assert checked.problems[0].message.startswith("Identifiant invalide : « 42 »")


def test_preview_saves_nothing(db: Database) -> None:
    checked = preview(db, csv_bytes([row(1, saison="2030-2031")]))

    assert checked.rows[0].problems == []
    assert count_candidates(db) == 0
    with db.session() as s:
        assert s.scalar(select(Season).where(Season.label == "2030-2031")) is None


def test_report_is_capped(db: Database) -> None:
    rows = [row(i, email="faux", code_postal="123") for i in range(105)]

    report = preview(db, csv_bytes(rows)).describe()

    lines = report.splitlines()
    assert len(lines) == 1 + import_preview.MAX_REPORTED_PROBLEMS + 1
    assert lines[-1] == "… et 10 autres problèmes."


# ---------------------------------------------------------------- refused files


def missing_columns_source() -> bytes:
    header = [c for c in CANDIDATE_COLUMNS if c not in ("rsa", "qpv")]
    values = dict(zip(CANDIDATE_COLUMNS, row(1), strict=True))
    return csv_bytes([[values[c] for c in header]], header=header)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"\xef\xbb\xbf\r\n \r\n", "Le fichier est vide."),
        (("nom;prénom\r\nEl Amrani;Inès\r\n").encode("cp1252"), NOT_UTF8),
        (("\ufeff" + HEADER).encode("utf-16"), NOT_UTF8),
        (bytes(range(256)) * 10, "Ce fichier n'est pas un fichier CSV (contenu binaire)."),
        (missing_columns_source(), "Colonnes manquantes : rsa, qpv."),
        (
            csv_bytes([[*row(1), "bleu"]], header=[*CANDIDATE_COLUMNS, "couleur"]),
            "Colonnes inconnues : couleur.",
        ),
        (
            csv_bytes([[*row(1), "x"]], header=[*CANDIDATE_COLUMNS, "Nom"]),
            "Colonnes en double : nom.",
        ),
        (
            b"Dupont;Jean;06 12 34 56 78\r\n",
            "La première ligne doit être la ligne d'en-tête : " + HEADER,
        ),
        (
            (HEADER + "\r\n" + ";".join(row(1)) + '\r\n;"jamais refermé;\r\n').encode(),
            "Ligne 3 : guillemets mal placés ou non refermés, le fichier n'est pas un CSV lisible.",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "cp1252",
        "utf16",
        "binary",
        "missing",
        "unknown",
        "doubled",
        "no-header",
        "quotes",
    ],
)
def test_refused_files(db: Database, source: bytes, message: str) -> None:
    checked = preview(db, source)

    assert message in checked.fatal
    assert checked.rows == []
    assert checked.describe().startswith("Fichier refusé :\n- ")
    with pytest.raises(UserFacingError, match=r"^Rien n'a été importé"):
        apply(db, source, valid_only=True)
    assert count_candidates(db) == 0


def test_missing_file_is_a_french_refusal(db: Database, tmp_path: Path) -> None:
    checked = preview(db, tmp_path / "absent.csv")

    assert checked.fatal == [f"Fichier introuvable : « {tmp_path / 'absent.csv'} »."]


def test_reads_from_a_path(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "candidats.csv"
    path.write_bytes(csv_bytes([row(1)]))

    assert apply(db, path).created == 1


# ---------------------------------------------------------------- progress and cancel


def test_progress_is_reported_and_cancel_imports_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_writing, "PROGRESS_EVERY", 2)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 4

    with pytest.raises(ImportCancelled, match="Import annulé"):
        apply(db, csv_bytes([row(i) for i in range(5)]), progress=progress)

    assert calls == [(2, 5), (4, 5)]
    assert count_candidates(db) == 0


def test_progress_reaches_the_total(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_writing, "PROGRESS_EVERY", 2)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    result = apply(db, csv_bytes([row(i) for i in range(5)]), progress=progress)

    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert result.created == 5
    assert count_candidates(db) == 5


def test_result_description_is_french() -> None:
    result = import_writing.ImportResult(created=3, updated=1, unchanged=0, skipped=2)

    assert result.describe() == (
        "Import terminé : 3 nouveaux candidats, 1 mis à jour, 0 inchangé, "
        "2 lignes refusées ignorées."
    )


def test_samples_cover_every_stage_and_awkward_value(db: Database) -> None:
    with db.session() as s:
        create_varied(s)
        stored = {c.stage.code for c in s.scalars(select(Candidate))}
    assert stored == {stage.code for stage in STAGES}
