"""`main.py check --db postgresql+psycopg://…`: the connection, the schema's revision, the
journal's triggers (compared with migration 0015's), the journal's chain and the counts, on a
server; a trigger missing, disabled or changed, an extra one on the journal, a tampered entry
or a server out of reach exit 1 with a French report.

These tests exist only when FABRIQUE_TEST_DB names a server (tests/engines.py)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from app.cli import EXIT_OK, EXIT_REFUSED, main
from app.services.base_access.opening import open_app_database
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.journal import audit_log as audit
from tests.conftest import TODAY, make_actor
from tests.engines import on_a_server, postgres_database, server_url


@pytest.fixture
def server_base() -> Iterator[str]:
    """A base on the server with one person in it, and so a journal of two entries."""
    with postgres_database(TODAY) as url:
        database = open_app_database(url, today=TODAY)
        audit.attach(database, lambda: "Nadia")
        with database.session() as session:
            create_candidate(
                session,
                CandidateInput(
                    nom="Martin",
                    prenom="Léa",
                    email="lea@exemple.fr",
                    saison="2026-2027",
                    site="cobalt",
                ),
                actor=make_actor("coordination", "Nadia"),
            )
        audit.detach(database)
        database.dispose()
        yield url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "Traceback" not in output
    return code, output


def behind_the_application(url: str, *statements: str) -> None:
    """SQL run directly by the base's owner role (what an administrator could do)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def line(output: str, start: str) -> str:
    found = [row for row in output.splitlines() if start in row]
    assert len(found) == 1, output
    return found[0]


@on_a_server
def test_check_of_a_healthy_server_base_exits_0(
    engine: str, server_base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(capsys, "check", "--db", server_base)

    assert code == EXIT_OK, output
    assert "PROBLÈME" not in output
    assert "fabrique:***@" in output  # the password is not shown
    assert line(output, "Connexion à la base").startswith("OK")
    assert "établie (PostgreSQL" in output
    assert line(output, "Version du schéma").startswith("OK")
    assert line(output, "Déclencheurs du journal : présents et conformes (4).").startswith("OK")
    assert line(output, "Index de recherche : conforme aux dossiers.").startswith("OK")
    assert line(output, "Journal :").startswith("OK")
    assert "aucune entrée" not in line(output, "Journal :")
    assert "Contenu : 1 candidat, 0 rendez-vous." in output
    assert "Base en bon état." in output


@on_a_server
def test_check_reports_the_search_index_gone(
    engine: str, server_base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    behind_the_application(server_base, "DROP INDEX ix_candidate_search_words")

    code, output = run(capsys, "check", "--db", server_base)

    assert code == EXIT_REFUSED, output
    assert line(output, "Index de recherche : ne correspond plus").startswith("PROBLÈME")


@on_a_server
@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (
            ["DROP TRIGGER audit_entry_no_delete ON audit_entry"],
            "le déclencheur « audit_entry_no_delete » est absent",
        ),
        (
            ["ALTER TABLE app_setting DISABLE TRIGGER app_setting_journal_no_update"],
            "le déclencheur « app_setting_journal_no_update » est désactivé",
        ),
        (
            [
                "CREATE OR REPLACE FUNCTION audit_entry_no_update() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END; $$"
            ],
            "le déclencheur « audit_entry_no_update » a été modifié",
        ),
        (
            [
                "CREATE FUNCTION let_through() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN RETURN NULL; END; $$",
                "CREATE TRIGGER aaa_first BEFORE INSERT ON audit_entry "
                "FOR EACH ROW EXECUTE FUNCTION let_through()",
            ],
            "un déclencheur en trop « aaa_first » agit sur le journal",
        ),
    ],
    ids=["dropped", "disabled", "changed", "extra"],
)
def test_check_reports_the_journal_unprotected(
    engine: str,
    statements: list[str],
    expected: str,
    server_base: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    behind_the_application(server_base, *statements)

    code, output = run(capsys, "check", "--db", server_base)

    assert code == EXIT_REFUSED
    triggers = line(output, "Déclencheurs du journal")
    assert triggers.startswith("PROBLÈME")
    assert expected in triggers
    assert "le journal n'est plus protégé contre les modifications" in triggers
    assert "Des problèmes ont été trouvés." in output


@on_a_server
def test_check_reports_an_entry_changed_behind_the_triggers(
    engine: str, server_base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    behind_the_application(
        server_base,
        "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_update",
        "UPDATE audit_entry SET author = 'Quelqu''un' WHERE id = (SELECT min(id) FROM audit_entry)",
        "ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_no_update",
    )

    code, output = run(capsys, "check", "--db", server_base)

    assert code == EXIT_REFUSED
    assert line(output, "Déclencheurs du journal").startswith("OK")
    journal = line(output, "Journal :")
    assert journal.startswith("PROBLÈME")
    assert "modifiée" in journal


@on_a_server
def test_check_of_a_server_out_of_reach_exits_1_in_french(
    engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server_url()
    assert url
    nowhere = make_url(url).set(host="127.0.0.1", port=1).render_as_string(False)

    code, output = run(capsys, "check", "--db", nowhere)

    assert code == EXIT_REFUSED
    assert "PROBLÈME  Connexion à la base : le serveur est injoignable" in output
    assert "Des problèmes ont été trouvés." in output
