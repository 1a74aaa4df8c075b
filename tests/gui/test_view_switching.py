"""Switching views reads only what the view shows, and still shows what changed meanwhile
(issue 6): statuses follow the dates, a hidden view catches up with the header when it shows,
every season is read off the UI thread, opening a file of another season shows that season."""

from datetime import date, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel

from app.domain import Host, Tutor
from app.domain.agreement import Signatory
from app.services import reference
from app.services.agreements import details, life_cycle, listing
from app.services.agreements.choices import default_period
from app.services.agreements.terms import AgreementInput
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.ui.agreements.table_model import BY_PERIOD, AgreementsTableModel, sort_rows
from app.ui.agreements.view import UPDATING, AgreementsView
from app.ui.candidates.view import CandidatesView
from app.ui.main_window import MainWindow
from app.ui.orientation.view import OrientationView
from tests.conftest import make_actor

COORD = "coordination"
CURRENT_YEAR = reference.season_start_year(date.today())
# Its internships (June and July after its start) are over whatever the day of the test run.
PAST = reference.season_label(CURRENT_YEAR - 1)
COMING = reference.season_label(CURRENT_YEAR + 1)


def _learner(window: MainWindow, nom: str, season: str, *, site: str = "cobalt") -> int:
    at = datetime(int(season[:4]) - 1, 11, 20, 9, 0)
    with window.context.database.session() as s:
        data = CandidateInput(
            nom=nom, prenom="Alex", email=f"{nom.lower()}@exemple.fr", saison=season, site=site
        )
        candidate_id = create_candidate(s, data, now=at, actor=make_actor(COORD, "test")).id
        for stage in ("entretien", "admis", "entre_formation"):
            change_stage(
                s, candidate_id, stage, comment="", now=at, actor=make_actor(COORD, "test")
            )
    window.header.reload_seasons()
    return candidate_id


def _host(window: MainWindow) -> tuple[int, int]:
    with window.context.database.session() as s:
        host = Host(name="Atelier Vélo Solidaire", legal_form="association", city="Poitiers")
        s.add(host)
        s.flush()
        tutor = Tutor(host_id=host.id, name="Jeanne Petit")
        s.add(tutor)
        s.flush()
        return host.id, tutor.id


def _draft(window: MainWindow, learner: int, season: str, host: tuple[int, int]) -> int:
    start, end = default_period(date(int(season[:4]), 12, 1))
    with window.context.database.session() as s:
        info = life_cycle.create_draft(
            s,
            AgreementInput(
                candidat=str(learner),
                structure=str(host[0]),
                tuteur=str(host[1]),
                formateur_referent="Samir Haddad",
                telephone_referent="05 49 52 10 10",
                email_referent="samir.haddad@fabrique-numerique.fr",
                financeur="region",
                date_debut=start,
                date_fin=end,
                horaires={day: "7" for day in range(5)},
                activites="Accueil des usagers",
                competences="Diagnostic",
            ),
            actor=make_actor(COORD, "test"),
        )
    return info.id


def _sign(window: MainWindow, agreement_id: int, on: date) -> None:
    with window.context.database.session() as s:
        life_cycle.mark_ready(
            s, agreement_id, actor=make_actor(COORD, "test"), late_start_reason="Régularisation"
        )
        for who in Signatory:
            life_cycle.record_signature(
                s, agreement_id, who.value, on, actor=make_actor(COORD, "test")
            )


def _choose_season(window: MainWindow, label: str | None) -> None:
    combo = window.header.season_combo
    combo.setCurrentIndex(combo.findText(f"Saison {label}") if label else 0)


def _agreements(window: MainWindow) -> AgreementsView:
    view = window.show_view("agreements")
    assert isinstance(view, AgreementsView)
    return view


def _listed(view: AgreementsView) -> list[int]:
    return [row.id for i in range(view.model.rowCount()) if (row := view.model.row_at(i))]


def _offered(qtbot: QtBot, view: AgreementsView) -> list[str]:
    """The learners the form offers once the user reaches its learner list (the keyboard)."""
    box = view.form.learner_box
    qtbot.keyClick(box, Qt.Key.Key_Shift)
    return [box.itemData(i) for i in range(1, box.count())]


# ---------------------------------------------------------------- agreements


def test_statuses_follow_the_dates_when_the_agreements_view_shows(window: MainWindow) -> None:
    learner = _learner(window, "Dupont", PAST)
    agreement = _draft(window, learner, PAST, _host(window))
    start = date(CURRENT_YEAR, 6, 1)  # the past season's internships start in June
    _sign(window, agreement, start - timedelta(days=30))
    with window.context.database.session(commit=False) as s:
        assert details.get_agreement(s, agreement).status == "signee"
    _choose_season(window, PAST)

    view = _agreements(window)

    with window.context.database.session(commit=False) as s:
        assert details.get_agreement(s, agreement).status == "terminee"
    assert view.model.rowCount() == 1
    assert view.model.index(0, 1).data() == "Terminée"


