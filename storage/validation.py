"""What an officer may upload as a certificate: a PDF, JPEG or PNG, judged by content, never by name.

The file's name is kept only as a display name for people; it never becomes a storage key or a path.
Checks are structural and dependency-free apart from pypdf: enough to refuse archives, programs,
web pages, and damaged or truncated files with a message that says what to do instead.
Run `inspect_upload` off the event loop (`asyncio.to_thread`): parsing a 10 MB PDF takes a moment.
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from io import BytesIO
from typing import Literal

from pypdf import PdfReader

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024

ContentType = Literal["application/pdf", "image/jpeg", "image/png"]
RefusalReason = Literal[
    "empty", "too_large", "archive", "executable", "markup", "unsupported",
    "pdf_encrypted", "pdf_damaged", "image_damaged",
]

EXTENSIONS: dict[ContentType, str] = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
_KNOWN_EXTENSIONS = {"pdf", "jpg", "jpeg", "png"}
_DISPLAY_NAME_LIMIT = 100

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ARCHIVE_SIGNATURES = (
    b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08",  # zip, and zip-based formats (docx, jar, apk)
    b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd",
    b"MSCF", b"\x60\xea",  # cab, arj
)
_EXECUTABLE_SIGNATURES = (
    b"\x7fELF", b"MZ", b"#!", b"\x00asm",
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe",
)

_FORMATS = "Upload it as a PDF, JPEG or PNG."
MESSAGES: dict[RefusalReason, str] = {
    "empty": "The file is empty. Choose the file again.",
    "too_large": "The file is larger than {limit}. Upload a smaller scan or PDF.",
    "archive": f"Archives (ZIP, RAR, 7z and similar) are not accepted. {_FORMATS}",
    "executable": f"Programs and scripts are not accepted. {_FORMATS}",
    "markup": f"Web pages and SVG images are not accepted. {_FORMATS}",
    "unsupported": "Only PDF, JPEG or PNG files are accepted. Save or scan the document in one of these formats.",
    "pdf_encrypted": "This PDF is password-protected. Save it again without a password "
    "(for example, print it to a new PDF) and upload that.",
    "pdf_damaged": "The PDF is damaged and cannot be read. Download or save it again and upload the new copy.",
    "image_damaged": "The image is damaged or incomplete. Save or take the picture again and upload the new copy.",
}


@dataclass(frozen=True)
class InspectedFile:
    content_type: ContentType
    size: int
    sha256: str
    display_name: str
    page_count: int | None = None  # PDFs only


@dataclass(frozen=True)
class UploadRefusal:
    reason: RefusalReason
    message: str

    @property
    def http_status(self) -> int:
        return 413 if self.reason == "too_large" else 422


def inspect_upload(data: bytes, declared_name: str, max_bytes: int) -> InspectedFile | UploadRefusal:
    """Accept a certificate file or say, in one plain sentence, why not and what to do."""
    if not data:
        return _refuse("empty")
    if len(data) > max_bytes:
        return UploadRefusal("too_large", MESSAGES["too_large"].format(limit=describe_size(max_bytes)))
    content_type = _sniff(data)
    if isinstance(content_type, UploadRefusal):
        return content_type
    page_count = None
    if content_type == "application/pdf":
        pages_or_problem = _pdf_page_count(data)
        if isinstance(pages_or_problem, str):
            return _refuse(pages_or_problem)
        page_count = pages_or_problem
    elif not (_png_is_sound(data) if content_type == "image/png" else _jpeg_is_sound(data)):
        return _refuse("image_damaged")
    return InspectedFile(
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        display_name=display_name(declared_name, content_type),
        page_count=page_count,
    )


def display_name(declared_name: str, content_type: ContentType) -> str:
    """A name safe to show people: no folders, control or bidi characters, at most 100 characters,
    and an extension that matches the content (`scan.exe` holding a PDF shows as `scan.exe.pdf`)."""
    name = unicodedata.normalize("NFC", declared_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if char.isspace() else char for char in name if char.isspace() or _printable(char))
    name = " ".join(name.split())
    stem, dot, extension = name.rpartition(".")
    if not dot or extension.lower() not in _KNOWN_EXTENSIONS:
        stem = name
    stem = stem.strip(" .")
    extension = EXTENSIONS[content_type]
    stem = stem[: _DISPLAY_NAME_LIMIT - len(extension) - 1].rstrip(" .") or "certificate"
    return f"{stem}.{extension}"


def describe_size(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:g} MB"
    return f"{max(1, size // 1024)} KB"


def _refuse(reason: RefusalReason) -> UploadRefusal:
    return UploadRefusal(reason, MESSAGES[reason])


def _printable(char: str) -> bool:
    # Cc: controls; Cf: format characters incl. bidi overrides and zero-width; Cs/Co/Cn: surrogates,
    # private use, unassigned; Zl/Zp: line and paragraph separators. Quotes and the characters
    # Windows forbids in file names go too, so the name survives a Content-Disposition header.
    if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
        return False
    return char not in '"<>:|?*'


def _sniff(data: bytes) -> ContentType | UploadRefusal:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(_PNG_SIGNATURE):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(_ARCHIVE_SIGNATURES) or data[257:262] == b"ustar":
        return _refuse("archive")
    if data.startswith(_EXECUTABLE_SIGNATURES):
        return _refuse("executable")
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n\x00").lower()
    if head.startswith(b"<") or b"<svg" in head or b"<html" in head or b"<script" in head:
        return _refuse("markup")
    return _refuse("unsupported")


def _pdf_page_count(data: bytes) -> int | Literal["pdf_encrypted", "pdf_damaged"]:
    # pypdf repairs truncated files quietly; PDF readers require `%%EOF` near the end, and so do we.
    if b"%%EOF" not in data[-1024:]:
        return "pdf_damaged"
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            return "pdf_encrypted"
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018 - touching each page proves the page tree is sound
    except Exception:  # pypdf raises many types on hostile input; any of them means "damaged"
        return "pdf_damaged"
    return pages if pages > 0 else "pdf_damaged"


def _png_is_sound(data: bytes) -> bool:
    """Signature, IHDR first with sane values, every chunk complete with a correct CRC, IDAT present,
    and IEND as the very last bytes (nothing may hide after the image)."""
    position, seen_data = len(_PNG_SIGNATURE), False
    first = True
    while position + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data):
            return False
        body = data[position + 8 : end - 4]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            return False
        if first and (kind != b"IHDR" or not _ihdr_is_sound(body)):
            return False
        first = False
        seen_data = seen_data or kind == b"IDAT"
        if kind == b"IEND":
            return seen_data and end == len(data)
        position = end
    return False


def _ihdr_is_sound(body: bytes) -> bool:
    if len(body) != 13:
        return False
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
    allowed_depths = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
    return (
        0 < width < 2**31 and 0 < height < 2**31
        and depth in allowed_depths.get(colour, set())
        and compression == 0 and filtering == 0 and interlace in {0, 1}
    )


def _jpeg_is_sound(data: bytes) -> bool:
    """SOI, well-formed marker segments up to the scan with a frame header before it, and EOI
    as the very last bytes (nothing may hide after the image)."""
    if not data.endswith(b"\xff\xd9"):
        return False
    position, seen_frame = 2, False
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in {0x01, *range(0xD0, 0xD8)}:  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if length < 2 or position + 2 + length > len(data):
            return False
        if 0xC0 <= marker <= 0xCF and marker not in {0xC4, 0xC8, 0xCC}:
            seen_frame = True
        if marker == 0xDA:  # start of scan: entropy-coded data follows up to EOI
            return seen_frame and position + 2 + length <= len(data) - 2
        position += 2 + length
    return False
