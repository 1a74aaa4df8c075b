"""Projects CSV: the columns (the export of the online form the structures fill in, one row per
submitted project), and the export. The import reads the same columns (`import_rows`,
`import_preview`).

Same dialect as the candidate CSV (`app.services.candidates.csv_exchange`, whose writing
helpers are used here): semicolons, UTF-8 with a BOM, dates JJ/MM/AAAA, `oui`/`non`, cells a
spreadsheet would take for a formula written after an apostrophe. The structure's columns
(`structure` … `commune`) are the host directory's; the import reads them to find the
structure, or to add it to the directory, never to change it.
"""

import csv
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.domain.projects import (
    DeliverableKind,
    Project,
    ProjectCall,
    ProjectFiliere,
    ProjectState,
)
from app.domain.reference import Season
from app.services.candidates.csv_exchange import (
    BOM,
    DELIMITER,
    escaped_row,
    season_id,
    write_atomically,
)
from app.services.hosts.directory import legal_form_label
from app.services.projects.calls import project_reference
from app.services.validation import format_bool, format_date, format_phone

PROJECT_COLUMNS: tuple[str, ...] = (
    "reference",
    "saison",
    "date_depot",
    "structure",
    "forme_juridique",
    "siret",
    "rna",
    "effectif",
    "adresse",
    "code_postal",
    "commune",
    "contact_nom",
    "contact_fonction",
    "contact_telephone",
    "contact_email",
    "contact_disponibilites",
    "titre",
    "besoin",
    "publics",
    "type_livrable",
    "livrable",
    "existant",
    "contenus_fournis",
    "contraintes_donnees",
    "contraintes_accessibilite",
    "calendrier",
    "maintenance",
    "licence_acceptee",
    "filieres",
    "etat",
)
# The export's last column, optional on import: a row whose project was saved in the base
# after the export it comes from is refused rather than undoing that save.
VERSION_COLUMN = "version"
EXPORT_COLUMNS: tuple[str, ...] = (*PROJECT_COLUMNS, VERSION_COLUMN)
# How the `filieres` cell separates the filières of a project on export (the import also
# accepts `;` and `|`).
FILIERE_SEPARATOR = ", "

# The project's own columns, ProjectInput field -> CSV column (the others are the reference,
# the season, the structure's and the state).
INPUT_COLUMNS: dict[str, str] = {
    "title": "titre",
    "submitted_on": "date_depot",
    "contact_name": "contact_nom",
    "contact_function": "contact_fonction",
    "contact_phone": "contact_telephone",
    "contact_email": "contact_email",
    "contact_availability": "contact_disponibilites",
    "need": "besoin",
    "audience": "publics",
    "deliverable_kind": "type_livrable",
    "deliverable": "livrable",
    "existing": "existant",
    "provided_content": "contenus_fournis",
    "data_constraints": "contraintes_donnees",
    "accessibility_constraints": "contraintes_accessibilite",
    "calendar": "calendrier",
    "maintainer": "maintenance",
    "licence_accepted": "licence_acceptee",
    "headcount": "effectif",
    "filieres": "filieres",
    "host_id": "structure",
}


def project_cells(project: Project) -> dict[str, str]:
    """The project's row as the export writes it (before the formula escape), by column."""
    host = project.host
    season_label = project.call.season.label
    filieres = sorted(project.filiere_links, key=lambda link: (link.filiere.position, link.id))
    return {
        "reference": project_reference(season_label, project.number),
        "saison": season_label,
        "date_depot": format_date(project.submitted_on),
        "structure": host.name,
        "forme_juridique": legal_form_label(host.legal_form),
        "siret": host.siret or "",
        "rna": host.rna or "",
        "effectif": "" if project.headcount is None else str(project.headcount),
        "adresse": host.address or "",
        "code_postal": host.postal_code or "",
        "commune": host.city or "",
        "contact_nom": project.contact_name,
        "contact_fonction": project.contact_function,
        "contact_telephone": format_phone(project.contact_phone),
        "contact_email": project.contact_email,
        "contact_disponibilites": project.contact_availability,
        "titre": project.title,
        "besoin": project.need,
        "publics": project.audience,
        "type_livrable": DeliverableKind(project.deliverable_kind).label,
        "livrable": project.deliverable,
        "existant": project.existing,
        "contenus_fournis": project.provided_content,
        "contraintes_donnees": project.data_constraints,
        "contraintes_accessibilite": project.accessibility_constraints,
        "calendrier": project.calendar,
        "maintenance": project.maintainer,
        "licence_acceptee": format_bool(project.licence_accepted),
        "filieres": FILIERE_SEPARATOR.join(link.filiere.label for link in filieres),
        "etat": ProjectState(project.state).label,
    }


# ---------------------------------------------------------------- export


def export_projects(
    session: Session, out: Path | str | TextIO, *, season: str | None = None
) -> int:
    """Write the projects (of one season when given); return the row count.

    A path is written atomically (temporary file, then replace); a text stream must be opened
    with `newline=""`.
    """
    statement = _export_query(session, season)
    if isinstance(out, str | os.PathLike):
        return write_atomically(
            Path(out), lambda handle: write_project_rows(handle, session.scalars(statement))
        )
    return write_project_rows(out, session.scalars(statement))


def _export_query(session: Session, season: str | None) -> Select[tuple[Project]]:
    statement = (
        select(Project)
        .join(Project.call)
        .join(ProjectCall.season)
        .options(
            joinedload(Project.call).joinedload(ProjectCall.season),
            joinedload(Project.host),
            selectinload(Project.filiere_links).joinedload(ProjectFiliere.filiere),
        )
    )
    if season is not None:
        statement = statement.where(ProjectCall.season_id == season_id(session, season))
    return statement.order_by(Season.start_date, Project.number)


def write_project_rows(handle: TextIO, projects: Iterable[Project]) -> int:
    """The BOM, the header and one row per project (the columns, then `version`)."""
    handle.write(BOM)
    writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    for project in projects:
        cells = project_cells(project)
        writer.writerow(escaped_row([*(cells[c] for c in PROJECT_COLUMNS), str(project.version)]))
        written += 1
    return written
