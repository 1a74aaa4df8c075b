"""The lazy candidates model: Qt's model checks, paging, sorting, filtering; the agreements
model: rows to review, column widths."""

from datetime import date

import pytest
from pytestqt.modeltest import ModelTester

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QIcon
from PySide6.QtWidgets import QApplication

from app.errors import StorageError
from app.services.agreements.listing import AgreementRow
from app.services.candidates import records as cs
from app.storage import Database
from app.ui.agreements.table_model import (
    FOLLOW_UP_COLUMN,
    HOST_COLUMN,
    HOST_FLOOR,
    LEARNER_COLUMN,
    STATUS_COLUMN,
    AgreementsTableModel,
    column_widths,
)
from app.ui.candidates import table_model
from app.ui.candidates.table_model import CandidatesTableModel
from tests.conftest import make_actor


def _add(db: Database, count: int) -> None:
    with db.session() as session:
        for n in range(count):
            cs.create_candidate(
                session,
                cs.CandidateInput(
                    nom=f"Nom{n:03d}",
                    prenom="Zoé" if n % 2 else "Éloïse",
                    email=f"p{n}@exemple.fr",
                    date_naissance=f"01/01/{1960 + n % 40}",
                    saison="2026-2027",
                    site="cobalt" if n % 3 else "du-guesclin",
                ),
                actor=make_actor("coordination", "test"),
            )


def test_model_passes_qt_model_checks(qtmodeltester: ModelTester, db: Database) -> None:
    _add(db, 30)
    model = CandidatesTableModel(db)
    model.reload()
    qtmodeltester.check(model, force_py=True)
    model.set_query(cs.CandidateQuery(text="nom01"))
    qtmodeltester.check(model, force_py=True)


