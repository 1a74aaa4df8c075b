"""What the journal records besides the records' changes (issue 12.3 and 12.4): accounts
created, roles and passwords changed, accounts deactivated and reactivated, the idle lock,
sign-ins, backups, restores and exports, from the services and from the command line."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import EXIT_OK, main
from app.domain import AuditAction, AuditEntry, UserAccount
from app.errors import StorageError
from app.services.accounts import management as accounts
from app.services.base_access.opening import open_app_database
from app.services.journal import audit_log as audit
from app.storage import Database
from tests.conftest import make_actor

COORD = "coordination"
PASSWORD = "Cobalt, accueil du lundi"
OTHER_PASSWORD = "Du Guesclin, le mardi matin"


@pytest.fixture
def attached(db: Database) -> Iterator[Database]:
    """The window's situation: what is saved is in the name of the signed-in user."""
    audit.attach(db, lambda: "nadia")
    yield db
    audit.detach(db)


def entries(db: Database, entity_type: str | None = None) -> list[AuditEntry]:
    with db.session(commit=False) as session:
        statement = select(AuditEntry).order_by(AuditEntry.id)
        if entity_type is not None:
            statement = statement.where(AuditEntry.entity_type == entity_type)
        found = list(session.scalars(statement))
        verdict = audit.verify_journal(session.connection())
        session.expunge_all()  # the entries outlive the session, as read
    assert verdict.ok, verdict.detail  # every event is chained like the rest
    return found


def first_account(db: Database) -> accounts.AccountInfo:
    with db.session() as session:
        return accounts.create_first_account(
            session, accounts.AccountInput("Nadia Belkacem", "nadia"), PASSWORD, PASSWORD
        )


def colleague(db: Database, role: str = "accueil") -> accounts.AccountInfo:
    with db.session() as session:
        return accounts.create_account(
            session,
            accounts.AccountInput("Élodie Perrin", "elodie.perrin", role),
            PASSWORD,
            PASSWORD,
            actor=make_actor(COORD),
        )


def account_uuid(db: Database, username: str) -> str:
    with db.session(commit=False) as session:
        return session.scalars(
            select(UserAccount.uuid).where(UserAccount.username == username)
        ).one()


def no_password_anywhere(db: Database, *passwords: str) -> None:
    for entry in entries(db):
        text = " ".join(str(v) for v in (entry.author, entry.summary, entry.changes) if v)
        for password in passwords:
            assert password not in text


# ---------------------------------------------------------------- accounts


def test_the_first_account_is_journaled_in_its_own_name(attached: Database) -> None:
    audit.detach(attached)  # nobody is signed in before the first account exists
    first_account(attached)
    [entry] = entries(attached, "account")
    assert (entry.author, entry.action, entry.summary) == (
        "nadia",
        AuditAction.CREATION.value,
        "Compte « nadia » créé (coordination)",
    )
    assert entry.entity_uuid == account_uuid(attached, "nadia")
    with attached.session(commit=False) as session:
        [row] = audit.list_entries(session, actor=make_actor(COORD), entity_uuid=entry.entity_uuid)
    assert row.entity_label == "Compte utilisateur"
    assert {(c.label, c.before, c.after) for c in row.changes} == {
        ("Nom", None, "Nadia Belkacem"),
        ("Identifiant", None, "nadia"),
        ("Rôle", None, "Coordination"),
    }
    no_password_anywhere(attached, PASSWORD)


def test_an_account_created_by_coordination(attached: Database) -> None:
    first_account(attached)
    colleague(attached)
    entry = entries(attached, "account")[-1]
    assert (entry.author, entry.action, entry.summary) == (
        "nadia",
        AuditAction.CREATION.value,
        "Compte « elodie.perrin » créé (accueil)",
    )
    no_password_anywhere(attached, PASSWORD)


def test_a_role_change(attached: Database) -> None:
    first_account(attached)
    info = colleague(attached)
    with attached.session() as session:
        accounts.set_role(session, info.id, COORD, actor=make_actor(COORD))
    with attached.session() as session:
        accounts.set_role(session, info.id, COORD, actor=make_actor(COORD))  # no change, no entry
    entry = entries(attached, "account")[-1]
    assert (entry.author, entry.action, entry.summary) == (
        "nadia",
        AuditAction.MODIFICATION.value,
        "Rôle du compte « elodie.perrin » modifié",
    )
    assert entry.changes == '{"role": ["accueil", "coordination"]}'
    assert len(entries(attached, "account")) == 3


