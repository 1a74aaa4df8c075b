"""A base with a site's contact details, candidates and appointments, for the convocation and
sign-in sheet tests; and reading a PDF back."""

import io
from datetime import datetime
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from app.domain import Appointment, AuditEntry
from app.services.appointments import actions as appointments
from app.services.appointments.booking import AppointmentInput
from app.services.candidates import actions as candidate_actions
from app.services.candidates.records import CandidateInput
from app.services.settings import actions as settings
from app.services.settings.sites import SiteInput
from app.storage import Database
from tests.conftest import make_actor

DESK = make_actor("accueil", "nadia", "Nadia Belkacem")
COORDINATION = make_actor("coordination", "claire", "Claire Vasseur")
TRAINER = make_actor("formateur", "marc", "Marc Lefort")
SITE_PHONE = "05 36 49 12 40"
SITE_EMAIL = "accueil.cobalt@fabrique.exemple.fr"


def site_id(db: Database, code: str = "cobalt") -> int:
    return next(c.id for c in settings.site_contacts(db) if c.code == code)


def set_site_contact(db: Database, phone: str = SITE_PHONE, email: str = SITE_EMAIL) -> None:
    data = SiteInput("5 rue Victor Hugo", "86000", phone, email)
    settings.save_site(db, site_id(db), data, actor=COORDINATION)


def candidate(db: Database, last_name: str, first_name: str = "Léa", **fields: str) -> int:
    values = {
        "nom": last_name,
        "prenom": first_name,
        "email": f"{last_name.lower()}.{first_name.lower()}@exemple.fr",
        "saison": "2026-2027",
        "site": "cobalt",
    } | fields
    saved = candidate_actions.save_candidate(db, CandidateInput(**values), actor=DESK).file
    assert saved is not None
    return saved.id


def session_on(
    db: Database,
    day: str = "08/12/2026",
    *,
    capacity: str = "15",
    staff: str = "Sophie Marchand",
    duration: str = "90",
) -> int:
    data = AppointmentInput(
        kind="information_collective",
        date=day,
        time="14:00",
        duration_minutes=duration,
        site="cobalt",
        room="Turing",
        staff=staff,
        capacity=capacity,
    )
    return appointments.create_appointment(db, data, actor=DESK).id


def interview_with(db: Database, candidate_id: int, day: str = "09/12/2026") -> int:
    data = AppointmentInput(
        kind="entretien",
        date=day,
        time="9h30",
        site="cobalt",
        room="Bureau 2",
        staff="Thomas Rigaud",
    )
    return appointments.create_appointment(db, data, [candidate_id], actor=DESK).id


def register(db: Database, appointment_id: int, *candidate_ids: int) -> None:
    for candidate_id in candidate_ids:
        appointments.register(db, appointment_id, candidate_id, actor=DESK)


def cancel(db: Database, appointment_id: int) -> None:
    """Marked cancelled as migration 0012 keeps it (whatever screen does it)."""
    with db.session() as session:
        appointment = session.get_one(Appointment, appointment_id)
        appointment.cancelled_at = datetime(2026, 11, 28, 9, 0)
        appointment.cancellation_reason = "Formateur malade"


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def one_line(text: str) -> str:
    """The page's text with its line breaks as spaces (wrapped sentences read whole)."""
    return " ".join(text.split())


def assert_fonts_embedded(pdf: bytes) -> None:
    seen = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            if descendants is not None:
                font = descendants[0].get_object()
            assert "DejaVu" in str(font["/BaseFont"])
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            seen += 1
    assert seen >= 2


def journal(db: Database) -> list[AuditEntry]:
    with db.session(commit=False) as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        session.expunge_all()
    return entries
