"""Muster's tables. Importing this package registers every model on Base.metadata."""

from models.accounts import (
    MfaRecoveryCode,
    PasswordResetToken,
    PendingLogin,
    Role,
    UserAccount,
    UserRole,
    WebSession,
)
from models.agency_requirements import AgencyRequirement
from models.audit import AuditEvent, AuditOutcome
from models.base import Base, utcnow
from models.certificates import (
    CertificateCredit,
    CertificateEvent,
    CertificateStatus,
    CertificateSubmission,
    CertificateVersion,
    VersionOutcome,
    certificate_review_workflow_id,
    certificate_source_ref,
)
from models.compliance_status import (
    ComplianceGapSnapshot,
    ComplianceSnapshot,
    ComplianceState,
    OfficerCompliance,
    OfficerComplianceGap,
)
from models.holidays import AgencyHoliday, HolidayChange
from models.notifications import EmailState, Notification
from models.organisation import (
    Agency,
    AgencyRank,
    EmploymentPeriod,
    EmploymentStatus,
    LicenseStatus,
    Person,
    Unit,
)
from models.outbox import OutboxMessage
from models.preferences import (
    DEFAULT_REMINDER_OFFSETS,
    MANDATORY_REMINDER_OFFSETS,
    NotificationPreference,
)
from models.record_imports import (
    ImportStatus,
    RecordImport,
    RecordImportRow,
    import_source_ref,
    record_import_workflow_id,
)
from models.record_reports import (
    RecordErrorReport,
    RecordReportEvent,
    ReportKind,
    ReportStatus,
    record_report_workflow_id,
)
from models.reimbursement import (
    ClaimCostCategory,
    ClaimStatus,
    ReimbursementClaim,
    ReimbursementCostLine,
    ReimbursementExclusion,
)
from models.report_exports import ExportKind, ExportStatus, ReportExport, report_export_workflow_id
from models.roster_imports import RosterImport, RosterImportRow, RosterRowKind, roster_import_workflow_id
from models.tasks import Task, TaskKind, TaskQueue, TaskStatus
from models.training_records import (
    ComplianceWaiver,
    RecordSource,
    TrainingRecord,
    TrainingRecordCredit,
    WaiverKind,
)
from models.training_requests import (
    CostCategory,
    RequestEvent,
    RequestEventKind,
    RequestStatus,
    Topic,
    TrainingRequest,
    TrainingRequestCost,
    TrainingRequestTopic,
    training_request_workflow_id,
)

__all__ = [
    "ComplianceGapSnapshot",
    "ComplianceSnapshot",
    "ComplianceState",
    "OfficerCompliance",
    "OfficerComplianceGap",
    "ImportStatus", "RecordImport", "RecordImportRow", "import_source_ref", "record_import_workflow_id",
    "RecordErrorReport", "RecordReportEvent", "ReportKind", "ReportStatus", "record_report_workflow_id",
    "ExportKind", "ExportStatus", "ReportExport", "report_export_workflow_id",
    "CertificateCredit", "CertificateEvent", "CertificateStatus", "CertificateSubmission", "CertificateVersion",
    "VersionOutcome", "certificate_review_workflow_id", "certificate_source_ref",
    "AgencyRequirement", "DEFAULT_REMINDER_OFFSETS", "MANDATORY_REMINDER_OFFSETS", "NotificationPreference",
    "ComplianceWaiver", "LicenseStatus", "RecordSource", "TrainingRecord", "TrainingRecordCredit", "WaiverKind",
    "Agency", "AuditEvent", "AuditOutcome", "Base", "CostCategory", "EmailState", "EmploymentStatus",
    "MfaRecoveryCode", "Notification", "OutboxMessage", "PasswordResetToken", "PendingLogin", "Person",
    "RequestEvent", "RequestEventKind", "RequestStatus", "Role",
    "Task", "TaskKind", "TaskQueue", "TaskStatus", "Topic", "TrainingRequest", "TrainingRequestCost",
    "TrainingRequestTopic", "Unit", "UserAccount", "UserRole", "WebSession", "training_request_workflow_id",
    "utcnow",
    "AgencyRank", "EmploymentPeriod",
    "ClaimCostCategory", "ClaimStatus", "ReimbursementClaim", "ReimbursementCostLine", "ReimbursementExclusion",
    "RosterImport", "RosterImportRow", "RosterRowKind", "roster_import_workflow_id",
    "AgencyHoliday", "HolidayChange",
]
