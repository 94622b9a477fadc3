"""Runtime settings, read once from environment variables with working embedded defaults.

Every variable is listed in README.md. Defaults give the embedded system `make run` starts:
SQLite and files under ./var, the Temporal dev server on 127.0.0.1:7233, the local mail catcher.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("MUSTER_VAR_DIR", PROJECT_ROOT / "var"))


@dataclass(frozen=True)
class Settings:
    database_url: str
    temporal_address: str
    temporal_namespace: str
    task_queue: str
    workflow_id_prefix: str
    smtp_host: str
    smtp_port: int
    smtp_username: str | None
    smtp_password: str | None
    smtp_starttls: bool
    mail_from: str
    secret_key: str
    public_url: str
    secure_cookies: bool
    session_idle_minutes: int
    session_absolute_hours: int
    lockout_release_minutes: int
    dev_mailbox_dir: Path | None
    s3_endpoint: str | None
    s3_access_key: str | None
    s3_secret_key: str | None
    s3_bucket: str
    storage_dir: Path
    outbox_poll_seconds: float
    # Largest certificate file an officer may upload (MUSTER_MAX_UPLOAD_MB).
    max_upload_mb: int = 10
    # Largest CSV file of training records a coordinator may import (MUSTER_MAX_IMPORT_MB).
    max_import_mb: int = 5

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def max_import_bytes(self) -> int:
        return self.max_import_mb * 1024 * 1024


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """A stable secret: CSRF tokens and session cookies break if processes disagree on it.

    Production sets MUSTER_SECRET_KEY; the embedded default keeps a generated one under var/.
    """
    configured = os.environ.get("MUSTER_SECRET_KEY")
    if configured:
        return configured
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_settings() -> Settings:
    env = os.environ.get
    dev_mailbox = env("MUSTER_DEV_MAILBOX_DIR")
    return Settings(
        database_url=env("MUSTER_DATABASE_URL", f"sqlite+aiosqlite:///{VAR_DIR / 'muster.db'}"),
        temporal_address=env("MUSTER_TEMPORAL_ADDRESS", "127.0.0.1:7233"),
        temporal_namespace=env("MUSTER_TEMPORAL_NAMESPACE", "default"),
        task_queue=env("MUSTER_TASK_QUEUE", "muster"),
        workflow_id_prefix=env("MUSTER_WORKFLOW_ID_PREFIX", ""),
        smtp_host=env("MUSTER_SMTP_HOST", "127.0.0.1"),
        smtp_port=int(env("MUSTER_SMTP_PORT", "8025")),
        smtp_username=env("MUSTER_SMTP_USERNAME") or None,
        smtp_password=env("MUSTER_SMTP_PASSWORD") or None,
        smtp_starttls=_bool("MUSTER_SMTP_STARTTLS", False),
        mail_from=env("MUSTER_MAIL_FROM", "Muster <muster@localhost>"),
        secret_key=_secret_key(),
        public_url=env("MUSTER_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        secure_cookies=_bool("MUSTER_SECURE_COOKIES", False),
        session_idle_minutes=int(env("MUSTER_SESSION_IDLE_MINUTES", "30")),
        session_absolute_hours=int(env("MUSTER_SESSION_ABSOLUTE_HOURS", "12")),
        # 0: a locked account stays locked until an administrator unlocks it (CJIS AC-7).
        lockout_release_minutes=int(env("MUSTER_LOCKOUT_RELEASE_MINUTES", "0")),
        dev_mailbox_dir=Path(dev_mailbox) if dev_mailbox else None,
        s3_endpoint=env("MUSTER_S3_ENDPOINT") or None,
        s3_access_key=env("MUSTER_S3_ACCESS_KEY") or None,
        s3_secret_key=env("MUSTER_S3_SECRET_KEY") or None,
        s3_bucket=env("MUSTER_S3_BUCKET", "muster-certificates"),
        storage_dir=Path(env("MUSTER_STORAGE_DIR", str(VAR_DIR / "storage"))),
        outbox_poll_seconds=float(env("MUSTER_OUTBOX_POLL_SECONDS", "2")),
        max_upload_mb=int(env("MUSTER_MAX_UPLOAD_MB", "10")),
        max_import_mb=int(env("MUSTER_MAX_IMPORT_MB", "5")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
