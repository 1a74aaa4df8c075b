"""Who entered training: sex, age at entry, QPV, ZRR, RSA, RQTH, job seekers (and for how
long), NEET, diploma levels, prescribers. One SQL query of CASE sums over the entrants.

A share is computed on the people whose answer is known: an unknown answer is counted on its
own row and in no share (a funder's share of women is over the people whose sex is known)."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Subquery, and_, func, select
from sqlalchemy.orm import Session

from app.domain import Referrer
from app.services.reports.scope import ReportScope, age_at_entry, facts
from app.services.reports.sql import count_if, months_before
from app.services.reports.tables import Cell, IndicatorRow, IndicatorTable, count, percent


@dataclass(frozen=True)
class Line:
    key: str  # trace key after "composition:"
    label: str
    who: ColumnElement[bool]  # among the entrants
    base: str | None  # key of the line whose people are the share's base; None: no share


def entered(f: Subquery) -> ColumnElement[bool]:
    return f.c.reached_entres == 1


def _known(column: ColumnElement[object]) -> ColumnElement[bool]:
    return column.is_not(None)


def _flag(f: Subquery, name: str, label: str, unknown_label: str) -> list[Line]:
    column = f.c[name]
    return [
        Line(f"{name}_connu", f"{label} : réponse connue", _known(column), None),
        Line(name, label, column.is_(True), f"{name}_connu"),
        Line(f"{name}_inconnu", unknown_label, column.is_(None), None),
    ]


def lines(f: Subquery, referrers: list[tuple[int, str, str]]) -> list[Line]:
    """Every line of the table, in order (the "…connu" lines are bases, not shown)."""
    age = age_at_entry(f)
    age_known = and_(f.c.birth_date.is_not(None), f.c.entry_at.is_not(None))
    # coalesce: NOT (NULL IN …) is NULL in SQL, which would count an empty sex nowhere.
    sex_known = func.coalesce(f.c.sex, "").in_(("F", "M", "autre"))
    long_seeker = and_(
        f.c.job_seeker.is_(True),
        f.c.job_seeker_since.is_not(None),
        f.c.job_seeker_since <= months_before(f.c.entry_at, 12),
    )
    level = f.c.diploma_level
    found = [
        Line("sexe_connu", "Sexe connu", sex_known, None),
        Line("femmes", "Femmes", f.c.sex == "F", "sexe_connu"),
        Line("hommes", "Hommes", f.c.sex == "M", "sexe_connu"),
        Line("sexe_autre", "Autre", f.c.sex == "autre", "sexe_connu"),
        Line("sexe_inconnu", "Sexe non renseigné", ~sex_known, None),
        Line("age_connu", "Âge connu", age_known, None),
        Line("mineurs", "Mineurs à l'entrée", and_(age_known, age < 18), "age_connu"),
        Line("moins_26", "Moins de 26 ans", and_(age_known, age < 26), "age_connu"),
        Line("de_26_a_30", "26 à 30 ans", and_(age_known, age >= 26, age <= 30), "age_connu"),
        Line("de_31_a_49", "31 à 49 ans", and_(age_known, age >= 31, age <= 49), "age_connu"),
        Line("50_et_plus", "50 ans et plus", and_(age_known, age >= 50), "age_connu"),
        Line("age_inconnu", "Date de naissance non renseignée", ~age_known, None),
        *_flag(f, "qpv", "Résidant d'un QPV", "QPV non renseigné"),
        *_flag(f, "zrr", "Résidant d'une ZRR", "ZRR non renseignée"),
        *_flag(f, "rsa", "Bénéficiaires du RSA", "RSA non renseigné"),
        *_flag(f, "rqth", "RQTH", "RQTH non renseignée"),
        *_flag(f, "job_seeker", "Demandeurs d'emploi", "Inscription à France Travail inconnue"),
        Line(
            "demandeurs_12_mois",
            "dont inscrits depuis 12 mois ou plus",
            long_seeker,
            "job_seeker_connu",
        ),
        *_flag(f, "neet", "Ni en emploi ni en formation (NEET)", "NEET non renseigné"),
        Line("diplome_connu", "Diplôme connu", level.is_not(None), None),
        Line("sans_diplome", "Aucun diplôme", level == 0, "diplome_connu"),
        Line("niveau_1_3", "Niveau 1 à 3 (CAP, BEP)", level.between(1, 3), "diplome_connu"),
        Line("niveau_4", "Niveau 4 (bac)", level == 4, "diplome_connu"),
        Line("niveau_5_plus", "Niveau 5 ou plus", level >= 5, "diplome_connu"),
        Line(
            "niveau_4_ou_moins",
            "Bac ou moins (niveau 4 ou moins, ou aucun)",
            level <= 4,
            "diplome_connu",
        ),
        Line("diplome_inconnu", "Diplôme non renseigné", level.is_(None), None),
        Line("prescripteur_connu", "Prescripteur connu", f.c.referrer_id.is_not(None), None),
    ]
    found += [
        Line(
            f"prescripteur:{code}",
            f"Prescripteur : {label}",
            f.c.referrer_id == rid,
            "prescripteur_connu",
        )
        for rid, code, label in referrers
    ]
    found.append(
        Line("prescripteur_inconnu", "Prescripteur non renseigné", f.c.referrer_id.is_(None), None)
    )
    return found


def predicates(session: Session, f: Subquery) -> dict[str, ColumnElement[bool]]:
    entrants = entered(f)
    found = {"composition:entres": entrants}
    for line in lines(f, referrers(session)):
        found[f"composition:{line.key}"] = and_(entrants, line.who)
    return found


def referrers(session: Session) -> list[tuple[int, str, str]]:
    return [
        (r.id, r.code, r.label)
        for r in session.execute(
            select(Referrer.id, Referrer.code, Referrer.label).order_by(
                Referrer.position, Referrer.id
            )
        )
    ]


def composition(session: Session, scope: ReportScope) -> IndicatorTable:
    f = facts(session, scope)
    all_lines = lines(f, referrers(session))
    sums = [count_if(line.who) for line in all_lines]
    row = session.execute(select(func.count(), *sums).select_from(f).where(entered(f))).one()
    total = int(row[0] or 0)
    counts = {line.key: int(v or 0) for line, v in zip(all_lines, row[1:], strict=True)}
    rows = [
        IndicatorRow(
            "Entrés en formation", (count(total, "composition:entres"), Cell(None, "percent"))
        )
    ]
    for line in all_lines:
        if line.key.endswith("_connu"):
            continue
        if line.key.startswith("prescripteur:") and not counts[line.key]:
            continue
        share = percent(counts[line.key], counts[line.base]) if line.base else Cell(None, "percent")
        rows.append(
            IndicatorRow(line.label, (count(counts[line.key], f"composition:{line.key}"), share))
        )
    return IndicatorTable(
        "composition",
        "Qui est entré en formation",
        ("Indicateur", "Personnes", "Part (%)"),
        tuple(rows),
        (
            f"Base : les {total} personnes entrées en formation (étape « entré en formation » "
            "ou une étape suivante).",
            "Chaque part se calcule sur les personnes dont la réponse est connue : les réponses "
            "non renseignées sont comptées sur leur propre ligne et dans aucune part.",
            "Âge à l'entrée en formation. « Moins de 26 ans » compte les mineurs.",
            "Demandeurs d'emploi depuis 12 mois ou plus : inscrits au moins 12 mois avant "
            "l'entrée (date d'inscription connue) ; la part est sur les réponses connues à "
            "l'inscription.",
            "Prescripteurs : seuls ceux qui ont envoyé au moins une personne sont listés.",
        ),
    )
