"""Runtime settings, read once from environment variables with working embedded defaults.

Every variable is listed in README.md. Defaults give the embedded system `make run` starts:
SQLite and files under ./var, the Temporal dev server on 127.0.0.1:7233, the local mail catcher.
Values are checked when a process starts: `load_settings` raises ConfigurationError naming every
problem at once, so a bad deployment stops there instead of failing later, request by request.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent
# Shorter secrets are guessable enough to forge CSRF tokens; token_urlsafe(48) gives 64 characters.
MIN_SECRET_KEY_LENGTH = 32
_DATABASE_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigurationError(Exception):
    """The environment holds settings Muster cannot run with; `problems` says what, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Muster cannot start with this configuration:\n" + "\n".join(f"- {p}" for p in problems))


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
    # Ask the S3 server to encrypt each object at rest (SSE-S3); MinIO needs a KMS for it.
    s3_server_side_encryption: bool = False
    # Observability (telemetry/): "" leaves each one off. Metrics listen on ports of their own, never the portal's.
    portal_metrics_address: str = ""  # MUSTER_PORTAL_METRICS_ADDRESS, host:port
    worker_metrics_address: str = ""  # MUSTER_WORKER_METRICS_ADDRESS, host:port
    otlp_endpoint: str = ""  # MUSTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT): OTLP/HTTP base address
    # Portal processes `python -m portal.serve` starts (MUSTER_PORTAL_PROCESSES; default one per core).
    portal_processes: int = 1
    var_dir: Path = PROJECT_ROOT / "var"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def max_import_bytes(self) -> int:
        return self.max_import_mb * 1024 * 1024