def test_deactivation_and_reactivation(attached: Database) -> None:
    first_account(attached)
    info = colleague(attached)
    with attached.session() as session:
        accounts.deactivate(session, info.id, actor=make_actor(COORD))
    with attached.session() as session:
        accounts.reactivate(session, info.id, actor=make_actor(COORD))
    with attached.session() as session:
        accounts.reactivate(session, info.id, actor=make_actor(COORD))  # already active: nothing
    summaries = [e.summary for e in entries(attached, "account")][2:]
    assert summaries == [
        "Compte « elodie.perrin » désactivé",
        "Compte « elodie.perrin » réactivé",
    ]


def test_a_password_reset_by_coordination_and_one_changed_by_its_owner(
    attached: Database,
) -> None:
    first_account(attached)
    info = colleague(attached)
    with attached.session() as session:
        accounts.change_password(
            session, info.id, OTHER_PASSWORD, OTHER_PASSWORD, actor=make_actor(COORD)
        )
    with attached.session() as session:
        accounts.change_own_password(session, info.id, OTHER_PASSWORD, PASSWORD, PASSWORD)
    reset, changed = entries(attached, "account")[2:]
    assert reset.summary == (
        "Mot de passe du compte « elodie.perrin » réinitialisé par la coordination"
    )
    assert changed.summary == "Mot de passe du compte « elodie.perrin » changé par son titulaire"
    assert reset.changes is None and changed.changes is None
    assert reset.entity_uuid == changed.entity_uuid == account_uuid(attached, "elodie.perrin")
    no_password_anywhere(attached, PASSWORD, OTHER_PASSWORD)


def test_a_refused_password_change_writes_nothing(attached: Database) -> None:
    first_account(attached)
    info = colleague(attached)
    with pytest.raises(accounts.ValidationError), attached.session() as session:
        accounts.change_own_password(session, info.id, "pas le bon", PASSWORD, PASSWORD)
    assert len(entries(attached, "account")) == 2


def test_the_idle_lock_setting(attached: Database) -> None:
    with attached.session() as session:
        accounts.set_idle_lock_minutes(session, 5, actor=make_actor(COORD))
    with attached.session() as session:
        accounts.set_idle_lock_minutes(session, 5, actor=make_actor(COORD))  # unchanged: nothing
    [entry] = entries(attached, "setting")
    assert (entry.author, entry.summary) == ("nadia", "Verrouillage automatique modifié")
    with attached.session(commit=False) as session:
        [row] = audit.list_entries(
            session, actor=make_actor(COORD), action=AuditAction.MODIFICATION
        )
    assert [(c.label, c.before, c.after) for c in row.changes] == [
        ("Verrouillage automatique", "10 min", "5 min")
    ]


def test_accounts_made_without_a_password(db: Database) -> None:
    """Automation and demo bases: the creation and the sign-in are both in the journal."""
    with db.session() as session:
        accounts.sign_in_without_password(session, "robot")
    with db.session() as session:
        accounts.ensure_passwordless_account(session, "elodie.perrin", "Élodie Perrin", "formateur")
    summaries = [(e.author, e.action, e.summary) for e in entries(db, "account")]
    assert summaries == [
        (
            "Fabrique Accueil",
            "creation",
            "Compte « robot » créé sans mot de passe (coordination, base de démonstration ou "
            "automatisation)",
        ),
        (
            "robot",
            "connexion",
            "Connexion réussie (sans mot de passe : base de démonstration, automatisation ou "
            "réouverture après une restauration)",
        ),
        (
            "Fabrique Accueil",
            "creation",
            "Compte « elodie.perrin » créé sans mot de passe (formateur, base de démonstration)",
        ),
    ]


# ---------------------------------------------------------------- sign-ins


