"""Projects CSV: the export, the import's preview (nouveau / mise à jour / inchangé / refused
with line, column and French reason), the structure found in the directory or added to it, the
import all or nothing, and an export imported back changing nothing."""

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.domain import AuditEntry, Host
from app.domain.projects import Project
from app.services.errors import PermissionDenied, UserFacingError
from app.services.hosts.directory import HostInput, create_host
from app.services.projects import import_actions
from app.services.projects.csv_exchange import EXPORT_COLUMNS, PROJECT_COLUMNS, project_cells
from app.services.projects.import_preview import ProjectImportPreview
from app.services.projects.submissions import load_project
from app.storage import Database
from tests.conftest import make_actor

COORD = make_actor("coordination", "claire", "Claire Vasseur")
TRAINER = make_actor("formateur", "samir", "Samir Haddad")
DESK = make_actor("accueil", "nadia", "Nadia Belkacem")
SIRET = "73282932000074"
OTHER_SIRET = "55208131766522"
RNA = "W863001234"


def form_row(**changes: str) -> dict[str, str]:
    """One row of the online form's export: a new project (no reference, no state)."""
    row = {
        "reference": "",
        "saison": "2026-2027",
        "date_depot": "15/11/2026",
        "structure": "Les Jardins partagés",
        "forme_juridique": "Association loi 1901",
        "siret": "",
        "rna": RNA,
        "effectif": "4",
        "adresse": "3 rue des Lilas",
        "code_postal": "86000",
        "commune": "Poitiers",
        "contact_nom": "Marie Lefèvre",
        "contact_fonction": "Présidente",
        "contact_telephone": "05 49 12 34 56",
        "contact_email": "marie.lefevre@jardins.fr",
        "contact_disponibilites": "Le mardi après-midi",
        "titre": "Un site pour les adhérents",
        "besoin": "Les adhérents ne savent pas quand ont lieu les ateliers.",
        "publics": "120 adhérents, surtout retraités",
        "type_livrable": "Site web",
        "livrable": "Un site avec l'agenda des ateliers",
        "existant": "Une page Facebook",
        "contenus_fournis": "Photos, textes",
        "contraintes_donnees": "Aucune donnée personnelle en ligne",
        "contraintes_accessibilite": "Gros caractères",
        "calendrier": "Avant le printemps",
        "maintenance": "Le secrétaire",
        "licence_acceptee": "oui",
        "filieres": "Développement web",
        "etat": "",
    }
    row.update(changes)
    return row


def csv_bytes(rows: list[dict[str, str]], *, delimiter: str = ";", bom: bool = True) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(PROJECT_COLUMNS)
    for row in rows:
        writer.writerow([row[column] for column in PROJECT_COLUMNS])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def write(
    tmp_path: Path, rows: list[dict[str, str]], name: str = "projets.csv", **kw: object
) -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, **kw))  # type: ignore[arg-type]
    return path


def preview(db: Database, path: Path) -> ProjectImportPreview:
    return import_actions.preview_import(db, path, actor=COORD)


def imported(db: Database, path: Path, *, valid_only: bool = False) -> ProjectImportPreview:
    found = preview(db, path)
    import_actions.import_previewed(db, found, valid_only=valid_only, actor=COORD)
    return found


def projects(db: Database) -> dict[str, dict[str, str]]:
    """Every project's exported cells, with its version, by reference."""
    with db.session(commit=False) as s:
        found = {}
        for project_id in s.scalars(select(Project.id)):
            project = load_project(s, project_id)
            cells = project_cells(project)
            found[cells["reference"]] = cells | {"version": str(project.version)}
        return found


def host_count(db: Database) -> int:
    with db.session(commit=False) as s:
        return int(s.scalar(select(func.count(Host.id))) or 0)


def add_host(db: Database, **values: str) -> int:
    with db.session() as s:
        return create_host(s, HostInput(**values), actor=COORD).id


def outcomes(found: ProjectImportPreview) -> list[tuple[int, str]]:
    return [(row.line, row.result_label) for row in found.rows]


# ---------------------------------------------------------------- new projects


