"""Upload checks: certificates by content, every hostile file of the issue refused plainly, nothing stored."""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
from pathlib import Path

import pytest

from storage import LocalFolderStore
from storage.uploads import stored_upload
from storage.validation import InspectedFile, UploadRefusal, display_name, inspect_upload
from tests.storage import files

CAP = 10 * 1024 * 1024
CERTIFICATE = files.pdf_with_text(["Certificate of Completion", "Crisis Intervention", "8 hours"])


@pytest.mark.parametrize(
    ("data", "name", "content_type", "display"),
    [
        (CERTIFICATE, "CIT certificate.pdf", "application/pdf", "CIT certificate.pdf"),
        (files.png(), "scan.PNG", "image/png", "scan.PNG"),
        (files.jpeg(), "photo.jpeg", "image/jpeg", "photo.jpeg"),
    ],
)
def test_certificate_files_are_accepted_with_type_size_and_checksum(
    data: bytes, name: str, content_type: str, display: str
) -> None:
    result = inspect_upload(data, name, CAP)

    assert isinstance(result, InspectedFile)
    assert result.content_type == content_type
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.display_name == display.rsplit(".", 1)[0] + "." + {"application/pdf": "pdf", "image/png": "png",
                                                                     "image/jpeg": "jpg"}[content_type]


def test_pdf_page_count_is_reported() -> None:
    result = inspect_upload(CERTIFICATE, "c.pdf", CAP)
    assert isinstance(result, InspectedFile) and result.page_count == 1


def test_jpeg_and_png_from_a_real_encoder_are_accepted() -> None:
    image = pytest.importorskip("PIL.Image")
    for format_, expected in [("JPEG", "image/jpeg"), ("PNG", "image/png")]:
        out = io.BytesIO()
        image.new("RGB", (64, 48), "navy").save(out, format_)
        result = inspect_upload(out.getvalue(), "phone upload", CAP)
        assert isinstance(result, InspectedFile) and result.content_type == expected


def test_the_same_file_twice_has_the_same_checksum_whatever_its_name() -> None:
    first = inspect_upload(CERTIFICATE, "a.pdf", CAP)
    second = inspect_upload(CERTIFICATE, "renamed copy.pdf", CAP)
    assert isinstance(first, InspectedFile) and isinstance(second, InspectedFile)
    assert first.sha256 == second.sha256


def _executable() -> bytes:
    return Path(sys.executable).resolve().read_bytes()[:64 * 1024]


