"""The life cycle of an agreement: drafts, ready to sign (numbered and frozen), signatures,
the statuses today's date gives, rupture and cancellation; every transition is logged as an
`AgreementEvent`. Only coordination writes."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Agreement, AgreementEvent, AgreementSignature
from app.domain.agreement import AgreementStatus, Signatory
from app.domain.agreement_terms import AgreementTerms
from app.services.actor import Actor
from app.services.agreements.details import AgreementInfo, get_agreement, signature_state
from app.services.agreements.numbering import next_number
from app.services.agreements.rules import valid_terms, validate_agreement
from app.services.agreements.terms import AgreementInput, terms_to_input
from app.services.agreements.versions import (
    current_dates,
    load_agreement,
    store_terms,
    stored_terms,
)
from app.services.errors import ValidationError
from app.services.permissions import require_coordination
from app.services.validation import FieldError, clean_text, format_date, is_existing_file
from app.services.versioning import (
    AGREEMENT,
    check_version,
    flush_checked,
    record_change,
    stamp_author,
)

__all__ = [
    "LATE_START",
    "SYSTEM_AUTHOR",
    "break_off",
    "cancel",
    "create_draft",
    "log_event",
    "mark_ready",
    "move_to",
    "record_signature",
    "refresh_status",
    "refresh_statuses",
    "refusal",
    "require_writer",
    "required_reason",
    "update_draft",
]

S = AgreementStatus
SYSTEM_AUTHOR = "application"
# The error key of mark_ready when the start date is past and no reason was given.
LATE_START = "date_debut_passee"


def require_writer(actor: Actor) -> None:
    """Only coordination establishes or changes agreements (amendments included)."""
    require_coordination(actor, "établir ou modifier les conventions")


def log_event(
    session: Session,
    agreement: Agreement,
    *,
    author: str,
    now: datetime,
    from_status: str | None,
    to_status: str | None,
    comment: str = "",
) -> None:
    """One line of the agreement's history (a transition, or an action within a status)."""
    session.add(
        AgreementEvent(
            agreement_id=agreement.id,
            at=now,
            author=author,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
        )
    )


def move_to(
    session: Session, agreement: Agreement, target: S, *, author: str, now: datetime, comment: str
) -> None:
    """Change the status, stamp the change and log the transition."""
    previous = agreement.status
    agreement.status = target.value
    record_change(agreement, author=author, now=now)
    log_event(
        session,
        agreement,
        author=author,
        now=now,
        from_status=previous,
        to_status=target.value,
        comment=comment,
    )
    flush_checked(session, agreement, AGREEMENT)


def refusal(agreement: Agreement, action: str) -> ValidationError:
    """`action` is the start of the sentence, e.g. "Impossible d'annuler la convention"."""
    return ValidationError({"statut": f"{action} : la convention est {S(agreement.status).label}."})


def agreement_in(
    session: Session, agreement_id: int, statuses: tuple[S, ...], action: str
) -> Agreement:
    """The agreement when its status is one of `statuses`; otherwise a French refusal that
    begins with `action` and says the status it is in."""
    agreement = load_agreement(session, agreement_id)
    if agreement.status not in {status.value for status in statuses}:
        raise refusal(agreement, action)
    return agreement


def required_reason(reason: str, missing: str, errors: dict[str, str]) -> str:
    """The trimmed reason, or "" with a French message under "motif" in `errors`."""
    try:
        text = clean_text(reason, 2000, "Le motif")
    except FieldError as error:
        errors["motif"] = str(error)
        return ""
    if not text:
        errors["motif"] = missing
        return ""
    return text


