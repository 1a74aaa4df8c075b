"""Fiche d'évaluation: identification, the criteria grid with its tick columns, one row per
competence of the agreement (capped), the free-text boxes, the project question, absences,
signature blocks; printable from signature on."""

import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.pdf.document_data import EvaluationData
from app.pdf.evaluation import CRITERIA, SCALE, render_evaluation
from app.services.agreements import life_cycle
from app.services.agreements.documents import (
    MAX_COMPETENCE_ROWS,
    competence_rows,
    evaluation_data,
)
from app.services.agreements.presence import AbsenceInput, record_absence
from app.services.errors import ValidationError
from tests.conftest import make_actor
from tests.unit.pdf.documents_world import (
    MARKUP,
    TODAY,
    assert_furniture,
    break_off,
    embedded_fonts,
    finish,
    flat,
    signed,
)
from tests.unit.pdf.test_convention import _agreement

HEADINGS = (
    "1. Identification",
    "2. Savoir-être professionnels",
    "3. Compétences techniques visées",
    "4. Points forts",
    "5. Axes de progrès",
    "6. Appréciation générale",
    "7. Projet professionnel",
    "8. Absences",
    "9. Signatures",
)
COMPETENCES = "- Diagnostiquer une panne.\n- relation client ; accueil <b>&amp;</b>\n\n"


