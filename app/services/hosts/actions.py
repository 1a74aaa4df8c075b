"""What the window asks of hosts: one unit of work per user action."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.domain.agreement import AgreementStatus
from app.services.actor import Actor
from app.services.agreements import listing
from app.services.hosts import directory
from app.services.hosts.directory import HostInfo, HostInput, TutorInfo, TutorInput
from app.services.unit_of_work import reads, writes

RUNNING = (AgreementStatus.SIGNED.label, AgreementStatus.ONGOING.label)


@dataclass(frozen=True)
class HostFile:
    """A host as its form shows it, with a line on its agreements."""

    info: HostInfo
    agreements: str  # "3 conventions de stage (dont 1 en cours)"


def agreements_summary(session: Session, host_id: int, today: date) -> str:
    """ "3 conventions (dont 1 en cours)": the host's agreements, cancelled ones left out."""
    rows = [
        row
        for row in listing.list_agreements(session, host_id=host_id, today=today)
        if row.status_label != AgreementStatus.CANCELLED.label
    ]
    if not rows:
        return "Aucune convention de stage pour l'instant"
    running = sum(1 for r in rows if r.status_label in RUNNING and r.start <= today <= r.end)
    total = f"{len(rows)} convention{'s' if len(rows) > 1 else ''} de stage"
    return f"{total} (dont {running} en cours)" if running else total


search_hosts = reads(directory.search_hosts)
get_host = reads(directory.get_host)


@reads
def host_file(session: Session, host_id: int, *, today: date) -> HostFile:
    info = directory.get_host(session, host_id)
    return HostFile(info, agreements_summary(session, host_id, today))


@writes
def save_host(
    session: Session,
    host_id: int | None,
    data: HostInput,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> HostInfo:
    """A new host when `host_id` is None, else the host updated (refused if saved elsewhere
    since `expected_version`)."""
    if host_id is None:
        return directory.create_host(session, data, actor=actor)
    return directory.update_host(
        session, host_id, data, actor=actor, expected_version=expected_version
    )


@writes
def save_tutor(
    session: Session, host_id: int, tutor_id: int | None, data: TutorInput, *, actor: Actor
) -> TutorInfo:
    """A new tutor of `host_id` when `tutor_id` is None, else that tutor updated."""
    if tutor_id is None:
        return directory.add_tutor(session, host_id, data, actor=actor)
    return directory.update_tutor(session, tutor_id, data, actor=actor)
