"""The demo's amended agreement (FAB-2026-0005, an avenant signed on 18/06/2026 frees
Wednesday afternoons) shows 287 h everywhere: each day counts with the terms in force that day.
Before issue 11 the form and the avenant said 276,5 h (new week over the whole period)."""

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.demo.seed import seed_demo
from app.services.agreements import details, rules, terms_text
from app.services.agreements.csv_export import export_agreements
from app.services.agreements.documents import (
    HOURS_LABEL,
    DocumentKind,
    agreement_id_for_number,
    avenant_data,
    convention_data,
    evaluation_data,
    render_document,
)
from app.services.base_access.opening import open_app_database
from app.storage import Database
from tests.conftest import TODAY
from tests.unit.pdf.documents_world import flat

NUMBER = "FAB-2026-0005"
TOTAL = "287 h, soit 41 journées de 7 h, sur 44 jours de présence"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as session:
        seed_demo(session, today=TODAY)
    yield database
    database.dispose()


def test_the_amended_demo_agreement_is_287_hours_everywhere(demo: Database, tmp_path: Path) -> None:
    with demo.session(commit=False) as s:
        agreement_id = agreement_id_for_number(s, NUMBER)
        info = details.get_agreement(s, agreement_id)
        assert [a.signed_on for a in info.amendments] == [TODAY.replace(month=6, day=18)]
        assert (info.hours.hours, info.hours.days) == (287, 44)
        form = rules.validate_agreement(s, info.values, agreement_id=agreement_id, today=TODAY)
        assert form.hours == info.hours
        assert terms_text.describe_hours(info.hours).startswith(TOTAL)

        convention = convention_data(s, agreement_id, today=TODAY)
        assert convention.hours_text == TOTAL
        assert [p.hours for p in convention.periods] == [91, 196]
        assert convention.consolidated_rank == 1
        assert TOTAL in flat(render_document(s, agreement_id, DocumentKind.CONVENTION, today=TODAY))

        avenant = avenant_data(s, agreement_id, 1, today=TODAY)
        (hours_row,) = [c for c in avenant.changes if c.label == HOURS_LABEL]
        assert hours_row.after.startswith(TOTAL)

        assert evaluation_data(s, agreement_id, today=TODAY).hours == 287
        attestation = flat(render_document(s, agreement_id, DocumentKind.ATTESTATION, today=TODAY))
        assert "287 h" in attestation

        out = tmp_path / "conventions.csv"
        export_agreements(s, out, today=TODAY)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["numero"]: row for row in csv.DictReader(handle, delimiter=";")}
    assert rows[NUMBER]["heures_effectives"] == "287"
