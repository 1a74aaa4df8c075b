"""The agreement form (`agreementForm`): every field of a convention, checked as it is typed.

The live check runs the service's rules on what is on screen (nothing is written): the total
of effective hours and days is shown at once, a refusal appears next to its field once the
field was touched (all of them after a save attempt), and warnings are listed without blocking.
Frozen content (after `brouillon`) is read-only and looks it; the Sunday is never a day of
presence (Code du travail, L6343-4); the wheel scrolls the form, not the combo under it.
"""

from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCore import QRect, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services.agreements import actions, choices
from app.services.agreements.choices import LearnerChoice
from app.services.agreements.rules import RuleCheck
from app.services.agreements.terms import AgreementInput
from app.services.agreements.terms_text import describe_hours
from app.services.errors import UserFacingError
from app.services.hosts.directory import HostRow
from app.ui.context import AppContext
from app.ui.widgets.fields import (
    UNKNOWN,
    WEEKDAY_NAMES,
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
FLAT = "forfait"
OTHER_PAYER = "autre"
SUNDAY = 6
SUNDAY_REST = "Repos dominical (L6343-4) : pas de présence le dimanche."
# Labels longer than this wrap on two lines, so that the fields keep their room in a narrow
# panel (the Conventions list beside it at 1366 px).
LABEL_WIDTH = 170
TEXT_HEIGHT = 64  # a text area being typed in; a frozen one shows its whole text
FROZEN_TEXT_MAX_HEIGHT = 320


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
            FieldSpec("telephone_referent", "Téléphone du référent", placeholder="05 49 00 00 00"),
            FieldSpec(
                "email_referent",
                "E-mail du référent",
                placeholder="prenom.nom@exemple.fr",
            ),
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
            FieldSpec("teletravail", "Télétravail", "remote"),
            FieldSpec("nuit", "Présence la nuit autorisée", "check"),
            # Never allowed: shown only on an agreement saved under the earlier rules.
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
        "Rémunération, indemnité et avantages",
        (
            FieldSpec("financeur", "Rémunération du stagiaire versée par", "choice"),
            FieldSpec("financeur_autre", "Autre financeur *", placeholder="Nom du financeur"),
            FieldSpec("indemnite", "Indemnité (€)", placeholder="Vide : pas d'indemnité"),
            FieldSpec("unite_indemnite", "Unité", "choice"),
            FieldSpec("regle_rupture", "En cas de rupture (indemnité forfaitaire)", "choice"),
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


class FormChoiceBox(ChoiceBox):
    """A combo of the scrolled form: the mouse wheel over it scrolls the form, unless the
    combo was clicked or tabbed into first (then the wheel goes through its items)."""

    def __init__(
        self,
        choices: list[tuple[str, str]],
        *,
        allow_empty: bool = True,
        empty_label: str = UNKNOWN,
    ) -> None:
        super().__init__(choices, allow_empty=allow_empty, empty_label=empty_label)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel gives no focus

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # on to the scroll area


class LearnerBox(FormChoiceBox):
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
        if self.hasFocus():
            self.needed.emit()
        super().wheelEvent(event)


class RemoteDaysField(QWidget):
    """The weekdays worked remotely, one box under each day's hours; only a day with hours
    of presence can be one. Value: the weekdays, Monday = 0."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.days: list[QCheckBox] = []
        self._frozen = False
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)  # the week's hours above: same columns
        for day, name in enumerate(WEEKDAY_NAMES):
            box = QCheckBox()
            box.setObjectName(f"teletravail_{name}")
            box.setAccessibleName(f"Télétravail le {name}")
            box.setFixedWidth(42)
            box.toggled.connect(self.changed)
            grid.addWidget(box, 0, day)
            self.days.append(box)
        grid.setColumnStretch(7, 1)
        self.follow_week({})

    def value(self) -> list[int]:
        return [day for day, box in enumerate(self.days) if box.isChecked()]

    def set_value(self, days: list[int]) -> None:
        for day, box in enumerate(self.days):
            box.setChecked(day in days)

    def follow_week(self, week: dict[int, str], *, keep: bool = False) -> None:
        """Boxes usable on the days with hours; a day that lost its hours is no longer
        remote (`keep`: leave what was loaded as it is, the rules will say)."""
        for day, box in enumerate(self.days):
            present = _has_hours(week.get(day, ""))
            box.setEnabled(present and not self._frozen)
            if not present and not keep and box.isChecked():
                box.setChecked(False)
            box.setToolTip(
                SUNDAY_REST
                if day == SUNDAY
                else f"Le {WEEKDAY_NAMES[day]} en télétravail"
                if present
                else f"Pas d'heures de présence le {WEEKDAY_NAMES[day]}"
            )

    def set_frozen(self, frozen: bool, week: dict[int, str]) -> None:
        self._frozen = frozen
        self.follow_week(week, keep=True)


class RemoteDaysWithError(QWidget):
    """The remote days and their error message, like `FieldWithError`."""

    def __init__(self) -> None:
        super().__init__()
        self.field = RemoteDaysField()
        self.field.setObjectName("teletravail")
        self.error = QLabel()
        self.error.setObjectName("teletravailError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.field)
        layout.addWidget(self.error)

    def set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.field.setAccessibleDescription(message)


def _has_hours(text: str) -> bool:
    """Whether a day's typed hours are some presence (a text still being typed counts)."""
    text = text.strip().replace(",", ".")
    if not text:
        return False
    try:
        return float(text) > 0
    except ValueError:
        return True


def _set_frozen_look(widget: QWidget, frozen: bool) -> None:
    """The theme greys frozen fields (`frozen` property): read-only shows at a glance."""
    if widget.property("frozen") == ("true" if frozen else "false"):
        return
    widget.setProperty("frozen", "true" if frozen else "false")
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FormText(MultiLineField):
    """A text area of the form; frozen, it shows its whole text (up to a limit) rather than
    a small box to scroll."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        height = TEXT_HEIGHT
        if self.property("frozen") == "true":
            margin = self.frameWidth() + round(self.document().documentMargin())
            width = max(self.width() - 2 * margin - 2, 40)
            text = self.toPlainText() or " "
            flags = int(Qt.TextFlag.TextWordWrap)
            wrapped = self.fontMetrics().boundingRect(QRect(0, 0, width, 100_000), flags, text)
            height = min(wrapped.height() + 2 * margin + 4, FROZEN_TEXT_MAX_HEIGHT)
        if self.height() != height:
            self.setFixedHeight(height)


def _make_field(spec: FieldSpec) -> FieldWidget:
    if spec.kind == "choice":
        if spec.name == "unite_indemnite":
            return FormChoiceBox(INDEMNITY_UNITS, empty_label="—")
        if spec.name == "candidat":
            return LearnerBox([], empty_label="Choisir…")
        if spec.name == "financeur":
            return FormChoiceBox(choices.payer_choices(), empty_label="Choisir…")
        if spec.name == "regle_rupture":
            return FormChoiceBox(choices.break_rule_choices(), empty_label="—")
        return FormChoiceBox([], empty_label="Choisir…")
    if spec.kind == "check":
        return CheckField()
    if spec.kind == "multiline":
        area = FormText()
        area.setTabChangesFocus(True)
        area.setFixedHeight(TEXT_HEIGHT)
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
        self._week.changed.connect(self._week_changed)
        self._remote = RemoteDaysWithError()
        self._remote.field.changed.connect(lambda: self._on_changed("teletravail"))
        self._rows: dict[str, tuple[QFormLayout, QWidget]] = {}  # rows shown or hidden
        self._placeholders: dict[str, str] = {}
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
        self.frozen_note = named(QLabel(), "frozenNote")
        self.frozen_note.setProperty("role", "notice")
        self.frozen_note.setWordWrap(True)
        self.frozen_note.hide()
        self.review_note = named(QLabel(), "reviewNote")
        self.review_note.setProperty("role", "alert")
        self.review_note.setWordWrap(True)
        self.review_note.hide()
        self.full_time_button = named(QPushButton("35 h : lundi à vendredi, 7 h"), "fullTimeButton")
        self.full_time_button.clicked.connect(self._fill_full_time)
        self._timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._timer.timeout.connect(self.run_check)
        self._build(with_scroll)
        self._referent_completer()
        self.choice("structure").currentIndexChanged.connect(self._host_changed)
        self.choice("candidat").currentIndexChanged.connect(self._learner_changed)
        self.choice("financeur").currentIndexChanged.connect(self._show_dependent_rows)
        self.choice("unite_indemnite").currentIndexChanged.connect(self._show_dependent_rows)
        self.learner_box.needed.connect(self.read_learners)
        sunday = self._week.field.days[SUNDAY]
        sunday.setToolTip(SUNDAY_REST)
        sunday.setPlaceholderText("—")
        self._sunday_rest()
        self._show_dependent_rows()

    # ---- building

    def _build(self, with_scroll: bool) -> None:
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 6, 0)
        for title, specs in SECTIONS:
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            # A row too wide for a narrow panel puts its label above it.
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for spec in specs:
                self._add_row(form, spec)
            if title == "Période et horaires":
                form.addRow(self._total_frame())
            column.addWidget(box)
        column.addStretch(1)
        width = min(max(label.sizeHint().width() for label in self._labels.values()), LABEL_WIDTH)
        for label in self._labels.values():
            if label.sizeHint().width() > width:
                label.setWordWrap(True)
            label.setFixedWidth(width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        notes = QVBoxLayout()
        notes.setContentsMargins(0, 0, 6, 4)
        notes.addWidget(self.frozen_note)
        notes.addWidget(self.review_note)
        layout.addLayout(notes)
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
        if spec.kind in ("week", "remote"):
            # The week and its remote days span the form, their label above them: the days
            # line up, whatever the panel's width.
            week = spec.kind == "week"
            holder: QWidget = self._week if week else self._remote
            label = QLabel(spec.label)
            label.setBuddy((self._week.field.days if week else self._remote.field.days)[0])
            head = QHBoxLayout()
            head.setContentsMargins(0, 0, 0, 0)
            head.addWidget(label)
            head.addStretch(1)
            if week:
                head.addWidget(self.full_time_button)
            block = QWidget()
            column = QVBoxLayout(block)
            column.setContentsMargins(0, 4, 0, 0)
            column.setSpacing(2)
            column.addLayout(head)
            column.addWidget(holder)
            form.addRow(block)
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
        self._rows[spec.name] = (form, holder)
        if isinstance(field, QLineEdit):
            self._placeholders[spec.name] = field.placeholderText()
        if spec.name == "dimanche":
            field.setToolTip(SUNDAY_REST)

    def _total_frame(self) -> QWidget:
        frame = QFrame()
        frame.setObjectName("hoursFrame")
        box = QVBoxLayout(frame)
        box.setContentsMargins(10, 8, 10, 8)
        box.addWidget(self.hours_label)
        box.addWidget(self.warnings_label)
        return frame

    def _referent_completer(self) -> None:
        names = actions.referent_suggestions(self.context.database)
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
        learners = actions.learners_for_scope(
            self.context.database,
            season_id=scope.season_id,
            site_id=scope.site_id,
            keep=int(self.value_of("candidat") or 0) or None,
            today=date.today(),
        )
        self._learners = {c.id: c for c in learners}
        self._refill(self.learner_box, [(str(c.id), c.label) for c in learners])

    def fill_hosts(self) -> None:
        """Every host of the directory, read now."""
        self.show_hosts(actions.every_host(self.context.database))

    def show_hosts(self, hosts: list[HostRow]) -> None:
        self._refill(
            self.choice("structure"),
            [(str(h.id), f"{h.name} ({h.city})" if h.city else h.name) for h in hosts],
        )

    def keep_learner(self, candidate_id: int) -> None:
        """Offer this learner too, whatever the scope (an agreement of another season)."""
        if candidate_id in self._learners:
            return
        found = actions.learner_choices(self.context.database, candidate_id=candidate_id)
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
                host = actions.get_host(self.context.database, int(host_id))
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

    def _week_changed(self) -> None:
        self._remote.field.follow_week(self._week.field.value(), keep=self._loading)
        self._sunday_rest()
        self._on_changed("horaires")

    def _sunday_rest(self) -> None:
        """The Sunday cell is closed (Sunday rest); one that holds hours (saved under the
        earlier rules) stays open on a draft, so that they can be removed."""
        sunday = self._week.field.days[SUNDAY]
        sunday.setEnabled(bool(sunday.text().strip()) and not self._read_only)

    def _show_row(self, name: str, visible: bool) -> None:
        form, holder = self._rows[name]
        form.setRowVisible(holder, visible)

    def _show_dependent_rows(self) -> None:
        """ "Autre financeur" when the payer is another one; the rule on rupture for a flat
        indemnity; the Sunday box only on an agreement that has it ticked."""
        self._show_row("financeur_autre", self.value_of("financeur") == OTHER_PAYER)
        self._show_row("regle_rupture", self.value_of("unite_indemnite") == FLAT)
        self._show_row("dimanche", self.value_of("dimanche") == "oui")

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

    @property
    def remote_days(self) -> RemoteDaysWithError:
        return self._remote

    def values(self) -> AgreementInput:
        data = AgreementInput(
            horaires=self._week.field.value(), teletravail=self._remote.field.value()
        )
        for name, holder in self._fields.items():
            value = holder.field.value()
            if name == "interruptions":
                data.interruptions = choices.interruptions_from_text(value)
            elif not self._applies(name):
                setattr(data, name, "")
            else:
                setattr(data, name, value)
        return data

    def _applies(self, name: str) -> bool:
        """Whether a field that depends on another one is part of the terms."""
        if name == "financeur_autre":
            return self.value_of("financeur") == OTHER_PAYER
        if name == "regle_rupture":
            return self.value_of("unite_indemnite") == FLAT
        return True

    def set_values(self, data: AgreementInput, *, agreement_id: int | None) -> None:
        self.agreement_id = agreement_id
        self._loading = True
        try:
            self.field("structure").set_value(data.structure)
            self._fill_tutors(data.structure)
            self._week.field.set_value(data.horaires)
            self._week.set_error("")
            self._remote.field.set_value(list(data.teletravail))
            self._remote.field.follow_week(data.horaires, keep=True)
            self._remote.set_error("")
            for name, holder in self._fields.items():
                value = getattr(data, name)
                if name == "interruptions":
                    value = choices.interruptions_text(value)
                holder.field.set_value(value)
                holder.set_error("")
        finally:
            self._loading = False
        self._sunday_rest()
        self._show_dependent_rows()
        self._touched.clear()
        self._show_every_error = False
        self._snapshot = self.values()
        self.dirty_changed.emit(False)
        self.run_check()

    def set_read_only(
        self, read_only: bool, *, locked: frozenset[str] = frozenset(), note: str = ""
    ) -> None:
        """Frozen content (after `brouillon`), or some fields only (`locked`): read-only and
        looking it (greyed, no frame, no hint to type); `note` says why, above the form."""
        self._locked = set(locked)
        self._read_only = read_only
        for name, holder in self._fields.items():
            frozen = read_only or name in locked
            field = holder.field
            if isinstance(field, LineField | MultiLineField):
                field.setReadOnly(frozen)
                if isinstance(field, LineField):
                    hint = self._placeholders.get(name, "")
                    field.setPlaceholderText("—" if frozen else hint)
            else:
                field.setEnabled(not frozen)
            _set_frozen_look(field, frozen)
            if isinstance(field, FormText):
                field.fit()
        for day in self._week.field.days:
            day.setReadOnly(read_only)
            _set_frozen_look(day, read_only)
        self._sunday_rest()
        self._remote.field.set_frozen(read_only, self._week.field.value())
        self.full_time_button.setVisible(not read_only)
        self.frozen_note.setText(note)
        self.frozen_note.setVisible(bool(note))
        self.run_check()

    def show_to_review(self, reasons: tuple[str, ...], *, remedy: str = "") -> None:
        """Why the agreement on screen breaks a rule in force since it was saved."""
        text = ""
        if reasons:
            text = "À revoir : " + " ".join(reasons) + (f"\n{remedy}" if remedy else "")
        self.review_note.setText(text)
        self.review_note.setVisible(bool(reasons))

    def reveal_errors(self) -> None:
        """Every refusal shown at once, touched or not (a draft known to break a rule)."""
        self._show_every_error = True
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
            check = actions.validate_agreement(
                self.context.database, data, agreement_id=self.agreement_id, today=date.today()
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
        holder: QWidget
        target: QWidget
        if first == "horaires":
            holder, target = self._week, self._week.field.days[0]
        elif first == "teletravail":
            holder, target = self._remote, self._remote.field
        else:
            holder, target = self._fields[first], self.field(first)
        target.setFocus()
        scroll = self.findChild(QScrollArea)
        if scroll is not None:
            scroll.ensureWidgetVisible(holder)

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name, holder in self._fields.items():
            holder.set_error(errors.get(name, ""))
        self._week.set_error(errors.get("horaires", ""))
        self._remote.set_error(errors.get("teletravail", ""))

    def _show_total(self, check: RuleCheck) -> None:
        hours = check.hours
        if hours is None:
            self.hours_label.setText(
                "Total des heures : il sera calculé dès que le stagiaire, la structure, le "
                "début, la fin et les heures par jour seront valides."
            )
        else:
            self.hours_label.setText("Total : " + describe_hours(hours, check.weekly_hours))
        # A frozen agreement's warnings were seen when it was drafted; today's would mislead.
        warnings = [] if self._read_only else check.warnings
        self.warnings_label.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings_label.setVisible(bool(warnings))


def with_defaults(data: AgreementInput) -> AgreementInput:
    """A new form: the usual full-time week, nothing else assumed."""
    return replace(data, horaires=data.horaires or dict(choices.FULL_TIME_WEEK))
