"""Every item model of the window passes Qt's model tester, and none can be added without.

The models are checked where their data is built (the views' tests); this file holds the
list of where, and fails when a model class appears in app/ui without an entry, so a new
table cannot skip the check.
"""

import importlib
import inspect
import pkgutil
from datetime import date
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, Qt

import app.ui
from app.services.rgpd.person_data import RetentionCandidate
from app.ui.rgpd.retention import RetentionTableModel

# Model class -> the test that runs qtmodeltester on it with real rows.
CHECKED_IN = {
    "app.ui.agenda.week_model.AgendaWeekModel": "tests/gui/test_agenda.py",
    "app.ui.agreements.presence.AbsencesModel": "tests/gui/test_agreement_presence.py",
    "app.ui.agreements.table_model.AgreementsTableModel": "tests/gui/test_agreements_view.py",
    "app.ui.audit.table_model.AuditTableModel": "tests/gui/test_audit_view.py",
    "app.ui.candidates.follow_ups.DueFollowUpsModel": "tests/gui/test_outcomes_ui.py",
    "app.ui.candidates.import_model.ImportRowsModel": "tests/gui/test_import_dialog.py",
    "app.ui.candidates.table_model.CandidatesTableModel": "tests/gui/test_table_model.py",
    "app.ui.dashboard.models.IndicatorTableModel": "tests/gui/test_dashboard.py",
    "app.ui.dashboard.models.PeopleTableModel": "tests/gui/test_dashboard.py",
    "app.ui.orientation.models.GridModel": "tests/gui/test_orientation_view.py",
    "app.ui.orientation.models.MatrixModel": "tests/gui/test_orientation_view.py",
    "app.ui.partners.models.HostsTableModel": "tests/gui/test_partners_view.py",
    "app.ui.partners.models.TutorsTableModel": "tests/gui/test_partners_view.py",
    "app.ui.projects.models.HistoryTableModel": "tests/gui/test_projects_view.py",
    "app.ui.projects.models.MilestonesTableModel": "tests/gui/test_projects_view.py",
    "app.ui.projects.models.ProjectsTableModel": "tests/gui/test_projects_view.py",
    "app.ui.projects.models.RankingTableModel": "tests/gui/test_projects_view.py",
    "app.ui.projects.models.ReviewsTableModel": "tests/gui/test_projects_view.py",
    "app.ui.projects.import_dialog.ProjectImportRowsModel": (
        "tests/gui/test_project_import_dialog.py"
    ),
    "app.ui.rgpd.retention.RetentionTableModel": "tests/gui/test_every_table_model.py",
}


def window_models() -> set[str]:
    """Every concrete QAbstractItemModel subclass defined in app.ui."""
    found = set()
    for module_info in pkgutil.walk_packages(app.ui.__path__, "app.ui."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, QAbstractItemModel)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found.add(f"{value.__module__}.{name}")
    return found


def test_every_model_of_the_window_is_checked_somewhere() -> None:
    assert window_models() == set(CHECKED_IN)


def test_each_listed_check_exists() -> None:
    root = Path(__file__).resolve().parents[2]
    for model, test_file in CHECKED_IN.items():
        text = (root / test_file).read_text(encoding="utf-8")
        assert "qtmodeltester.check" in text, test_file
        assert model.rsplit(".", 1)[1] in text or test_file.endswith("every_table_model.py")


def test_retention_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = RetentionTableModel()
    qtmodeltester.check(model, force_py=True)  # empty, as on a base with nothing to anonymise
    model.set_rows(
        [
            RetentionCandidate(
                id=n,
                uuid=f"uuid-{n}",
                name=f"Personne {n}",
                season="2022-2023",
                site="Cobalt",
                stage="non retenu",
                last_activity=date(2023, 1, n),
            )
            for n in range(1, 6)
        ]
    )
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 5
    assert model.index(0, 4).data() == "01/01/2023"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Nom"
