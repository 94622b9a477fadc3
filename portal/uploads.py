"""Upload routes refuse a body declared larger than their cap before reading it, with our own 413 page.

Each upload route names its cap (a setting) and the sentence to show; the whole app's body limit
sits above the largest of them, so these pages answer before Litestar's generic one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import Request, Response

from portal.errors import error_page
from portal.security import refuse_unusable_input
from settings import Settings
from storage.streaming import UploadTooLarge, check_declared_length

# Room for the multipart envelope and the form's other fields on top of the file itself.
FORM_ENVELOPE_BYTES = 64 * 1024

BeforeRequest = Callable[[Request], Awaitable[Response | None]]


def largest_body(settings: Settings) -> int:
    """The app-wide request body limit: the largest upload cap plus the form's envelope."""
    return max(settings.max_upload_bytes, settings.max_import_bytes) + FORM_ENVELOPE_BYTES


def refuse_bodies_over(cap: Callable[[Settings], int], too_large: Callable[[Settings], str]) -> BeforeRequest:
    """A before_request hook: a declared length over `cap(settings)` (plus the envelope) gets our 413 page."""

    async def refuse_oversized(request: Request) -> Response | None:
        settings: Settings = request.app.state.settings
        try:
            check_declared_length(request.headers.get("content-length"), cap(settings) + FORM_ENVELOPE_BYTES)
        except UploadTooLarge:
            # The message names the file cap, not the cap plus the form's envelope.
            return error_page(413, too_large(settings))
        await refuse_unusable_input(request)
        return None

    return refuse_oversized
