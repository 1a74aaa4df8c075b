"""The tamper-evident journal (issue 12.4): every entry chained to the previous one by an HMAC
keyed with the base's secret, the last one sealed beside the journal; `check` recomputes it all
and names the first broken entry. Each way of rewriting the journal that the issue found
accepted is played here below the application (`tests.encrypted.raw_connect`: the base is
encrypted, so this is someone holding the file and its key, as the sqlite3 shell would)."""

import json
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.cli import EXIT_OK, EXIT_REFUSED, main
from app.domain import AuditAction, AuditEntry
from app.domain.account import AppSetting
from app.domain.audit import changes_digest, entry_chain
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.journal import audit_log as audit
from app.services.journal.audit_log import JOURNAL_HEAD, JOURNAL_KEY, key_bytes, verify_journal
from app.services.maintenance.health_check import check_database, expected_journal_triggers
from app.services.rgpd import person_data as rgpd
from app.services.unit_of_work import writes
from app.storage import Database, cipher
from app.storage.migrate import downgrade_to, upgrade_to_head
from tests.conftest import make_actor
from tests.encrypted import raw_connect

COORDINATION = "coordination"
CANDIDATE = CandidateInput(
    nom="Lefèvre",
    prenom="Camille",
    email="camille.lefevre@exemple.fr",
    saison="2026-2027",
    site="cobalt",
)


def add_entries(db: Database, count: int, *, day: int = 3) -> None:
    """`count` export entries, one a minute from the given day of December 2026, each with
    field-level values."""
    with db.session() as session:
        for n in range(count):
            session.add(
                AuditEntry(
                    at=datetime(2026, 12, day, 9, n),
                    author="Nadia Belkacem",
                    action=AuditAction.EXPORT.value,
                    entity_type="export",
                    summary=f"Export n° {n + 1}",
                    changes=json.dumps({"rows": [None, str(n)]}),
                )
            )


@pytest.fixture
def journal(db: Database, db_path: Path) -> Path:
    """A base with five journal entries (ids 1 to 5, from 03/12/2026), no engine left open."""
    add_entries(db, 5)
    db.dispose()
    return db_path


def tamper(path: Path, *statements: str) -> None:
    """What someone with the file and the sqlite3 shell would type."""
    connection = raw_connect(path)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def trigger_sql(path: Path, name: str) -> str:
    connection = raw_connect(path)
    try:
        row = connection.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    finally:
        connection.close()
    return str(row[0])


def around(path: Path, trigger: str, *statements: str) -> None:
    """Drop a trigger, run the statements, put the very same trigger back."""
    sql = trigger_sql(path, trigger)
    tamper(path, f"DROP TRIGGER {trigger}", *statements, sql)


def journal_line(path: Path) -> tuple[str, bool]:
    report = check_database("sqlite:///" + str(path))
    lines = [(line, passed) for line, passed in report.lines if line.startswith("Journal :")]
    assert len(lines) == 1
    return lines[0]


def check_cli(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--db", str(path)])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "Traceback" not in output
    return code, output


# ---------------------------------------------------------------- what is written


def test_each_entry_carries_the_digest_of_its_values_and_its_chain(journal: Path) -> None:
    connection = raw_connect(journal)
    try:
        key = key_bytes(
            connection.execute(
                "SELECT value FROM app_setting WHERE key = ?", (JOURNAL_KEY,)
            ).fetchone()[0]
        )
        rows = connection.execute(
            "SELECT id, uuid, at, author, action, entity_type, entity_uuid, candidate_uuid, "
            "summary, changes, changes_digest, chain FROM audit_entry ORDER BY id"
        ).fetchall()
        head = connection.execute(
            "SELECT value FROM app_setting WHERE key = ?", (JOURNAL_HEAD,)
        ).fetchone()[0]
    finally:
        connection.close()
    assert len(key) == 32
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5]
    previous = ""
    for row in rows:
        (id_, uuid, at, author, action, entity_type, entity_uuid, candidate_uuid, summary) = row[:9]
        changes, digest, chain = row[9:]
        assert digest == changes_digest(changes)
        assert chain == entry_chain(
            key,
            previous,
            id=id_,
            uuid=uuid,
            at=datetime.fromisoformat(at),
            author=author,
            action=action,
            entity_type=entity_type,
            entity_uuid=entity_uuid,
            candidate_uuid=candidate_uuid,
            summary=summary,
            changes_digest=digest,
        )
        previous = chain
    assert head.startswith(f"5:{previous}:")


def test_every_base_gets_its_own_random_key(tmp_path: Path) -> None:
    keys = []
    for name in ("a.sqlite", "b.sqlite"):
        database = Database("sqlite:///" + str(tmp_path / name))
        upgrade_to_head(database.engine)
        with database.session() as session:
            keys.append(
                session.scalar(select(AppSetting.value).where(AppSetting.key == JOURNAL_KEY))
            )
        database.dispose()
    assert keys[0] != keys[1]
    assert all(key and len(key) == 64 for key in keys)


