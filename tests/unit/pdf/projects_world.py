"""Demo-like data for the call-for-projects documents, and reading them back."""

from dataclasses import replace
from datetime import date

from app.pdf.project_data import (
    AcknowledgementData,
    Addressee,
    DecisionLetterData,
    Letterhead,
    MilestoneLine,
    ProjectLetter,
    ProjectSheetData,
    TeamLine,
)

LETTERHEAD = Letterhead("La Fabrique du Numérique", "5 rue Victor Hugo, 86000 Poitiers")
ADDRESSEE = Addressee(
    "Association Dynamob", "Samia Haddad", "Présidente", ("12 rue Carnot", "86200 Loudun")
)
LETTER = ProjectLetter(
    letterhead=LETTERHEAD,
    reference="AAP-2026-003",
    title="Site web de l'association Dynamob",
    addressee=ADDRESSEE,
    issued_at="Poitiers",
    issued_on=date(2026, 12, 6),
    issued_on_text="6 décembre 2026",
    signatory="Claire Vasseur",
    contact_line="Claire Vasseur, coordination",
)
REASON = (
    "La maintenance d'un logiciel métier dépasse ce que des apprenants livrent en six semaines."
)


def acknowledgement(points: tuple[str, ...] = ()) -> AcknowledgementData:
    return AcknowledgementData(
        letter=LETTER,
        season_label="2026-2027",
        submitted_on="03/12/2026",
        call_closes_on="31/01/2027",
        decision_expected="fin février 2027",
        points_to_check=points,
    )


def decision(kind: str, reason: str = "") -> DecisionLetterData:
    return DecisionLetterData(
        letter=LETTER,
        decision=kind,
        decided_on="12/02/2027",
        reason=reason,
        submitted_on="03/12/2026",
        calendar="Mise en ligne avant l'assemblée générale de juin",
    )


def sheet(**changes: object) -> ProjectSheetData:
    data = ProjectSheetData(
        letterhead=LETTERHEAD,
        reference="AAP-2026-003",
        title="Site web de l'association Dynamob",
        season_label="2026-2027",
        state_label="En réalisation",
        structure="Association Dynamob",
        structure_identifier="W861234567",
        structure_address=("12 rue Carnot", "86200 Loudun"),
        filieres=("Développeur web",),
        contact_name="Samia Haddad",
        contact_function="Présidente",
        contact_phone="05 49 98 12 34",
        contact_email="contact@dynamob.fr",
        contact_availability="Mardi et jeudi après-midi",
        need="Les habitants appellent pour tout : l'association n'a pas de site.",
        audience="Les habitants sans voiture du Loudunais.",
        deliverable_kind_label="Site web",
        deliverable="Un site simple avec un formulaire de demande de prêt.",
        existing="Une page Facebook.",
        provided_content="Textes, photos, logo.",
        data_constraints="Nom, téléphone et adresse des demandeurs.",
        accessibility_constraints="Gros caractères, contrastes forts.",
        calendar="Mise en ligne avant juin.",
        maintainer="Un bénévole formé par l'équipe.",
        licence_accepted=True,
        milestones=(
            MilestoneLine("Rencontre avec l'association", "02/03/2027", "Fait", "02/03/2027"),
            MilestoneLine("Maquette validée", "16/03/2027", "En retard", ""),
            MilestoneLine("Mise en ligne", "10/04/2027", "Prévu", ""),
        ),
        teams=(
            TeamLine("Saison 2026-2027 — Cobalt", "Équipe Dynamob", ("Léa DUPONT", "Karim BENALI")),
        ),
        delivered_on="",
        printed_on=date(2026, 12, 6),
    )
    return replace(data, **changes)  # type: ignore[arg-type]
