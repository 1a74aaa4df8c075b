"""The call for projects: the season's call, projects submitted and corrected, eligibility
warnings, the list and the project's file, and what the journal keeps of them."""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import AuditEntry
from app.domain.projects import Project
from app.services.errors import ConflictError, UserFacingError, ValidationError
from app.services.journal import audit_log as audit
from app.services.projects import actions, calls, listing, submissions
from app.services.projects.eligibility import eligibility_warnings
from app.storage import Database
from tests.unit.services.test_projects_world import (
    COORD,
    SEASON,
    TRAINER,
    Hosts,
    make_hosts,
    project_input,
    submit,
)


@pytest.fixture
def hosts(db: Database) -> Hosts:
    with db.session() as s:
        return make_hosts(s)


@pytest.fixture
def journaled(db: Database) -> Iterator[Database]:
    audit.attach(db, lambda: "claire")
    yield db
    audit.detach(db)


# ---------------------------------------------------------------- the call


def test_reference_and_default_dates_of_a_call() -> None:
    assert calls.project_reference("2026-2027", 3) == "AAP-2026-003"
    assert calls.project_reference("2026-2027", 127) == "AAP-2026-127"
    assert calls.default_call_dates("2026-2027") == (date(2026, 10, 1), date(2027, 1, 31))
    with pytest.raises(UserFacingError, match="Saison inconnue"):
        calls.default_call_dates("2026-2028")


def test_the_call_is_created_once_with_its_default_dates(db: Database) -> None:
    first = actions.call(db, SEASON, actor=TRAINER)
    again = actions.call(db, SEASON, actor=COORD)
    assert first == again
    assert (first.opens_on, first.closes_on) == (date(2026, 10, 1), date(2027, 1, 31))
    assert first.is_open(date(2026, 10, 1)) and first.is_open(date(2027, 1, 31))
    assert not first.is_open(date(2027, 2, 1))


def test_update_call_checks_its_dates(db: Database) -> None:
    call = actions.call(db, SEASON, actor=COORD)
    with pytest.raises(ValidationError) as refused:
        actions.save_call(db, call.id, "32/10/2026", "", "", actor=COORD)
    assert refused.value.errors == {
        "opens_on": "Cette date n'existe pas.",
        "closes_on": "La date est obligatoire.",
    }
    with pytest.raises(ValidationError) as refused:
        actions.save_call(db, call.id, "01/03/2027", "28/02/2027", "", actor=COORD)
    assert refused.value.errors == {
        "closes_on": "La clôture doit suivre l'ouverture de l'appel (01/03/2027)."
    }
    saved = actions.save_call(db, call.id, "15/09/2026", "15/02/2027", "Jury le 20/02", actor=COORD)
    assert (saved.opens_on, saved.closes_on, saved.notes) == (
        date(2026, 9, 15),
        date(2027, 2, 15),
        "Jury le 20/02",
    )
    assert actions.call(db, SEASON, actor=COORD) == saved


# ---------------------------------------------------------------- submission


def test_projects_are_numbered_in_their_call(db: Database, hosts: Hosts) -> None:
    with db.session() as s:
        first = submit(s, hosts.small)
        second = submit(s, hosts.large, title="Un outil de devis")
        other_season = submissions.submit_project(
            s, "2025-2026", project_input(hosts.small), actor=COORD
        )
    rows = actions.projects(db, SEASON, actor=COORD)
    assert [(r.id, r.reference, r.state_label) for r in rows] == [
        (first, "AAP-2026-001", "Reçu"),
        (second, "AAP-2026-002", "Reçu"),
    ]
    (last_season,) = actions.projects(db, "2025-2026", actor=COORD)
    assert (last_season.id, last_season.reference) == (other_season, "AAP-2025-001")


