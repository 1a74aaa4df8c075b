"""A person's full file (right of access) as a readable A4 PDF, from the export's data.

The data is the dictionary of `app.services.rgpd.person_data.export_person`; every value
is escaped before it reaches a Paragraph, so what a person or a member of staff typed
prints literally.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.pdf.fonts import register_fonts
from app.pdf.layout import (
    CONTENT_WIDTH,
    PageFurniture,
    boxed_table,
    build_pdf,
    escape_text,
    french_date,
    key_values,
    section_heading,
    styles,
    summary_box,
)
from app.pdf.output import write_pdf
from app.pdf.paragraph import Paragraph

__all__ = ["DOCUMENT_TITLE", "Issuer", "render_person_file"]

DOCUMENT_TITLE = "Vos données personnelles"
NONE = "Aucun élément."
Style = dict[str, Any]


@dataclass(frozen=True)
class Issuer:
    """The organisation that holds the data (header of every page)."""

    name: str
    address: str = ""
    logo_path: str = ""


def render_person_file(
    data: dict[str, Any], out: Path | BinaryIO, *, issuer: Issuer, printed_on: date
) -> None:
    """Write the person's file as a PDF to `out` (a path, written atomically, or a file)."""
    register_fonts()
    write_pdf(out, lambda handle: _build(data, handle, issuer, printed_on))


def person_name(data: dict[str, Any]) -> str:
    """The name on the most recent application."""
    applications = data.get("candidatures") or [{}]
    file = applications[-1].get("dossier", {})
    return " ".join(part for part in (file.get("Prénom"), file.get("Nom")) if part) or "—"


def _build(data: dict[str, Any], out: BinaryIO, issuer: Issuer, printed_on: date) -> None:
    style = styles()
    name = person_name(data)
    furniture = PageFurniture(
        organisation_name=issuer.name,
        organisation_address=issuer.address,
        logo_path=issuer.logo_path,
        label="Droit d'accès — données personnelles",
        footer_left=name,
        printed_line=f"Exporté le {french_date(printed_on)}",
        printed_on=printed_on,
        initials_box=False,
    )
    story: list[Flowable] = _opening(data, name, issuer, style)
    for application in data.get("candidatures", []):
        story += _application(application, style)
    build_pdf(
        out,
        furniture,
        story,
        title=f"{DOCUMENT_TITLE} — {name}",
        subject="Droit d'accès aux données personnelles (article 15 du RGPD)",
    )


def _opening(data: dict[str, Any], name: str, issuer: Issuer, style: Style) -> list[Flowable]:
    export = data.get("export", {})
    holder = issuer.name or "l'organisme de formation"
    return [
        Paragraph(DOCUMENT_TITLE, style["title"]),
        Paragraph(escape(str(export.get("objet", ""))), style["subtitle"]),
        Spacer(1, 4 * mm),
        summary_box(
            [
                ("Personne", escape_text(name)),
                ("Candidatures", escape(str(export.get("nombre_de_candidatures", 0)))),
                ("Exporté le", escape(str(export.get("date", "")))),
                ("Identifiant", escape(str(export.get("identifiant_personne", "")))),
            ],
            style,
        ),
        Spacer(1, 3 * mm),
        Paragraph(
            f"Ce document rassemble toutes les données que {escape(holder)} conserve sur vous "
            "dans son logiciel d'accueil : vos dossiers de candidature, leur parcours, vos "
            "rendez-vous, la période d'orientation, les conventions de stage et le journal "
            "des actions faites sur vos dossiers. Le même contenu est fourni dans un fichier "
            "JSON lisible par un programme.",
            style["clause"],
        ),
    ]


def _application(application: dict[str, Any], style: Style) -> list[Flowable]:
    file = application.get("dossier", {})
    title = f"Candidature — saison {file.get('Saison') or '?'}, site {file.get('Site') or '?'}"
    story = section_heading(escape(title), style)
    story += _file(file, style)
    story += _rows(
        "Parcours",
        application.get("parcours", []),
        [("date", "Date", 22), ("de", "De", 32), ("vers", "Vers", 32), ("par", "Par", 28)],
        ("commentaire", "Commentaire"),
        style,
    )
    story += _rows(
        "Rendez-vous",
        application.get("rendez_vous", []),
        [
            ("type", "Type", 34),
            ("date", "Date", 30),
            ("site", "Site", 32),
            ("salle", "Salle", 24),
            ("avec", "Avec", 28),
        ],
        ("presence", "Présence"),
        style,
    )
    story += _orientation(application.get("orientation", {}), style)
    for agreement in application.get("conventions", []):
        story += _agreement(agreement, style)
    anonymisation = application.get("anonymisation")
    if anonymisation:
        story += _heading2("Anonymisation", style)
        story.append(
            Paragraph(
                escape(f"Dossier anonymisé le {anonymisation['date']} ({anonymisation['motif']})."),
                style["base"],
            )
        )
    story += _journal(application.get("journal", []), style)
    return story


def _heading2(text: str, style: Style) -> list[Flowable]:
    return [Paragraph(escape(text), style["h2"])]


