"""Attestation de stage: only for a finished or broken-off agreement, the dates actually
done, the planned hours (public holidays and interruptions excluded), the recorded absence
and the hours done with how they were computed, the trainee, the training, the host, the
activities the agreement planned, the director's block and the host's stamp; its first print
is the original (number and date kept), a reprint a duplicate bearing the original's date."""

import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.domain import AgreementDocument
from app.pdf.attestation import render_attestation
from app.pdf.document_data import AttestationData
from app.services.agreements.documents import DocumentKind, attestation_data, render_document
from app.services.agreements.presence import AbsenceInput, record_absence
from app.services.errors import ValidationError
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.pdf.documents_world import (
    COORD,
    MARKUP,
    TODAY,
    assert_furniture,
    break_off,
    embedded_fonts,
    finish,
    flat,
    pages,
    signed,
)
from tests.unit.pdf.test_convention import _agreement


def _render(data: AttestationData, **kwargs: object) -> bytes:
    out = io.BytesIO()
    render_attestation(data, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def test_finished_agreement(session: Session) -> None:
    agreement_id = signed(session)
    finish(session, agreement_id)
    data = attestation_data(session, agreement_id, today=date(2026, 9, 4))
    # June and July 2026 from Monday to Friday, 14 July (a Tuesday) excluded.
    assert (data.start, data.end, data.ended_early) == (date(2026, 6, 1), date(2026, 7, 31), False)
    assert (data.hours, data.days, data.presence_days) == (308, 44, 44)
    pdf = _render(data)
    text = flat(pdf)
    assert "Attestation de stage" in text
    assert "Je soussigné(e), Hélène Garnier, Directrice de La Fabrique du Numérique" in text
    for heading in ("Le stagiaire", "La structure d'accueil", "Le stage effectué"):
        assert heading in text
    assert "Nom et prénom Mme Léa DUPONT" in text
    assert "Date de naissance 12/03/2001" in text
    assert "La Fabrique du Numérique — filière" in text and "site : Cobalt" in text
    assert "Raison sociale Atelier Vélo Solidaire" in text
    assert "5 avenue du Cycle, 86000 Poitiers" in text
    assert "SIRET 732 829 320 00074" in text
    assert "du 01/06/2026 au 31/07/2026 inclus" in text
    assert "Heures prévues 308 h, soit 44 journées de 7 h, sur 44 jours de présence" in text
    assert "Absences relevées aucune absence relevée" in text
    assert "Heures effectuées 308 h, soit 44 journées de 7 h" in text
    assert "aucune absence n'a été relevée sur les feuilles de présence" in text
    assert "fin anticipée" not in text
    assert "Activités prévues par la convention Accueil des usagers, petites réparations." in text
    assert "réalisées" not in text
    assert "Attestation n° ATT-2026-0001 délivrée le 04/09/2026" in text
    assert "Fait à Poitiers, le 04/09/2026." in text
    assert "Pour l'organisme de formation Hélène Garnier" in text
    assert "Cachet de la structure d'accueil Atelier Vélo Solidaire" in text
    assert "[" not in text.replace(MARKUP, "")
    assert len(pages(pdf)) == 1
    assert_furniture(pdf, "Attestation n° ATT-2026-0001")
    assert "DUPLICATA" not in text
    assert "Paraphes" not in text


def test_broken_off_agreement_counts_up_to_the_early_end(session: Session) -> None:
    agreement_id = signed(session, interruptions=[("08/06/2026", "09/06/2026")])
    break_off(session, agreement_id, date(2026, 6, 12))
    data = attestation_data(session, agreement_id, today=TODAY)
    # 1-12 June 2026: 10 weekdays, 2 of them interrupted.
    assert (data.end, data.ended_early, data.hours, data.days) == (date(2026, 6, 12), True, 56, 8)
    text = flat(_render(data))
    assert "du 01/06/2026 au 12/06/2026 inclus" in text
    assert "fin anticipée le 12/06/2026 (fin prévue par la convention : 31/07/2026)" in text
    assert "Heures prévues 56 h, soit 8 journées de 7 h, sur 8 jours de présence" in text
    assert "Heures effectuées 56 h, soit 8 journées de 7 h" in text
    assert "du 01/06/2026 au 12/06/2026, date de fin anticipée" in text
    assert "Indemnité forfaitaire" not in text  # none was agreed
    assert "Interruptions du 08/06/2026 au 09/06/2026" in text
    assert "Embauche" not in text  # the reason of the rupture stays private


def test_public_holidays_inside_the_actual_period_are_excluded(session: Session) -> None:
    agreement_id = signed(session)
    break_off(session, agreement_id, date(2026, 7, 15))
    data = attestation_data(session, agreement_id, today=TODAY)
    # 1 June - 15 July 2026: 33 weekdays, 14 July is a public holiday.
    assert (data.hours, data.days, data.presence_days) == (224, 32, 32)


@pytest.mark.parametrize("step", ["prete_a_signer", "signee"])
def test_refused_before_the_end(session: Session, step: str) -> None:
    agreement_id = signed(session) if step == "signee" else _agreement(session)
    with pytest.raises(ValidationError) as refused:
        attestation_data(session, agreement_id, today=TODAY)
    message = refused.value.errors["statut"]
    assert message.startswith("L'attestation de stage se délivre à la fin du stage")
    assert message.endswith("signée." if step == "signee" else "prête à signer.")
    assert str(refused.value) == message


def test_escaping_determinism_and_fonts(session: Session, tmp_path: Path) -> None:
    agreement_id = signed(session)
    finish(session, agreement_id)
    data = attestation_data(session, agreement_id, today=TODAY)
    first = _render(data)
    assert first == _render(data)
    assert MARKUP in flat(first)
    target = tmp_path / "attestation.pdf"
    render_attestation(data, target)
    assert target.read_bytes() == first
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= embedded_fonts(first)


def test_texts_come_from_the_template(session: Session, tmp_path: Path) -> None:
    agreement_id = signed(session)
    finish(session, agreement_id)
    custom = tmp_path / "attestation.md"
    custom.write_text(
        "# Certificat de {stagiaire.nom}\n## 0.\nDurée : {stage.heures_effectives} "
        "({stage.jours_effectifs}) jusqu'au {stage.date_fin_effective}.\n",
        "utf-8",
    )
    data = attestation_data(session, agreement_id, today=TODAY)
    text = flat(_render(data, template=custom))
    assert "Certificat de Mme Léa DUPONT" in text
    assert "Durée : 308 h (44 jours) jusqu'au 31/07/2026." in text
    assert "Le stage effectué" in text  # sections missing from the file keep their data


def _absent(session: Session, agreement_id: int, day: str, **fields: object) -> None:
    data = replace(AbsenceInput(day=day), **fields)  # type: ignore[arg-type]
    record_absence(
        session,
        agreement_id,
        data,
        actor=make_actor("coordination", COORD),
        now=datetime(2026, 9, 1),
    )


def test_recorded_absences_make_the_hours_done(session: Session) -> None:
    agreement_id = signed(session)
    finish(session, agreement_id)
    _absent(session, agreement_id, "02/06/2026", justified=True, reason="Rendez-vous médical")
    _absent(session, agreement_id, "02/06/2026", half_day="apres_midi")
    _absent(session, agreement_id, "03/06/2026", kind="retard", minutes="30")
    data = attestation_data(session, agreement_id, today=date(2026, 9, 4))
    assert data.presence is not None
    assert (data.presence.planned_hours, data.presence.absent_hours) == (308, 7.5)
    assert (data.hours, data.presence.done_hours, data.presence_days) == (300.5, 300.5, 44)
    text = flat(_render(data))
    assert "Heures prévues 308 h, soit 44 journées de 7 h, sur 44 jours de présence" in text
    assert (
        "Absences relevées 7,5 h : 2 demi-journées d'absence (dont 1 justifiée), "
        "1 retard (non justifié)"
    ) in text
    assert "Heures effectuées 300,5 h, soit 42,93 journées de 7 h" in text
    assert (
        "Mode de calcul Heures effectuées : les 308 h prévues par la convention du 01/06/2026 "
        "au 31/07/2026 (jours fériés et interruptions déduits), moins 7,5 h d'absence relevées "
        "sur les feuilles de présence ; une demi-journée d'absence retire la moitié des heures "
        "prévues ce jour-là, un retard sa durée."
    ) in text
    assert "Rendez-vous médical" not in text  # the reasons stay private


def test_a_reprint_is_a_duplicate_bearing_the_first_date(db: Database) -> None:
    with db.session() as s:
        agreement_id = signed(s)
        finish(s, agreement_id)
        _absent(s, agreement_id, "05/06/2026")
    with db.session() as s:
        first = render_document(s, agreement_id, DocumentKind.ATTESTATION, today=date(2026, 9, 4))
    with db.session(commit=False) as s:
        issued = s.query(AgreementDocument).one()
        assert (issued.kind, issued.number, issued.issued_on) == (
            "attestation",
            "ATT-2026-0001",
            date(2026, 9, 4),
        )
    with db.session() as s:
        second = render_document(
            s, agreement_id, DocumentKind.ATTESTATION, today=date(2026, 11, 20)
        )
    original, duplicate = flat(first), flat(second)
    assert "DUPLICATA" not in original
    assert "Attestation n° ATT-2026-0001 délivrée le 04/09/2026" in original
    assert "DUPLICATA de l'attestation n° ATT-2026-0001 délivrée le 04/09/2026" in duplicate
    assert "Fait à Poitiers, le 04/09/2026." in duplicate
    assert "Fait à Poitiers, le 20/11/2026" not in duplicate
    assert "Imprimée le 20/11/2026" in duplicate  # the footer says when this copy was made
    assert "Heures effectuées 304,5 h" in original and "Heures effectuées 304,5 h" in duplicate
    assert_furniture(second, "Attestation n° ATT-2026-0001 — DUPLICATA")
    assert len(pages(second)) == 1
    with db.session(commit=False) as s:
        assert s.query(AgreementDocument).count() == 1


def test_a_print_not_kept_issues_nothing(db: Database) -> None:
    with db.session() as s:
        agreement_id = signed(s)
        finish(s, agreement_id)
    with db.session(commit=False) as s:  # a preview that is rolled back
        assert not attestation_data(s, agreement_id, today=date(2026, 9, 4)).duplicate
    with db.session() as s:
        data = attestation_data(s, agreement_id, today=date(2026, 9, 10))
        assert (data.number, data.issued_on, data.duplicate) == (
            "ATT-2026-0001",
            date(2026, 9, 10),
            False,
        )
        again = attestation_data(s, agreement_id, today=date(2026, 9, 11))
        assert (again.issued_on, again.duplicate) == (date(2026, 9, 10), True)


FLAT = {
    "indemnite": "300",
    "unite_indemnite": "forfait",
    "mode_versement": "virement",
}


@pytest.mark.parametrize(
    ("rule", "printed"),
    [
        ("prorata", "indemnité au prorata des heures effectuées"),
        ("convenu", "indemnité versée en totalité, comme convenu"),
        ("", "indemnité à préciser"),
    ],
)
def test_broken_off_flat_indemnity_prints_its_rule(
    session: Session, rule: str, printed: str
) -> None:
    agreement_id = signed(session, regle_rupture=rule, **FLAT)
    break_off(session, agreement_id, date(2026, 6, 12))
    data = attestation_data(session, agreement_id, today=TODAY)
    text = flat(_render(data))
    assert f"Indemnité forfaitaire 300,00 € pour l'ensemble du stage ; stage rompu : {printed}" in (
        text
    )


def test_a_finished_flat_indemnity_needs_no_rule(session: Session) -> None:
    agreement_id = signed(session, regle_rupture="prorata", **FLAT)
    finish(session, agreement_id)
    text = flat(_render(attestation_data(session, agreement_id, today=TODAY)))
    assert "Indemnité forfaitaire" not in text
