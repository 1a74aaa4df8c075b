"""The window's views, one entry each: adding a view is adding its entry to VIEWS.

The main window derives everything from this registry, as it is when the window is made: the
navigation (order, French label, icon; the first entry is the view it opens on, open to every
role), who sees each view, the builder it calls when the view is first needed, the keyboard
shortcut that opens it, which views hold unsaved edits to settle before the window lets go, and
what a view reads again when another person signs in. Names are those of CONTRACT.md
(`window.show_view(name)`), object names those the tests find; keep both unchanged.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION, ROLE_FORMATEUR
from app.ui.agenda.view import AgendaView
from app.ui.agreements.view import AgreementsView
from app.ui.audit.view import AuditView
from app.ui.candidates.view import CandidatesView
from app.ui.dashboard.view import DashboardView
from app.ui.orientation.view import OrientationView
from app.ui.partners.view import PartnersView
from app.ui.projects.view import ProjectsView
from app.ui.settings.view import SettingsView
from app.ui.users.view import UsersView

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

EVERY_ROLE = frozenset({ROLE_ACCUEIL, ROLE_FORMATEUR, ROLE_COORDINATION})
COORDINATION_ONLY = frozenset({ROLE_COORDINATION})


@dataclass(frozen=True)
class ViewEntry:
    """One view of the window. Hiding a view from a role is for clarity, not the gate: the
    services refuse what a role may not do whatever the window shows."""

    name: str  # CONTRACT.md: `window.show_view(name)`
    label: str  # French, in the navigation
    icon: str  # resources/icons/<icon>.svg
    object_name: str  # the view widget's objectName
    build: Callable[["MainWindow"], QWidget]  # called once, when the view is first needed
    roles: frozenset[str] = COORDINATION_ONLY
    shortcut: str | None = None  # a QKeySequence text that shows the view
    holds_edits: bool = False  # has `confirm_leave()`: asked before closing or switching user
    # What the view reads again when another person signs in (their rights differ).
    on_user_change: Callable[[QWidget], None] | None = None


def _candidates(window: "MainWindow") -> QWidget:
    view = CandidatesView(window.context, window.header)
    view.agreement_requested.connect(window.show_learner_agreement)
    for source in (view.appointments, view.today):
        source.agenda_requested.connect(lambda day, aid: _show_in_agenda(window, day, aid))
    return view


def _agenda(window: "MainWindow") -> QWidget:
    return AgendaView(window.context, window.header)


def _show_in_agenda(window: "MainWindow", day: date, appointment_id: int | None) -> None:
    """The agenda on that day's week, the appointment chosen (from a candidate's file)."""
    agenda = window.show_view("agenda")
    assert isinstance(agenda, AgendaView)
    agenda.go_to(day, appointment_id)


def _orientation(window: "MainWindow") -> QWidget:
    return OrientationView(window.context, window.header)


def _projects(window: "MainWindow") -> QWidget:
    view = ProjectsView(window.context, window.header)
    view.new_structure_requested.connect(lambda: _new_structure(window))
    return view


def _new_structure(window: "MainWindow") -> None:
    """From a project's file: the Structures view on a new host (the project view lists it
    when it shows again)."""
    partners = window.show_view("partners")
    assert isinstance(partners, PartnersView)
    partners.new_host()


def _reload_projects(view: QWidget) -> None:
    assert isinstance(view, ProjectsView)
    if view.isVisible():
        view.reload()


def _agreements(window: "MainWindow") -> QWidget:
    view = AgreementsView(window.context, window.header)
    view.settings_requested.connect(lambda: window.show_view("settings"))
    return view


def _dashboard(window: "MainWindow") -> QWidget:
    view = DashboardView(window.context, window.header)
    view.candidate_requested.connect(lambda candidate_id: _open_file(window, candidate_id))
    return view


def _open_file(window: "MainWindow", candidate_id: int) -> None:
    """A person behind a dashboard figure: their file in the Candidats view."""
    candidates = window.candidates_view
    if candidates.confirm_leave():
        window.show_view("candidates")
        candidates.open_candidate(candidate_id)


def _partners(window: "MainWindow") -> QWidget:
    return PartnersView(window.context)


def _settings(window: "MainWindow") -> QWidget:
    view = SettingsView(window.context)
    view.security.idle_lock_changed.connect(window.set_idle_minutes)
    return view


def _audit(window: "MainWindow") -> QWidget:
    return AuditView(window.context)


def _users(window: "MainWindow") -> QWidget:
    return UsersView(window.context)


def _reload_candidate_file(view: QWidget) -> None:
    assert isinstance(view, CandidatesView)
    view.form.reload()


def _reload_cohorts(view: QWidget) -> None:
    assert isinstance(view, OrientationView)
    view.reload_cohorts()


VIEWS: tuple[ViewEntry, ...] = (
    ViewEntry(
        "candidates",
        "Candidats",
        "users",
        "candidatesView",
        _candidates,
        roles=EVERY_ROLE,
        holds_edits=True,
        on_user_change=_reload_candidate_file,
    ),
    ViewEntry(
        "agenda",
        "Agenda",
        "calendar-event",
        "agendaView",
        _agenda,
        roles=EVERY_ROLE,  # a trainer reads it; only the desk and coordination change it
        shortcut="Ctrl+Shift+A",
    ),
    ViewEntry(
        "orientation",
        "Orientation",
        "school",
        "orientationView",
        _orientation,
        roles=frozenset({ROLE_FORMATEUR, ROLE_COORDINATION}),
        on_user_change=_reload_cohorts,
    ),
    ViewEntry(
        "projects",
        "Projets",
        "clipboard-check",
        "projectsView",
        _projects,
        roles=frozenset({ROLE_FORMATEUR, ROLE_COORDINATION}),
        shortcut="Ctrl+Shift+P",
        holds_edits=True,
        on_user_change=_reload_projects,
    ),
    ViewEntry(
        "agreements",
        "Conventions",
        "file-certificate",
        "agreementsView",
        _agreements,
        holds_edits=True,
    ),
    ViewEntry(
        "partners", "Structures", "building-community", "partnersView", _partners, holds_edits=True
    ),
    ViewEntry(
        "dashboard",
        "Tableau de bord",
        "chart-bar",
        "dashboardView",
        _dashboard,
        shortcut="Ctrl+Shift+T",
    ),
    ViewEntry("settings", "Paramètres", "settings", "settingsView", _settings, holds_edits=True),
    ViewEntry("audit", "Journal, RGPD", "shield-lock", "auditView", _audit),
    ViewEntry("users", "Utilisateurs", "user-shield", "usersView", _users),
)
VIEW_NAMES = [entry.name for entry in VIEWS]
