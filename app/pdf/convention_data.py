"""What the internship agreement (convention de stage) prints; filled by the services."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class OrganisationParty:
    name: str
    address: str
    siret: str  # as printed, e.g. "123 456 789 00012"
    activity_declaration: str
    director_name: str
    director_function: str
    insurer: str
    policy_number: str
    signing_city: str
    logo_path: str = ""  # PNG or JPEG; ignored when the file is missing
    competent_court: str = ""  # "tribunal judiciaire de Poitiers"; "" = the clause's default


@dataclass(frozen=True)
class HostParty:
    name: str
    legal_form: str  # French label: Association loi 1901, SARL, Collectivité territoriale…
    identifier: str  # SIRET (grouped) or RNA number
    identifier_label: str  # "SIRET" or "RNA"
    naf_code: str
    headcount_band: str  # as printed, with its unit: "10 à 19 salariés", "aucun salarié"
    address: str
    representative_name: str
    representative_function: str
    insurer: str
    policy_number: str
    is_public: bool = False


@dataclass(frozen=True)
class TraineeParty:
    name: str
    birth_date: date | None
    address: str
    phone: str
    email: str
    is_minor: bool = False
    legal_representative: str = ""  # name and contact, when the trainee is under 18


@dataclass(frozen=True)
class SchedulePeriod:
    """A stretch of the internship under one weekly schedule (before/after an amendment)."""

    start: date
    end: date
    # Monday first, all seven days: (French weekday label, hours; 0 = no presence).
    schedule: tuple[tuple[str, float], ...]
    hours: float  # effective hours of this period
    presence_days: int
    amendment_rank: int | None = None  # None: the agreement's own terms
    remote_days: tuple[str, ...] = ()  # French weekday labels worked remotely


@dataclass(frozen=True)
class SignatureRecord:
    label: str  # "Stagiaire", "Tuteur"…, or "Signée hors application"
    signed_on: date


@dataclass(frozen=True)
class ConventionData:
    organisation: OrganisationParty
    host: HostParty
    trainee: TraineeParty
    filiere: str
    site: str
    season: str
    place: str  # "" = the host's premises
    start: date
    end: date
    interruptions: tuple[tuple[date, date], ...]
    # Monday first, all seven days: (French weekday label, hours; 0 = no presence).
    schedule: tuple[tuple[str, float], ...]
    hours_total: float
    days_total: float  # hours_total / 7 (7 h = 1 day)
    presence_days: int  # calendar days of presence
    hours_per_week: float
    days_per_week: int
    tutor_name: str
    tutor_function: str
    tutor_phone: str
    tutor_email: str
    referent: str
    activities: str
    competences: str
    printed_on: date
    night_allowed: bool = False
    sunday_allowed: bool = False
    holiday_allowed: bool = False
    indemnity_amount: Decimal | None = None  # None or 0: no indemnity
    indemnity_unit: str = ""  # heure, mois, forfait
    indemnity_payment_mode: str = ""
    benefits: str = ""
    number: str | None = None  # None: a draft, printed "PROJET — non numérotée"
    amendments: tuple[str, ...] = field(default_factory=tuple)  # "Avenant n° 1 signé le …"
    # The schedule period by period (one period without a signed amendment changing it).
    periods: tuple[SchedulePeriod, ...] = field(default_factory=tuple)
    # The one wording of the total: "287 h, soit 41 journées de 7 h, sur 44 jours de présence".
    hours_text: str = ""
    referent_phone: str = ""
    referent_email: str = ""
    payer: str = ""  # RemunerationPayer code, "" = not stated (agreements made before)
    payer_label: str = ""  # "Région Nouvelle-Aquitaine", "France Travail", "autre : …"
    remote_days: tuple[str, ...] = ()  # weekdays worked remotely, under the current terms
    indemnity_break_rule: str = ""  # "", "prorata" or "convenu"
    status: str = "brouillon"  # AgreementStatus value
    signatures: tuple[SignatureRecord, ...] = ()  # recorded signatures (a reprint shows them)
    consolidated_rank: int | None = None  # the latest signed amendment integrated