def create_draft(
    session: Session,
    data: AgreementInput,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AgreementInfo:
    """A new agreement in `brouillon`; nothing is saved when a field is refused."""
    require_writer(actor)
    now = now or datetime.now()
    terms = valid_terms(session, data, agreement_id=None, today=now.date())
    agreement = Agreement(status=S.DRAFT.value, version=1)
    stamp_author(agreement, author=actor.author, now=now)
    store_terms(agreement, terms)
    session.add(agreement)
    session.flush()
    log_event(
        session,
        agreement,
        author=actor.author,
        now=now,
        from_status=None,
        to_status=S.DRAFT.value,
        comment="Brouillon créé.",
    )
    session.flush()
    return get_agreement(session, agreement.id)


def update_draft(
    session: Session,
    agreement_id: int,
    data: AgreementInput,
    *,
    expected_version: int,
    actor: Actor,
    now: datetime | None = None,
) -> AgreementInfo:
    """Save the form over a draft; after `brouillon` the content is frozen."""
    require_writer(actor)
    now = now or datetime.now()
    agreement = load_agreement(session, agreement_id)
    # A form opened before another desk's change is told who changed it before anything else.
    check_version(agreement, expected_version, AGREEMENT)
    if agreement.status != S.DRAFT.value:
        if agreement.status == S.READY.value:
            message = (
                "La convention est prête à signer : son contenu est figé "
                "(l'annuler pour en établir une autre)."
            )
        elif agreement.status == S.CANCELLED.value:
            message = "La convention est annulée : elle ne peut plus être modifiée."
        else:
            message = "Après signature, toute modification passe par un avenant."
        raise ValidationError({"statut": message})
    terms = valid_terms(session, data, agreement_id=agreement.id, today=now.date())
    store_terms(agreement, terms)
    record_change(agreement, author=actor.author, now=now)
    log_event(
        session,
        agreement,
        author=actor.author,
        now=now,
        from_status=None,
        to_status=None,
        comment="Brouillon modifié.",
    )
    flush_checked(session, agreement, AGREEMENT)
    return get_agreement(session, agreement.id)


def _ready_errors(terms: AgreementTerms, *, today: date, late_start_reason: str) -> dict[str, str]:
    """What an agreement needs before it is numbered and frozen, beyond the form's rules."""
    errors: dict[str, str] = {}
    required = {
        "tuteur": (terms.tutor_id, "Indiquer le tuteur avant de faire signer la convention."),
        "formateur_referent": (
            terms.referent,
            "Indiquer le formateur référent avant de faire signer la convention.",
        ),
        "telephone_referent": (
            terms.referent_phone,
            "Indiquer le téléphone du formateur référent (il figure sur la convention).",
        ),
        "email_referent": (
            terms.referent_email,
            "Indiquer l'e-mail du formateur référent (il figure sur la convention).",
        ),
        "activites": (
            terms.activities.strip(),
            "Décrire les activités confiées avant de faire signer la convention.",
        ),
        "competences": (
            terms.competences.strip(),
            "Indiquer les compétences à développer avant de faire signer la convention.",
        ),
        "financeur": (
            terms.payer,
            "Indiquer qui rémunère le stagiaire (Région, France Travail, aucune, autre) : "
            "la protection sociale imprimée en dépend.",
        ),
    }
    for name, (value, message) in required.items():
        if not value:
            errors[name] = message
    if terms.start < today and not late_start_reason.strip():
        errors[LATE_START] = (
            f"La date de début ({format_date(terms.start)}) est déjà passée : indiquer le motif "
            "pour déclarer quand même la convention prête à signer."
        )
    return errors


def mark_ready(
    session: Session,
    agreement_id: int,
    *,
    actor: Actor,
    now: datetime | None = None,
    late_start_reason: str = "",
) -> AgreementInfo:
    """brouillon → prête à signer: the content is checked again, frozen and numbered.

    A start date already past needs `late_start_reason`, which the journal keeps.
    """
    require_writer(actor)
    now = now or datetime.now()
    agreement = agreement_in(
        session, agreement_id, (S.DRAFT,), "Impossible de déclarer la convention prête à signer"
    )
    terms = stored_terms(agreement)
    check = validate_agreement(
        session, terms_to_input(terms), agreement_id=agreement.id, today=now.date()
    )
    errors = dict(check.errors)
    reason = clean_text(late_start_reason, 500, "Le motif") or ""
    for name, message in _ready_errors(terms, today=now.date(), late_start_reason=reason).items():
        errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)
    number = next_number(session, agreement.start_date.year)
    agreement.number = number
    comment = f"Numéro attribué : {number}."
    if terms.start < now.date():
        comment += f" Début déjà passé ({format_date(terms.start)}) : {reason}"
    move_to(session, agreement, S.READY, author=actor.author, now=now, comment=comment)
    return get_agreement(session, agreement.id)


