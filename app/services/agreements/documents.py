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
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Agreement, Amendment, OrientationDecision, Tutor
from app.domain.agreement import AgreementStatus
from app.domain.agreement_rules import HOURS_PER_DAY_EQUIVALENT, is_minor
from app.domain.agreement_terms import (
    AgreementHours,
    AgreementTerms,
    IndemnityUnit,
    TermsInForce,
    agreement_hours,
)
from app.errors import UserFacingError
from app.pdf.convention_data import (
    ConventionData,
    HostParty,
    OrganisationParty,
    SchedulePeriod,
    SignatureRecord,
    TraineeParty,
)
from app.pdf.document_data import (
    AbsenceLine,
    AmendmentChange,
    AttestationData,
    AvenantData,
    EvaluationData,
    PresenceFigures,
)
from app.pdf.quantities import describe_total
from app.services.agreements.details import AgreementInfo, get_agreement
from app.services.agreements.issued_documents import ATTESTATION, issue_document
from app.services.agreements.life_cycle import SYSTEM_AUTHOR
from app.services.agreements.presence import PresenceSummary, presence_absences, presence_summary
from app.services.agreements.terms import changed_fields
from app.services.agreements.terms_text import terms_field_text
from app.services.candidates.records import candidate_input, load_candidate
from app.services.errors import NotFoundError, ValidationError
from app.services.hosts.directory import format_identifier, get_host
from app.services.journal import audit_log as audit
from app.services.settings.organisation import get_organisation
from app.services.validation import format_date, search_text
from app.storage import Database, cipher, open_database
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


def _join(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def _address(street: str, postal_code: str, city: str) -> str:
    """ "5 avenue du Cycle, 86000 Poitiers"."""
    return ", ".join(part for part in (street.strip(), _join(postal_code, city)) if part)


def _siret(raw: str) -> str:
    return format_identifier(raw, None) if raw else ""


def _week(terms: AgreementTerms) -> tuple[tuple[str, float], ...]:
    return tuple((label, terms.week.hours_on(day)) for day, label in enumerate(WEEKDAY_LABELS))


def _periods(hours: AgreementHours) -> tuple[SchedulePeriod, ...]:
    return tuple(
        SchedulePeriod(
            start=period.start,
            end=period.end,
            schedule=_week(period.terms),
            hours=period.total.hours,
            presence_days=period.total.days,
            amendment_rank=period.amendment_rank,
            remote_days=tuple(WEEKDAY_LABELS[d] for d in period.terms.remote_weekdays),
        )
        for period in hours.periods
    )


def convention_data(session: Session, agreement_id: int, *, today: date) -> ConventionData:
    """Everything the convention de stage prints, with the agreement's current values
    (signed amendments included)."""
    return _convention(session, get_agreement(session, agreement_id), today)


def _convention(session: Session, info: AgreementInfo, today: date) -> ConventionData:
    terms = info.terms
    hours = info.hours_detail
    assert terms is not None and hours is not None
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
        is_minor=is_minor(birth, info.start),
        legal_representative=terms.legal_representative,
    )
    tutor = next((t for t in host.tutors if t.id == terms.tutor_id), None)

    decision = session.scalar(
        select(OrientationDecision)
        .where(OrientationDecision.candidate_id == candidate.id)
        .order_by(OrientationDecision.decided_at.desc(), OrientationDecision.id.desc())
        .limit(1)
    )
    filiere = decision.filiere if decision is not None and decision.filiere else candidate.filiere

    week = _week(terms)
    signed = [a for a in info.amendments if a.signed_on is not None]
    amendments = tuple(f"Avenant n° {a.rank} signé le {format_date(a.signed_on)}" for a in signed)
    identifier = host.siret or host.rna
    total = hours.total
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
            competent_court=org.tribunal_competent,
        ),
        host=HostParty(
            name=host.name,
            legal_form=host.legal_form_label,
            identifier=format_identifier(host.siret, host.rna),
            identifier_label="RNA" if identifier and not host.siret else "SIRET",
            naf_code=host.naf_code,
            headcount_band=host.headcount_label,
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
        place=terms.place,
        start=info.start,
        end=info.end,
        interruptions=tuple((i.start, i.end) for i in terms.interruptions),
        schedule=week,
        hours_total=total.hours,
        days_total=total.days_as_7h,
        presence_days=total.days,
        hours_per_week=terms.week.hours_per_week,
        days_per_week=terms.week.days_per_week,
        night_allowed=terms.night,
        sunday_allowed=terms.sunday,
        holiday_allowed=terms.holiday,
        tutor_name=tutor.name if tutor else info.tutor_name,
        tutor_function=(tutor.function or "") if tutor else "",
        tutor_phone=tutor.phone if tutor else "",
        tutor_email=tutor.email if tutor else "",
        referent=terms.referent,
        activities=terms.activities,
        competences=terms.competences,
        indemnity_amount=terms.indemnity,
        indemnity_unit=terms.indemnity_unit.value if terms.indemnity_unit else "",
        indemnity_payment_mode=terms.payment_mode,
        benefits=terms.benefits,
        number=info.number,
        printed_on=today,
        amendments=amendments,
        periods=_periods(hours),
        hours_text=describe_total(total),
        referent_phone=terms.referent_phone,
        referent_email=terms.referent_email,
        payer=terms.payer.value if terms.payer else "",
        payer_label=terms.payer_label,
        remote_days=tuple(WEEKDAY_LABELS[d] for d in terms.remote_weekdays),
        indemnity_break_rule=(
            terms.indemnity_break_rule.value if terms.indemnity_break_rule else ""
        ),
        status=info.status,
        signatures=tuple(SignatureRecord(sig.label, sig.signed_on) for sig in info.signatures),
        consolidated_rank=signed[-1].rank if signed else None,
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
    "telephone_referent": "Téléphone du formateur référent",
    "email_referent": "E-mail du formateur référent",
    "lieu": "Lieu du stage",
    "date_debut": "Date de début",
    "date_fin": "Date de fin",
    "horaires": "Horaires de présence",
    "interruptions": "Interruptions",
    "teletravail": "Jours de télétravail",
    "nuit": "Présence de nuit",
    "dimanche": "Présence le dimanche",
    "ferie": "Présence les jours fériés",
    "activites": "Activités confiées",
    "competences": "Compétences à développer",
    "indemnite": "Indemnité",
    "unite_indemnite": "Unité de l'indemnité",
    "mode_versement": "Mode de versement de l'indemnité",
    "regle_rupture": "Indemnité forfaitaire en cas de rupture",
    "avantages": "Avantages (repas, transport, autres)",
    "financeur": "Rémunération du stagiaire versée par",
    "financeur_autre": "Autre financeur de la rémunération",
}
HOURS_LABEL = "Durée totale de présence effective"
# Fields whose change moves the total of effective hours.
_HOURS_FIELDS = frozenset({"date_debut", "date_fin", "horaires", "interruptions"})


