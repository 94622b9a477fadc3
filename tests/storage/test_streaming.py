"""Reading a request body with a hard cap: the reader stops at the first chunk past the cap."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.streaming import UploadTooLarge, check_declared_length, read_capped


class Body:
    """An endless request body that counts how many chunks were pulled from it."""

    def __init__(self, chunk: bytes, count: int | None = None) -> None:
        self.chunk, self.count, self.pulled = chunk, count, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.count is None or self.pulled < self.count:
            self.pulled += 1
            yield self.chunk


async def test_a_body_within_the_cap_is_returned_whole() -> None:
    assert await read_capped(Body(b"abcd", count=3), max_bytes=12) == b"abcd" * 3


async def test_reading_stops_at_the_first_chunk_past_the_cap() -> None:
    body = Body(b"x" * 1024)  # never ends on its own
    with pytest.raises(UploadTooLarge) as raised:
        await read_capped(body, max_bytes=10 * 1024)
    assert body.pulled == 11
    assert raised.value.http_status == 413
    assert "larger than 10 KB" in raised.value.message


async def test_one_huge_chunk_is_refused_too() -> None:
    with pytest.raises(UploadTooLarge):
        await read_capped(Body(b"x" * 101, count=1), max_bytes=100)


@pytest.mark.parametrize("header", [None, "", "chunked", "100"])
def test_declared_lengths_within_the_cap_or_unreadable_pass(header: str | None) -> None:
    check_declared_length(header, max_bytes=100)


def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    with pytest.raises(UploadTooLarge, match="larger than 10 MB"):
        check_declared_length("10485761", max_bytes=10 * 1024 * 1024)
