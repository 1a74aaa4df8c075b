"""Domain models and value rules. Imports no Qt."""

from app.domain.account import AppSetting, UserAccount
from app.domain.agreement import (
    AbsenceKind,
    Agreement,
    AgreementAbsence,
    AgreementDocument,
    AgreementEvent,
    AgreementNumber,
    AgreementSignature,
    Amendment,
    HalfDay,
    Host,
    OrganisationSettings,
    Tutor,
)
from app.domain.appointment import Appointment, AppointmentKind, Attendance, Attendee
from app.domain.audit import AuditAction, AuditEntry
from app.domain.base import Base
from app.domain.candidate import Candidate, StageChange
from app.domain.orientation import (
    Activity,
    Cohort,
    Criterion,
    LearnerNote,
    Observation,
    OrientationDecision,
    ProfessionalProject,
    Team,
    TeamMember,
)
from app.domain.reference import Filiere, Referrer, Season, Site, Stage
from app.domain.rgpd import CandidateAnonymisation

__all__ = [
    "AbsenceKind",
    "Activity",
    "Agreement",
    "AgreementAbsence",
    "AgreementDocument",
    "AgreementEvent",
    "AgreementNumber",
    "AgreementSignature",
    "Amendment",
    "AppSetting",
    "Appointment",
    "AppointmentKind",
    "Attendance",
    "Attendee",
    "AuditAction",
    "AuditEntry",
    "Base",
    "Candidate",
    "CandidateAnonymisation",
    "Cohort",
    "Criterion",
    "Filiere",
    "HalfDay",
    "Host",
    "LearnerNote",
    "Observation",
    "OrganisationSettings",
    "OrientationDecision",
    "ProfessionalProject",
    "Referrer",
    "Season",
    "Site",
    "Stage",
    "StageChange",
    "Team",
    "TeamMember",
    "Tutor",
    "UserAccount",
]
