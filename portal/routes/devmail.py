"""Development mailbox: the .eml files the local mail catcher wrote to settings.dev_mailbox_dir.

Registered only when that setting is present (`make run` sets it; production settings refuse it).
It holds everyone's mail, password-reset links included, so only administrators may read it; to
anyone else it does not exist (404).
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import Role
from portal.layout import current_user, page
from services.access import has_role
from settings import Settings

# A plain file name: no separators, no "..", must end in .eml.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.eml$")
_LIST_LIMIT = 200


@dataclass
class MailSummary:
    name: str
    date: str
    sender: str
    to: str
    subject: str


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        message = email.message_from_binary_file(handle, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _summary(path: Path, message: EmailMessage) -> MailSummary:
    return MailSummary(
        path.name,
        str(message.get("Date", "")),
        str(message.get("From", "")),
        str(message.get("To", "")),
        str(message.get("Subject", "")),
    )


def _administrators_only(request: Request) -> None:
    if not has_role(current_user(request), Role.ADMIN):
        raise NotFoundException()


@get("/dev/mail")
async def dev_mail(
    request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> Template:
    _administrators_only(request)
    folder = settings.dev_mailbox_dir
    paths = sorted(
        (p for p in folder.glob("*.eml") if p.is_file() and not p.is_symlink()) if folder and folder.exists() else [],
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )[:_LIST_LIMIT]
    mails = [_summary(path, _parse(path)) for path in paths]
    return await page(request, db, "devmail/list.html", mails=mails)


@get("/dev/mail/{name:str}")
async def dev_mail_detail(
    request: Request,
    db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    name: FromPath[str],
) -> Template:
    _administrators_only(request)
    folder = settings.dev_mailbox_dir
    if folder is None or not _NAME.fullmatch(name):
        raise NotFoundException()
    path = folder / name
    if path.resolve().parent != folder.resolve() or not path.is_file():
        raise NotFoundException()
    message = _parse(path)
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = body_part.get_content() if body_part is not None else ""
    return await page(request, db, "devmail/detail.html", mail=_summary(path, message), body=body)


ROUTES = [dev_mail, dev_mail_detail]
