"""Attestation de stage: only for a finished or broken-off agreement, the dates actually
done, effective hours and days (public holidays and interruptions excluded), the trainee,
the training, the host, the activities, the director's block and the host's stamp."""

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.pdf.attestation import render_attestation
from app.pdf.document_data import AttestationData
from app.services.agreement_documents import attestation_data
from app.services.errors import ValidationError
from tests.unit.pdf.documents_world import (
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
    assert "308 h de présence effective, soit 44 jours (base 7 h = 1 jour)" in text
    assert "fin anticipée" not in text
    assert "Activités réalisées Accueil des usagers, petites réparations." in text
    assert "Fait à Poitiers, le 04/09/2026." in text
    assert "Pour l'organisme de formation Hélène Garnier" in text
    assert "Cachet de la structure d'accueil Atelier Vélo Solidaire" in text
    assert "[" not in text.replace(MARKUP, "")
    assert len(pages(pdf)) == 1
    assert_furniture(pdf, "Attestation de stage — convention n° FAB-2026-0001")
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
    assert "56 h de présence effective, soit 8 jours" in text
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
