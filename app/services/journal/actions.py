"""What the window asks of the journal: one unit of work per user action.

The Journal des actions page reads who appears in the journal (its author filter), the ids of
the entries matching its filters, then the rows it shows, a page at a time. Each use case takes
the database first and opens its own session; the building blocks of `audit_log` check that
the actor is coordination.
"""

from app.services.journal import audit_log
from app.services.unit_of_work import reads

authors = reads(audit_log.authors)
author_choices = reads(audit_log.author_choices)
entry_ids = reads(audit_log.entry_ids)
entry_rows = reads(audit_log.entry_rows)