def test_a_form_export_creates_numbered_projects_and_adds_the_unknown_structure(
    db: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        [
            form_row(),
            form_row(titre="Un outil de réservation des parcelles", filieres="web, reseaux"),
        ],
    )
    found = preview(db, path)
    assert outcomes(found) == [(2, "nouveau"), (3, "nouveau")]
    assert [row.reference for row in found.rows] == ["AAP-2026-001", "AAP-2026-002"]
    assert found.rows[0].new_structure and not found.rows[1].new_structure
    assert "1 structure sera ajoutée à l'annuaire" in found.summary()
    assert projects(db) == {} and host_count(db) == 0  # the preview wrote nothing

    result = import_actions.import_previewed(db, found, valid_only=False, actor=COORD)

    assert result.created == ("AAP-2026-001", "AAP-2026-002")
    assert result.structures_added == 1
    stored = projects(db)
    assert stored["AAP-2026-001"]["structure"] == "Les Jardins partagés"
    assert stored["AAP-2026-001"]["rna"] == RNA
    assert stored["AAP-2026-001"]["contact_telephone"] == "05 49 12 34 56"
    assert stored["AAP-2026-001"]["etat"] == "Reçu"
    assert stored["AAP-2026-002"]["filieres"] == "Réseaux et parc informatique, Développement web"
    assert host_count(db) == 1  # the second row found the structure the first one added


def test_the_structure_is_found_by_siret_then_rna_then_its_name(
    db: Database, tmp_path: Path
) -> None:
    by_siret = add_host(db, nom="Imprimerie Moderne", forme_juridique="sas", identifiant=SIRET)
    by_rna = add_host(
        db, nom="Les Jardins partagés", forme_juridique="association", identifiant=RNA
    )
    by_name = add_host(db, nom="Mairie de Ligugé", forme_juridique="collectivite")
    path = write(
        tmp_path,
        [
            # another name, same SIRET: the SIRET wins
            form_row(structure="IMPRIMERIE MODERNE SAS", siret="732 829 320 00074", rna=""),
            form_row(structure="Jardins", rna=RNA.lower(), titre="Deuxième projet"),
            # accents, case and spaces of the name ignored; no identifier
            form_row(structure="  mairie de LIGUGE ", rna="", forme_juridique=""),
        ],
    )
    found = imported(db, path)
    assert not any(row.new_structure for row in found.rows)
    with db.session(commit=False) as s:
        rows = s.execute(select(Project.number, Project.host_id).order_by(Project.number)).all()
    assert [host for _number, host in rows] == [by_siret, by_rna, by_name]
    assert host_count(db) == 3


def test_a_name_shared_by_a_structure_with_another_siret_is_another_structure(
    db: Database, tmp_path: Path
) -> None:
    add_host(db, nom="Imprimerie Moderne", forme_juridique="sas", identifiant=SIRET)
    path = write(
        tmp_path,
        [
            form_row(
                structure="Imprimerie Moderne", forme_juridique="SAS", siret=OTHER_SIRET, rna=""
            )
        ],
    )
    found = imported(db, path)
    assert found.rows[0].new_structure
    assert host_count(db) == 2


def test_filieres_and_deliverable_by_code_or_label_ignoring_case_and_accents(
    db: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        [form_row(filieres="RESEAUX ET PARC INFORMATIQUE; contenus", type_livrable="outil")],
    )
    imported(db, path)
    cells = projects(db)["AAP-2026-001"]
    assert cells["filieres"] == "Réseaux et parc informatique, Contenus et communautés numériques"
    assert cells["type_livrable"] == "Outil"


def test_a_comma_separated_file_without_bom_is_read(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, [form_row()], delimiter=",", bom=False)
    found = preview(db, path)
    assert outcomes(found) == [(2, "nouveau")]


# ---------------------------------------------------------------- refused rows


def test_each_refused_row_says_line_column_and_why_and_nothing_is_imported(
    db: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        [
            form_row(),
            form_row(titre="Autre", date_depot="31/02/2026"),
            form_row(titre="", besoin=""),
            form_row(titre="Trois", filieres="cuisine"),
            form_row(titre="Quatre", siret="12345678901234", rna=""),
            form_row(titre="Cinq", reference="AAP-2026-042"),
            form_row(titre="Six", etat="Retenu"),
            form_row(
                titre="Sept",
                contact_email="marie@",
                structure="Nouvelle",
                forme_juridique="",
                rna="",
            ),
            form_row(titre="Huit", saison="2026"),
        ],
    )
    found = preview(db, path)
    problems = {(p.line, p.column): p.message for p in found.problems}
    assert problems[(3, "date_depot")] == "Cette date n'existe pas."
    assert problems[(4, "titre")] == "Le titre du projet est obligatoire."
    assert (4, "besoin") in problems
    assert problems[(5, "filieres")] == "Filière inconnue : « cuisine »."
    assert "clé de contrôle" in problems[(6, "siret")]
    assert problems[(7, "reference")].startswith("Aucun projet AAP-2026-042 dans la base")
    assert "« Reçu »" in problems[(8, "etat")]
    assert problems[(9, "forme_juridique")] == ("structure à créer : Indiquer la forme juridique.")
    assert problems[(9, "contact_email")].startswith("Adresse e-mail invalide")
    assert problems[(10, "saison")].startswith("Saison attendue sous la forme 2026-2027")
    assert outcomes(found)[0] == (2, "nouveau")
    assert all(result == "refusée" for _line, result in outcomes(found)[1:])
    assert "ligne 3, colonne date_depot : Cette date n'existe pas." in found.describe()

    with pytest.raises(UserFacingError, match="Rien n'a été importé"):
        import_actions.import_previewed(db, found, valid_only=False, actor=COORD)
    assert projects(db) == {} and host_count(db) == 0

    result = import_actions.import_previewed(db, found, valid_only=True, actor=COORD)
    assert result.created == ("AAP-2026-001",) and result.skipped == 8
    assert list(projects(db)) == ["AAP-2026-001"]
    assert host_count(db) == 1  # not "Nouvelle": its row was refused


