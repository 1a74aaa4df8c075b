"""The agreement form (`agreementForm`): every field of a convention, checked as it is typed.

The live check runs the service's rules on what is on screen (nothing is written): the total
of effective hours and days is shown at once, a refusal appears next to its field once the
field was touched (all of them after a save attempt), and warnings are listed without blocking.
"""

from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QCompleter,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services import agreement_choices as choices
from app.services import agreements as agreement_service
from app.services import hosts as host_service
from app.services.agreement_choices import LearnerChoice
from app.services.agreements import AgreementInput, RuleCheck
from app.services.errors import UserFacingError
from app.services.hosts import HostRow
from app.ui.context import AppContext
from app.ui.widgets.fields import (
    CheckField,
    ChoiceBox,
    FieldWidget,
    FieldWithError,
    LineField,
    MultiLineField,
    WeekHoursWithError,
)
from app.ui.widgets.naming import named

CHECK_DELAY_MS = 200
INDEMNITY_UNITS = [("heure", "par heure"), ("mois", "par mois"), ("forfait", "forfait")]
PAYMENT_MODES = ["Virement", "Chèque", "Espèces"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text | date | multiline | choice | check | week
    placeholder: str = ""


SECTIONS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (
        "Stagiaire et structure d'accueil",
        (
            FieldSpec("candidat", "Stagiaire *", "choice"),
            FieldSpec(
                "representant_legal",
                "Représentant légal",
                placeholder="Si le stagiaire est mineur : nom, qualité, téléphone",
            ),
            FieldSpec("structure", "Structure d'accueil *", "choice"),
            FieldSpec("tuteur", "Tuteur", "choice"),
            FieldSpec("formateur_referent", "Formateur référent", placeholder="Prénom Nom"),
            FieldSpec(
                "lieu", "Lieu du stage", placeholder="Si ce n'est pas l'adresse de la structure"
            ),
        ),
    ),
    (
        "Période et horaires",
        (
            FieldSpec("date_debut", "Début *", "date"),
            FieldSpec("date_fin", "Fin *", "date"),
            FieldSpec(
                "interruptions",
                "Interruptions",
                placeholder="ex. 14/04/2027 - 18/04/2027 ; 02/05/2027 - 02/05/2027",
            ),
            FieldSpec("horaires", "Heures par jour *", "week"),
            FieldSpec("nuit", "Présence la nuit autorisée", "check"),
            FieldSpec("dimanche", "Présence le dimanche autorisée", "check"),
            FieldSpec("ferie", "Présence les jours fériés autorisée", "check"),
        ),
    ),
    (
        "Activités et compétences",
        (
            FieldSpec("activites", "Activités confiées", "multiline"),
            FieldSpec("competences", "Compétences à développer", "multiline"),
        ),
    ),
    (
        "Indemnité et avantages",
        (
            FieldSpec("indemnite", "Indemnité (€)", placeholder="Vide : pas d'indemnité"),
            FieldSpec("unite_indemnite", "Unité", "choice"),
            FieldSpec("mode_versement", "Mode de versement", placeholder="Virement, chèque…"),
            FieldSpec("avantages", "Avantages", "multiline"),
        ),
    ),
)


@dataclass(frozen=True)
class LearnerScope:
    """Whose learners the form offers: the header's season and site (None: all)."""

    season_id: int | None
    site_id: int | None


class LearnerBox(ChoiceBox):
    """The learner combo says when it is about to be used (opened, focused, typed into or
    scrolled): its list, a season's learners, is read then rather than at each show."""

    needed = Signal()

    def showPopup(self) -> None:
        self.needed.emit()
        super().showPopup()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.needed.emit()
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.needed.emit()
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.needed.emit()
        super().wheelEvent(event)


def _make_field(spec: FieldSpec) -> FieldWidget:
    if spec.kind == "choice":
        if spec.name == "unite_indemnite":
            return ChoiceBox(INDEMNITY_UNITS, empty_label="—")
        if spec.name == "candidat":
            return LearnerBox([], empty_label="Choisir…")
        return ChoiceBox([], empty_label="Choisir…")
    if spec.kind == "check":
        return CheckField()
    if spec.kind == "multiline":
        area = MultiLineField()
        area.setTabChangesFocus(True)
        area.setFixedHeight(64)
        return area
    line = LineField()
    if spec.kind == "date":
        line.setPlaceholderText("JJ/MM/AAAA")
        line.setMaxLength(10)
        line.setMaximumWidth(120)
    elif spec.placeholder:
        line.setPlaceholderText(spec.placeholder)
    return line


