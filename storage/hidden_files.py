"""Archives and programs hidden inside a PDF, JPEG or PNG: the signatures that make a file also another file.

A certificate has no business holding a ZIP, a RAR or a program, nor a picture a PDF. The whole file
is searched, compressed data included: an archive tucked into a JPEG's scan data or a PDF stream is
still there for an archive tool to open. That is safe only with signatures long and specific enough
never to occur by chance in compressed (random-looking) bytes: each pattern below fixes at least 48
bits, so a chance match in a 10 MB file has odds of about 1 in 30 million. The two-byte "MZ" of a
Windows program counts only with the "PE" header its pointer leads to (36 bits, then 32 more).
Each search runs in the regex engine: a few passes over the file, a fraction of a second at 10 MB.
"""

from __future__ import annotations

import re
import struct

_ARCHIVES = re.compile(
    rb"PK\x03\x04[\x00-\x3f]\x00..[\x00\x08\x09\x0c\x0e\x5d\x5f\x62\x63]\x00"  # zip entry: version, flags, method
    rb"|PK\x05\x06\x00\x00\x00\x00"  # end of a zip's directory (on a single disk): what zip tools look for
    rb"|Rar!\x1a\x07[\x00\x01]"
    rb"|7z\xbc\xaf\x27\x1c"
    rb"|\xfd7zXZ\x00"
    rb"|MSCF\x00\x00\x00\x00",  # Windows cabinet
    re.DOTALL,
)
_ELF = re.compile(rb"\x7fELF[\x01\x02][\x01\x02]\x01")  # class 32/64-bit, byte order, version 1
_MACH_O = re.compile(rb"[\xce\xcf]\xfa\xed\xfe[\x07\x0c]\x00\x00[\x00\x01]")  # x86 or ARM, little-endian
# A DOS header whose pointer at offset 0x3C (kept under 4 KB, as real ones are) may lead to "PE\0\0".
_DOS_HEADER = re.compile(rb"MZ.{58}(.[\x00-\x0f]\x00\x00)", re.DOTALL)
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")


def holds_another_file(data: bytes, content_type: str) -> bool:
    """Whether an archive or a program (or, in a picture, a PDF) hides in `data`."""
    if _ARCHIVES.search(data) or _ELF.search(data) or _MACH_O.search(data) or _windows_program(data):
        return True
    return content_type != "application/pdf" and _PDF_HEADER.search(data) is not None


def _windows_program(data: bytes) -> bool:
    for header in _DOS_HEADER.finditer(data):
        (pe_offset,) = struct.unpack("<I", header.group(1))
        at = header.start() + pe_offset
        if pe_offset >= 0x40 and data[at : at + 4] == b"PE\x00\x00":
            return True
    return False
