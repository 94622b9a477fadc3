"""Request bodies are capped before anything reads them, each route with its own cap and message.

An upload route names its kind in its `opt` (`opt=UPLOAD_BODY` or `opt=IMPORT_BODY`); every other
route takes the form cap. BodyCapMiddleware runs before the CSRF check (which may parse the form):
a declared Content-Length over the cap is refused at once, and a body sent without one (chunked)
is counted as it arrives and refused at the first chunk past the cap. Either way the person sees
the page's own size message (413), never a generic error, and nothing past the cap is read.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from portal.csrf import SAFE_METHODS
from portal.errors import RefusedInput
from settings import Settings
from storage.validation import describe_size, too_large_message

# Room for the multipart envelope and the form's other fields on top of the file itself.
FORM_ENVELOPE_BYTES = 64 * 1024
# Any form without a file: far above the largest (a bulk entry of a few hundred officers).
FORM_BYTES = 1024 * 1024
FORM_TOO_LARGE = "This form is too large to send. Enter less at a time and try again."

_BODY_CAP = "body_cap"
UPLOAD_BODY = {_BODY_CAP: "upload"}
IMPORT_BODY = {_BODY_CAP: "import"}


def largest_body(settings: Settings) -> int:
    """The app-wide request body limit (a backstop): the largest upload cap plus the form's envelope."""
    return max(settings.max_upload_bytes, settings.max_import_bytes) + FORM_ENVELOPE_BYTES


def import_too_large(settings: Settings) -> str:
    return f"The file is larger than {describe_size(settings.max_import_bytes)}. Split it into smaller files."


def body_cap(settings: Settings, kind: str | None) -> tuple[int, str]:
    """The most bytes a route of this kind reads, and what to tell someone who sends more."""
    if kind == "upload":
        return settings.max_upload_bytes + FORM_ENVELOPE_BYTES, too_large_message(settings.max_upload_bytes)
    if kind == "import":
        return settings.max_import_bytes + FORM_ENVELOPE_BYTES, import_too_large(settings)
    return FORM_BYTES, FORM_TOO_LARGE


class BodyCapMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        handler = scope.get("route_handler")
        cap, too_large = body_cap(self.settings, handler.opt.get(_BODY_CAP) if handler is not None else None)
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.strip().isdigit():
                    raise RefusedInput(400, "The request's length could not be read.")
                if int(value) > cap:
                    raise RefusedInput(413, too_large)
        received = 0

        async def counted() -> ReceiveMessage:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise RefusedInput(413, too_large)
            return message

        await self.app(scope, counted, send)
