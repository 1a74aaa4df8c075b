"""The data printed on the agreement documents, gathered from the services (no Qt)."""

import io
import logging
import multiprocessing
import os
import re
import traceback
import unicodedata
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Agreement, OrientationDecision, Tutor
from app.domain.agreement import AgreementStatus
from app.domain.agreement_rules import (
    ADULT_AGE,
    HOURS_PER_DAY_EQUIVALENT,
    HoursTotal,
)
from app.errors import UserFacingError
from app.pdf.convention_data import ConventionData, HostParty, OrganisationParty, TraineeParty
from app.pdf.document_data import AmendmentChange, AttestationData, AvenantData, EvaluationData
from app.pdf.quantities import format_days, format_hours
from app.services.agreements import (
    AgreementInfo,
    AgreementInput,
    get_agreement,
    hours_done,
    hours_of,
    overlay_texts,
)
from app.services.candidates import candidate_input, load_candidate
from app.services.errors import NotFoundError, ValidationError
from app.services.hosts import format_identifier, get_host
from app.services.organisation import get_organisation
from app.services.validation import age_on, format_date, parse_date, search_text
from app.storage import Database, open_database
from app.storage.database import sqlite_path

__all__ = [
    "FIELD_LABELS",
    "MAX_COMPETENCE_ROWS",
    "PARALLEL_FROM",
    "WEEKDAY_LABELS",
    "DocumentChoice",
    "DocumentKind",
    "RenderedDocument",
    "agreement_id_for_number",
    "attestation_data",
    "available_documents",
    "avenant_data",
    "competence_rows",
    "convention_data",
    "document_filename",
    "evaluation_data",
    "render_document",
    "render_documents",
]

S = AgreementStatus
log = logging.getLogger(__name__)

WEEKDAY_LABELS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _hours(text: str) -> float:
    try:
        return float(text.strip().replace(",", ".") or 0)
    except ValueError:
        return 0.0