def _render(data: EvaluationData, **kwargs: object) -> bytes:
    out = io.BytesIO()
    render_evaluation(data, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def test_competences_one_row_per_line() -> None:
    assert competence_rows(COMPETENCES) == [
        "Diagnostiquer une panne",
        "Relation client",
        "Accueil <b>&amp;</b>",
    ]
    assert competence_rows("  \n") == []


def test_signed_agreement_sheet(session: Session) -> None:
    agreement_id = signed(session, competences=COMPETENCES)
    data = evaluation_data(session, agreement_id, today=TODAY)
    assert not data.finished and data.hours == 308
    assert data.competences == (
        "Diagnostiquer une panne",
        "Relation client",
        "Accueil <b>&amp;</b>",
    )
    pdf = _render(data)
    text = flat(pdf)
    assert "Fiche d'évaluation du stage" in text
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert "Stagiaire Mme Léa DUPONT" in text
    assert "Structure d'accueil Atelier Vélo Solidaire" in text
    assert "Tuteur Jeanne Petit, Responsable atelier" in text
    assert "Formateur référent Samir Haddad" in text
    assert "Période du 01/06/2026 au 31/07/2026 inclus" in text
    assert "Présence prévue 308 h (44 jours, base 7 h = 1 jour)" in text
    assert "Critère " + " ".join(SCALE) in text
    for criterion in (
        "Assiduité et ponctualité",
        "Respect des consignes et du règlement intérieur",
        "Intégration dans l'équipe",
        "Autonomie",
        "Qualité du travail",
        "Curiosité et initiative",
    ):
        assert criterion in text
    assert "Compétence " + " ".join(SCALE) in text
    assert "Diagnostiquer une panne Relation client Accueil <b>&amp;</b>" in text
    assert "Le stage a-t-il confirmé le projet professionnel du stagiaire ?" in text
    assert "☐ oui ☐ non ☐ en partie" in text
    assert "demi-journée(s), dont" in text
    for label in ("Le tuteur", "Le stagiaire", "Le formateur référent"):
        assert label in text[text.index("9. Signatures") :]
    assert "Fait à" in text
    assert "[" not in text
    assert_furniture(pdf, "Fiche d'évaluation — convention n° FAB-2026-0001")


def test_finished_and_broken_off_agreements_show_the_hours_done(session: Session) -> None:
    finished = signed(session)
    finish(session, finished)
    text = flat(_render(evaluation_data(session, finished, today=TODAY)))
    assert "Présence effective 308 h (44 jours" in text

    broken = signed(session, date_debut="03/08/2026", date_fin="28/08/2026")
    break_off_on = date(2026, 8, 7)
    break_off(session, broken, break_off_on)
    data = evaluation_data(session, broken, today=TODAY)
    assert (data.finished, data.end, data.hours) == (True, break_off_on, 35)
    text = flat(_render(data))
    assert "du 03/08/2026 au 07/08/2026 inclus (fin anticipée le 07/08/2026)" in text
    assert "Présence effective 35 h (5 jours" in text


def test_competences_are_capped_and_missing_ones_leave_blank_rows(session: Session) -> None:
    many = "\n".join(f"Compétence {n}" for n in range(1, 12))
    data = evaluation_data(session, signed(session, competences=many), today=TODAY)
    assert len(data.competences) == MAX_COMPETENCE_ROWS and data.more_competences == 3
    text = flat(_render(data))
    assert f"Compétence {MAX_COMPETENCE_ROWS}" in text and "Compétence 9" not in text
    assert "+ 3 autres compétences : voir l'annexe pédagogique de la convention." in text

    # An agreement is never signed without competences (mark_ready refuses it).
    one = evaluation_data(session, signed(session, competences="Diagnostic"), today=TODAY)
    assert one.competences == ("Diagnostic",)
    section = flat(_render(one)).split("3. Compétences techniques visées")[1]
    assert "Diagnostic" in section.split("4. Points forts")[0]


@pytest.mark.parametrize("ready", [False, True])
def test_refused_before_signature(session: Session, ready: bool) -> None:
    agreement_id = _agreement(session, ready=ready)
    with pytest.raises(ValidationError) as refused:
        evaluation_data(session, agreement_id, today=TODAY)
    message = refused.value.errors["statut"]
    assert message.startswith("La fiche d'évaluation s'imprime une fois la convention signée")
    assert message.endswith("prête à signer." if ready else "brouillon.")


def test_escaping_determinism_and_fonts(session: Session, tmp_path: Path) -> None:
    data = evaluation_data(session, signed(session), today=TODAY)
    first = _render(data)
    assert first == _render(data)
    target = tmp_path / "evaluation.pdf"
    render_evaluation(data, target)
    assert target.read_bytes() == first
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= embedded_fonts(first)
    # The referent's name, typed by a user, prints literally.
    marked = replace(data, agreement=replace(data.agreement, referent=MARKUP))
    assert flat(_render(marked)).count(MARKUP) == 2  # identification and signature


def test_criteria_and_scale_come_from_the_template(session: Session, tmp_path: Path) -> None:
    custom = tmp_path / "evaluation.md"
    custom.write_text(
        "## 2. Comportement\n{{donnees}}\n- Sens du <service> & {stagiaire.nom}\n"
        "## 9. Échelle\n- Oui\n- Non\n",
        "utf-8",
    )
    data = evaluation_data(session, signed(session), today=TODAY)
    text = flat(_render(data, template=custom))
    assert "2. Comportement Critère Oui Non Sens du <service> & Mme Léa DUPONT" in text
    assert CRITERIA[0] not in text
    assert "Fiche d'évaluation du stage" in text  # default title


def test_recorded_absences_are_printed(session: Session) -> None:
    agreement_id = signed(session)
    life_cycle.refresh_status(session, agreement_id, date(2026, 6, 10))

    def absent(day: str, **fields: object) -> None:
        data = replace(AbsenceInput(day=day), **fields)  # type: ignore[arg-type]
        now = datetime(2026, 6, 10, 18)
        record_absence(session, agreement_id, data, actor=make_actor("coordination", "x"), now=now)

    absent("02/06/2026", justified=True)
    absent("03/06/2026", half_day="apres_midi", kind="retard", minutes="20")
    running = evaluation_data(session, agreement_id, today=TODAY)
    assert [(a.day.day, a.half_day, a.description, a.justified) for a in running.absences] == [
        (2, "matin", "absence", True),
        (3, "après-midi", "retard de 20 min", False),
    ]
    text = flat(_render(running))
    section = text.split("8. Absences")[1].split("9. Signatures")[0]
    assert "Date Demi-journée Nature Justifiée Heures" in section
    assert "02/06/2026 matin absence oui 3,5 h" in section
    assert "03/06/2026 après-midi retard de 20 min non 0,33 h" in section
    # While the internship runs, lines for the absences still to come.
    assert "Absences autres" in section and "demi-journée(s), dont" in section
    assert "Présence prévue 308 h" in text

    finish(session, agreement_id)
    done = evaluation_data(session, agreement_id, today=TODAY)
    assert (done.finished, done.hours) == (True, 304.17)
    text = flat(_render(done))
    assert "Présence effective 304,17 h" in text
    assert "308 h prévues, moins 3,83 h d'absence relevée" in text
    section = text.split("8. Absences")[1].split("9. Signatures")[0]
    assert "demi-journée(s), dont" not in section

    other = signed(session)
    finish(session, other)
    section = flat(_render(evaluation_data(session, other, today=TODAY))).split("8. Absences")[1]
    assert section.startswith(" Aucune absence relevée sur les feuilles de présence.")