def test_a_submission_is_checked_field_by_field(db: Database, hosts: Hosts) -> None:
    data = project_input(
        None,  # type: ignore[arg-type]
        title=" ",
        submitted_on="31/02/2026",
        need="",
        contact_phone="12",
        contact_email="marie@",
        deliverable_kind="fusée",
        headcount="beaucoup",
        filieres=("cuisine",),
    )
    with pytest.raises(ValidationError) as refused:
        actions.submit(db, SEASON, data, actor=COORD)
    assert refused.value.errors == {
        "host_id": "Choisissez la structure dans l'annuaire.",
        "title": "Le titre du projet est obligatoire.",
        "submitted_on": "Cette date n'existe pas.",
        "need": "Décrivez le besoin de la structure.",
        "contact_phone": "Ce numéro de téléphone n'existe pas (10 chiffres attendus).",
        "contact_email": "Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).",
        "deliverable_kind": (
            "Type de livrable inconnu : choisir parmi « Site web », « Outil », « Contenus », "
            "« Réseau, installation »."
        ),
        "headcount": "L'effectif déclaré est un nombre de salariés (ex. 12), ou vide.",
        "filieres": "Filière inconnue : « cuisine ».",
    }
    assert actions.projects(db, SEASON, actor=COORD) == []


def test_details_give_the_form_back_and_an_update_round_trips(db: Database, hosts: Hosts) -> None:
    with db.session() as s:
        project_id = submit(s, hosts.small, filieres=("web", "Contenus et communautés numériques"))
    details = actions.details(db, project_id, actor=COORD)
    assert details.contact_phone == "05 49 12 34 56"
    assert details.filieres == ("web", "contenus")
    assert details.filiere_labels == ("Développement web", "Contenus et communautés numériques")
    assert details.headcount_label == "4 salariés (déclaré au dépôt)"
    assert details.structure_identifier == "W863001234"
    assert details.history[0][1:] == ("Reçu", "", "claire")
    data = submissions.project_input(details)
    assert actions.update(db, project_id, data, details.version, actor=COORD) == details.version
    data.title = "Un site et une lettre d'information"
    data.filieres = ("reseaux",)
    version = actions.update(db, project_id, data, details.version, actor=COORD)
    after = actions.details(db, project_id, actor=COORD)
    assert (version, after.version) == (details.version + 1, details.version + 1)
    assert after.title == "Un site et une lettre d'information"
    assert after.filieres == ("reseaux",)


def test_an_update_over_a_newer_version_is_refused(journaled: Database, hosts: Hosts) -> None:
    db = journaled
    with db.session() as s:
        project_id = submit(s, hosts.small)
    loaded = actions.details(db, project_id, actor=COORD)
    data = submissions.project_input(loaded)
    data.title = "Premier enregistrement"
    actions.update(db, project_id, data, loaded.version, actor=COORD)
    data.title = "Second poste"
    with pytest.raises(ConflictError) as refused:
        actions.update(db, project_id, data, loaded.version, actor=COORD)
    assert str(refused.value).startswith("Ce projet a été modifié par claire le ")
    assert actions.details(db, project_id, actor=COORD).title == "Premier enregistrement"


# ---------------------------------------------------------------- eligibility


def _warnings(s: Session, project_id: int) -> list[str]:
    project = s.get(Project, project_id)
    assert project is not None
    return eligibility_warnings(project, project.call)


def test_an_eligible_project_has_no_warning(db: Database, hosts: Hosts) -> None:
    with db.session() as s:
        project_id = submit(s, hosts.small, submitted_on="31/01/2027")
        assert _warnings(s, project_id) == []
        no_declared_headcount = submit(s, hosts.small, headcount="")
        assert _warnings(s, no_declared_headcount) == []  # the directory says 1 à 9


def test_warnings_headcount_identifier_and_late_submission(db: Database, hosts: Hosts) -> None:
    with db.session() as s:
        declared = submit(s, hosts.small, headcount="35")
        from_directory = submit(s, hosts.large, headcount="")
        declared_small = submit(s, hosts.large, headcount="12")
        unknown_and_late = submit(s, hosts.unidentified, headcount="", submitted_on="03/02/2027")
        early = submit(s, hosts.small, submitted_on="30/09/2026")
        assert _warnings(s, declared) == ["20 salariés ou plus (effectif déclaré : 35)"]
        assert _warnings(s, from_directory) == [
            "20 salariés ou plus (annuaire : 50 à 249 salariés)"
        ]
        assert _warnings(s, declared_small) == []  # the declaration is more recent
        assert _warnings(s, unknown_and_late) == [
            "effectif inconnu : ni déclaré au dépôt, ni dans l'annuaire",
            "structure non identifiée : ni SIRET ni RNA dans l'annuaire",
            "déposé le 03/02/2027, après la clôture de l'appel (31/01/2027)",
        ]
        assert _warnings(s, early) == [
            "déposé le 30/09/2026, avant l'ouverture de l'appel (01/10/2026)"
        ]
    rows = {r.id: r for r in actions.projects(db, SEASON, actor=COORD)}
    assert rows[declared].warnings == ("20 salariés ou plus (effectif déclaré : 35)",)
    assert len(actions.details(db, unknown_and_late, actor=COORD).warnings) == 3