def test_every_problem_of_a_row_is_told_at_once(db: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [form_row(rna="W86300", contact_telephone="05 49", date_depot="31/11/2026", etat="x")],
    )
    problems = {p.column for p in preview(db, path).problems}
    assert problems == {"rna", "etat", "contact_telephone", "date_depot"}


def test_a_name_two_structures_share_needs_their_identifier(db: Database, tmp_path: Path) -> None:
    for siret in (SIRET, OTHER_SIRET):
        add_host(db, nom="Mairie de Ligugé", forme_juridique="sas", identifiant=siret)
    found = preview(db, write(tmp_path, [form_row(structure="Mairie de Ligugé", rna="")]))
    problem = found.rows[0].problems[0]
    assert (problem.column, problem.message) == (
        "structure",
        "2 structures de l'annuaire s'appellent « Mairie de Ligugé » : indiquez son SIRET ou "
        "son numéro RNA.",
    )


def test_the_same_project_twice_in_a_file_is_refused_the_second_time(
    db: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        [form_row(), form_row(besoin="Un autre besoin", titre=" UN SITE pour les adhérents")],
    )
    found = preview(db, path)
    assert outcomes(found) == [(2, "nouveau"), (3, "refusée")]
    assert (
        found.rows[1]
        .problems[0]
        .message.startswith("Même structure et même titre que la ligne 2 du fichier")
    )


def test_the_state_changes_in_the_project_page_not_by_a_file(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, [form_row()], name="form.csv"))
    found = preview(db, write(tmp_path, [form_row(reference="AAP-2026-001", etat="Retenu")]))
    problem = found.rows[0].problems[0]
    assert problem.column == "etat"
    assert problem.message.startswith("État « Retenu » dans le fichier, « Reçu » dans la base")


def test_a_refused_row_leaves_no_structure_for_the_rows_after_it(
    db: Database, tmp_path: Path
) -> None:
    """Its structure would be added, its project is refused: the next row, naming the same
    structure without the legal form a new structure needs, must be refused too — as the
    import, which leaves the refused row out, would find it."""
    path = write(
        tmp_path,
        [
            form_row(structure="Nouvelle", rna="", titre=""),
            form_row(structure="Nouvelle", rna="", forme_juridique="", titre="Deux"),
        ],
    )
    found = preview(db, path)
    assert [row.valid for row in found.rows] == [False, False]
    assert any(p.column == "forme_juridique" for p in found.rows[1].problems)