HOSTILE = {
    "executable renamed .pdf": (_executable(), "cert.pdf", "executable", "Programs and scripts are not accepted"),
    "windows program renamed .pdf": (b"MZ\x90\x00" + bytes(200), "cert.pdf", "executable", "Programs"),
    "shell script renamed .pdf": (b"#!/bin/sh\nrm -rf ~\n", "cert.pdf", "executable", "Programs"),
    "truncated pdf": (CERTIFICATE[: len(CERTIFICATE) // 2], "cert.pdf", "pdf_damaged", "The PDF is damaged"),
    "pdf header on garbage": (b"%PDF-1.7\nnot a pdf at all\n%%EOF\n", "cert.pdf", "pdf_damaged", "damaged"),
    "password-protected pdf": (files.encrypted_pdf(), "cert.pdf", "pdf_encrypted", "password-protected"),
    "zip": (files.zip_of("certificate.pdf", CERTIFICATE), "cert.zip", "archive", "Archives"),
    "zip renamed .pdf": (files.zip_of("certificate.pdf", CERTIFICATE), "cert.pdf", "archive", "Archives"),
    "gzip": (gzip.compress(CERTIFICATE), "cert.pdf.gz", "archive", "Archives"),
    "tar": (files.tar_of("certificate.pdf", CERTIFICATE), "cert.tar", "archive", "Archives"),
    "7z": (b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(40), "cert.7z", "archive", "Archives"),
    "rar": (b"Rar!\x1a\x07\x01\x00" + bytes(40), "cert.rar", "archive", "Archives"),
    "empty file": (b"", "cert.pdf", "empty", "The file is empty"),
    "html page": (b"\xef\xbb\xbf  <!DOCTYPE html><script>alert(1)</script>", "cert.pdf", "markup", "Web pages"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "cert.png", "markup", "SVG"),
    "word document text": (b"Certificate of completion, 8 hours", "cert.txt", "unsupported", "Only PDF, JPEG or PNG"),
    "truncated png": (files.png()[:-12], "scan.png", "image_damaged", "The image is damaged"),
    "png with a zip appended": (files.png() + files.zip_of("x", b"x"), "scan.png", "hidden_file", "hidden inside it"),
    "png with a bad checksum": (files.png()[:30] + b"\0\0" + files.png()[32:], "scan.png", "image_damaged", "damaged"),
    "truncated jpeg": (files.jpeg()[:-2], "photo.jpg", "image_damaged", "damaged"),
    "jpeg header only": (b"\xff\xd8\xff\xd9", "photo.jpg", "image_damaged", "damaged"),
}


@pytest.mark.parametrize(("data", "name", "reason", "message"), HOSTILE.values(), ids=HOSTILE.keys())
async def test_hostile_files_get_a_plain_refusal_and_nothing_is_stored(
    tmp_path: Path, data: bytes, name: str, reason: str, message: str
) -> None:
    store = LocalFolderStore(tmp_path / "store")

    result = inspect_upload(data, name, CAP)
    if isinstance(result, InspectedFile):  # what the upload service does with an accepted file
        async with stored_upload(store, result, data):
            pass

    assert isinstance(result, UploadRefusal)
    assert result.reason == reason
    assert message in result.message
    assert result.http_status == 422
    assert not (tmp_path / "store").exists()


def test_a_body_over_the_cap_is_refused_with_413() -> None:
    result = inspect_upload(CERTIFICATE + b" " * 100, "big.pdf", len(CERTIFICATE))
    assert isinstance(result, UploadRefusal)
    assert result.reason == "too_large" and result.http_status == 413
    assert "larger than" in result.message


def test_the_cap_is_stated_in_the_refusal() -> None:
    result = inspect_upload(b"x" * (CAP + 1), "big.pdf", CAP)
    assert isinstance(result, UploadRefusal) and "10 MB" in result.message


def test_a_hostile_name_on_a_real_certificate_becomes_a_harmless_display_name() -> None:
    result = inspect_upload(CERTIFICATE, "..\\..//../etc/\x00pass\x1b[31mwd\r\n\u202egpj.exe", CAP)

    assert isinstance(result, InspectedFile)
    assert result.display_name == "pass[31mwd gpj.exe.pdf"


@pytest.mark.parametrize(
    ("declared", "content_type", "expected"),
    [
        ("../../", "application/pdf", "certificate.pdf"),
        ("..", "image/png", "certificate.png"),
        ("", "image/jpeg", "certificate.jpg"),
        (".pdf", "application/pdf", "certificate.pdf"),
        ("C:\\Users\\jdoe\\Desktop\\CIT cert.pdf", "application/pdf", "CIT cert.pdf"),
        ("scan.png", "image/jpeg", "scan.jpg"),
        ("Zertifikat Gewaltprävention.pdf", "application/pdf", "Zertifikat Gewaltprävention.pdf"),
        ('say "hi" <b>.pdf', "application/pdf", "say hi b.pdf"),
        ("zero\u200bwidth\u2066isolate.png", "image/png", "zerowidthisolate.png"),
    ],
)
def test_display_names(declared: str, content_type: str, expected: str) -> None:
    assert display_name(declared, content_type) == expected  # type: ignore[arg-type]


def test_display_names_are_at_most_100_characters_and_keep_their_extension() -> None:
    name = display_name("a" * 500 + ".pdf", "application/pdf")
    assert len(name) == 100 and name.endswith("a.pdf")
