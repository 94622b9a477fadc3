"""Security headers on every response, error pages included."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import NotFoundException, ValidationException
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from services.form_text import MAX_ID
from settings import Settings

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def security_headers(settings: Settings) -> BeforeMessageSendHookHandler:
    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        # A handler serving an uploaded file sets a stricter policy of its own (sandbox): keep that one.
        if "content-security-policy" not in headers:
            headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        if not scope.get("path", "").startswith("/static/"):
            headers["Cache-Control"] = "no-store"
        if settings.secure_cookies:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    return add_headers


async def refuse_unusable_input(request: Request) -> None:
    """Before any handler: input no handler can use is refused here, not by a database driver (a 500).

    A path parameter beyond any row id, or with NUL in it, names nothing (404). NUL in a query or form
    value is never meant (400): PostgreSQL cannot store or even compare it, and a comment carrying it
    would fail the workflow activity that records it, on every retry. Only url-encoded forms are read
    here: an upload (multipart) is left whole for its handler to stream and size-check.
    """
    for value in request.path_params.values():
        if (isinstance(value, int) and not -MAX_ID <= value <= MAX_ID) or (isinstance(value, str) and "\x00" in value):
            raise NotFoundException()
    values: list[object] = [value for _, value in request.query_params.multi_items()]
    if request.method == "POST" and request.content_type[0] == "application/x-www-form-urlencoded":
        values += [value for _, value in (await request.form()).multi_items()]
    if any(isinstance(value, str) and "\x00" in value for value in values):
        raise ValidationException()
