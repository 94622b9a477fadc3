"""Polyglots: a PDF or picture that is also an archive or a program, or carries data after its own end,
is refused with a message that says what to do; the files people really make are still accepted."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader

from storage.validation import InspectedFile, UploadRefusal, inspect_upload
from tests.storage import hostile_files as made
from tests.storage.files import zip_of

CAP = 10 * 1024 * 1024
PDF = made.fpdf_certificate()
JPEG = made.pillow_jpeg()
PNG = made.pillow_png()
MULTI_PICTURE = made.pillow_multi_picture_jpeg()
ZIP = made.HIDDEN_ZIP
HIDDEN = "This file has another file (an archive, a program or a document) hidden inside it."
PDF_EXTRA = "This file has extra data after the end of the PDF. Save or print it to a new PDF and upload that."
IMAGE_EXTRA = "This image has extra data after the end of the picture"
DAMAGED_IMAGE = "The image is damaged or incomplete."


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (PDF, "application/pdf"),
        (made.fpdf_certificate(pages=2, photo=True), "application/pdf"),  # a photo's compressed data inside
        (made.fpdf_with_attachment("notes.txt", b"Signed by the instructor"), "application/pdf"),
        (PDF + b"\r\n\x00 \n", "application/pdf"),  # whitespace after %%EOF is allowed
        (JPEG, "image/jpeg"),  # EXIF and an ICC profile
        (made.pillow_jpeg(noise=True), "image/jpeg"),  # half a megabyte of random-looking scan data
        (made.pillow_jpeg(noise=True, progressive=True), "image/jpeg"),  # several scans
        (made.pillow_jpeg(noise=True, restart_marker_blocks=4), "image/jpeg"),  # restart markers in the scan
        (MULTI_PICTURE, "image/jpeg"),  # a second picture after EOI, listed in the MPF index
        (PNG, "image/png"),  # text chunks, one of them compressed
        (made.pillow_png(noise=True), "image/png"),
    ],
    ids=["fpdf2", "fpdf2-photo", "fpdf2-text-attachment", "pdf-trailing-whitespace", "pillow-exif-icc",
         "pillow-noise", "pillow-progressive", "pillow-restart-markers", "pillow-multi-picture", "pillow-png-text",
         "pillow-png-noise"],
)
def test_files_made_by_ordinary_tools_are_accepted(data: bytes, content_type: str) -> None:
    result = inspect_upload(data, "certificate", CAP)
    assert isinstance(result, InspectedFile), result
    assert result.content_type == content_type


def _jpeg_before_end(insert: bytes) -> bytes:
    assert JPEG.endswith(b"\xff\xd9")
    return JPEG[:-2] + insert + b"\xff\xd9"


def _jpeg_after_first_segment(insert: bytes) -> bytes:
    end = 4 + int.from_bytes(JPEG[4:6], "big")  # SOI, then APP0's marker and its length
    return JPEG[:end] + insert + JPEG[end:]


REFUSED = {
    # The assessment's two files.
    "pdf + zip after %%EOF": (PDF + ZIP, HIDDEN),
    "jpeg + zip before its end marker": (_jpeg_before_end(ZIP), HIDDEN),
    # An archive tool reads these too.
    "pdf + zip + a second %%EOF": (PDF + ZIP + b"\n%%EOF\n", HIDDEN),
    "pdf with a zip attached": (made.fpdf_with_attachment("records.zip", ZIP), HIDDEN),
    "pdf with a program attached": (made.fpdf_with_attachment("viewer.exe", made.windows_program()), HIDDEN),
    "jpeg + zip after its end marker": (JPEG + ZIP, HIDDEN),
    "jpeg with a zip in a comment": (made.jpeg_with_segment(JPEG, 0xFE, ZIP), HIDDEN),
    "jpeg with a program in an APP segment": (made.jpeg_with_segment(JPEG, 0xE9, made.linux_program()), HIDDEN),
    "jpeg with a pdf in an APP segment": (made.jpeg_with_segment(JPEG, 0xEA, PDF), HIDDEN),
    "png + zip after IEND": (PNG + ZIP, HIDDEN),
    "png with a zip in a private chunk": (made.png_with_chunk(PNG, b"ziPp", ZIP), HIDDEN),
    "png with a zip in a text chunk": (made.png_with_chunk(PNG, b"tEXt", b"note\x00" + ZIP), HIDDEN),
    "png with a zip as extra image data": (made.png_with_chunk(PNG, b"IDAT", zip_of("a", b"a")), HIDDEN),
    "png with a windows program": (made.png_with_chunk(PNG, b"prIv", made.windows_program()), HIDDEN),
    "png + 7z": (PNG + b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(40), HIDDEN),
    "jpeg + rar": (JPEG + b"Rar!\x1a\x07\x01\x00" + bytes(40), HIDDEN),
    # Data after the format's own end that is no known file: refused all the same.
    "pdf + a web page after %%EOF": (PDF + b"<html><script>alert(1)</script></html>", PDF_EXTRA),
    "jpeg + a second picture after EOI": (JPEG + JPEG, IMAGE_EXTRA),
    "jpeg + a web page after EOI": (JPEG + b"<script>alert(1)</script>", IMAGE_EXTRA),
    "png + a web page after IEND": (PNG + b"<script>alert(1)</script>", IMAGE_EXTRA),
    "multi-picture jpeg + a zip": (MULTI_PICTURE + ZIP, HIDDEN),
    "multi-picture jpeg + a web page": (MULTI_PICTURE + b"<script>alert(1)</script>", IMAGE_EXTRA),
    "multi-picture jpeg + another picture than the one listed": (
        MULTI_PICTURE[: MULTI_PICTURE.rindex(b"\xff\xd8\xff")] + JPEG, IMAGE_EXTRA),
    # Bytes where the JPEG's structure has no room for them.
    "jpeg with bytes between segments": (_jpeg_after_first_segment(b"<script>alert(1)</script>"), DAMAGED_IMAGE),
    "jpeg with a text before its end marker": (_jpeg_before_end(b"\xff\xfe<script>alert(1)"), DAMAGED_IMAGE),
    "png with a chunk named in digits": (made.png_with_chunk(PNG, b"1234", b"x"), DAMAGED_IMAGE),
}


@pytest.mark.parametrize(("data", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_polyglots_and_data_after_the_end_are_refused_with_what_to_do(data: bytes, message: str) -> None:
    result = inspect_upload(data, "certificate.pdf", CAP)
    assert isinstance(result, UploadRefusal), result
    assert message in result.message
    assert result.http_status == 422


def test_the_zip_appended_to_the_pdf_really_is_both_a_pdf_and_a_zip() -> None:
    """The refusal is about a real polyglot: pypdf reads the pages and zipfile lists the payload."""
    polyglot = PDF + ZIP
    assert len(PdfReader(io.BytesIO(polyglot)).pages) == 1
    assert zipfile.ZipFile(io.BytesIO(polyglot)).namelist() == ["payload.txt"]
    assert zipfile.ZipFile(io.BytesIO(_jpeg_before_end(ZIP))).namelist() == ["payload.txt"]