class _Environment:
    """Reads MUSTER_* variables, noting every unusable value instead of stopping at the first."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self.problems: list[str] = []

    def text(self, name: str, default: str = "") -> str:
        # Empty counts as unset: compose's env_file turns a line "NAME=" into an empty variable.
        return self._environ.get(name) or default

    def optional(self, name: str) -> str | None:
        return self._environ.get(name) or None

    def _given(self, name: str, default: str) -> str:
        return self._environ.get(name, "").strip() or default

    def flag(self, name: str, default: bool) -> bool:
        # A typo such as "ture" must not quietly mean false: for MUSTER_SECURE_COOKIES that is insecure.
        raw = self._given(name, "").lower()
        if not raw:
            return default
        if raw in _TRUE | _FALSE:
            return raw in _TRUE
        self.problems.append(f"{name} must be true or false, not {raw!r}.")
        return default

    def whole_number(self, name: str, default: int, low: int, high: int) -> int:
        raw = self._given(name, str(default))
        if raw.isascii() and raw.isdigit() and len(raw) <= 9 and low <= int(raw) <= high:
            return int(raw)
        self.problems.append(f"{name} must be a whole number from {low} to {high}, not {raw!r}.")
        return default

    def seconds(self, name: str, default: float, high: float) -> float:
        raw = self._given(name, str(default))
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if 0 < value <= high:  # also refuses nan and inf
            return value
        self.problems.append(f"{name} must be a number of seconds above 0 and at most {high:g}, not {raw!r}.")
        return default

    def web_address(self, name: str, default: str = "", *, path_allowed: bool) -> str:
        """An http(s) address; '' when unset and without default."""
        raw = self._given(name, default)
        if not raw:
            return ""
        if not _is_web_address(raw, path_allowed=path_allowed):
            shape = "http(s)://host[:port][/path]" if path_allowed else "http(s)://host[:port]"
            self.problems.append(f"{name} must look like {shape}, not {raw!r}.")
        return raw

    def optional_host_and_port(self, name: str) -> str:
        """A host:port, or '' when unset (the feature it enables stays off)."""
        return self.host_and_port(name, "") if self._given(name, "") else ""

    def host_and_port(self, name: str, default: str) -> str:
        raw = self._given(name, default)
        host, _, port = raw.rpartition(":")
        if not (host and port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            self.problems.append(f"{name} must look like host:port, not {raw!r}.")
        return raw


def _is_web_address(raw: str, *, path_allowed: bool) -> bool:
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return False
    return (
        parts.scheme in {"http", "https"}
        and bool(parts.hostname)
        and (path_allowed or parts.path in {"", "/"})
        and not parts.query
        and not parts.fragment
    )


def _configured_secret_key(env: _Environment, secure_cookies: bool) -> str | None:
    """MUSTER_SECRET_KEY; production (secure cookies) must set a long one, the embedded default may not."""
    configured = env.text("MUSTER_SECRET_KEY").strip()
    if secure_cookies and not configured:
        env.problems.append(
            "MUSTER_SECRET_KEY must be set when MUSTER_SECURE_COOKIES=true: every portal process signs "
            "sessions and CSRF tokens with it, so it cannot be generated on one machine."
        )
    elif secure_cookies and len(configured) < MIN_SECRET_KEY_LENGTH:
        env.problems.append(f"MUSTER_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long.")
    return configured or None


def _generated_secret_key(var_dir: Path) -> str:
    """The embedded default: a key generated once under var/, so the portal and worker agree on it."""
    path = var_dir / "secret_key"
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        # Created private from the start, and only once even when several processes start together.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _check_together(env: _Environment, s3_endpoint: str, access_key: str | None, secret_key: str | None) -> None:
    if s3_endpoint and (access_key is None) != (secret_key is None):
        env.problems.append("MUSTER_S3_ACCESS_KEY and MUSTER_S3_SECRET_KEY must be set together.")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `environ` (the process environment by default); ConfigurationError lists every problem."""
    env = _Environment(os.environ if environ is None else environ)
    var_dir = Path(env.text("MUSTER_VAR_DIR", str(PROJECT_ROOT / "var")))
    dev_mailbox = env.optional("MUSTER_DEV_MAILBOX_DIR")
    secure_cookies = env.flag("MUSTER_SECURE_COOKIES", False)
    secret_key = _configured_secret_key(env, secure_cookies)
    database_url = env.text("MUSTER_DATABASE_URL", f"sqlite+aiosqlite:///{var_dir / 'muster.db'}")
    if not database_url.startswith(_DATABASE_SCHEMES):
        env.problems.append(f"MUSTER_DATABASE_URL must start with {' or '.join(_DATABASE_SCHEMES)}.")
    public_url = env.web_address("MUSTER_PUBLIC_URL", "http://127.0.0.1:8000", path_allowed=True).rstrip("/")
    if secure_cookies and dev_mailbox:
        # The development mailbox shows everyone's mail, reset links included: never in production.
        env.problems.append("MUSTER_DEV_MAILBOX_DIR is for development only; unset it when MUSTER_SECURE_COOKIES=true.")
    if secure_cookies and not public_url.startswith("https://"):
        env.problems.append("MUSTER_PUBLIC_URL must be an https:// address when MUSTER_SECURE_COOKIES=true.")
    mail_from = env.text("MUSTER_MAIL_FROM", "Muster <muster@localhost>")
    if "@" not in parseaddr(mail_from)[1]:
        env.problems.append(f"MUSTER_MAIL_FROM must hold an email address, not {mail_from!r}.")
    s3_endpoint = env.web_address("MUSTER_S3_ENDPOINT", path_allowed=False)
    s3_access_key, s3_secret_key = env.optional("MUSTER_S3_ACCESS_KEY"), env.optional("MUSTER_S3_SECRET_KEY")
    _check_together(env, s3_endpoint, s3_access_key, s3_secret_key)
    settings = Settings(
        database_url=database_url,
        temporal_address=env.host_and_port("MUSTER_TEMPORAL_ADDRESS", "127.0.0.1:7233"),
        temporal_namespace=env.text("MUSTER_TEMPORAL_NAMESPACE", "default"),
        task_queue=env.text("MUSTER_TASK_QUEUE", "muster"),
        workflow_id_prefix=env.text("MUSTER_WORKFLOW_ID_PREFIX", ""),
        smtp_host=env.text("MUSTER_SMTP_HOST", "127.0.0.1"),
        smtp_port=env.whole_number("MUSTER_SMTP_PORT", 8025, 1, 65535),
        smtp_username=env.optional("MUSTER_SMTP_USERNAME"),
        smtp_password=env.optional("MUSTER_SMTP_PASSWORD"),
        smtp_starttls=env.flag("MUSTER_SMTP_STARTTLS", False),
        mail_from=mail_from,
        public_url=public_url,
        secure_cookies=secure_cookies,
        session_idle_minutes=env.whole_number("MUSTER_SESSION_IDLE_MINUTES", 30, 1, 24 * 60),
        session_absolute_hours=env.whole_number("MUSTER_SESSION_ABSOLUTE_HOURS", 12, 1, 24 * 7),
        # 0: a locked account stays locked until an administrator unlocks it (CJIS AC-7).
        lockout_release_minutes=env.whole_number("MUSTER_LOCKOUT_RELEASE_MINUTES", 0, 0, 7 * 24 * 60),
        dev_mailbox_dir=Path(dev_mailbox) if dev_mailbox else None,
        s3_endpoint=s3_endpoint or None,
        s3_access_key=s3_access_key,
        s3_secret_key=s3_secret_key,
        s3_bucket=env.text("MUSTER_S3_BUCKET", "muster-certificates"),
        s3_server_side_encryption=env.flag("MUSTER_S3_SERVER_SIDE_ENCRYPTION", False),
        storage_dir=Path(env.text("MUSTER_STORAGE_DIR", str(var_dir / "storage"))),
        outbox_poll_seconds=env.seconds("MUSTER_OUTBOX_POLL_SECONDS", 2.0, 3600),
        max_upload_mb=env.whole_number("MUSTER_MAX_UPLOAD_MB", 10, 1, 1024),
        max_import_mb=env.whole_number("MUSTER_MAX_IMPORT_MB", 5, 1, 1024),
        portal_metrics_address=env.optional_host_and_port("MUSTER_PORTAL_METRICS_ADDRESS"),
        worker_metrics_address=env.optional_host_and_port("MUSTER_WORKER_METRICS_ADDRESS"),
        otlp_endpoint=env.web_address("MUSTER_OTLP_ENDPOINT", env.text("OTEL_EXPORTER_OTLP_ENDPOINT"),
                                      path_allowed=True).rstrip("/"),
        portal_processes=env.whole_number("MUSTER_PORTAL_PROCESSES", os.cpu_count() or 1, 1, 256),
        var_dir=var_dir,
        secret_key=secret_key or "",
    )
    if env.problems:
        raise ConfigurationError(env.problems)
    if not settings.secret_key:
        # Generated only once everything else is known to be right: a refused start writes nothing.
        settings = replace(settings, secret_key=_generated_secret_key(var_dir))
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
