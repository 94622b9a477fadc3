"""Headers for handing a stored certificate to a user the portal has already checked may see it.

Always a download, never rendered inline, and never sniffed into another type: a PDF or image that
smuggles script stays inert (ASVS 5.4.1, 3.4.4).
"""

from __future__ import annotations

import re
from urllib.parse import quote

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9 ._()-]")


def content_disposition(display_name: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name in RFC 6266/5987 form."""
    fallback = _UNSAFE_ASCII.sub("_", display_name) or "certificate"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(display_name, safe='')}"


def download_headers(display_name: str, content_type: str) -> dict[str, str]:
    return {
        "Content-Type": content_type,
        "Content-Disposition": content_disposition(display_name),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "no-store",
    }
