"""What the window's Fichier menu and Paramètres page call: a manual backup journaled, a
restore refused to other roles before anything is touched, then journaled in the restored base;
the organisation read with what printing lacks, and saved all at once or not at all."""

from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import backup_dir
from app.domain import AuditAction, AuditEntry, OrganisationSettings
from app.errors import StorageError
from app.services.errors import PermissionDenied, ValidationError
from app.services.maintenance import actions as maintenance
from app.services.settings import actions as settings
from app.services.settings.organisation import OrganisationInput
from app.storage import Database
from tests.conftest import make_actor

COORDINATION = make_actor("coordination", "nadia")
RECEPTION = make_actor("accueil", "karim")


def _journal(db: Database, action: AuditAction) -> list[str]:
    with db.session(commit=False) as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == action.value).order_by(AuditEntry.id)
        )
        return [f"{entry.author} | {entry.summary}" for entry in rows]


# ---------------------------------------------------------------- backup, restore, check


def test_backing_up_now_writes_a_copy_and_journals_it(db: Database) -> None:
    copy = maintenance.back_up_now(db, actor=RECEPTION)  # every role may back up
    assert copy.parent == backup_dir() and copy.exists()
    assert _journal(db, AuditAction.SAUVEGARDE) == [f"karim | Sauvegarde écrite : « {copy} »"]


@pytest.mark.sqlite_only  # on a server the window refuses restores (test_cli_backup_postgresql)
def test_a_restore_is_for_coordination_and_journaled_in_the_restored_base(
    db: Database, db_path: Path
) -> None:
    copy = maintenance.back_up_now(db, actor=COORDINATION)
    with pytest.raises(PermissionDenied):
        maintenance.restorable_file(db, actor=RECEPTION)
    with pytest.raises(PermissionDenied):
        maintenance.restore_copy(db, copy, actor=RECEPTION)
    assert maintenance.restorable_file(db, actor=COORDINATION) == db_path

    db.dispose()  # as the window does: the base is replaced under it, then reopened
    restored = maintenance.restore_copy(db, copy, actor=COORDINATION)

    assert restored.description == maintenance.describe_copy(copy)
    assert restored.kept is not None and restored.kept.exists()
    (entry,) = _journal(db, AuditAction.RESTAURATION)
    assert entry.startswith(f"nadia | Base restaurée depuis la sauvegarde « {copy} »")


def test_the_check_reports_a_sound_base(db: Database) -> None:
    report = maintenance.check_base(db)
    assert report.ok, report.describe()


def test_a_backup_folder_whose_parent_is_missing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        maintenance.use_backup_folder(tmp_path / "CLE-USB" / "sauvegardes")
    assert not (tmp_path / "CLE-USB").exists()
    chosen = maintenance.use_backup_folder(tmp_path / "sauvegardes")
    assert chosen.is_dir() and backup_dir() == chosen


# ---------------------------------------------------------------- the organisation


def test_the_organisation_form_says_what_printing_lacks(db: Database) -> None:
    form = settings.organisation_form(db)  # the row is made on first reading
    assert form.values.nom == "La Fabrique du Numérique"
    assert "Adresse" in ", ".join(form.missing)
    saved = settings.save_organisation(
        db, OrganisationInput(nom="Fabrique", adresse="1 rue Haute"), actor=COORDINATION
    )
    assert saved.values.adresse == "1 rue Haute"
    assert len(saved.missing) < len(form.missing)


def test_a_refused_organisation_saves_nothing(db: Database) -> None:
    settings.organisation_form(db)
    with pytest.raises(ValidationError) as refused:
        settings.save_organisation(
            db, OrganisationInput(nom="", adresse="1 rue Haute", siret="123"), actor=COORDINATION
        )
    assert set(refused.value.errors) == {"nom", "siret"}
    with pytest.raises(PermissionDenied):
        settings.save_organisation(db, OrganisationInput(nom="Autre"), actor=RECEPTION)
    with db.session(commit=False) as session:
        row = session.scalars(select(OrganisationSettings)).one()
        assert (row.name, row.address) == ("La Fabrique du Numérique", "")