def test_rows_are_loaded_by_page_only_when_shown(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(db, 60)
    monkeypatch.setattr(table_model, "PAGE_SIZE", 20)
    model = CandidatesTableModel(db)
    model.reload()
    assert model.rowCount() == 60
    assert model._cache == {}
    assert model.index(0, 0).data() == "NOM000 Éloïse"
    assert len(model._cache) == 20
    assert model.index(59, 0).data() == "NOM059 Zoé"
    assert len(model._cache) <= 40


def test_sort_and_filter_by_database(db: Database) -> None:
    _add(db, 12)
    model = CandidatesTableModel(db)
    model.reload()
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data() == "NOM011 Zoé"
    age_column = model.column_of("age")
    model.sort(age_column, Qt.SortOrder.AscendingOrder)
    ages = [int(model.index(r, age_column).data()) for r in range(model.rowCount())]
    assert ages == sorted(ages)
    with db.session() as session:
        cobalt = next(o.id for o in cs.reference.sites(session) if o.code == "cobalt")
    model.set_query(cs.CandidateQuery(site_id=cobalt))
    assert model.rowCount() == 8
    site_column = model.column_of("site")
    assert {model.index(r, site_column).data() for r in range(model.rowCount())} == {"Cobalt"}
    assert model.headerData(model.column_of("stage"), Qt.Orientation.Horizontal) == "Étape"


def test_a_storage_failure_while_painting_is_reported_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(db, 5)
    model = CandidatesTableModel(db)
    model.reload()
    failures: list[str] = []
    model.load_failed.connect(failures.append)

    def unavailable(*_args: object, **_kwargs: object) -> object:
        raise StorageError("La base de données n'a pas pu enregistrer : elle ne répond pas.")

    monkeypatch.setattr(cs, "rows", unavailable)
    assert [model.index(r, 0).data() for r in range(5)] == [None] * 5
    assert failures == ["La base de données n'a pas pu enregistrer : elle ne répond pas."]
    monkeypatch.undo()
    assert model.index(0, 0).data() == "NOM000 Éloïse"


def test_nothing_is_read_until_the_view_sets_a_query(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(db, 3)
    model = CandidatesTableModel(db)
    searches: list[object] = []
    real_search = cs.search_ids

    def counted(*args: object, **kwargs: object) -> list[int]:
        searches.append(args[1])
        return real_search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cs, "search_ids", counted)
    model.sort(0, Qt.SortOrder.DescendingOrder)  # what the view does while it is being built
    assert searches == [] and model.rowCount() == 0

    model.set_query(cs.CandidateQuery(text="nom00"))
    assert len(searches) == 1
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert [name.split()[0] for name in names] == ["NOM002", "NOM001", "NOM000"]  # sort kept


def test_a_long_list_reads_its_ids_as_it_is_scrolled(
    qtmodeltester: ModelTester, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(db, 45)
    monkeypatch.setattr(table_model, "IDS_CHUNK", 20)
    model = CandidatesTableModel(db)
    model.set_query(cs.CandidateQuery(text="nom"))

    assert (model.rowCount(), model.total, model.canFetchMore()) == (20, 45, True)
    model.fetchMore()
    assert (model.rowCount(), model.canFetchMore()) == (40, True)
    with db.session() as session:
        everyone = cs.search_ids(session, cs.CandidateQuery(text="nom"))
    assert model.row_of(everyone[44]) is None  # not read yet
    assert model.find_row(everyone[44]) == 44
    assert (model.rowCount(), model.canFetchMore()) == (45, False)
    assert [model.candidate_id(r) for r in range(45)] == everyone
    partly_read = CandidatesTableModel(db)
    partly_read.set_query(cs.CandidateQuery(text="nom"))
    qtmodeltester.check(partly_read, force_py=True)  # it may read further, as a view does
    assert partly_read.total == 45


# ---------------------------------------------------------------- the agreements list


def _agreement_row(
    agreement_id: int,
    learner: str,
    host: str = "Atelier Vélo Solidaire",
    *,
    to_review: tuple[str, ...] = (),
    waiting: bool = False,
) -> AgreementRow:
    return AgreementRow(
        id=agreement_id,
        number=f"FAB-2027-{agreement_id:04d}",
        status="en_cours",
        status_label="en cours",
        learner=learner,
        host=host,
        start=date(2027, 6, 7),
        end=date(2027, 7, 30),
        waiting_signature=waiting,
        ends_this_month=False,
        host_id=1,
        to_review=to_review,
    )


REVIEW = ("36 h par semaine : au-delà de 35 h (Code du travail, L6343-2).",)


def test_agreements_model_flags_rows_to_review(qtmodeltester: ModelTester) -> None:
    model = AgreementsTableModel()
    model.set_rows(
        [
            _agreement_row(1, "DUPONT Léa", to_review=REVIEW, waiting=True),
            _agreement_row(2, "BERNARD Marc"),
        ]
    )
    qtmodeltester.check(model, force_py=True)
    first = model.row_of(1)
    second = model.row_of(2)
    assert first is not None and second is not None
    # A warning sign beside the status, the reasons in its tooltip.
    status = model.index(first, STATUS_COLUMN)
    assert status.data() == "En cours"
    assert isinstance(status.data(Qt.ItemDataRole.DecorationRole), QIcon)
    assert status.data(Qt.ItemDataRole.ToolTipRole) == "À revoir :\n• " + REVIEW[0]
    assert model.index(first, FOLLOW_UP_COLUMN).data() == "À signer"
    assert model.index(second, STATUS_COLUMN).data(Qt.ItemDataRole.DecorationRole) is None
    assert model.index(second, STATUS_COLUMN).data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.index(second, 2).data(Qt.ItemDataRole.ToolTipRole) == "BERNARD Marc"
    model.sort(FOLLOW_UP_COLUMN, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0).id == 1  # type: ignore[union-attr]
    qtmodeltester.check(model, force_py=True)


def test_column_widths_show_whole_names_when_there_is_room(qapp: QApplication) -> None:
    metrics = QFontMetrics(qapp.font())
    long_host = "Agence intercommunale pour l'emploi du Niortais"
    rows = [_agreement_row(1, "SABOURIN (François) Nadège", long_host), _agreement_row(2, "X Y")]
    wide = column_widths(rows, metrics, metrics, 1600)
    assert wide.widths[LEARNER_COLUMN] >= metrics.horizontalAdvance(rows[0].learner)
    assert wide.widths[HOST_COLUMN] >= metrics.horizontalAdvance(long_host)
    assert wide.total == 1600  # what is left goes to the host
    assert wide.hidden == {FOLLOW_UP_COLUMN}  # nothing to follow up: no empty column

    narrow = column_widths(rows, metrics, metrics, 640)
    assert narrow.widths[LEARNER_COLUMN] >= metrics.horizontalAdvance(rows[0].learner)
    assert narrow.widths[HOST_COLUMN] >= HOST_FLOOR  # elided in its middle, whole in a tooltip
    assert narrow.total <= 640

    plain = column_widths([_agreement_row(1, "A B")], metrics, metrics, 900)
    flagged = column_widths([_agreement_row(1, "A B", to_review=REVIEW)], metrics, metrics, 900)
    assert flagged.widths[STATUS_COLUMN] > plain.widths[STATUS_COLUMN]  # room for the sign
    waiting = column_widths([_agreement_row(1, "A B", waiting=True)], metrics, metrics, 900)
    assert FOLLOW_UP_COLUMN not in waiting.hidden
    assert waiting.widths[FOLLOW_UP_COLUMN] >= metrics.horizontalAdvance("À signer")
