"""Reading an upload's body with a hard size cap, for the web tier.

The portal checks `Content-Length` first (`check_declared_length`) and then reads the body with
`read_capped`, which stops as soon as the cap is passed: a client that lies about the length, or sends
chunked data, still cannot make the server hold more than the cap. Both raise `UploadTooLarge`,
which the portal answers with HTTP 413.
"""

from __future__ import annotations

from collections.abc import AsyncIterable

from storage.validation import MESSAGES, describe_size


class UploadTooLarge(Exception):
    http_status = 413

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.message = MESSAGES["too_large"].format(limit=describe_size(max_bytes))
        super().__init__(self.message)


def check_declared_length(content_length: str | None, max_bytes: int) -> None:
    """Refuse up front when the declared length is over `max_bytes`; a missing or odd header passes
    (the capped read still applies). For a multipart form, pass the file cap plus room for the
    form's own envelope, since the header counts both."""
    if content_length is None:
        return
    try:
        declared = int(content_length.strip())
    except ValueError:
        return
    if declared > max_bytes:
        raise UploadTooLarge(max_bytes)


async def read_capped(chunks: AsyncIterable[bytes], max_bytes: int) -> bytes:
    """Join `chunks`, raising `UploadTooLarge` at the first chunk that takes the total past `max_bytes`.

    That chunk is never kept and the iterator is not read further.
    """
    body = bytearray()
    async for chunk in chunks:
        if len(body) + len(chunk) > max_bytes:
            raise UploadTooLarge(max_bytes)
        body += chunk
    return bytes(body)