def test_a_healthy_journal_passes_the_check(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert journal_line(journal) == ("Journal : chaînage intact (5 entrées).", True)
    code, output = check_cli(journal, capsys)
    assert code == EXIT_OK
    assert "Déclencheurs du journal : présents et conformes (4)." in output


def test_a_redaction_keeps_the_digest_so_the_chain_still_verifies(db: Database) -> None:
    audit.attach(db, lambda: "Nadia Belkacem")
    try:
        with db.session() as session:
            saved = create_candidate(
                session,
                CANDIDATE,
                actor=make_actor(COORDINATION, "accueil"),
            )
        with db.session() as session:
            rgpd.anonymise(session, [saved.id], actor=make_actor(COORDINATION, "Nadia Belkacem"))
    finally:
        audit.detach(db)
    with db.session() as session:
        creation = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == AuditAction.CREATION.value,
                AuditEntry.entity_type == "candidate",
            )
        ).one()
        assert creation.redacted and creation.changes is None
        assert creation.changes_digest is not None
        verdict = verify_journal(session.connection())
    assert verdict.ok, verdict.detail


def test_entries_stay_in_id_order_with_two_writers(db: Database) -> None:
    """The second writer waits for the first one's commit, then chains after its entries
    (SQLite: the write lock; PostgreSQL: the seal's row, then the use case runs again on
    the server's refusal of its stale transaction)."""
    other = Database(db.url)
    first_flushed = threading.Event()
    errors: list[BaseException] = []

    @writes
    def export(session: Session) -> None:
        audit.record_export(session, "candidats (CSV)", 2)

    def second_writer() -> None:
        first_flushed.wait()
        try:
            export(other)
        except BaseException as error:  # reported by the test below
            errors.append(error)

    thread = threading.Thread(target=second_writer)
    thread.start()
    try:
        with db.session() as session:
            audit.record_export(session, "candidats (CSV)", 1)
            session.flush()  # holds the write lock until the commit
            first_flushed.set()
            time.sleep(0.3)  # the second writer starts meanwhile
            audit.record_export(session, "conventions (CSV)", 1)
    finally:
        thread.join()
        other.dispose()
    assert errors == []
    with db.session() as session:
        summaries = list(session.scalars(select(AuditEntry.summary).order_by(AuditEntry.id)))
        verdict = verify_journal(session.connection())
    assert summaries == [
        "Export des candidats (CSV) : 1 ligne",
        "Export des conventions (CSV) : 1 ligne",
        "Export des candidats (CSV) : 2 lignes",
    ]
    assert verdict.ok, verdict.detail


# ---------------------------------------------------------------- the database refuses


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET chain = 'x' WHERE id = 2",
        "UPDATE audit_entry SET changes_digest = NULL WHERE id = 2",
        "UPDATE audit_entry SET changes = NULL, redacted = 1, changes_digest = NULL WHERE id = 2",
        "UPDATE audit_entry SET changes = NULL, redacted = 1, chain = NULL WHERE id = 2",
        f"DELETE FROM app_setting WHERE key = '{JOURNAL_KEY}'",
        f"DELETE FROM app_setting WHERE key = '{JOURNAL_HEAD}'",
        f"UPDATE app_setting SET value = '00' WHERE key = '{JOURNAL_KEY}'",
        f"UPDATE app_setting SET key = 'autre' WHERE key = '{JOURNAL_HEAD}'",
    ],
)
def test_the_database_refuses_to_touch_the_chain_or_the_key(journal: Path, statement: str) -> None:
    with pytest.raises(cipher.driver().IntegrityError):
        tamper(journal, statement)


def test_the_journal_triggers_are_the_migrations(journal: Path) -> None:
    assert set(expected_journal_triggers()) == {
        "audit_entry_no_update",
        "audit_entry_no_delete",
        "app_setting_journal_no_update",
        "app_setting_journal_no_delete",
    }


# ---------------------------------------------------------------- what check detects

BROKEN_2 = "Journal : l'entrée n° 2 du 03/12/2026 a été modifiée ou supprimée (chaînage rompu)."


