"""What an officer may upload as a certificate: a PDF, JPEG or PNG, judged by content, never by name.

The file's name is kept only as a display name for people; it never becomes a storage key or a path.
Checks are structural: enough to refuse archives, programs, web pages, damaged or truncated files, and
"polyglots" (a PDF or picture that is also an archive or program, or carries data after its own end),
with a message that says what to do instead. PDFs are parsed by pypdf in a child process whose work is
bounded (storage.pdf_reading). Certificates and record-report attachments both come through here.
Run `inspect_upload` off the event loop (`asyncio.to_thread`): parsing a 10 MB PDF takes a moment.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Literal

from storage.hidden_files import holds_another_file
from storage.image_structure import PNG_SIGNATURE, jpeg_problem, png_problem
from storage.pdf_reading import MAX_PAGES, count_pages

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024

ContentType = Literal["application/pdf", "image/jpeg", "image/png"]
RefusalReason = Literal[
    "empty", "too_large", "archive", "executable", "markup", "unsupported", "hidden_file",
    "pdf_encrypted", "pdf_damaged", "pdf_too_complex", "pdf_extra_data", "image_damaged", "image_extra_data",
]

EXTENSIONS: dict[ContentType, str] = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
_KNOWN_EXTENSIONS = {"pdf", "jpg", "jpeg", "png"}
_DISPLAY_NAME_LIMIT = 100

_PDF_END = b"%%EOF"
_PDF_WHITESPACE = b"\x00\t\n\x0c\r "
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
    "pdf_too_complex": f"This PDF is too large or complex to check (more than {MAX_PAGES} pages, or very large "
    "content). Print only the certificate's pages to a new PDF and upload that.",
    "pdf_extra_data": "This file has extra data after the end of the PDF. Save or print it to a new PDF "
    "and upload that.",
    "hidden_file": "This file has another file (an archive, a program or a document) hidden inside it. "
    "Print it to a new PDF, or save the picture again as a new JPEG or PNG, and upload that.",
    "image_damaged": "The image is damaged or incomplete. Save or take the picture again and upload the new copy.",
    "image_extra_data": "This image has extra data after the end of the picture (some phones add a second picture "
    "or a short video). Save it again as a new JPEG or PNG, or take a screenshot of it, and upload that.",
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
        return UploadRefusal("too_large", too_large_message(max_bytes))
    content_type = _sniff(data)
    if isinstance(content_type, UploadRefusal):
        return content_type
    # Hidden files first: a PDF with a ZIP appended is refused as a hidden archive, not as "damaged".
    if holds_another_file(data, content_type):
        return _refuse("hidden_file")
    page_count = None
    if content_type == "application/pdf":
        pages_or_problem = _pdf_end_problem(data) or count_pages(data)
        if isinstance(pages_or_problem, str):
            return _refuse(pages_or_problem)
        page_count = pages_or_problem
    else:
        problem = png_problem(data) if content_type == "image/png" else jpeg_problem(data)
        if problem is not None:
            return _refuse(problem)
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


def safe_file_name(declared: str, fallback: str) -> str:
    """A text file's name safe to show: no folders, no control or format characters, at most 100 characters."""
    name = declared.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] not in {"C", "Z"} or char == " ")
    return " ".join(name.split())[:100] or fallback


def too_large_message(max_bytes: int) -> str:
    return MESSAGES["too_large"].format(limit=describe_size(max_bytes))


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
    if data.startswith(PNG_SIGNATURE):
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


def _pdf_end_problem(data: bytes) -> Literal["pdf_damaged", "pdf_extra_data"] | None:
    # pypdf repairs truncated files quietly; PDF readers require `%%EOF` at the end, and so do we.
    # Nothing but whitespace may follow the last one: an appended file would sit there.
    end = data.rfind(_PDF_END)
    if end < 0:
        return "pdf_damaged"
    return "pdf_extra_data" if data[end + len(_PDF_END) :].strip(_PDF_WHITESPACE) else None