def test_a_hidden_view_shows_what_changed_and_the_header_scope_when_it_shows(
    qtbot: QtBot, window: MainWindow
) -> None:
    host = _host(window)
    past = _learner(window, "Ancien", PAST)
    coming = _learner(window, "Nouveau", COMING)
    _choose_season(window, PAST)
    view = _agreements(window)
    assert _listed(view) == []
    assert "Aucune convention pour la saison" in view.findChild(QLabel, "agreementsEmpty").text()

    window.show_view("candidates")
    old = _draft(window, past, PAST, host)  # as from another desk, while the view is hidden
    _choose_season(window, COMING)
    new = _draft(window, coming, COMING, host)
    _agreements(window)
    assert _listed(view) == [new]
    count = view.findChild(QLabel, "agreementCount").text()
    assert count == "1 convention · 0 à signer · 0 se termine ce mois-ci"
    assert _offered(qtbot, view) == [str(coming)]

    window.show_view("candidates")
    _choose_season(window, PAST)
    _agreements(window)
    assert _listed(view) == [old]
    assert _offered(qtbot, view) == [str(past)]


def test_every_season_is_read_in_the_background(qtbot: QtBot, window: MainWindow) -> None:
    host = _host(window)
    past = _learner(window, "Ancien", PAST)
    coming = _learner(window, "Nouveau", COMING)
    first = _draft(window, past, PAST, host)
    _choose_season(window, None)

    view = _agreements(window)

    count = view.findChild(QLabel, "agreementCount")
    assert count.text() == UPDATING
    assert not view.batch_button.isEnabled()
    qtbot.waitUntil(lambda: _listed(view) == [first])
    assert count.text().startswith("1 convention ·")
    assert view.batch_button.isEnabled()
    # Every season: the learners who may still need an agreement, and why the others are not.
    assert _offered(qtbot, view) == [str(coming)]
    assert "période de stage n'est pas terminée" in view.form.learner_box.toolTip()


def test_a_direct_reload_wins_over_an_older_background_reading(
    qtbot: QtBot, window: MainWindow
) -> None:
    host = _host(window)
    first = _draft(window, _learner(window, "Ancien", PAST), PAST, host)
    _choose_season(window, None)
    view = _agreements(window)
    assert view.reader.wait()  # read, its result not delivered yet
    second = _draft(window, _learner(window, "Nouveau", COMING), COMING, host)
    view.reload()
    assert set(_listed(view)) == {first, second}
    qtbot.wait(50)  # the older result arrives now, and is dropped
    assert set(_listed(view)) == {first, second}
    assert view.findChild(QLabel, "agreementCount").text().startswith("2 conventions ·")


def test_filters_pick_among_the_rows_read(window: MainWindow) -> None:
    host = _host(window)
    first = _draft(window, _learner(window, "Ancien", COMING), COMING, host)
    second = _draft(window, _learner(window, "Nouveau", COMING), COMING, host)
    with window.context.database.session() as s:
        life_cycle.mark_ready(s, second, actor=make_actor(COORD, "test"))
    _choose_season(window, COMING)
    view = _agreements(window)
    assert set(_listed(view)) == {first, second}
    status = view.findChild(QComboBox, "statusFilter")
    status.setCurrentIndex(status.findData("prete_a_signer"))
    assert _listed(view) == [second]
    status.setCurrentIndex(0)
    hosts = view.findChild(QComboBox, "hostFilter")
    assert hosts.itemText(1) == "Atelier Vélo Solidaire"
    hosts.setCurrentIndex(1)
    assert set(_listed(view)) == {first, second}


# ---------------------------------------------------------------- candidates


def test_opening_a_file_of_another_season_shows_that_season(window: MainWindow) -> None:
    view = window.show_view("candidates")
    assert isinstance(view, CandidatesView)
    here = _learner(window, "Present", COMING)
    other = _learner(window, "Ailleurs", PAST, site="du-guesclin")
    _choose_season(window, COMING)
    site = window.header.site_combo
    site.setCurrentIndex(site.findText("Cobalt (Poitiers)"))
    view.search.setText("present")
    view.apply_filters()
    assert view.model.rowCount() == 1

    view.open_candidate(other)

    assert window.header.season_combo.currentText() == f"Saison {PAST}"
    assert site.currentText() == "Centre Du Guesclin (Niort)"
    assert view.search.text() == ""
    assert view.model.candidate_id(view.table.currentIndex().row()) == other
    assert view.form.candidate_id == other
    # Every site chosen: it stays so.
    site.setCurrentIndex(0)
    view.open_candidate(here)
    assert window.header.season_combo.currentText() == f"Saison {COMING}"
    assert site.currentIndex() == 0
    assert view.model.candidate_id(view.table.currentIndex().row()) == here


def test_the_hidden_candidates_list_follows_the_header_when_shown(window: MainWindow) -> None:
    view = window.candidates_view
    _learner(window, "Present", COMING)
    _learner(window, "Ailleurs", PAST)
    _choose_season(window, COMING)
    assert view.model.rowCount() == 1
    window.show_view("partners")
    _choose_season(window, None)
    window.show_view("candidates")
    assert view.model.rowCount() == 2
    assert view.count_label.text() == "2 candidats"