def test_values_blanked_with_the_triggers_dropped(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    around(journal, "audit_entry_no_update", "UPDATE audit_entry SET changes = NULL WHERE id = 2")
    assert journal_line(journal) == (BROKEN_2, False)
    code, output = check_cli(journal, capsys)
    assert code == EXIT_REFUSED
    assert BROKEN_2 in output


def test_values_changed_with_the_triggers_dropped(journal: Path) -> None:
    around(
        journal,
        "audit_entry_no_update",
        """UPDATE audit_entry SET changes = '{"rows": [null, "99"]}' WHERE id = 2""",
    )
    assert journal_line(journal) == (BROKEN_2, False)


def test_a_summary_rewritten_with_the_triggers_dropped(journal: Path) -> None:
    around(journal, "audit_entry_no_update", "UPDATE audit_entry SET author = 'autre' WHERE id = 2")
    assert journal_line(journal) == (BROKEN_2, False)


def test_a_false_redaction_is_detected(journal: Path) -> None:
    """A redaction is accepted by the trigger, but only an erasure or an anonymisation of the
    person, written after the entry, justifies it."""
    tamper(journal, "UPDATE audit_entry SET changes = NULL, redacted = 1 WHERE id = 2")
    assert journal_line(journal) == (
        "Journal : les valeurs de l'entrée n° 2 du 03/12/2026 ont été effacées sans effacement "
        "ni anonymisation de la personne.",
        False,
    )


def test_a_forged_insert(journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(
        journal,
        "INSERT INTO audit_entry (uuid, at, author, action, entity_type, summary, redacted, "
        "chain) VALUES ('f0f0', '2026-12-04 10:00:00.000000', 'Nadia Belkacem', 'export', "
        "'export', 'Export inventé', 0, 'abcd')",
    )
    expected = (
        "Journal : l'entrée n° 6 du 04/12/2026 a été ajoutée hors de l'application "
        "(chaînage rompu)."
    )
    assert journal_line(journal) == (expected, False)
    code, output = check_cli(journal, capsys)
    assert code == EXIT_REFUSED
    assert expected in output


def test_a_forged_insert_stays_detected_after_the_application_writes_again(
    journal: Path,
) -> None:
    tamper(
        journal,
        "INSERT INTO audit_entry (uuid, at, author, action, entity_type, summary, redacted) "
        "VALUES ('f0f0', '2026-12-04 10:00:00', 'x', 'export', 'export', 'Inventé', 0)",
    )
    database = Database("sqlite:///" + str(journal))
    add_entries(database, 1, day=5)
    database.dispose()
    assert journal_line(journal) == (
        "Journal : l'entrée n° 6 du 04/12/2026 a été ajoutée hors de l'application "
        "(chaînage rompu).",
        False,
    )


def test_an_entry_deleted_in_the_middle_trigger_recreated(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    around(journal, "audit_entry_no_delete", "DELETE FROM audit_entry WHERE id = 3")
    expected = (
        "Journal : l'entrée n° 3 a été supprimée (chaînage rompu avant l'entrée n° 4 du "
        "03/12/2026)."
    )
    assert journal_line(journal) == (expected, False)
    code, output = check_cli(journal, capsys)
    assert code == EXIT_REFUSED
    assert "Déclencheurs du journal : présents et conformes" in output  # put back as it was


def test_the_first_entries_deleted(journal: Path) -> None:
    around(journal, "audit_entry_no_delete", "DELETE FROM audit_entry WHERE id <= 2")
    assert journal_line(journal) == (
        "Journal : les entrées n° 1 à 2 ont été supprimées (chaînage rompu avant l'entrée "
        "n° 3 du 03/12/2026).",
        False,
    )


def test_the_last_entry_deleted(journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    around(journal, "audit_entry_no_delete", "DELETE FROM audit_entry WHERE id = 5")
    expected = (
        "Journal : l'entrée n° 5 a été supprimée à la fin du journal (après l'entrée n° 4 du "
        "03/12/2026)."
    )
    assert journal_line(journal) == (expected, False)
    code, output = check_cli(journal, capsys)
    assert code == EXIT_REFUSED
    assert expected in output


def test_the_whole_journal_deleted(journal: Path) -> None:
    around(journal, "audit_entry_no_delete", "DELETE FROM audit_entry")
    assert journal_line(journal) == (
        "Journal : les entrées n° 1 à 5 ont été supprimées à la fin du journal.",
        False,
    )


def test_a_trailing_deletion_stays_detected_after_the_application_writes_again(
    journal: Path,
) -> None:
    """The next entry takes the number after the sealed one and chains onto the deleted
    entry: the gap and the break remain."""
    around(journal, "audit_entry_no_delete", "DELETE FROM audit_entry WHERE id = 5")
    database = Database("sqlite:///" + str(journal))
    add_entries(database, 1, day=5)
    database.dispose()
    assert journal_line(journal) == (
        "Journal : l'entrée n° 5 a été supprimée (chaînage rompu avant l'entrée n° 6 du "
        "05/12/2026).",
        False,
    )


def test_the_seal_removed(journal: Path) -> None:
    around(
        journal,
        "app_setting_journal_no_delete",
        f"DELETE FROM app_setting WHERE key = '{JOURNAL_HEAD}'",
    )
    assert journal_line(journal) == (
        "Journal : le sceau de la dernière entrée a disparu : des entrées ont pu être "
        "supprimées à la fin.",
        False,
    )
    database = Database("sqlite:///" + str(journal))
    add_entries(database, 1, day=5)  # the application writes again: the break stays
    database.dispose()
    assert journal_line(journal) == (
        "Journal : l'entrée n° 6 du 05/12/2026 a été modifiée ou supprimée (chaînage rompu).",
        False,
    )


def test_the_seal_forged(journal: Path) -> None:
    """Pointing the seal at the fourth entry, to hide the removal of the fifth, needs the key."""
    connection = raw_connect(journal)
    try:
        chain = connection.execute("SELECT chain FROM audit_entry WHERE id = 4").fetchone()[0]
    finally:
        connection.close()
    around(
        journal,
        "audit_entry_no_delete",
        "DELETE FROM audit_entry WHERE id = 5",
        f"UPDATE app_setting SET value = '4:{chain}:{'0' * 64}' WHERE key = '{JOURNAL_HEAD}'",
    )
    assert journal_line(journal) == (
        "Journal : le sceau de la dernière entrée a été modifié hors de l'application : des "
        "entrées ont pu être supprimées à la fin.",
        False,
    )


def test_the_key_removed(journal: Path) -> None:
    around(
        journal,
        "app_setting_journal_no_delete",
        f"DELETE FROM app_setting WHERE key = '{JOURNAL_KEY}'",
    )
    assert journal_line(journal) == (
        "Journal : la clé du journal a disparu : le chaînage ne peut plus être vérifié.",
        False,
    )


@pytest.mark.parametrize("trigger", sorted(expected_journal_triggers()))
def test_a_trigger_dropped_and_not_recreated(
    journal: Path, trigger: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(journal, f"DROP TRIGGER {trigger}")
    code, output = check_cli(journal, capsys)
    assert code == EXIT_REFUSED
    assert (
        f"Déclencheurs du journal : le déclencheur « {trigger} » est absent : le journal n'est "
        "plus protégé contre les modifications." in output
    )


def test_a_trigger_rewritten_to_let_everything_through(journal: Path) -> None:
    tamper(
        journal,
        "DROP TRIGGER audit_entry_no_delete",
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry WHEN 0 "
        "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
    )
    report = check_database("sqlite:///" + str(journal))
    assert not report.ok
    assert (
        "Déclencheurs du journal : le déclencheur « audit_entry_no_delete » a été modifié : le "
        "journal n'est plus protégé contre les modifications.",
        False,
    ) in report.lines


def test_an_extra_trigger_acting_on_the_journal(journal: Path) -> None:
    tamper(
        journal,
        "CREATE TRIGGER wipe AFTER UPDATE OF role ON user_account "
        "BEGIN DELETE FROM audit_entry WHERE author = NEW.username; END",
    )
    report = check_database("sqlite:///" + str(journal))
    assert not report.ok
    assert any(
        "un déclencheur en trop « wipe » agit sur le journal" in line for line, _ in report.lines
    )


# ---------------------------------------------------------------- the migration


def test_the_migration_chains_the_entries_already_written(db: Database) -> None:
    """A base at 0009 with a journal: after 0010 every entry verifies (the migration's frozen
    copy of the chain and the application's agree), including a redacted one."""
    audit.attach(db, lambda: "Nadia Belkacem")
    try:
        with db.session() as session:
            create_candidate(
                session,
                CANDIDATE,
                actor=make_actor(COORDINATION, "accueil"),
            )
            audit.record_export(session, "candidats (CSV)", 1)
    finally:
        audit.detach(db)
    with db.session() as session:
        written = len(session.scalars(select(AuditEntry.id)).all())
    downgrade_to(db.engine, "0009")
    with db.engine.begin() as connection:
        columns = [column["name"] for column in inspect(connection).get_columns("audit_entry")]
        assert "chain" not in columns
        connection.execute(
            text(
                "INSERT INTO audit_entry (id, uuid, at, author, action, entity_type, summary, "
                "changes, redacted) VALUES (:id, 'old-1', '2026-11-30 08:00:00', 'accueil', "
                "'modification', 'candidate', 'Ancienne entrée', NULL, :redacted)"
            ),
            # The journal numbers its entries itself (no server sequence behind the id).
            {"id": written + 1, "redacted": True},
        )
    upgrade_to_head(db.engine)
    with db.session() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert all(entry.chain for entry in entries)
        assert len(entries) == written + 1
        verdict = verify_journal(session.connection())
    assert verdict.ok, verdict.detail
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE audit_entry SET chain = 'x' WHERE id = 1")
    add_entries(db, 1)  # the application goes on from the migration's seal
    with db.session() as session:
        assert verify_journal(session.connection()).ok