def test_a_file_that_is_not_the_projects_csv_is_refused_whole(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("nom;prenom\nMartin;Léa\n", encoding="utf-8")
    found = preview(db, path)
    assert found.fatal and found.fatal[0].startswith("La première ligne doit être")
    path.write_text(";".join(PROJECT_COLUMNS[:-1]) + "\n", encoding="utf-8")
    assert preview(db, path).fatal == ["Colonnes manquantes : etat."]
    path.write_bytes(csv_bytes([]))
    assert preview(db, path).fatal == [
        "Le fichier ne contient que la ligne d'en-tête : aucun projet à importer."
    ]


# ---------------------------------------------------------------- updates, round trip


def test_export_then_import_of_the_same_file_changes_nothing(db: Database, tmp_path: Path) -> None:
    add_host(db, nom="Imprimerie Moderne", forme_juridique="sas", identifiant=SIRET)
    imported(
        db,
        write(
            tmp_path,
            [
                form_row(),
                form_row(
                    structure="Imprimerie Moderne",
                    siret=SIRET,
                    rna="",
                    titre="=Formule ; avec « guillemets »",
                    besoin="Deux lignes\nde besoin",
                    contact_telephone="+33 6 12 34 56 78",
                    filieres="",
                    licence_acceptee="",
                    effectif="",
                ),
            ],
            name="form.csv",
        ),
    )
    before, hosts_before = projects(db), host_count(db)
    out = tmp_path / "export.csv"
    assert import_actions.export_projects(db, out, season=None, actor=COORD) == 2
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff" + ";".join(EXPORT_COLUMNS) + "\r\n")
    assert "'=Formule" in text  # a formula to the spreadsheet is written as text

    found = preview(db, out)
    assert outcomes(found) == [(2, "inchangé"), (3, "inchangé")]
    result = import_actions.import_previewed(db, found, valid_only=False, actor=COORD)
    assert (result.created, result.updated, result.unchanged) == ((), (), 2)
    assert projects(db) == before
    assert host_count(db) == hosts_before


def test_the_same_form_export_imported_twice_adds_nothing(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, [form_row()])
    imported(db, path)
    found = preview(db, path)
    assert outcomes(found) == [(2, "inchangé")]
    assert found.rows[0].detail() == "déjà importé (AAP-2026-001)"
    changed = write(tmp_path, [form_row(besoin="Un autre besoin")], name="changed.csv")
    refused = preview(db, changed)
    assert refused.rows[0].problems[0].column == "titre"
    assert "AAP-2026-001" in refused.rows[0].problems[0].message


def test_a_row_with_a_reference_updates_its_project_and_lists_the_changes(
    db: Database, tmp_path: Path
) -> None:
    imported(db, write(tmp_path, [form_row()], name="form.csv"))
    version = projects(db)["AAP-2026-001"]["version"]
    row = form_row(reference="AAP-2026-001", contact_nom="Paul Martin", etat="Reçu")
    path = write(tmp_path, [row])
    found = preview(db, path)
    assert outcomes(found) == [(2, "mise à jour")]
    assert found.rows[0].detail() == "contact_nom « Marie Lefèvre » → « Paul Martin »"
    import_actions.import_previewed(db, found, valid_only=False, actor=COORD)
    cells = projects(db)["AAP-2026-001"]
    assert cells["contact_nom"] == "Paul Martin"
    assert int(cells["version"]) == int(version) + 1


def test_a_row_exported_before_a_later_save_is_refused(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, [form_row()], name="form.csv"))
    out = tmp_path / "export.csv"
    import_actions.export_projects(db, out, season="2026-2027", actor=COORD)
    imported(db, write(tmp_path, [form_row(reference="AAP-2026-001", besoin="Nouveau")]))
    stale = out.read_text(encoding="utf-8-sig").replace("Marie Lefèvre", "Paul Martin")
    out.write_text(stale, encoding="utf-8")
    found = preview(db, out)
    problem = found.rows[0].problems[0]
    assert (problem.line, problem.column) == (2, "version")
    assert "modifié dans la base depuis l'export" in problem.message


def test_a_change_in_the_base_after_the_preview_stops_the_whole_import(
    db: Database, tmp_path: Path
) -> None:
    imported(db, write(tmp_path, [form_row()], name="form.csv"))
    found = preview(
        db,
        write(
            tmp_path,
            [form_row(reference="AAP-2026-001", besoin="Autre"), form_row(titre="Nouveau")],
        ),
    )
    imported(
        db,
        write(tmp_path, [form_row(reference="AAP-2026-001", besoin="Entre-temps")], name="b.csv"),
    )
    with pytest.raises(UserFacingError, match="Ligne 2 : la base a changé depuis l'aperçu"):
        import_actions.import_previewed(db, found, valid_only=False, actor=COORD)
    assert list(projects(db)) == ["AAP-2026-001"]
    assert projects(db)["AAP-2026-001"]["besoin"] == "Entre-temps"


# ---------------------------------------------------------------- rights, journal


@pytest.mark.parametrize("actor", [TRAINER, DESK])
def test_only_coordination_imports_and_exports(db: Database, tmp_path: Path, actor: object) -> None:
    path = write(tmp_path, [form_row()])
    with pytest.raises(PermissionDenied):
        import_actions.preview_import(db, path, actor=actor)  # type: ignore[arg-type]
    found = preview(db, path)
    with pytest.raises(PermissionDenied):
        import_actions.import_previewed(db, found, valid_only=False, actor=actor)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        import_actions.export_projects(db, tmp_path / "o.csv", season=None, actor=actor)  # type: ignore[arg-type]
    assert not (tmp_path / "o.csv").exists()
    assert projects(db) == {}


def test_the_export_is_journaled(db: Database, tmp_path: Path) -> None:
    imported(db, write(tmp_path, [form_row()]))
    import_actions.export_projects(db, tmp_path / "o.csv", season="2026-2027", actor=COORD)
    with db.session(commit=False) as s:
        summaries = s.scalars(select(AuditEntry.summary)).all()
    assert "Export des projets (CSV) : 1 ligne — saison 2026-2027" in summaries


def test_an_unknown_season_is_refused_by_the_export(db: Database, tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="Saison inconnue"):
        import_actions.export_projects(db, tmp_path / "o.csv", season="1990-1991", actor=COORD)