def _amount(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None


def _join(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def _address(street: str, postal_code: str, city: str) -> str:
    """ "5 avenue du Cycle, 86000 Poitiers"."""
    return ", ".join(part for part in (street.strip(), _join(postal_code, city)) if part)


def _siret(raw: str) -> str:
    return format_identifier(raw, None) if raw else ""


def convention_data(session: Session, agreement_id: int, *, today: date) -> ConventionData:
    """Everything the convention de stage prints, with the agreement's current values
    (signed amendments included)."""
    return _convention(session, get_agreement(session, agreement_id), today)


def _convention(session: Session, info: AgreementInfo, today: date) -> ConventionData:
    values = info.values
    host = get_host(session, info.host_id)
    org = get_organisation(session)
    candidate = load_candidate(session, info.candidate_id)
    person = candidate_input(candidate)

    birth = candidate.birth_date
    usage = f" (nom d'usage : {person.nom_usage})" if person.nom_usage.strip() else ""
    trainee = TraineeParty(
        name=f"{_join(person.civilite, person.prenom)} {person.nom.upper()}{usage}".strip(),
        birth_date=birth,
        address=_address(person.adresse, person.code_postal, person.commune),
        phone=person.telephone,
        email=person.email,
        is_minor=birth is not None and age_on(birth, info.start) < ADULT_AGE,
        legal_representative=info.values.representant_legal,
    )

    tutor_id = int(values.tuteur) if values.tuteur.strip().isdigit() else None
    tutor = next((t for t in host.tutors if t.id == tutor_id), None)

    decision = session.scalar(
        select(OrientationDecision)
        .where(OrientationDecision.candidate_id == candidate.id)
        .order_by(OrientationDecision.decided_at.desc(), OrientationDecision.id.desc())
        .limit(1)
    )
    filiere = decision.filiere if decision is not None and decision.filiere else candidate.filiere

    schedule = {day: _hours(text) for day, text in values.horaires.items()}
    week = tuple((label, schedule.get(day, 0.0)) for day, label in enumerate(WEEKDAY_LABELS))
    interruptions: list[tuple[date, date]] = []
    for start_text, end_text in values.interruptions:
        start, end = parse_date(start_text), parse_date(end_text)
        if start is not None and end is not None:
            interruptions.append((start, end))

    amendments = tuple(
        f"Version intégrant l'avenant n° {a.rank} signé le {format_date(a.signed_on)}"
        for a in info.amendments
        if a.signed_on is not None
    )
    identifier = host.siret or host.rna
    return ConventionData(
        organisation=OrganisationParty(
            name=org.nom,
            address=org.adresse,
            siret=_siret(org.siret),
            activity_declaration=org.declaration_activite,
            director_name=org.directeur,
            director_function=org.fonction_directeur,
            insurer=org.assureur,
            policy_number=org.numero_police,
            signing_city=org.ville_signature,
            logo_path=org.logo,
        ),
        host=HostParty(
            name=host.name,
            legal_form=host.legal_form_label,
            identifier=format_identifier(host.siret, host.rna),
            identifier_label="RNA" if identifier and not host.siret else "SIRET",
            naf_code=host.naf_code,
            headcount_band=host.headcount_band,
            address=_address(host.address, host.postal_code, host.city),
            representative_name=host.representative_name,
            representative_function=host.representative_function,
            insurer=host.insurer,
            policy_number=host.policy_number,
            is_public=host.is_public,
        ),
        trainee=trainee,
        filiere=filiere.label if filiere else "",
        site=candidate.site.name,
        season=candidate.season.label,
        place=values.lieu,
        start=info.start,
        end=info.end,
        interruptions=tuple(interruptions),
        schedule=week,
        hours_total=info.hours.hours,
        days_total=info.hours.hours / HOURS_PER_DAY_EQUIVALENT,
        presence_days=info.hours.days,
        hours_per_week=sum(h for _, h in week),
        days_per_week=sum(1 for _, h in week if h > 0),
        night_allowed=values.nuit == "oui",
        sunday_allowed=values.dimanche == "oui",
        holiday_allowed=values.ferie == "oui",
        tutor_name=tutor.name if tutor else info.tutor_name,
        tutor_function=(tutor.function or "") if tutor else "",
        tutor_phone=tutor.phone if tutor else "",
        tutor_email=tutor.email if tutor else "",
        referent=values.formateur_referent,
        activities=values.activites,
        competences=values.competences,
        indemnity_amount=_amount(values.indemnite),
        indemnity_unit=values.unite_indemnite,
        indemnity_payment_mode=values.mode_versement,
        benefits=values.avantages,
        number=info.number,
        printed_on=today,
        amendments=amendments,
    )


def agreement_id_for_number(session: Session, number: str) -> int:
    """The agreement printed under this number (FAB-2027-0012), or a French refusal."""
    wanted = search_text(number).strip().upper()
    found = session.scalar(select(Agreement.id).where(Agreement.number == wanted))
    if found is None:
        raise NotFoundError(f"Aucune convention ne porte le numéro « {number.strip()} ».")
    return found


# ---------------------------------------------------------------- avenant

# French labels of the agreement's fields, as the avenant's table "Ce qui change" prints them.
FIELD_LABELS: dict[str, str] = {
    "candidat": "Stagiaire",
    "representant_legal": "Représentant légal du stagiaire mineur",
    "structure": "Structure d'accueil",
    "tuteur": "Tuteur",
    "formateur_referent": "Formateur référent",
    "lieu": "Lieu du stage",
    "date_debut": "Date de début",
    "date_fin": "Date de fin",
    "horaires": "Horaires de présence",
    "interruptions": "Interruptions",
    "nuit": "Présence de nuit",
    "dimanche": "Présence le dimanche",
    "ferie": "Présence les jours fériés",
    "activites": "Activités confiées",
    "competences": "Compétences à développer",
    "indemnite": "Indemnité",
    "unite_indemnite": "Unité de l'indemnité",
    "mode_versement": "Mode de versement de l'indemnité",
    "avantages": "Avantages (repas, transport, autres)",
}
HOURS_LABEL = "Durée totale de présence effective"
# Fields whose change moves the total of effective hours.
_HOURS_FIELDS = frozenset({"date_debut", "date_fin", "horaires", "interruptions"})
_UNIT_TEXTS = {
    "heure": "par heure de présence effective",
    "mois": "par mois de stage",
    "forfait": "forfait pour l'ensemble du stage",
}
_PRESENCE_TEXTS = {"oui": "autorisée", "non": "non autorisée"}


def _hours_text(total: HoursTotal) -> str:
    """ "308 h (44 jours)"."""
    return f"{format_hours(total.hours)} ({format_days(total.days_as_7h)})"


def _schedule_text(horaires: dict[int, str]) -> str:
    hours = {day: _hours(text) for day, text in horaires.items()}
    lines = [
        f"{WEEKDAY_LABELS[day].capitalize()} : {format_hours(value)}"
        for day, value in sorted(hours.items())
        if value > 0
    ]
    days = sum(1 for value in hours.values() if value > 0)
    lines.append(
        f"soit {format_hours(sum(hours.values()))} par semaine sur {days} "
        f"jour{'s' if days > 1 else ''}"
    )
    return "\n".join(lines)


def _tutor(session: Session, tutor_id: str) -> Tutor | None:
    return session.get(Tutor, int(tutor_id)) if tutor_id.strip().isdigit() else None


def _field_text(session: Session, values: AgreementInput, name: str) -> str:
    """One field of the agreement as the avenant prints it."""
    if name == "horaires":
        return _schedule_text(values.horaires)
    if name == "interruptions":
        lines = [f"du {a} au {b} inclus" for a, b in values.interruptions]
        return "\n".join(lines) or "aucune"
    if name == "tuteur":
        tutor = _tutor(session, values.tuteur)
        if tutor is None:
            return ""
        return f"{tutor.name}, {tutor.function}" if tutor.function else tutor.name
    text = str(getattr(values, name, "")).strip()
    if name in ("nuit", "dimanche", "ferie"):
        return _PRESENCE_TEXTS.get(text, text)
    if name == "indemnite":
        return f"{text} €" if text else "aucune"
    if name == "unite_indemnite":
        return _UNIT_TEXTS.get(text, text) or "—"
    if name == "lieu":
        return text or "locaux de la structure d'accueil"
    if name == "avantages":
        return text or "aucun"
    return text or "—"


def _amendment_states(
    info: AgreementInfo, rank: int
) -> tuple[AgreementInput, AgreementInput, dict[str, tuple[str, str]]]:
    """The agreement's values just before and just after avenant n° `rank`, and its changes."""
    by_rank = {a.rank: a for a in info.amendments}
    if rank not in by_rank:
        raise NotFoundError(f"L'avenant n° {rank} n'existe pas pour cette convention.")
    before = info.values  # every signed amendment applied: undo those from `rank` on
    for amendment in sorted(info.amendments, key=lambda a: a.rank, reverse=True):
        if amendment.rank >= rank and amendment.signed_on is not None:
            before = overlay_texts(before, {k: v[0] for k, v in amendment.changes.items()})
    changes = by_rank[rank].changes
    after = overlay_texts(before, {k: v[1] for k, v in changes.items()})
    return before, after, changes


def avenant_data(session: Session, agreement_id: int, rank: int, *, today: date) -> AvenantData:
    """Avenant n° `rank`: each changed field before and after, and the total of effective
    hours before and after when the dates, the schedule or the interruptions change."""
    info = get_agreement(session, agreement_id)
    before, after, changes = _amendment_states(info, rank)
    rows = [
        AmendmentChange(
            FIELD_LABELS.get(name, name),
            _field_text(session, before, name),
            _field_text(session, after, name),
        )
        for name in AgreementInput.field_names()
        if name in changes
    ]
    if _HOURS_FIELDS & set(changes):
        rows.append(
            AmendmentChange(
                HOURS_LABEL, _hours_text(hours_of(before)), _hours_text(hours_of(after))
            )
        )
    amendment = next(a for a in info.amendments if a.rank == rank)
    tutor = _tutor(session, after.tuteur)
    return AvenantData(
        agreement=_convention(session, info, today),
        rank=rank,
        reason=amendment.reason,
        changes=tuple(rows),
        signed_on=amendment.signed_on,
        tutor_name=tutor.name if tutor else "",
        tutor_function=(tutor.function or "") if tutor else "",
        referent=after.formateur_referent,
    )


# ---------------------------------------------------------------- attestation, evaluation

MAX_COMPETENCE_ROWS = 8
_COMPETENCE_SEPARATORS = re.compile(r"\n|;(?=\s|$)")  # "a ; b", not "&amp;"
_LIST_MARK = re.compile(r"^[-–—•*·]+\s*")
_FINISHED = frozenset({S.FINISHED.value, S.BROKEN.value})
_EVALUATED = frozenset({S.SIGNED.value, S.ONGOING.value, S.FINISHED.value, S.BROKEN.value})


def _refused(message: str) -> ValidationError:
    return ValidationError({"statut": message}, message=message)


def _actual_period(info: AgreementInfo) -> tuple[date, date, bool]:
    """(start, last day, ended early): a broken-off agreement stops at its early end."""
    if info.status == S.BROKEN.value and info.ended_on is not None:
        return info.start, min(info.ended_on, info.end), True
    return info.start, info.end, False


def attestation_data(session: Session, agreement_id: int, *, today: date) -> AttestationData:
    """The attestation de stage: the dates actually done and the effective hours over them.
    Refused unless the agreement is terminée or rompue."""
    info = get_agreement(session, agreement_id)
    if info.status not in _FINISHED:
        raise _refused(
            "L'attestation de stage se délivre à la fin du stage (convention terminée ou "
            f"rompue) : cette convention est {info.status_label}."
        )
    data = _convention(session, info, today)
    start, end, early = _actual_period(info)
    total = hours_done(session, agreement_id, until=end)
    return AttestationData(
        agreement=data,
        start=start,
        end=end,
        ended_early=early,
        hours=total.hours,
        days=total.days_as_7h,
        presence_days=total.days,
    )


def competence_rows(text: str) -> list[str]:
    """The competences, one per line (or per "; "), without list marks or final stops."""
    rows = []
    for item in _COMPETENCE_SEPARATORS.split(text):
        cleaned = _LIST_MARK.sub("", item.strip()).rstrip(" .;").strip()
        if cleaned:
            rows.append(cleaned[:1].upper() + cleaned[1:])
    return rows


def evaluation_data(session: Session, agreement_id: int, *, today: date) -> EvaluationData:
    """The evaluation sheet the tutor fills in. Refused before the agreement is signed and
    for a cancelled one."""
    info = get_agreement(session, agreement_id)
    if info.status not in _EVALUATED:
        raise _refused(
            "La fiche d'évaluation s'imprime une fois la convention signée : cette "
            f"convention est {info.status_label}."
        )
    data = _convention(session, info, today)
    start, end, early = _actual_period(info)
    total = hours_done(session, agreement_id, until=end)
    competences = competence_rows(data.competences)
    return EvaluationData(
        agreement=data,
        start=start,
        end=end,
        ended_early=early,
        hours=total.hours,
        days=total.days_as_7h,
        finished=info.status in _FINISHED,
        competences=tuple(competences[:MAX_COMPETENCE_ROWS]),
        more_competences=max(0, len(competences) - MAX_COMPETENCE_ROWS),
    )


# ---------------------------------------------------------------- one entry point


class DocumentKind(StrEnum):
    CONVENTION = "convention"
    AVENANT = "avenant"
    ATTESTATION = "attestation"
    EVALUATION = "evaluation"


@dataclass(frozen=True)
class DocumentChoice:
    kind: DocumentKind
    rank: int | None  # the amendment's rank for AVENANT, else None
    label: str  # "Convention de stage", "Avenant n° 1", "Attestation de stage"…


_LABELS = {
    DocumentKind.CONVENTION: "Convention de stage",
    DocumentKind.ATTESTATION: "Attestation de stage",
    DocumentKind.EVALUATION: "Fiche d'évaluation",
}


def available_documents(session: Session, agreement_id: int) -> list[DocumentChoice]:
    """What this agreement's status allows to print: the convention always, each amendment,
    the fiche d'évaluation from signature on, the attestation once terminée or rompue."""
    info = get_agreement(session, agreement_id)
    choices = [DocumentChoice(DocumentKind.CONVENTION, None, _LABELS[DocumentKind.CONVENTION])]
    choices += [
        DocumentChoice(DocumentKind.AVENANT, a.rank, f"Avenant n° {a.rank}")
        for a in sorted(info.amendments, key=lambda a: a.rank)
    ]
    if info.status in _FINISHED:
        choices.append(
            DocumentChoice(DocumentKind.ATTESTATION, None, _LABELS[DocumentKind.ATTESTATION])
        )
    if info.status in _EVALUATED:
        choices.append(
            DocumentChoice(DocumentKind.EVALUATION, None, _LABELS[DocumentKind.EVALUATION])
        )
    return choices


def _rank_or_refuse(rank: int | None) -> int:
    if rank is None:
        message = "Préciser le numéro de l'avenant à imprimer."
        raise ValidationError({"avenant": message}, message=message)
    return rank


def render_document(
    session: Session,
    agreement_id: int,
    kind: DocumentKind,
    *,
    today: date,
    rank: int | None = None,
) -> bytes:
    """The PDF bytes of one document of the agreement (French refusal when its status does
    not allow it, or when the amendment does not exist)."""
    # reportlab loads here, at the first document, not with the window.
    from app.pdf.attestation import render_attestation
    from app.pdf.avenant import render_avenant
    from app.pdf.convention import render_convention
    from app.pdf.evaluation import render_evaluation

    buffer = io.BytesIO()
    if kind is DocumentKind.CONVENTION:
        render_convention(convention_data(session, agreement_id, today=today), buffer)
    elif kind is DocumentKind.AVENANT:
        avenant = avenant_data(session, agreement_id, _rank_or_refuse(rank), today=today)
        render_avenant(avenant, buffer)
    elif kind is DocumentKind.ATTESTATION:
        render_attestation(attestation_data(session, agreement_id, today=today), buffer)
    else:
        render_evaluation(evaluation_data(session, agreement_id, today=today), buffer)
    return buffer.getvalue()


def _slug(text: str) -> str:
    """ASCII, lower case, words joined by "-": safe in a file name on any system."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def document_filename(
    session: Session, agreement_id: int, kind: DocumentKind, rank: int | None = None
) -> str:
    """ "convention-FAB-2026-0003-martin-lea.pdf", "avenant-1-FAB-2026-0003-martin-lea.pdf";
    a draft: "convention-projet-martin-lea.pdf"."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFoundError("Cette convention n'existe plus.")
    candidate = agreement.candidate
    person = _slug(f"{candidate.last_name} {candidate.first_name}") or "stagiaire"
    number = _slug(agreement.number).upper() if agreement.number else "projet"
    prefix = kind.value if kind is not DocumentKind.AVENANT else f"avenant-{rank or 0}"
    return f"{prefix}-{number}-{person}.pdf"


# ---------------------------------------------------------------- many documents at once

# Below this many documents, starting worker processes (about 0.4 s each, 1 s more for the
# first batch of a session) costs about what it saves on a two-core workstation.
PARALLEL_FROM = 40
UNEXPECTED_ERROR = "erreur inattendue, consignée dans le journal de l'application"


@dataclass(frozen=True)
class RenderedDocument:
    """One document of a batch: its PDF, or why it could not be produced (French)."""

    agreement_id: int
    pdf: bytes | None
    error: str = ""


@dataclass(frozen=True)
class _Batch:
    kind: DocumentKind
    today: date
    rank: int | None


def _render_one(
    database: Database, agreement_id: int, batch: _Batch
) -> tuple[RenderedDocument, str]:
    """One document in its own read session, and the traceback of a bug ("" without one):
    a refusal or a failure stays this document's."""
    try:
        with database.session(commit=False) as session:
            pdf = render_document(
                session, agreement_id, batch.kind, today=batch.today, rank=batch.rank
            )
    except UserFacingError as error:
        return RenderedDocument(agreement_id, None, str(error)), ""
    except Exception:  # a bug: reported, and the batch goes on
        return RenderedDocument(agreement_id, None, UNEXPECTED_ERROR), traceback.format_exc()
    return RenderedDocument(agreement_id, pdf), ""


def _reported(result: tuple[RenderedDocument, str], kind: DocumentKind) -> RenderedDocument:
    document, trace = result
    if trace:
        log.error("%s of agreement %s not rendered:\n%s", kind, document.agreement_id, trace)
    return document


_worker: tuple[Database, _Batch] | None = None


def _start_worker(url: str, batch: _Batch) -> None:
    """In each worker process: its own connection to the database, for the whole batch."""
    global _worker
    _worker = (Database(url), batch)


def _render_in_worker(agreement_id: int) -> tuple[RenderedDocument, str]:
    assert _worker is not None, "_start_worker runs first in every worker"
    database, batch = _worker
    return _render_one(database, agreement_id, batch)


def _process_context() -> multiprocessing.context.BaseContext:
    """Workers start from a fresh interpreter, never as a fork of a process that runs Qt
    threads. Where there is one, a fork server that imported this module starts them
    faster (Python 3.11 imports it only when `app` is installed or in the current folder;
    otherwise each worker imports it, about 1 s more)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def _in_memory(url: str) -> bool:
    """A database other processes cannot open."""
    return url.startswith("sqlite") and sqlite_path(url) is None


def render_documents(
    database: Database | str,
    agreement_ids: Sequence[int],
    kind: DocumentKind,
    *,
    today: date,
    rank: int | None = None,
    workers: int | None = None,
) -> Iterator[RenderedDocument]:
    """The document `kind` of every agreement (`database` open, or its URL), in the order
    of `agreement_ids`, each as soon as it and those before it are ready.

    From PARALLEL_FROM documents on they are rendered by `workers` processes (default: one
    per processor), each with its own connection and one read session per document;
    fewer are rendered here, one after the other. A document that cannot be produced
    comes back with its French reason (a bug is logged) and the batch goes on. Stopping
    the iteration (closing the generator) cancels the documents not yet started.
    """
    batch = _Batch(kind, today, rank)
    url = database if isinstance(database, str) else database.url
    count = min(workers or os.cpu_count() or 1, len(agreement_ids))
    if count < 2 or len(agreement_ids) < PARALLEL_FROM or _in_memory(url):
        yield from _render_here(database, agreement_ids, batch)
        return
    done = 0
    pool = ProcessPoolExecutor(
        count, mp_context=_process_context(), initializer=_start_worker, initargs=(url, batch)
    )
    try:
        # Small chunks: few round trips, and a cancel waits for a few documents at most.
        chunk = max(1, min(4, len(agreement_ids) // (count * 4)))
        for result in pool.map(_render_in_worker, agreement_ids, chunksize=chunk):
            yield _reported(result, kind)
            done += 1
        return
    except (BrokenProcessPool, OSError):
        log.exception("no worker process: the rest of the batch is rendered in this one")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    yield from _render_here(database, agreement_ids[done:], batch)


def _render_here(
    database: Database | str, agreement_ids: Sequence[int], batch: _Batch
) -> Iterator[RenderedDocument]:
    opened = open_database(database, migrate=False) if isinstance(database, str) else database
    try:
        for agreement_id in agreement_ids:
            yield _reported(_render_one(opened, agreement_id, batch), batch.kind)
    finally:
        if opened is not database:
            opened.dispose()