def test_record_sign_in_names_the_identifiant_typed(db: Database) -> None:
    first_account(db)
    with db.session() as session:
        audit.record_sign_in(session, " nadia ", succeeded=True)
        audit.record_sign_in(session, "NADIA", succeeded=False, reason="mot de passe incorrect")
        audit.record_sign_in(
            session, "nadia", succeeded=False, locked=True, until=datetime(2026, 12, 3, 10, 15)
        )
        audit.record_sign_in(session, "inconnu\n\u202eévil" + "x" * 200, succeeded=False)
    success, failure, lock, unknown = entries(db)[1:]
    uuid = account_uuid(db, "nadia")
    assert (success.author, success.action, success.summary, success.entity_uuid) == (
        "nadia",
        "connexion",
        "Connexion réussie",
        uuid,
    )
    assert (failure.author, failure.action, failure.summary, failure.entity_uuid) == (
        "NADIA",
        "connexion_refusee",
        "Connexion refusée (mot de passe incorrect)",
        uuid,
    )
    assert (lock.action, lock.summary) == (
        "verrouillage",
        "Compte verrouillé après des échecs de connexion répétés, jusqu'au 03/12/2026 à 10:15",
    )
    assert unknown.entity_uuid is None
    assert unknown.author.startswith("inconnu  évil")
    assert len(unknown.author) == audit.AUTHOR_LENGTH
    with db.session(commit=False) as session:
        labels = [r.action_label for r in audit.list_entries(session, actor=make_actor(COORD))]
    assert labels[:4] == [
        "connexion refusée",
        "verrouillage de compte",
        "connexion refusée",
        "connexion",
    ]


# ---------------------------------------------------------------- backups, restores, exports


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out + captured.err


@pytest.fixture
def base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A base with a coordination account that commands sign in as."""
    path = tmp_path / "fabrique.sqlite"
    database = open_app_database("sqlite:///" + str(path))
    first_account(database)
    database.dispose()
    monkeypatch.setenv("FABRIQUE_PASSWORD", PASSWORD)
    return path


def journal_of(path: Path, action: AuditAction) -> list[AuditEntry]:
    database = Database("sqlite:///" + str(path))
    try:
        return [e for e in entries(database) if e.action == action.value]
    finally:
        database.dispose()


def test_a_backup_from_the_command_line(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(capsys, "backup", "--db", str(base), "--user", "nadia")
    assert code == EXIT_OK
    copy = Path(output.strip().splitlines()[0])
    [entry] = journal_of(base, AuditAction.SAUVEGARDE)
    assert entry.author == "Nadia Belkacem (ligne de commande)"
    assert entry.summary == f"Sauvegarde écrite : « {copy} »"
    assert entry.entity_type == "backup"


def test_a_restore_is_journaled_in_the_restored_base(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(
        capsys, "backup", "--db", str(base), "--user", "nadia", "--to", str(tmp_path / "copies")
    )
    assert code == EXIT_OK
    copy = Path(output.strip().splitlines()[0])
    code, output = run(capsys, "restore", str(copy), "--db", str(base), "--user", "nadia")
    assert code == EXIT_OK, output
    [entry] = journal_of(base, AuditAction.RESTAURATION)
    assert entry.author == "Nadia Belkacem (ligne de commande)"
    assert entry.summary.startswith(f"Base restaurée depuis la sauvegarde « {copy} » du ")
    [kept] = [
        line.removeprefix("L'ancienne base est conservée dans : ")
        for line in output.splitlines()
        if line.startswith("L'ancienne base est conservée dans : ")
    ]
    assert entry.summary.endswith(f" ; la base remplacée est conservée dans « {kept} »")
    # the copy was taken before its own backup entry: the restored base holds no backup entry
    assert journal_of(base, AuditAction.SAUVEGARDE) == []


def test_an_export_from_the_command_line(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "candidats.csv"
    code, _ = run(
        capsys, "export", "candidates", "--db", str(base), "--user", "nadia", "--out", str(out)
    )
    assert code == EXIT_OK
    [entry] = journal_of(base, AuditAction.EXPORT)
    assert entry.author == "Nadia Belkacem (ligne de commande)"
    assert entry.summary == "Export des candidats (CSV) : 0 ligne — toutes les saisons"


def test_a_journal_entry_that_cannot_be_written_does_not_undo_the_backup(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Refusing(Database):
        """The base answers, but refuses the journal entry (busy, read-only…)."""

        @contextmanager
        def session(self, *, commit: bool = True) -> Iterator[Session]:
            raise StorageError("La base de données n'a pas pu enregistrer : occupée.")
            yield  # a generator all the same

    monkeypatch.setattr(audit, "Database", Refusing)
    code, output = run(capsys, "backup", "--db", str(base), "--user", "nadia")
    assert code == EXIT_OK
    assert "Attention : la sauvegarde est faite, mais le journal des actions n'a pas pu" in output
    assert Path(output.strip().splitlines()[0]).exists()