def _amendment_versions(
    session: Session, info: AgreementInfo, rank: int, today: date
) -> tuple[list[TermsInForce], list[TermsInForce], str, date]:
    """The versions in force just before avenant n° `rank` and with it; its reason and its
    effect date (its signing day, or today for one still to sign)."""
    amendment = session.scalar(
        select(Amendment).where(Amendment.agreement_id == info.id, Amendment.rank == rank)
    )
    if amendment is None or amendment.terms is None:
        raise NotFoundError(f"L'avenant n° {rank} n'existe pas pour cette convention.")
    before = [v for v in info.versions if v.amendment_rank is None or v.amendment_rank < rank]
    effect = amendment.signed_on or max(today, before[0].terms.start)
    after = [*before, TermsInForce(AgreementTerms.from_json(amendment.terms), effect, rank)]
    return before, after, amendment.reason, effect


def avenant_data(session: Session, agreement_id: int, rank: int, *, today: date) -> AvenantData:
    """Avenant n° `rank`: each changed field before and after, and the agreement's total of
    effective hours before and after (the amendment counting from its effect date) when the
    dates, the schedule or the interruptions change."""
    info = get_agreement(session, agreement_id)
    if not any(a.rank == rank for a in info.amendments):
        raise NotFoundError(f"L'avenant n° {rank} n'existe pas pour cette convention.")
    before_versions, after_versions, reason, effect = _amendment_versions(
        session, info, rank, today
    )
    before, after = before_versions[-1].terms, after_versions[-1].terms
    names = changed_fields(before, after)
    rows = [
        AmendmentChange(
            FIELD_LABELS.get(name, name),
            terms_field_text(session, before, name),
            terms_field_text(session, after, name),
        )
        for name in names
    ]
    if _HOURS_FIELDS & set(names):
        rows.append(
            AmendmentChange(
                HOURS_LABEL,
                describe_total(agreement_hours(before_versions).total),
                describe_total(agreement_hours(after_versions).total)
                + (
                    f" (nouvelles conditions à partir du {format_date(effect)})"
                    if effect > before_versions[0].terms.start
                    else ""
                ),
            )
        )
    signed_on = next(a.signed_on for a in info.amendments if a.rank == rank)
    tutor = session.get(Tutor, after.tutor_id) if after.tutor_id else None
    return AvenantData(
        agreement=_convention(session, info, today),
        rank=rank,
        reason=reason,
        changes=tuple(rows),
        signed_on=signed_on,
        tutor_name=tutor.name if tutor else "",
        tutor_function=(tutor.function or "") if tutor else "",
        referent=after.referent,
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


def _presence(summary: PresenceSummary) -> PresenceFigures:
    return PresenceFigures(
        planned_hours=summary.planned_hours,
        planned_text=describe_total(summary.planned),
        absent_hours=summary.absent_hours,
        done_hours=summary.done_hours,
        absences=summary.absences,
        absences_justified=summary.absences_justified,
        lates=summary.lates,
        lates_justified=summary.lates_justified,
        explanation=summary.explanation,
        counts_text=summary.counts_text,
    )


def _break_rule(info: AgreementInfo, early: bool) -> str:
    """What a flat indemnity becomes on a broken-off agreement ("" when none applies)."""
    terms = info.terms
    if not early or terms is None or not terms.paid:
        return ""
    if terms.indemnity_unit is not IndemnityUnit.FLAT:
        return ""
    rule = terms.indemnity_break_rule
    return rule.label if rule is not None else "à préciser"


def attestation_data(session: Session, agreement_id: int, *, today: date) -> AttestationData:
    """The attestation de stage: the dates actually done, the planned hours, the recorded
    absence and the hours done. Refused unless the agreement is terminée or rompue.

    The first call for an agreement issues the attestation: its number and `today` are
    recorded in `session`, kept when the caller commits (as a print does); every later call
    gives a duplicate bearing that number and that date."""
    info = get_agreement(session, agreement_id)
    if info.status not in _FINISHED:
        raise _refused(
            "L'attestation de stage se délivre à la fin du stage (convention terminée ou "
            f"rompue) : cette convention est {info.status_label}."
        )
    data = _convention(session, info, today)
    start, end, early = _actual_period(info)
    summary = presence_summary(session, agreement_id)
    author = audit.acting_author(session, SYSTEM_AUTHOR)
    issue = issue_document(session, agreement_id, ATTESTATION, today=today, author=author)
    return AttestationData(
        agreement=data,
        start=start,
        end=end,
        ended_early=early,
        hours=summary.done_hours,
        days=summary.done_hours / HOURS_PER_DAY_EQUIVALENT,
        presence_days=summary.planned.days,
        presence=_presence(summary),
        number=issue.number,
        issued_on=issue.issued_on,
        duplicate=issue.duplicate,
        indemnity_rule=_break_rule(info, early),
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
    summary = presence_summary(session, agreement_id)
    finished = info.status in _FINISHED
    hours = summary.done_hours if finished else summary.planned_hours
    competences = competence_rows(data.competences)
    absences = tuple(
        AbsenceLine(a.day, a.half_day_label, a.description, a.justified, a.hours)
        for a in presence_absences(session, agreement_id)
    )
    return EvaluationData(
        agreement=data,
        start=start,
        end=end,
        ended_early=early,
        hours=hours,
        days=hours / HOURS_PER_DAY_EQUIVALENT,
        finished=finished,
        competences=tuple(competences[:MAX_COMPETENCE_ROWS]),
        more_competences=max(0, len(competences) - MAX_COMPETENCE_ROWS),
        absences=absences,
        presence=_presence(summary),
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


def _known_key(url: str) -> bytes | None:
    """The data key this process opened the base at `url` with (None: plain, not SQLite)."""
    path = sqlite_path(url)
    return cipher.known_key(path) if path is not None else None


def _start_worker(url: str, key: bytes | None, batch: _Batch) -> None:
    """In each worker process: its own connection to the database (with its data key, handed
    over by the pipe to the child, never written anywhere), for the whole batch."""
    global _worker
    _worker = (Database(url, key), batch)


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
    key = _known_key(url) if isinstance(database, str) else database.key
    count = min(workers or os.cpu_count() or 1, len(agreement_ids))
    if count < 2 or len(agreement_ids) < PARALLEL_FROM or _in_memory(url):
        yield from _render_here(database, agreement_ids, batch)
        return
    done = 0
    pool = ProcessPoolExecutor(
        count, mp_context=_process_context(), initializer=_start_worker, initargs=(url, key, batch)
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
