"""What the window asks of learners' outcomes: one unit of work per user action."""

from app.domain.outcomes import Checkpoint
from app.services.outcomes import due, follow_up
from app.services.outcomes import funders as funder_rules
from app.services.outcomes.due import DueFollowUp
from app.services.outcomes.follow_up import CheckLine, FollowUpFile, OutcomeInfo
from app.services.outcomes.funders import CHECKPOINT_MONTHS, FunderInfo, is_positive
from app.services.outcomes.pathway import PATHWAY_ENDS, SITUATIONS
from app.services.unit_of_work import reads, writes

__all__ = [
    "CHECKPOINT_LABELS",
    "CHECKPOINT_MONTHS",
    "PATHWAY_ENDS",
    "SITUATIONS",
    "SOURCES",
    "CheckLine",
    "DueFollowUp",
    "FollowUpFile",
    "FunderInfo",
    "OutcomeInfo",
    "due_follow_ups",
    "follow_up_file",
    "funders",
    "is_positive",
    "record_outcome",
    "save_funder",
    "set_pathway_end",
]

SOURCES = follow_up.SOURCES
CHECKPOINT_LABELS = {point.value: f"{point.months} mois" for point in Checkpoint}

follow_up_file = reads(follow_up.follow_up_file)
record_outcome = writes(follow_up.record_outcome)
set_pathway_end = writes(follow_up.set_pathway_end)
due_follow_ups = reads(due.read_due_follow_ups)
funders = reads(funder_rules.read_funders)
save_funder = writes(funder_rules.save_funder)