class AgreementForm(QWidget):
    """Edits the values of one agreement (a draft, or the proposal of an amendment)."""

    dirty_changed = Signal(bool)
    checked = Signal(object)  # the RuleCheck of what is on screen

    def __init__(self, context: AppContext, *, with_scroll: bool = True) -> None:
        super().__init__()
        self.setObjectName("agreementForm")
        self.context = context
        self.agreement_id: int | None = None
        self._snapshot = AgreementInput()
        self._fields: dict[str, FieldWithError] = {}
        self._week = WeekHoursWithError("horaires")
        self._week.changed.connect(lambda: self._on_changed("horaires"))
        self._labels: dict[str, QLabel] = {}
        self._touched: set[str] = set()
        self._show_every_error = False
        self._loading = False
        self._locked: set[str] = set()
        self._read_only = False
        self._learners: dict[int, LearnerChoice] = {}
        self._unread_scope: LearnerScope | None = None  # learners offered once needed
        self.last_check: RuleCheck | None = None
        self.hours_label = named(QLabel(), "hoursTotal")
        self.hours_label.setProperty("role", "total")
        self.hours_label.setWordWrap(True)
        self.warnings_label = named(QLabel(), "agreementWarnings")
        self.warnings_label.setProperty("role", "warning")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.hide()
        self.full_time_button = named(QPushButton("35 h : lundi à vendredi, 7 h"), "fullTimeButton")
        self.full_time_button.clicked.connect(self._fill_full_time)
        self._timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._timer.timeout.connect(self.run_check)
        self._build(with_scroll)
        self._referent_completer()
        self.choice("structure").currentIndexChanged.connect(self._host_changed)
        self.choice("candidat").currentIndexChanged.connect(self._learner_changed)
        self.learner_box.needed.connect(self.read_learners)

    # ---- building

    def _build(self, with_scroll: bool) -> None:
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 6, 0)
        for title, specs in SECTIONS:
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for spec in specs:
                self._add_row(form, spec)
                if spec.name == "horaires":
                    row = QHBoxLayout()
                    row.addWidget(self.full_time_button)
                    row.addStretch(1)
                    form.addRow("", row)
            if title == "Période et horaires":
                form.addRow(self._total_frame())
            column.addWidget(box)
        column.addStretch(1)
        width = max(label.sizeHint().width() for label in self._labels.values())
        for label in self._labels.values():
            label.setMinimumWidth(width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if with_scroll:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(content)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            layout.addWidget(scroll, 1)
        else:
            layout.addWidget(content, 1)

    def _add_row(self, form: QFormLayout, spec: FieldSpec) -> None:
        if spec.kind == "week":
            label = QLabel(spec.label)
            label.setBuddy(self._week.field.days[0])
            form.addRow(label, self._week)
            self._labels[spec.name] = label
            return
        field = _make_field(spec)
        holder = FieldWithError(spec.name, field)
        holder.changed.connect(lambda name=spec.name: self._on_changed(name))
        label = QLabel(spec.label)
        label.setBuddy(field)
        field.setAccessibleName(spec.label.rstrip(" *"))
        if isinstance(field, CheckField):
            field.setText(spec.label)
            label.setText("")
        form.addRow(label, holder)
        self._fields[spec.name] = holder
        self._labels[spec.name] = label

    def _total_frame(self) -> QWidget:
        frame = QFrame()
        frame.setObjectName("hoursFrame")
        box = QVBoxLayout(frame)
        box.setContentsMargins(10, 8, 10, 8)
        box.addWidget(self.hours_label)
        box.addWidget(self.warnings_label)
        return frame

    def _referent_completer(self) -> None:
        with self.context.database.session(commit=False) as session:
            names = choices.referent_suggestions(session)
        for name, items in (("formateur_referent", names), ("mode_versement", PAYMENT_MODES)):
            completer = QCompleter(QStringListModel(items, self), self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            line = self.field(name)
            assert isinstance(line, LineField)
            line.setCompleter(completer)

    # ---- choices

    @property
    def learner_box(self) -> LearnerBox:
        combo = self.choice("candidat")
        assert isinstance(combo, LearnerBox)
        return combo

    def offer_learners_of(self, scope: LearnerScope) -> None:
        """The learners of this scope, read when the combo is first used; the learner on
        screen stays meanwhile. Without a season, those whose internship is not over."""
        self._unread_scope = scope
        self.learner_box.setToolTip(
            "Toutes les saisons : les stagiaires dont la période de stage n'est pas terminée. "
            "Choisir une saison dans le bandeau pour les autres."
            if scope.season_id is None
            else ""
        )
        if self.learner_box.hasFocus() or self.learner_box.view().isVisible():
            self.read_learners()

    def read_learners(self) -> None:
        """Read the learners offered, if the scope changed since they were read."""
        scope, self._unread_scope = self._unread_scope, None
        if scope is None:
            return
        with self.context.database.session(commit=False) as session:
            learners = choices.learners_for_scope(
                session,
                season_id=scope.season_id,
                site_id=scope.site_id,
                keep=int(self.value_of("candidat") or 0) or None,
                today=date.today(),
            )
        self._learners = {c.id: c for c in learners}
        self._refill(self.learner_box, [(str(c.id), c.label) for c in learners])

    def fill_hosts(self) -> None:
        """Every host of the directory, read now."""
        with self.context.database.session(commit=False) as session:
            self.show_hosts(host_service.search_hosts(session, "", limit=10_000))

    def show_hosts(self, hosts: list[HostRow]) -> None:
        self._refill(
            self.choice("structure"),
            [(str(h.id), f"{h.name} ({h.city})" if h.city else h.name) for h in hosts],
        )

    def keep_learner(self, candidate_id: int) -> None:
        """Offer this learner too, whatever the scope (an agreement of another season)."""
        if candidate_id in self._learners:
            return
        with self.context.database.session(commit=False) as session:
            found = choices.learner_choices(session, candidate_id=candidate_id)
        combo = self.choice("candidat")
        blocked = combo.blockSignals(True)
        for learner in found:
            self._learners[learner.id] = learner
            combo.addItem(learner.label, str(learner.id))
        combo.blockSignals(blocked)

    @staticmethod
    def _refill(combo: ChoiceBox, items: list[tuple[str, str]]) -> None:
        current = combo.value()
        blocked = combo.blockSignals(True)
        combo.clear()
        combo.addItem("Choisir…", "")
        for value, label in items:
            combo.addItem(label, value)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(blocked)

    def _fill_tutors(self, host_id: str) -> None:
        tutors: list[tuple[str, str]] = []
        if host_id:
            try:
                with self.context.database.session(commit=False) as session:
                    host = host_service.get_host(session, int(host_id))
            except UserFacingError:
                host = None
            if host is not None:
                tutors = [
                    (str(t.id), f"{t.name} — {t.function}" if t.function else t.name)
                    for t in host.tutors
                ]
        combo = self.choice("tuteur")
        self._refill(combo, tutors)
        if combo.currentIndex() <= 0 and len(tutors) == 1 and not self._loading:
            combo.setCurrentIndex(1)

    def _host_changed(self) -> None:
        self._fill_tutors(self.value_of("structure"))

    def _learner_changed(self) -> None:
        """A learner picked on a new form brings the usual dates of their cohort."""
        if self._loading or self.agreement_id is not None:
            return
        chosen = self._learners.get(int(self.value_of("candidat") or 0))
        if chosen is None or self.value_of("date_debut") or self.value_of("date_fin"):
            return
        start, end = choices.default_period(chosen.season_start)
        self.field("date_debut").set_value(start)
        self.field("date_fin").set_value(end)

    def _fill_full_time(self) -> None:
        self._week.field.set_value(dict(choices.FULL_TIME_WEEK))

    # ---- values

    def field(self, name: str) -> FieldWidget:
        return self._fields[name].field

    def choice(self, name: str) -> ChoiceBox:
        combo = self._fields[name].field
        assert isinstance(combo, ChoiceBox)
        return combo

    @property
    def week(self) -> WeekHoursWithError:
        return self._week

    def value_of(self, name: str) -> str:
        return self.field(name).value()

    def values(self) -> AgreementInput:
        data = AgreementInput(horaires=self._week.field.value())
        for name, holder in self._fields.items():
            value = holder.field.value()
            if name == "interruptions":
                data.interruptions = choices.interruptions_from_text(value)
            else:
                setattr(data, name, value)
        return data

    def set_values(self, data: AgreementInput, *, agreement_id: int | None) -> None:
        self.agreement_id = agreement_id
        self._loading = True
        try:
            self.field("structure").set_value(data.structure)
            self._fill_tutors(data.structure)
            self._week.field.set_value(data.horaires)
            self._week.set_error("")
            for name, holder in self._fields.items():
                value = getattr(data, name)
                if name == "interruptions":
                    value = choices.interruptions_text(value)
                holder.field.set_value(value)
                holder.set_error("")
        finally:
            self._loading = False
        self._touched.clear()
        self._show_every_error = False
        self._snapshot = self.values()
        self.dirty_changed.emit(False)
        self.run_check()

    def set_read_only(self, read_only: bool, *, locked: frozenset[str] = frozenset()) -> None:
        """Frozen content (after `brouillon`), or some fields only (`locked`)."""
        self._locked = set(locked)
        for name, holder in self._fields.items():
            frozen = read_only or name in locked
            field = holder.field
            if isinstance(field, LineField | MultiLineField):
                field.setReadOnly(frozen)
            else:
                field.setEnabled(not frozen)
        self._week.field.setReadOnly(read_only)
        self.full_time_button.setVisible(not read_only)
        self._read_only = read_only
        self.run_check()

    def is_dirty(self) -> bool:
        return self.values() != self._snapshot

    def discard_changes(self) -> None:
        self.set_values(self._snapshot, agreement_id=self.agreement_id)

    def mark_saved(self) -> None:
        self._snapshot = self.values()
        self.dirty_changed.emit(False)

    def _on_changed(self, name: str) -> None:
        if self._loading:
            return
        self._touched.add(name)
        self.dirty_changed.emit(self.is_dirty())
        self._timer.start()

    # ---- checking

    def run_check(self) -> RuleCheck | None:
        """Run the rules on the screen's values now; shows the total, errors and warnings."""
        self._timer.stop()
        data = self.values()
        try:
            with self.context.database.session(commit=False) as session:
                check = agreement_service.validate_agreement(
                    session, data, agreement_id=self.agreement_id, today=date.today()
                )
        except UserFacingError as error:
            self.hours_label.setText(str(error))
            return None
        self.last_check = check
        self._show_total(check)
        visible = {
            name: message
            for name, message in check.errors.items()
            if (self._show_every_error or name in self._touched) and not self._read_only
        }
        self._show_errors(visible)
        self.checked.emit(check)
        return check

    def show_errors(self, errors: dict[str, str]) -> None:
        """Errors of a refused save: every one shown, the first field focused."""
        self._show_every_error = True
        self._show_errors(errors)
        first = next((name for name in AgreementInput.field_names() if name in errors), None)
        if first is None:
            return
        holder: QWidget = self._week if first == "horaires" else self._fields[first]
        (self._week.field.days[0] if first == "horaires" else self.field(first)).setFocus()
        scroll = self.findChild(QScrollArea)
        if scroll is not None:
            scroll.ensureWidgetVisible(holder)

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name, holder in self._fields.items():
            holder.set_error(errors.get(name, ""))
        self._week.set_error(errors.get("horaires", ""))

    def _show_total(self, check: RuleCheck) -> None:
        hours = check.hours
        if hours is None:
            self.hours_label.setText(
                "Total des heures : il sera calculé dès que le début, la fin et les heures "
                "par jour seront valides."
            )
        else:
            self.hours_label.setText(
                "Total : " + agreement_service.describe_hours(hours, check.weekly_hours)
            )
        # A frozen agreement's warnings were seen when it was drafted; today's would mislead.
        warnings = [] if self._read_only else check.warnings
        self.warnings_label.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings_label.setVisible(bool(warnings))


def with_defaults(data: AgreementInput) -> AgreementInput:
    """A new form: the usual full-time week, nothing else assumed."""
    return replace(data, horaires=data.horaires or dict(choices.FULL_TIME_WEEK))
