"""Read-only panels of an agreement: signatures and amendments, and its history."""

from html import escape

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
)

from app.services.agreements.details import AgreementInfo, AmendmentInfo
from app.services.agreements.documents import FIELD_LABELS
from app.services.validation import format_date


def _amendment_html(amendment: AmendmentInfo, tutor_names: dict[str, str]) -> str:
    state = (
        f"signé le {format_date(amendment.signed_on)}"
        if amendment.signed_on
        else "<b>en attente de signature</b>"
    )
    rows = []
    for name, (before, after) in amendment.changes.items():
        if name == "tuteur":
            before, after = tutor_names.get(before, before), tutor_names.get(after, after)
        rows.append(
            f"<tr><td>{escape(FIELD_LABELS.get(name, name))}</td>"
            f"<td>{escape(before) or '—'}</td><td>{escape(after) or '—'}</td></tr>"
        )
    return (
        f"<h4>Avenant n° {amendment.rank} — {state}</h4>"
        f"<p>Motif : {escape(amendment.reason)}</p>"
        "<table cellpadding='4' border='1' style='border-collapse: collapse'>"
        "<tr><th>Champ</th><th>Avant</th><th>Après</th></tr>" + "".join(rows) + "</table>"
    )


class SignaturesPanel(QTextBrowser):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("signaturesPanel")
        self.setAccessibleName("Signatures et avenants")
        self.setOpenLinks(False)

    def show_agreement(self, info: AgreementInfo | None, tutor_names: dict[str, str]) -> None:
        if info is None:
            self.setHtml("<p>Enregistrer la convention pour suivre ses signatures.</p>")
            return
        parts = ["<h3>Signatures</h3>"]
        if info.number is None:
            parts.append(
                "<p>La convention est un brouillon : la déclarer <b>prête à signer</b> pour "
                "lui attribuer un numéro et recueillir les signatures.</p>"
            )
        items = [
            f"<li>{escape(s.label)} : signée le {format_date(s.signed_on)}</li>"
            for s in info.signatures
        ]
        items += [
            f"<li>{escape(label)} : <b>à signer</b></li>" for label in info.missing_signatures
        ]
        if items and info.number is not None:
            parts.append("<ul>" + "".join(items) + "</ul>")
        if info.ended_on is not None:
            parts.append(
                f"<p><b>Rompue</b> au {format_date(info.ended_on)} : "
                f"{escape(info.end_reason or '')}</p>"
            )
        elif info.end_reason:
            parts.append(f"<p><b>Annulée</b> : {escape(info.end_reason)}</p>")
        parts.append("<h3>Avenants</h3>")
        if info.amendments:
            parts.extend(_amendment_html(a, tutor_names) for a in info.amendments)
        else:
            parts.append("<p>Aucun avenant.</p>")
        self.setHtml("".join(parts))


class EventsTable(QTableWidget):
    def __init__(self) -> None:
        super().__init__(0, 4)
        self.setObjectName("agreementHistory")
        self.setAccessibleName("Historique de la convention")
        self.setHorizontalHeaderLabels(["Date", "Par", "Statut", "Détail"])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.setWordWrap(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((130, 130, 190)):
            self.setColumnWidth(column, width)

    def show_agreement(self, info: AgreementInfo | None) -> None:
        events = info.events if info else ()
        self.setRowCount(len(events))
        for row, event in enumerate(events):
            status = f"{event.from_label or '—'} → {event.to_label}" if event.to_label else ""
            cells = (event.at.strftime("%d/%m/%Y %H:%M"), event.author, status, event.comment)
            for column, text in enumerate(cells):
                self.setItem(row, column, QTableWidgetItem(text))
        self.resizeRowsToContents()
