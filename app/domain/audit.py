"""The audit log: who created, changed, printed, exported or erased what, and when.

Append-only. The database refuses any UPDATE or DELETE of a row (triggers of migrations 0007
and 0010), with one exception: a redaction, which blanks the field-level values (`changes`) of
the entries about a person whose file is erased or anonymised, and never anything else.
Summaries never hold a person's name or contact: the journal shows the person by joining
`candidate_uuid` to their current file, so erasing the file leaves no name in the log.

Tamper evidence (migration 0010): each entry keeps `changes_digest`, the SHA-256 of its
`changes` as written (a redaction keeps it), and `chain`, an HMAC-SHA256 keyed with the base's
journal key over the previous entry's chain and this entry's own fields. Changing, inserting
or removing an entry breaks the chain from there on; `check` recomputes it.
"""

import enum
import hashlib
import hmac
import json
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
    CONNEXION = "connexion"
    CONNEXION_REFUSEE = "connexion_refusee"
    VERROUILLAGE = "verrouillage"
    SAUVEGARDE = "sauvegarde"
    RESTAURATION = "restauration"

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
    AuditAction.CONNEXION: "connexion",
    AuditAction.CONNEXION_REFUSEE: "connexion refusée",
    AuditAction.VERROUILLAGE: "verrouillage de compte",
    AuditAction.SAUVEGARDE: "sauvegarde",
    AuditAction.RESTAURATION: "restauration",
}

# The chain of the first entry starts from this (no previous entry).
CHAIN_START = ""


def changes_digest(changes: str | None) -> str | None:
    """SHA-256 (hex) of the `changes` JSON exactly as written; None when there are none."""
    if changes is None:
        return None
    return hashlib.sha256(changes.encode("utf-8")).hexdigest()


def entry_chain(
    key: bytes,
    previous: str,
    *,
    id: int,
    uuid: str,
    at: datetime,
    author: str,
    action: str,
    entity_type: str,
    entity_uuid: str | None,
    candidate_uuid: str | None,
    summary: str,
    changes_digest: str | None,
) -> str:
    """HMAC-SHA256 (hex) of the previous entry's chain and this entry's canonical fields.

    The fields are serialised as a compact JSON array in a fixed order, the time with its
    microseconds, so the same entry gives the same bytes on every platform and database.
    """
    fields = [
        id,
        uuid,
        at.isoformat(sep=" ", timespec="microseconds"),
        author,
        action,
        entity_type,
        entity_uuid,
        candidate_uuid,
        summary,
        changes_digest,
    ]
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    message = f"{previous}\n{canonical}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def head_seal(key: bytes, last_id: int, last_chain: str) -> str:
    """HMAC-SHA256 (hex) sealing which entry is the last one (kept beside the journal, so
    that removing the last entries is detected too)."""
    message = f"tête\n{last_id}\n{last_chain}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


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
