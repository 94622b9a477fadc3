"""Walking a PNG's chunks or a JPEG's segments from the first byte to the format's own end.

A picture is accepted only when every part is where the format puts it and its end marker (PNG's
IEND chunk, JPEG's EOI) is the last thing in the file: bytes between the parts or after the end are
where a second file (an archive, a program, a web page) hides in a "polyglot". One extension is
allowed after a JPEG's end: the further pictures (a depth or HDR gain map) that phone cameras add and
list in the picture's own MPF index (CIPA DC-007), each itself a whole JPEG, back to back to the end
of the file. The walks are linear in the file's size; the scan through compressed data runs in the
regex engine.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import Literal

ImageProblem = Literal["image_damaged", "image_extra_data"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}

_JPEG_SOI, _JPEG_EOI, _JPEG_SOS, _JPEG_APP2 = 0xD8, 0xD9, 0xDA, 0xE2
_MPF = b"MPF\x00"
_MPF_ENTRIES = 0xB002  # the MP Entry tag: 16 bytes per picture, the first one the primary picture
_JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # SOF0-SOF15; C4, C8, CC are DHT, JPG, DAC
_JPEG_WITHOUT_LENGTH = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0-7
# Inside compressed scan data a 0xFF byte is followed by 0x00 (stuffing), a restart marker or more
# 0xFF (fill); any other byte after 0xFF is the next marker, where the scan ends.
_SCAN_END = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")


def png_problem(data: bytes) -> ImageProblem | None:
    """Signature, IHDR first with sane values, every chunk whole with a correct CRC and a name of
    letters, IDAT present, and IEND as the very last bytes."""
    position, seen_data, first = len(PNG_SIGNATURE), False, True
    while position + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data) or not kind.isalpha():
            return "image_damaged"
        body = data[position + 8 : end - 4]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            return "image_damaged"
        if first and (kind != b"IHDR" or not _ihdr_is_sound(body)):
            return "image_damaged"
        first = False
        seen_data = seen_data or kind == b"IDAT"
        if kind == b"IEND":
            if not seen_data:
                return "image_damaged"
            return None if end == len(data) else "image_extra_data"
        position = end
    return "image_damaged"


def _ihdr_is_sound(body: bytes) -> bool:
    if len(body) != 13:
        return False
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
    return (
        0 < width < 2**31 and 0 < height < 2**31
        and depth in _PNG_DEPTHS.get(colour, set())
        and compression == 0 and filtering == 0 and interlace in {0, 1}
    )


def jpeg_problem(data: bytes, further_pictures: bool = True) -> ImageProblem | None:
    """SOI, then marker segments with their lengths, a frame header before the first scan, each scan's
    compressed data up to the next marker (progressive JPEGs have several scans), and EOI as the very
    last bytes, or followed only by the further pictures the MPF index lists. Anything but a marker
    where one must be is damage, not something to skip over."""
    position, seen_frame, seen_scan = 2, False, False
    listed: list[tuple[int, int]] = []
    while True:
        if position >= len(data) or data[position] != 0xFF:
            return "image_damaged"
        while position < len(data) and data[position] == 0xFF:  # a marker may be preceded by fill bytes
            position += 1
        if position >= len(data):
            return "image_damaged"
        marker = data[position]
        position += 1
        if marker == _JPEG_EOI:
            if not seen_scan:
                return "image_damaged"
            if position == len(data):
                return None
            return _listed_pictures_problem(data, position, listed) if further_pictures else "image_extra_data"
        if marker in _JPEG_WITHOUT_LENGTH:
            continue
        if marker < 0xC0 or marker == _JPEG_SOI or position + 2 > len(data):  # 0x02-0xBF are reserved
            return "image_damaged"
        (length,) = struct.unpack(">H", data[position : position + 2])
        if length < 2 or position + length > len(data):
            return "image_damaged"
        if marker == _JPEG_APP2 and data.startswith(_MPF, position + 2):
            listed = _mpf_pictures(data[position + 2 + len(_MPF) : position + length], position + 2 + len(_MPF))
        position += length
        seen_frame = seen_frame or marker in _JPEG_FRAMES
        if marker == _JPEG_SOS:
            if not seen_frame:
                return "image_damaged"
            seen_scan = True
            scan_end = _SCAN_END.search(data, position)
            if scan_end is None:  # the compressed data runs to the end of the file: no EOI
                return "image_damaged"
            position = scan_end.start()


def _mpf_pictures(index: bytes, base: int) -> list[tuple[int, int]]:
    """(file position, size) of each further picture an MPF index lists. `index` is the APP2 payload
    after "MPF\\0": a TIFF header and one IFD; offsets in it count from the TIFF header, at `base`."""
    order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(index[:4])
    if order is None:
        return []
    try:
        (ifd,) = struct.unpack_from(order + "I", index, 4)
        (count,) = struct.unpack_from(order + "H", index, ifd)
        for number in range(count):
            tag, _, length, at = struct.unpack_from(order + "HHII", index, ifd + 2 + 12 * number)
            if tag == _MPF_ENTRIES:
                entries = [struct.unpack_from(order + "4xII4x", index, at + 16 * n) for n in range(length // 16)]
                return [(base + offset, size) for size, offset in entries[1:]]
    except struct.error:  # an index that points outside itself lists nothing
        return []
    return []


def _listed_pictures_problem(data: bytes, position: int, listed: list[tuple[int, int]]) -> ImageProblem | None:
    """Accept what follows the primary picture's EOI only if it is exactly the listed pictures, back to
    back to the end of the file, each a whole JPEG without further pictures of its own."""
    for start, size in sorted(listed):
        if start != position or start + size > len(data) or not data.startswith(b"\xff\xd8", start):
            return "image_extra_data"
        if jpeg_problem(data[start : start + size], further_pictures=False) is not None:
            return "image_extra_data"
        position = start + size
    return None if listed and position == len(data) else "image_extra_data"
