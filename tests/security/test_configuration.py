"""Start-up configuration: production settings without a secret key, or with unusable values, stop the start.

Every test passes its own environment to load_settings, so the developer's shell never leaks in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import ConfigurationError, load_settings

PRODUCTION = {
    "MUSTER_SECURE_COOKIES": "true",
    "MUSTER_SECRET_KEY": "k" * 64,
    "MUSTER_PUBLIC_URL": "https://training.lakeview.example",
}


def _environment(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"MUSTER_VAR_DIR": str(tmp_path / "var"), **values}


def _problems(environ: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigurationError) as refused:
        load_settings(environ)
    return refused.value.problems


@pytest.mark.parametrize("secret_key", [None, "", "   "])
def test_secure_cookies_without_a_configured_secret_key_refuse_to_start_and_write_nothing(
    tmp_path: Path, secret_key: str | None
) -> None:
    environ = _environment(tmp_path, **PRODUCTION)
    environ.pop("MUSTER_SECRET_KEY")
    if secret_key is not None:
        environ["MUSTER_SECRET_KEY"] = secret_key

    [problem] = _problems(environ)

    assert "MUSTER_SECRET_KEY must be set when MUSTER_SECURE_COOKIES=true" in problem
    assert not (tmp_path / "var").exists()  # no key was generated in its place


def test_secure_cookies_refuse_a_short_secret_key(tmp_path: Path) -> None:
    environ = _environment(tmp_path, **{**PRODUCTION, "MUSTER_SECRET_KEY": "x" * 31})
    assert _problems(environ) == ["MUSTER_SECRET_KEY must be at least 32 characters long."]


def test_production_settings_with_a_secret_key_start(tmp_path: Path) -> None:
    settings = load_settings(_environment(tmp_path, **PRODUCTION))
    assert settings.secure_cookies and settings.secret_key == "k" * 64
    assert not (tmp_path / "var").exists()


def test_embedded_default_generates_one_private_key_and_keeps_it(tmp_path: Path) -> None:
    first = load_settings(_environment(tmp_path))
    second = load_settings(_environment(tmp_path))

    key_file = tmp_path / "var" / "secret_key"
    assert len(first.secret_key) == 64 and first.secret_key == second.secret_key == key_file.read_text()
    assert key_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("MUSTER_SECURE_COOKIES", "ture", "MUSTER_SECURE_COOKIES must be true or false, not 'ture'."),
        ("MUSTER_SMTP_STARTTLS", "maybe", "MUSTER_SMTP_STARTTLS must be true or false, not 'maybe'."),
        ("MUSTER_MAX_UPLOAD_MB", "10MB", "MUSTER_MAX_UPLOAD_MB must be a whole number from 1 to 1024, not '10MB'."),
        ("MUSTER_MAX_IMPORT_MB", "0", "MUSTER_MAX_IMPORT_MB must be a whole number from 1 to 1024, not '0'."),
        ("MUSTER_SMTP_PORT", "70000", "MUSTER_SMTP_PORT must be a whole number from 1 to 65535, not '70000'."),
        ("MUSTER_SESSION_IDLE_MINUTES", "-5",
         "MUSTER_SESSION_IDLE_MINUTES must be a whole number from 1 to 1440, not '-5'."),
        ("MUSTER_SESSION_ABSOLUTE_HOURS", "12.5",
         "MUSTER_SESSION_ABSOLUTE_HOURS must be a whole number from 1 to 168, not '12.5'."),
        ("MUSTER_LOCKOUT_RELEASE_MINUTES", "\u00b2",
         "MUSTER_LOCKOUT_RELEASE_MINUTES must be a whole number from 0 to 10080, not '\u00b2'."),
        ("MUSTER_OUTBOX_POLL_SECONDS", "nan",
         "MUSTER_OUTBOX_POLL_SECONDS must be a number of seconds above 0 and at most 3600, not 'nan'."),
        ("MUSTER_PUBLIC_URL", "training.lakeview.example",
         "MUSTER_PUBLIC_URL must look like http(s)://host[:port][/path], not 'training.lakeview.example'."),
        ("MUSTER_PUBLIC_URL", "https://host:99999",
         "MUSTER_PUBLIC_URL must look like http(s)://host[:port][/path], not 'https://host:99999'."),
        ("MUSTER_S3_ENDPOINT", "https://minio.example/bucket",
         "MUSTER_S3_ENDPOINT must look like http(s)://host[:port], not 'https://minio.example/bucket'."),
        ("MUSTER_TEMPORAL_ADDRESS", "temporal", "MUSTER_TEMPORAL_ADDRESS must look like host:port, not 'temporal'."),
        ("MUSTER_DATABASE_URL", "mysql://db/muster",
         "MUSTER_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://."),
        ("MUSTER_MAIL_FROM", "Muster", "MUSTER_MAIL_FROM must hold an email address, not 'Muster'."),
    ],
)
def test_an_unusable_value_stops_the_start_with_its_name_and_what_is_expected(
    tmp_path: Path, name: str, value: str, problem: str
) -> None:
    assert _problems(_environment(tmp_path, **{name: value})) == [problem]
    assert not (tmp_path / "var").exists()


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    environ = _environment(tmp_path, MUSTER_SECURE_COOKIES="true", MUSTER_PUBLIC_URL="http://training.example",
                           MUSTER_MAX_UPLOAD_MB="lots", MUSTER_S3_ENDPOINT="http://minio:9000",
                           MUSTER_S3_ACCESS_KEY="muster")
    with pytest.raises(ConfigurationError) as refused:
        load_settings(environ)

    assert len(refused.value.problems) == 4
    message = str(refused.value)
    for name in ("MUSTER_SECRET_KEY", "MUSTER_PUBLIC_URL", "MUSTER_MAX_UPLOAD_MB", "MUSTER_S3_SECRET_KEY"):
        assert name in message


def test_empty_variables_mean_the_defaults(tmp_path: Path) -> None:
    """docker compose's env_file turns a line `NAME=` into an empty variable."""
    names = ("MUSTER_SMTP_PORT", "MUSTER_SECURE_COOKIES", "MUSTER_MAX_UPLOAD_MB", "MUSTER_TASK_QUEUE",
             "MUSTER_DATABASE_URL", "MUSTER_S3_ENDPOINT")
    settings = load_settings(_environment(tmp_path, **dict.fromkeys(names, "")))
    assert (settings.smtp_port, settings.secure_cookies, settings.max_upload_mb, settings.task_queue) == (
        8025, False, 10, "muster")
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'var' / 'muster.db'}"
    assert settings.s3_endpoint is None


def test_the_development_mailbox_cannot_be_enabled_in_production(tmp_path: Path) -> None:
    # It shows everyone's mail, password-reset links included.
    environ = _environment(tmp_path, **{**PRODUCTION, "MUSTER_DEV_MAILBOX_DIR": str(tmp_path / "mailbox")})
    assert _problems(environ) == [
        "MUSTER_DEV_MAILBOX_DIR is for development only; unset it when MUSTER_SECURE_COOKIES=true."
    ]
    assert load_settings(_environment(tmp_path, MUSTER_DEV_MAILBOX_DIR=str(tmp_path / "mailbox"))).dev_mailbox_dir
