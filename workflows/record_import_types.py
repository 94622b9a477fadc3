"""Inputs and results at the record-import workflow's boundary (plain dataclasses, sandbox-safe)."""

from __future__ import annotations

from dataclasses import dataclass

RECORD_IMPORT_WORKFLOW = "RecordImport"
# Rows turned into records per activity call, each batch in one transaction.
BATCH_SIZE = 500
# Officers whose licensing-cycle workflows are signalled per activity call.
OFFICER_PAGE_SIZE = 500


@dataclass
class RecordImportInput:
    """The run argument, carried across continue-as-new: how far the import has got."""

    import_id: int
    batch_size: int = BATCH_SIZE
    imported: int = 0
    finished: bool = False  # the import is marked completed and the uploader told
    after_officer_id: int = 0  # the last officer already signalled to recompute
    signalled: int = 0


@dataclass
class ImportBatch:
    import_id: int
    limit: int


@dataclass
class ImportBatchResult:
    imported: int  # records created by this batch
    dropped: int  # rows found already recorded since the preview: not imported
    more: bool  # rows may be left


@dataclass
class ImportCompletion:
    imported: int  # records the import created in all
    email_notification_id: int | None  # the uploader's notification, when its email is due now


@dataclass
class ImportedOfficersPage:
    import_id: int
    after_id: int
    limit: int


@dataclass
class ImportedOfficersResult:
    next_after_id: int | None  # None once every officer with an imported record is done
    signalled: int


@dataclass
class RecordImportResult:
    imported: int
    signalled: int
