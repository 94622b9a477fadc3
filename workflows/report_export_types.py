"""Inputs and results at the report-export workflow's boundary (plain dataclasses, sandbox-safe)."""

from __future__ import annotations

from dataclasses import dataclass

REPORT_EXPORT_WORKFLOW = "ReportExport"


@dataclass
class ReportExportInput:
    export_id: int  # the report_export row: what to write, for whom, and where


@dataclass
class ReportExportResult:
    written: bool  # False when the export failed for good (the row says why)
    rows: int = 0  # officers in the file
    size_bytes: int = 0


@dataclass
class ExportFailure:
    export_id: int
    reason: str  # shown to the person who asked