def _value(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dict):
        return "<br/>".join(f"{escape(str(k))} : {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " → ".join(_value(v) or "—" for v in value)
    return escape_text(str(value))


def _file(file: dict[str, Any], style: Style) -> list[Flowable]:
    filled = [(label, _value(value)) for label, value in file.items() if _value(value)]
    empty = [label for label, value in file.items() if not _value(value)]
    story: list[Flowable] = [*_heading2("Dossier", style), key_values(filled, style)]
    if empty:
        story.append(Paragraph(escape("Non renseignés : " + ", ".join(empty) + "."), style["note"]))
    return story


def _rows(
    title: str,
    items: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str, float]],
    last: tuple[str, str],
    style: Style,
) -> list[Flowable]:
    """A table: fixed-width columns (mm), the last one takes the rest of the width."""
    heading = _heading2(title, style)
    if not items:
        return [KeepTogether([*heading, Paragraph(NONE, style["note"])])]
    widths = [w * mm for _, _, w in columns]
    widths.append(CONTENT_WIDTH - sum(widths))
    keys = [key for key, _, _ in columns] + [last[0]]
    head = [Paragraph(escape(label), style["head_center"]) for _, label, _ in columns]
    head.append(Paragraph(escape(last[1]), style["head_center"]))
    body = [[Paragraph(_value(item.get(key)), style["cell"]) for key in keys] for item in items]
    return [*heading, boxed_table([head, *body], widths, repeatRows=1)]


def _orientation(orientation: dict[str, Any], style: Style) -> list[Flowable]:
    sections = ("observations", "commentaires", "equipes", "evenements", "projet", "decisions")
    if not any(orientation.get(k) for k in sections):
        return []
    story = _rows(
        "Période d'orientation — observations",
        orientation.get("observations", []),
        [
            ("date", "Date", 20),
            ("activite", "Activité", 46),
            ("critere", "Critère", 52),
            ("niveau", "Niveau", 30),
        ],
        ("par", "Par"),
        style,
    )
    story += _rows(
        "Période d'orientation — commentaires",
        orientation.get("commentaires", []),
        [("date", "Date", 22), ("activite", "Activité", 40), ("par", "Par", 30)],
        ("texte", "Commentaire"),
        style,
    )
    story += _rows(
        "Période d'orientation — équipes",
        orientation.get("equipes", []),
        [("date", "Date", 22), ("activite", "Activité", 90)],
        ("equipe", "Équipe"),
        style,
    )
    story += _rows(
        "Événements",
        orientation.get("evenements", []),
        [("date", "Date", 22), ("evenement", "Événement", 90)],
        ("lieu", "Lieu"),
        style,
    )
    project = orientation.get("projet")
    if project:
        story += _heading2("Projet professionnel", style)
        story.append(key_values(_labelled(project, _PROJECT_LABELS), style))
    story += _rows(
        "Décision de fin d'orientation",
        orientation.get("decisions", []),
        [("le", "Le", 30), ("decision", "Décision", 45), ("filiere_retenue", "Filière", 40)],
        ("motif", "Motif"),
        style,
    )
    return story


_PROJECT_LABELS = {
    "filiere_visee": "Filière visée",
    "metier_vise": "Métier visé",
    "etapes": "Étapes",
    "statut": "Statut",
    "mis_a_jour_par": "Mis à jour par",
    "mis_a_jour_le": "Mis à jour le",
}


def _labelled(values: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(labels.get(k, k), _value(v)) for k, v in values.items() if _value(v)]


def _agreement(agreement: dict[str, Any], style: Style) -> list[Flowable]:
    values = agreement.get("convention", {})
    number = values.get("Numéro") or "en projet"
    story = _heading2(f"Convention de stage {number}", style)
    story.append(key_values([(k, _value(v)) for k, v in values.items() if _value(v)], style))
    story += _rows(
        "Avenants",
        agreement.get("avenants", []),
        [("numero", "N°", 12), ("le", "Créé le", 30), ("signe_le", "Signé le", 24)],
        ("changements", "Changements"),
        style,
    )
    story += _rows(
        "Signatures",
        agreement.get("signatures", []),
        [("signataire", "Signataire", 50), ("le", "Le", 30)],
        ("enregistree_par", "Enregistrée par"),
        style,
    )
    if agreement.get("absences"):
        story += _rows(
            "Absences et retards en stage",
            agreement["absences"],
            [
                ("date", "Date", 24),
                ("demi_journee", "Demi-journée", 26),
                ("nature", "Nature", 22),
                ("minutes_de_retard", "Minutes", 18),
                ("justifiee", "Justifiée", 20),
            ],
            ("motif", "Motif"),
            style,
        )
    return story


def _journal(entries: Sequence[dict[str, Any]], style: Style) -> list[Flowable]:
    items = [
        {
            "date": entry.get("date"),
            "par": entry.get("par"),
            "action": entry.get("action"),
            "resume": _summary(entry),
        }
        for entry in entries
    ]
    heading = _heading2("Journal des actions sur ce dossier", style)
    if not items:
        return [KeepTogether([*heading, Paragraph(NONE, style["note"])])]
    widths = [30 * mm, 32 * mm, 24 * mm]
    widths.append(CONTENT_WIDTH - sum(widths))
    head = [
        Paragraph(escape(label), style["head_center"])
        for label in ("Date", "Par", "Action", "Ce qui a été fait")
    ]
    body = [
        [
            Paragraph(_value(item["date"]), style["cell"]),
            Paragraph(_value(item["par"]), style["cell"]),
            Paragraph(_value(item["action"]), style["cell"]),
            Paragraph(item["resume"], style["cell"]),
        ]
        for item in items
    ]
    return [*heading, boxed_table([head, *body], widths, repeatRows=1)]


def _summary(entry: dict[str, Any]) -> str:
    lines = [escape_text(str(entry.get("resume") or ""))]
    for label, pair in (entry.get("changements") or {}).items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        lines.append(f"{escape(str(label))} : {_value(before) or '—'} → {_value(after) or '—'}")
    return "<br/>".join(lines)
