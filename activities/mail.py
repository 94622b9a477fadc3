"""The one place Muster sends email."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from settings import Settings


async def send_email(settings: Settings, *, to: str, subject: str, body: str, message_id: str) -> None:
    """Send one message; SMTP errors (down, 421, 451) propagate so the activity retries.

    The Message-ID is derived from the notification's key, so a resend after a crash in the
    send-then-record window is recognisable as the same message by the receiving side.
    """
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        start_tls=settings.smtp_starttls,
        timeout=30,
    )
