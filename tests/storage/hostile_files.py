"""Certificate files made with the tools people use (fpdf2, Pillow), and hostile variants of them:
polyglots that are also an archive or a program, and PDFs built to make a reader work without end."""

from __future__ import annotations

import io
import random
import struct
import zlib

from fpdf import FPDF
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from tests.storage.files import pdf_of, zip_of

HIDDEN_ZIP = zip_of("payload.txt", b"anything an archive tool would unpack " * 20)


def fpdf_certificate(pages: int = 1, photo: bool = False) -> bytes:
    """A certificate as fpdf2 writes it: compressed content streams, a core font, optionally a photo."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"Certificate of Completion\nCrisis Intervention Team\n40 contact hours\nPage {number}")
        if photo:
            pdf.image(io.BytesIO(pillow_jpeg(noise=True)), x=20, y=80, w=120)
    return bytes(pdf.output())


def fpdf_with_attachment(name: str, data: bytes) -> bytes:
    """A PDF carrying `data` as an attached file; fpdf2 stores attachments uncompressed."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, "Certificate of Completion")
    pdf.embed_file(bytes=data, basename=name)
    return bytes(pdf.output())


def _picture(noise: bool) -> Image.Image:
    if noise:  # high-entropy pixels give compressed data that looks random, where chance signatures would be
        return Image.frombytes("RGB", (900, 700), random.Random(7).randbytes(900 * 700 * 3))
    return Image.new("RGB", (320, 200), "navy")


def pillow_jpeg(noise: bool = False, **options: object) -> bytes:
    """A phone-style JPEG: EXIF (camera make, date) and an sRGB ICC profile, as Pillow writes them."""
    exif = Image.Exif()
    exif[0x010F] = "Muster Phone"  # Make
    exif[0x0132] = "2026:10:09 14:30:00"  # DateTime
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    _picture(noise).save(out, "JPEG", exif=exif.tobytes(), icc_profile=icc, quality=90, **options)
    return out.getvalue()


def pillow_multi_picture_jpeg() -> bytes:
    """A JPEG followed by a second picture listed in its MPF index, as cameras store a depth or HDR gain map."""
    primary = Image.open(io.BytesIO(pillow_jpeg()))
    out = io.BytesIO()
    primary.save(out, "MPO", save_all=True, append_images=[Image.new("L", (80, 50), 128).convert("RGB")])
    return out.getvalue()


def pillow_png(noise: bool = False) -> bytes:
    info = PngInfo()
    info.add_text("Title", "Certificate of Completion")
    info.add_text("Comment", "Scanned at the front desk " * 20, zip=True)
    out = io.BytesIO()
    _picture(noise).save(out, "PNG", pnginfo=info)
    return out.getvalue()


# Polyglots -------------------------------------------------------------------------------------------------


def jpeg_with_segment(data: bytes, marker: int, body: bytes) -> bytes:
    """`data` with one more marker segment (APPn or COM) right after SOI."""
    return data[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body + data[2:]


def png_with_chunk(data: bytes, kind: bytes, body: bytes) -> bytes:
    """`data` with one more chunk, correct length and CRC, right before IEND."""
    chunk = struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return data[:-12] + chunk + data[-12:]


def windows_program() -> bytes:
    """The first bytes of a Windows program: a DOS header whose pointer leads to the PE header."""
    dos_header = b"MZ" + bytes(58) + struct.pack("<I", 0x80)
    return dos_header + bytes(0x80 - len(dos_header)) + b"PE\x00\x00" + struct.pack("<HH", 0x8664, 1) + bytes(64)


def linux_program() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + struct.pack("<HHI", 2, 0x3E, 1) + bytes(40)


# PDFs that ask for unbounded work ---------------------------------------------------------------------------


def flate_stream(raw: bytes, entries: bytes = b"") -> bytes:
    packed = zlib.compress(raw, 9)
    return b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(packed), entries) + packed + b"\nendstream"


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_ONE_PAGE = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def content_stream_bomb(content: bytes) -> bytes:
    """One page whose content stream is `content` compressed: a few KB that inflate to megabytes."""
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>")
    return pdf_of([_CATALOG, _ONE_PAGE, page, flate_stream(content), _HELVETICA])


def page_tree_bomb(pages: int) -> bytes:
    """A page tree listing the same page `pages` times: a few KB, as many pages as asked for."""
    kids = b" ".join([b"3 0 R"] * pages)
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    return pdf_of([_CATALOG, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages), page])


def object_stream_bomb(padding: int) -> bytes:
    """The catalog, page tree and page kept in an object stream padded to inflate to `padding` bytes:
    reading just the page count means inflating it all."""
    inner = [_CATALOG, _ONE_PAGE, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"]
    header, body = b"", b""
    for number, obj in enumerate(inner, start=1):
        header += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    stream = flate_stream(header + body + b" " * padding, b"/Type /ObjStm /N 3 /First %d " % len(header))
    out = bytearray(b"%PDF-1.5\n")
    stream_at = len(out)
    out += b"4 0 obj\n" + stream + b"\nendobj\n"
    xref_at = len(out)
    rows = [struct.pack(">BIB", 0, 0, 255)] + [struct.pack(">BIB", 2, 4, index) for index in range(3)]  # in 4
    rows += [struct.pack(">BIB", 1, stream_at, 0), struct.pack(">BIB", 1, xref_at, 0)]
    xref = flate_stream(b"".join(rows), b"/Type /XRef /Size 6 /W [1 4 1] /Root 1 0 R ")
    out += b"5 0 obj\n" + xref + b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def character_map_bomb(fonts: int, map_entries: int) -> bytes:
    """One page naming `fonts` fonts that all share one large ToUnicode map, compressed to a few KB.
    Every stream stays under the per-stream caps; the work is in reading the same map once per font."""
    character_map = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <00> <FF> "
        b"endcodespacerange\n100 beginbfchar\n" + b"<41> <0041>\n" * map_entries + b"endbfchar\nendcmap end end"
    )
    names = b" ".join(b"/F%d 5 0 R" % number for number in range(fonts))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << "
            + names + b" >> >> >>")
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>"
    return pdf_of([_CATALOG, _ONE_PAGE, page, flate_stream(b"BT /F1 12 Tf (A) Tj ET"), font,
                   flate_stream(character_map)])
