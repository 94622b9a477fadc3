"""Inputs and results at the roster-import workflow's boundary (plain dataclasses, sandbox-safe)."""

from __future__ import annotations

from dataclasses import dataclass

ROSTER_IMPORT_WORKFLOW = "RosterImport"
# Rows applied per activity call, each batch in one transaction.
BATCH_SIZE = 200


@dataclass
class RosterImportInput:
    """The run argument, carried across continue-as-new: how far the import has got."""

    import_id: int
    batch_size: int = BATCH_SIZE
    applied: int = 0


@dataclass
class RosterBatch:
    import_id: int
    limit: int


@dataclass
class RosterBatchResult:
    applied: int  # rows applied by this batch (hires and updates)
    dropped: int  # rows the roster refused since the preview: turned into problem rows
    more: bool  # rows may be left


@dataclass
class RosterImportCompletion:
    applied: int  # rows the import applied in all
    email_notification_id: int | None  # the uploader's notification, when its email is due now
