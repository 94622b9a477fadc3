"""PDFs built to make a reader work without end: a few KB that inflate to megabytes, a page tree of
thousands of pages, one large character map read once per font. Reading them stops at a cap and ends
in a refusal with a message; ordinary certificates are read as before."""

from __future__ import annotations

import zlib

import pytest

from storage import pdf_reading
from storage.prefill import CertificateFacts, TooComplexToRead, prefill_from_pdf
from storage.validation import InspectedFile, UploadRefusal, inspect_upload
from tests.storage import hostile_files as made
from tests.storage.files import encrypted_pdf

CAP = 10 * 1024 * 1024
SPACES = made.content_stream_bomb(b" " * 8_000_000)
TEXT = made.content_stream_bomb(b"BT /F1 12 Tf 72 720 Td (Certificate of completion) Tj ET\n" * 150_000)


def test_the_bombs_are_small_files_that_ask_for_megabytes() -> None:
    assert len(SPACES) < 20_000 and len(TEXT) < 40_000
    assert len(zlib.decompress(SPACES.split(b"stream\n")[1].rsplit(b"\nendstream")[0])) == 8_000_000


@pytest.mark.parametrize("bomb", [SPACES, TEXT], ids=["8-MB-of-spaces", "8-MB-of-text-operators"])
def test_prefilling_from_a_content_stream_bomb_stops_at_the_inflate_cap_and_says_so(bomb: bytes) -> None:
    # 8 MB is four times the 2 MB a stream may inflate to: reading ends at the cap, not at the end.
    assert pdf_reading.read_text(bomb, 3) == "pdf_too_complex"
    with pytest.raises(TooComplexToRead) as refused:
        prefill_from_pdf(bomb)
    assert "too large or complex for us to read its details. Please fill them in yourself." in str(refused.value)


def test_a_large_content_stream_under_the_cap_is_still_read() -> None:
    padded = b" " * 1_500_000 + b"BT /F1 12 Tf 72 720 Td (Course Title: Use of Force) Tj ET"
    assert prefill_from_pdf(made.content_stream_bomb(padded)).course_title == "Use of Force"


def test_uploading_a_content_stream_bomb_counts_its_pages_without_inflating_the_content() -> None:
    # Counting pages never touches content streams: had it inflated this one, the cap would have refused it.
    result = inspect_upload(SPACES, "certificate.pdf", CAP)
    assert isinstance(result, InspectedFile) and result.page_count == 1


def test_a_page_tree_stored_in_an_object_stream_bomb_is_refused_on_upload() -> None:
    bomb = made.object_stream_bomb(padding=8_000_000)
    assert len(bomb) < 20_000

    result = inspect_upload(bomb, "certificate.pdf", CAP)

    assert isinstance(result, UploadRefusal) and result.reason == "pdf_too_complex"
    assert "This PDF is too large or complex to check" in result.message
    # The same file with a small object stream is an ordinary one-page PDF: the cap made the difference.
    small = inspect_upload(made.object_stream_bomb(padding=1_000), "certificate.pdf", CAP)
    assert isinstance(small, InspectedFile) and small.page_count == 1


def test_a_page_tree_of_more_pages_than_the_cap_is_refused_without_reading_them() -> None:
    result = inspect_upload(made.page_tree_bomb(pdf_reading.MAX_PAGES + 1), "certificate.pdf", CAP)
    assert isinstance(result, UploadRefusal) and result.reason == "pdf_too_complex"
    with pytest.raises(TooComplexToRead):
        prefill_from_pdf(made.page_tree_bomb(pdf_reading.MAX_PAGES + 1))

    result = inspect_upload(made.page_tree_bomb(12), "certificate.pdf", CAP)
    assert isinstance(result, InspectedFile) and result.page_count == 12


def test_work_that_no_stream_cap_foresees_is_ended_by_the_child_process_limits(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # 2,000 fonts sharing one 1 MB character map: every stream is under its cap, yet pypdf would parse
    # the map 2,000 times (minutes of work). The child's CPU limit ends it; the officer gets the message.
    bomb = made.character_map_bomb(fonts=2_000, map_entries=80_000)
    assert len(bomb) < 40_000

    with caplog.at_level("WARNING", logger="storage.pdf_reading"), pytest.raises(TooComplexToRead):
        prefill_from_pdf(bomb)
    # Ended by the process limits (which log), not by a pypdf cap (which does not).
    assert [record.name for record in caplog.records] == ["storage.pdf_reading"]


def test_damaged_and_encrypted_pdfs_still_give_empty_facts_not_a_refusal() -> None:
    assert prefill_from_pdf(b"%PDF-1.4\ngarbage\n%%EOF") == CertificateFacts()
    assert prefill_from_pdf(encrypted_pdf()) == CertificateFacts()