# ---------------------------------------------------------------- the list


def test_the_list_searches_and_filters_by_state(db: Database, hosts: Hosts) -> None:
    with db.session() as s:
        garden = submit(s, hosts.small, contact_name="Marie Lefèvre")
        printer = submit(s, hosts.large, title="Un outil de devis", contact_name="Paul Roy")
    actions.change_state(db, printer, "complet", "", 1, actor=COORD)

    def found(**query: object) -> list[int]:
        return [r.id for r in actions.projects(db, SEASON, actor=COORD, **query)]  # type: ignore[arg-type]

    assert found(text="jardins") == [garden]
    assert found(text="lefevre") == [garden]
    assert found(text="niort devis") == [printer]
    assert found(text="AAP-2026-002") == [printer]
    assert found(states=frozenset({"complet"})) == [printer]
    assert found(states=frozenset({"recu", "complet"})) == [garden, printer]
    assert found(text="introuvable") == []


# ---------------------------------------------------------------- journal


def test_submission_and_correction_are_journaled(journaled: Database, hosts: Hosts) -> None:
    db = journaled
    project_id = actions.submit(db, SEASON, project_input(hosts.small), actor=COORD)
    loaded = actions.details(db, project_id, actor=COORD)
    data = submissions.project_input(loaded)
    data.contact_phone = "06 12 34 56 78"
    actions.update(db, project_id, data, loaded.version, actor=COORD)
    with db.session(commit=False) as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        verdict = audit.verify_journal(s.connection())
        s.expunge_all()  # read as they were, after the session
    assert verdict.ok
    summaries = [e.summary for e in entries if e.entity_type.startswith("project")]
    assert summaries == [
        "Appel à projets créé 2026-2027",
        "Projet déposé AAP-2026-001",
        "Filière ajoutée au projet (projet AAP-2026-001)",
        "Changement d'état du projet AAP-2026-001 : Reçu",
        "Projet modifié AAP-2026-001 : Téléphone du contact",
    ]
    change = entries[-1]
    assert change.author == "claire"
    assert '"contact_phone": ["05 49 12 34 56", "06 12 34 56 78"]' in (change.changes or "")


def test_projects_of_a_learner_is_empty_without_a_team(db: Database, hosts: Hosts) -> None:
    with db.session() as s:
        submit(s, hosts.small)
        assert listing.projects_of_learner(s, 12345) == []


def test_the_call_s_dates_are_journaled(journaled: Database) -> None:
    call = actions.call(journaled, SEASON, actor=COORD)
    actions.save_call(journaled, call.id, "15/09/2026", "31/01/2027", "", actor=COORD)
    with journaled.session(commit=False) as s:
        (entry,) = s.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == "project_call", AuditEntry.action == "modification"
            )
        )
        summary, changes = entry.summary, entry.changes
    assert summary == "Appel à projets modifié 2026-2027 : Ouverture"
    assert changes == '{"opens_on": ["01/10/2026", "15/09/2026"]}'


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("12", 12), ("12 salariés", 12), ("1 200", 1200), ("0", 0), ("", None), (" 7 ", 7)],
)
def test_the_declared_headcount_is_read_as_typed(
    db: Database, hosts: Hosts, typed: str, stored: int | None
) -> None:
    with db.session() as s:
        project_id = submit(s, hosts.small, headcount=typed)
    assert actions.details(db, project_id, actor=COORD).headcount == stored


@pytest.mark.parametrize("typed", ["douze", "-3", "12,5", "99999999"])
def test_a_headcount_that_is_not_a_number_is_refused(
    db: Database, hosts: Hosts, typed: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.submit(db, SEASON, project_input(hosts.small, headcount=typed), actor=COORD)
    assert refused.value.errors == {
        "headcount": "L'effectif déclaré est un nombre de salariés (ex. 12), ou vide."
    }
