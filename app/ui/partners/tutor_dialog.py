"""Add or edit one tutor of a host; a refused field keeps its text and shows why underneath."""

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import UserFacingError, ValidationError
from app.services.hosts import actions as hosts
from app.services.hosts import directory as host_service
from app.services.hosts.directory import TutorInfo, TutorInput
from app.ui.context import AppContext
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.fields import LineField
from app.ui.widgets.form_fields import FieldGroup

TUTOR_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("nom", "Nom *", "Prénom Nom"),
    ("fonction", "Fonction", "ex. responsable informatique"),
    ("telephone", "Téléphone", "05 49 12 34 56"),
    ("email", "E-mail", "prenom.nom@exemple.fr"),
)


class TutorDialog(QDialog):
    """`tutor` None adds a tutor to `host_id`; otherwise edits it. `saved` holds the result."""

    def __init__(
        self,
        context: AppContext,
        host_id: int,
        host_name: str,
        tutor: TutorInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("tutorDialog")
        self.context = context
        self.host_id = host_id
        self.tutor = tutor
        self.saved: TutorInfo | None = None
        self.setWindowTitle("Modifier le tuteur" if tutor else "Nouveau tuteur")
        self.fields = FieldGroup(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label, placeholder in TUTOR_FIELDS:
            line = LineField()
            line.setPlaceholderText(placeholder)
            self.fields.add_row(form, name, label, line)
        self.fields.load(host_service.tutor_input(tutor) if tutor else TutorInput())
        buttons = ok_cancel_buttons(self, "Enregistrer" if tutor else "Ajouter le tuteur")
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("saveTutorButton")
        buttons.accepted.connect(self.submit)
        intro = QLabel(f"Tuteur chez <b>{_escape(host_name)}</b>")
        intro.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(460, 260)
        self.fields.field("nom").setFocus()

    def submit(self) -> None:
        data = self.fields.read_into(TutorInput())
        try:
            tutor_id = self.tutor.id if self.tutor is not None else None
            self.saved = hosts.save_tutor(
                self.context.database, self.host_id, tutor_id, data, actor=self.context.actor
            )
        except ValidationError as error:
            self.fields.show_errors(error.errors)
            return
        except UserFacingError as error:
            QMessageBox.warning(self, "Enregistrement impossible", str(error))
            return
        self.accept()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
