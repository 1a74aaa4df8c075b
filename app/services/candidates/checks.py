"""The service's word on a file being typed, before it is saved: the form shows it under
each field again once the person has corrected it and moved on."""

from sqlalchemy.orm import Session

from app.services.actor import Actor
from app.services.candidates import records
from app.services.candidates.records import CandidateInput
from app.services.errors import ValidationError
from app.services.permissions import require_candidate_editor
from app.services.unit_of_work import reads


@reads
def refused_fields(session: Session, data: CandidateInput, *, actor: Actor) -> dict[str, str]:
    """The French message of each field a save would refuse now ({} when none); writes
    nothing."""
    require_candidate_editor(actor)
    try:
        records.validate_candidate(session, data)
    except ValidationError as error:
        return dict(error.errors)
    return {}