# ---------------------------------------------------------------- orientation


@pytest.fixture
def orientation(window: MainWindow) -> OrientationView:
    view = window.show_view("orientation")
    assert isinstance(view, OrientationView)
    return view


def test_orientation_reads_a_tab_when_it_shows(
    qtbot: QtBot, window: MainWindow, orientation: OrientationView
) -> None:
    ancien = _learner(window, "Ancien", PAST)
    nouveau = _learner(window, "Nouveau", COMING)
    _choose_season(window, PAST)
    window.show_view("candidates")
    _choose_season(window, COMING)  # hidden: the view follows when it shows
    window.show_view("orientation")
    assert orientation.cohort_picker.currentText() == f"Saison {COMING} — Cobalt"
    learners = orientation.findChild(QComboBox, "learnerPicker")
    assert orientation.matrix_model.rowCount() == 0  # its tab is not shown
    orientation.tabs.setCurrentWidget(orientation.learner_tab)
    assert [learners.itemData(i) for i in range(learners.count())] == [nouveau]
    # The promotion list holds the header season's cohorts only: it follows the header.
    assert orientation.cohort_picker.findText(f"Saison {PAST} — Cobalt") == -1
    _choose_season(window, PAST)
    assert orientation.cohort_picker.currentText() == f"Saison {PAST} — Cobalt"
    assert [learners.itemData(i) for i in range(learners.count())] == [ancien]
    orientation.tabs.setCurrentWidget(orientation.matrix.parentWidget())
    qtbot.waitUntil(lambda: orientation.matrix_model.rowCount() == 1)  # read in the background
    assert orientation.matrix_summary.text().startswith("1 apprenant ·")


def test_the_learner_list_is_read_when_the_form_needs_it(qtbot: QtBot, window: MainWindow) -> None:
    host = _host(window)
    first = _learner(window, "Dupont", COMING)
    _choose_season(window, COMING)
    view = _agreements(window)
    box = view.form.learner_box
    assert box.count() == 1  # "Choisir…": nobody asked for the list yet
    later = _learner(window, "Bernard", COMING)  # entered training meanwhile
    box.setFocus()
    qtbot.keyClicks(box, "BER")  # type-ahead reads the list first
    assert box.currentData() == str(later)
    assert [box.itemData(i) for i in range(1, box.count())] == [str(later), str(first)]
    # An agreement of another season keeps its learner offered.
    other = _draft(window, _learner(window, "Ancien", PAST), PAST, host)
    view.open_agreement(other)
    assert view.form.value_of("candidat") != ""
    assert box.currentText().startswith("ANCIEN Alex")


def test_rows_read_in_the_table_order_are_shown_as_they_are(
    qtmodeltester,  # type: ignore[no-untyped-def]
    window: MainWindow,
) -> None:
    host = _host(window)
    _draft(window, _learner(window, "Zola", COMING), COMING, host)
    _draft(window, _learner(window, "Abel", COMING), COMING, host)
    with window.context.database.session(commit=False) as s:
        rows = listing.list_agreements(s, today=date.today())
    model = AgreementsTableModel()  # by period, then by id: Zola first (same period)
    by_learner = (2, Qt.SortOrder.AscendingOrder)
    names = lambda: [model.index(i, 2).data() for i in range(model.rowCount())]  # noqa: E731
    model.set_rows(sort_rows(rows, by_learner), sorted_by=by_learner)
    assert names() == ["ZOLA Alex", "ABEL Alex"]  # put back in the model's order
    model.sort(*by_learner)
    assert (model.sort_spec, names()) == (by_learner, ["ABEL Alex", "ZOLA Alex"])
    model.set_rows(sort_rows(rows, BY_PERIOD))
    assert names() == ["ABEL Alex", "ZOLA Alex"]
    # Rows a worker already sorted in the model's order are taken as they come.
    model.set_rows(sort_rows(rows, by_learner), sorted_by=by_learner)
    assert names() == ["ABEL Alex", "ZOLA Alex"]
    qtmodeltester.check(model)


def test_showing_again_during_a_reading_reads_once_more_after_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    host = _host(window)
    first = _draft(window, _learner(window, "Ancien", PAST), PAST, host)
    _choose_season(window, None)
    view = _agreements(window)
    assert view.reader.wait()  # read before the next change, not delivered yet
    second = _draft(window, _learner(window, "Nouveau", COMING), COMING, host)
    window.show_view("candidates")
    _agreements(window)  # the same scope is still being read: once more after it
    assert view.findChild(QLabel, "agreementCount").text() == UPDATING
    qtbot.waitUntil(lambda: set(_listed(view)) == {first, second})
    qtbot.waitUntil(lambda: not view.reader.busy)
    assert view.findChild(QLabel, "agreementCount").text().startswith("2 conventions ·")
