"""Agreements CSV export of CONTRACT.md (same conventions as the candidate CSV, formula
cells written after an apostrophe as there)."""

import csv
from datetime import date
from pathlib import Path
from typing import TextIO

from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from app.domain import Candidate, Host
from app.services.agreements import details, listing
from app.services.candidates.csv_exchange import BOM, DELIMITER, escaped_row, write_atomically
from app.services.errors import UserFacingError
from app.services.reference import parse_season_label
from app.services.validation import format_date

AGREEMENT_COLUMNS = (
    "numero",
    "statut",
    "apprenant",
    "identifiant_apprenant",
    "structure",
    "siret",
    "tuteur",
    "formateur_referent",
    "date_debut",
    "date_fin",
    "heures_effectives",
    "avenants",
)


def export_agreements(
    session: Session, out: Path, *, season: str | None = None, today: date | None = None
) -> int:
    """Write every agreement (of one season when given) with its current values."""
    if season is not None and parse_season_label(season) is None:
        raise UserFacingError(f"Saison inconnue : « {season} » (forme attendue : 2017-2018).")
    rows = listing.list_agreements(session, season=season, today=today or date.today())
    return write_atomically(out, lambda handle: _write(session, [r.id for r in rows], handle))


def _write(session: Session, ids: list[int], handle: TextIO) -> int:
    handle.write(BOM)
    writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(AGREEMENT_COLUMNS)
    for agreement_id in ids:
        # Names, tutors and structures are typed text: no formula reaches the spreadsheet.
        writer.writerow(escaped_row(_row(session, details.get_agreement(session, agreement_id))))
    return len(ids)


def _row(session: Session, info: details.AgreementInfo) -> list[str]:
    host = session.get(Host, info.host_id)
    learner = session.get(Candidate, info.candidate_id)
    signed_amendments = sum(1 for a in info.amendments if a.signed_on is not None)
    return [
        info.number or "",
        info.status_label,
        info.learner_name,
        learner.uuid if learner else "",
        info.host_name,
        (host.siret or host.rna or "") if host else "",
        info.tutor_name,
        info.referent,
        format_date(info.start),
        format_date(info.end),
        format_decimal(info.hours.hours, format="0.##", locale="fr_FR"),
        str(signed_amendments),
    ]