def record_signature(
    session: Session,
    agreement_id: int,
    signatory: str,
    signed_on: date,
    *,
    actor: Actor,
    outside_app: bool = False,
    scan_path: str | None = None,
    now: datetime | None = None,
) -> AgreementInfo:
    """One signatory's date; or, `outside_app` with the scan, the whole signed agreement.

    Once every signatory has signed (or the signed scan is attached) the agreement is `signée`.
    """
    require_writer(actor)
    now = now or datetime.now()
    agreement = agreement_in(
        session, agreement_id, (S.READY,), "Impossible d'enregistrer une signature"
    )
    errors: dict[str, str] = {}
    try:
        who = Signatory(signatory)
    except ValueError:
        errors["signataire"] = "Signataire inconnu."
        who = None
    if signed_on > now.date():
        errors["date_signature"] = "La date de signature ne peut pas être dans le futur."
    if outside_app and not is_existing_file(scan_path):
        errors["scan"] = "Joindre le scan de la convention signée (fichier introuvable)."
    if who is not None:
        already = session.scalar(
            select(AgreementSignature.id).where(
                AgreementSignature.agreement_id == agreement.id,
                AgreementSignature.amendment_id.is_(None),
                AgreementSignature.signatory == who.value,
            )
        )
        if already is not None:
            errors["signataire"] = f"La signature « {who.label} » est déjà enregistrée."
    if errors:
        raise ValidationError(errors)
    assert who is not None
    session.add(
        AgreementSignature(
            agreement_id=agreement.id,
            signatory=who.value,
            signed_on=signed_on,
            outside_app=outside_app,
            scan_path=scan_path if outside_app else None,
            recorded_by=actor.author,
        )
    )
    session.flush()
    comment = (
        f"Signée hors application le {format_date(signed_on)} (scan joint)."
        if outside_app
        else f"Signature : {who.label}, le {format_date(signed_on)}."
    )
    log_event(
        session,
        agreement,
        author=actor.author,
        now=now,
        from_status=None,
        to_status=None,
        comment=comment,
    )
    _, missing = signature_state(session, agreement.id)
    if not missing:
        move_to(
            session,
            agreement,
            S.SIGNED,
            author=actor.author,
            now=now,
            comment="Toutes les signatures sont réunies.",
        )
    else:
        record_change(agreement, author=actor.author, now=now)
        flush_checked(session, agreement, AGREEMENT)
    return get_agreement(session, agreement.id)


def refresh_status(
    session: Session,
    agreement_id: int,
    today: date,
    *,
    author: str = SYSTEM_AUTHOR,
    now: datetime | None = None,
) -> AgreementInfo:
    """signée → en cours from the start date; en cours → terminée after the (current) end."""
    now = now or datetime.combine(today, datetime.min.time())
    agreement = load_agreement(session, agreement_id)
    start, end = current_dates(session, agreement)
    if agreement.status == S.SIGNED.value and today >= start:
        move_to(
            session,
            agreement,
            S.ONGOING,
            author=author,
            now=now,
            comment=f"Stage commencé le {format_date(start)}.",
        )
    if agreement.status == S.ONGOING.value and today > end:
        move_to(
            session,
            agreement,
            S.FINISHED,
            author=author,
            now=now,
            comment=f"Stage terminé le {format_date(end)}.",
        )
    return get_agreement(session, agreement.id)


def refresh_statuses(session: Session, today: date, *, author: str = SYSTEM_AUTHOR) -> int:
    """Move every signed or ongoing agreement whose dates say so; the number moved."""
    running = list(
        session.scalars(
            select(Agreement).where(Agreement.status.in_((S.SIGNED.value, S.ONGOING.value)))
        )
    )
    moved = 0
    for agreement in running:
        start, end = current_dates(session, agreement)
        due = (agreement.status == S.SIGNED.value and today >= start) or today > end
        if due:
            refresh_status(session, agreement.id, today, author=author)
            moved += 1
    return moved


def break_off(
    session: Session,
    agreement_id: int,
    ended_on: date,
    reason: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AgreementInfo:
    """signée / en cours → rompue, with the date and the reason."""
    require_writer(actor)
    now = now or datetime.now()
    agreement = agreement_in(
        session, agreement_id, (S.SIGNED, S.ONGOING), "Impossible de rompre la convention"
    )
    errors: dict[str, str] = {}
    text = required_reason(reason, "Indiquer le motif de la rupture.", errors)
    start, end = current_dates(session, agreement)
    if ended_on < start or ended_on > end:
        errors["date_rupture"] = (
            f"La date de fin anticipée doit être comprise entre le {format_date(start)} "
            f"et le {format_date(end)}."
        )
    if errors:
        raise ValidationError(errors)
    agreement.ended_on = ended_on
    agreement.end_reason = text
    move_to(
        session,
        agreement,
        S.BROKEN,
        author=actor.author,
        now=now,
        comment=f"Rompue au {format_date(ended_on)} : {text}",
    )
    return get_agreement(session, agreement.id)


def cancel(
    session: Session,
    agreement_id: int,
    reason: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AgreementInfo:
    """brouillon / prête à signer → annulée (a number already given stays with it)."""
    require_writer(actor)
    now = now or datetime.now()
    agreement = agreement_in(
        session, agreement_id, (S.DRAFT, S.READY), "Impossible d'annuler la convention"
    )
    errors: dict[str, str] = {}
    text = required_reason(reason, "Indiquer le motif de l'annulation.", errors)
    if errors:
        raise ValidationError(errors)
    agreement.end_reason = text
    move_to(
        session, agreement, S.CANCELLED, author=actor.author, now=now, comment=f"Annulée : {text}"
    )
    return get_agreement(session, agreement.id)
