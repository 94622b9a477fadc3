"""A local SMTP server that keeps every message as a .eml file instead of delivering it.

`python -m devtools.mailcatcher --mailbox-dir var/mailbox` listens on 127.0.0.1:8025. The portal's
/dev/mail page (enabled by MUSTER_DEV_MAILBOX_DIR) lists the files. Tests use `MailboxHandler` with
their own `aiosmtpd.controller.Controller`.

Each message is written to a hidden temporary file and renamed into place, so a reader never sees
half a message. Files are named `<UTC timestamp>-<uuid>.eml`, so sorting by name sorts by arrival.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class MailboxHandler:
    """aiosmtpd handler that stores each accepted message in `directory`."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.store(envelope.mail_from or "", list(envelope.rcpt_tos), _as_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def store(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> Path:
        # The envelope goes in front as headers: Bcc recipients appear nowhere else.
        envelope_headers = (
            f"X-Envelope-From: <{mail_from}>\r\nX-Envelope-To: {', '.join(rcpt_tos)}\r\n".encode()
        )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{uuid.uuid4().hex}.eml"
        temporary = self.directory / f".{name}.tmp"
        with temporary.open("wb") as file:
            file.write(envelope_headers + content)
            file.flush()
            os.fsync(file.fileno())
        final = self.directory / name
        os.replace(temporary, final)
        return final

    def messages(self) -> list[Path]:
        """The stored messages, oldest first."""
        return sorted(self.directory.glob("*.eml"))


def _as_bytes(content: Any) -> bytes:
    if content is None:
        return b""
    if isinstance(content, str):
        return content.encode("utf-8")
    return bytes(content)


def start_catcher(directory: Path | str, host: str = "127.0.0.1", port: int = 8025) -> Controller:
    """Start the SMTP server in a background thread; call `.stop()` on the result to end it."""
    controller = Controller(MailboxHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local SMTP catcher: stores messages as .eml files.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--mailbox-dir", type=Path, default=Path("var/mailbox"))
    args = parser.parse_args(argv)

    try:
        controller = start_catcher(args.mailbox_dir, args.host, args.port)
    except OSError as error:
        print(f"mail catcher: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    where = args.mailbox_dir.resolve()
    print(f"mail catcher: SMTP on {args.host}:{args.port}, saving to {where}", flush=True)

    stopped = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    stopped.wait()
    controller.stop()
    print("mail catcher: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
