"""A save reported as done survives the process being killed (SIGKILL) at any moment.

A child process saves candidates one after another through the real services and `Database`,
printing "saved <uuid>" after each commit returned. It is killed at varying moments, fifteen
times; then the database must pass `PRAGMA integrity_check` and hold every reported save.
WAL with synchronous=FULL (app/storage/database.py) is what makes this hold.
"""

import random
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.services.base_access.opening import open_app_database
from tests.encrypted import raw_connect

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parents[3]
ROUNDS = 15
LINE_TIMEOUT_S = 20.0

CHILD = """
import sys

from app.services.base_access import keys as base_keys
from app.services.actor import system_actor
from app.services.candidates.records import CandidateInput, create_candidate
from app.storage import Database
from app.storage.database import sqlite_path

actor = system_actor("test de durabilité (processus tué)", author="durabilite")

# The base is encrypted; no password protects it yet: its key file's open slot gives the key.
key = base_keys.access_without_password(sqlite_path(sys.argv[1]), new_base=False)
database = Database(sys.argv[1], key=key)
round_ = sys.argv[2]
number = 0
while True:
    number += 1
    data = CandidateInput(
        nom="Durable",
        prenom=f"R{round_}N{number}",
        email=f"r{round_}.n{number}@exemple.fr",
        saison="2026-2027",
        site="cobalt",
    )
    with database.session() as session:
        saved = create_candidate(session, data, actor=actor)
    print(f"saved {saved.uuid}", flush=True)
"""


def read_line(child: subprocess.Popen[str], selector: selectors.BaseSelector) -> str:
    if not selector.select(LINE_TIMEOUT_S):
        child.kill()
        pytest.fail("the saving process stopped answering")
    assert child.stdout is not None
    return child.stdout.readline()


def kill_after_some_saves(url: str, round_: int, rng: random.Random) -> list[str]:
    """Start a saving process, let it report a few saves, kill it mid-stream; its reports."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(round_)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stderr is not None
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    lines: list[str] = []
    wanted = rng.randint(1, 10)
    while len(lines) < wanted and (line := read_line(child, selector)):
        lines.append(line)
    time.sleep(rng.uniform(0, 0.03))  # somewhere in the middle of the next saves
    child.send_signal(signal.SIGKILL)
    rest, errors = child.communicate()
    selector.close()
    assert child.returncode == -signal.SIGKILL, errors
    lines += rest.splitlines()
    saves = [line.split()[1] for line in lines if line.startswith("saved ")]
    assert saves, errors
    return saves


def test_every_save_reported_done_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "durable.sqlite"
    url = "sqlite:///" + str(path)
    open_app_database(url).dispose()
    rng = random.Random(20261129)
    reported: list[str] = []
    for round_ in range(ROUNDS):
        reported += kill_after_some_saves(url, round_, rng)

    connection = raw_connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        stored = {row[0] for row in connection.execute("SELECT uuid FROM candidate")}
        histories = connection.execute(
            "SELECT count(*) FROM candidate c WHERE NOT EXISTS "
            "(SELECT 1 FROM stage_change s WHERE s.candidate_id = c.id)"
        ).fetchone()[0]
    finally:
        connection.close()
    assert set(reported) <= stored
    # at most the one save per round that committed just before the kill, unreported
    assert len(stored) - len(reported) <= ROUNDS
    assert histories == 0  # each candidate came with its first history line: no half save
