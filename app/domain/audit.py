"""The audit log: who created, changed, printed, exported or erased what, and when.

Append-only. The database refuses any UPDATE or DELETE of a row (triggers of migration 0007),
with one exception: a redaction, which blanks the field-level values (`changes`) of the
entries about a person whose file is erased or anonymised, and never anything else.
Summaries never hold a person's name or contact: the journal shows the person by joining
`candidate_uuid` to their current file, so erasing the file leaves no name in the log.
"""

import enum
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.base import Base, KeyMixin


class AuditAction(enum.StrEnum):
    CREATION = "creation"
    MODIFICATION = "modification"
    SUPPRESSION = "suppression"
    IMPRESSION = "impression"
    EXPORT = "export"
    ANONYMISATION = "anonymisation"
    EFFACEMENT = "effacement"
    CONSULTATION = "consultation"

    @property
    def label(self) -> str:
        return AUDIT_ACTION_LABELS[self]


AUDIT_ACTION_LABELS = {
    AuditAction.CREATION: "création",
    AuditAction.MODIFICATION: "modification",
    AuditAction.SUPPRESSION: "suppression",
    AuditAction.IMPRESSION: "impression",
    AuditAction.EXPORT: "export",
    AuditAction.ANONYMISATION: "anonymisation",
    AuditAction.EFFACEMENT: "effacement",
    AuditAction.CONSULTATION: "consultation",
}


class AuditEntry(KeyMixin, Base):
    """One thing done to one record (or to a list of records, for exports)."""

    __tablename__ = "audit_entry"

    at: Mapped[datetime] = mapped_column(index=True)
    author: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(20))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    # The application file (Candidate.uuid) the record is about, when it is about one:
    # the journal filters a person's entries through it, and erasure redacts them.
    candidate_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    summary: Mapped[str] = mapped_column(Text)
    # JSON {field: [before, after]}; NULL once redacted.
    changes: Mapped[str | None] = mapped_column(Text)
    redacted: Mapped[bool] = mapped_column(default=False)
    # Hash of `changes` as written, kept when a redaction blanks them (migration 0010).
    changes_digest: Mapped[str | None] = mapped_column(String(64))
    # Keyed hash chaining this entry to the previous one (tamper evidence).
    chain: Mapped[str | None] = mapped_column(String(64))
