"""Reading an uploaded PDF with pypdf, in a child process whose work is bounded.

pypdf decompresses and parses whatever a file asks for. Its caps (set low below) bound each stream,
but a small hostile file can still multiply work past them: a 5 KB PDF whose 200 fonts share one
1 MB character map kept text extraction busy for 48 s with every per-stream cap in place. A thread
running that cannot be stopped; a process can. So every pypdf read of uploaded bytes runs in a fresh
Python process with an operating-system limit on CPU seconds and memory:

- the caps refuse the usual bombs (a content stream that inflates to megabytes, a huge page tree)
  deterministically, with `LimitReachedError`, before any real work is done;
- the CPU and memory limits bound whatever the caps do not foresee; the process is killed there;
- the wall-clock limit only catches a child starved of CPU by a busy machine.

Anything that hits a limit is "pdf_too_complex": the caller refuses it with a message.
"""

from __future__ import annotations

import json
import logging
import resource
import subprocess
import sys
from dataclasses import dataclass
from io import BytesIO
from typing import Any, Literal, cast

log = logging.getLogger(__name__)

PdfProblem = Literal["pdf_encrypted", "pdf_damaged", "pdf_too_complex"]
Task = Literal["pages", "text"]

MAX_PAGES = 1000  # a certificate or a report's evidence; more pages is refused, not read
_INFLATED_PER_STREAM = 2 * 1024 * 1024  # real content, object and cross-reference streams are far smaller
_LIMITS: dict[str, int] = {
    "zlib_maximum_output_length": _INFLATED_PER_STREAM,
    "lzw_maximum_output_length": _INFLATED_PER_STREAM,
    "run_length_maximum_output_length": _INFLATED_PER_STREAM,
    "brotli_maximum_output_length": _INFLATED_PER_STREAM,
    "jbig2_maximum_output_length": _INFLATED_PER_STREAM,
    "array_based_stream_maximum_output_length": _INFLATED_PER_STREAM,  # a page's contents given as many streams
    "zlib_maximum_recovery_input_length": 256 * 1024,  # byte-by-byte repair of a broken stream is slow
    "stream_parsing_work_maximum_count": 300_000,  # tokens per content stream (pypdf's default: 2 million)
    "xform_maximum_invocations_per_extraction": 50,  # form XObjects read per page
    "page_tree_maximum_entries": MAX_PAGES,
}
_CPU_SECONDS = 3
_MEMORY_BYTES = 1024 * 1024 * 1024
_WALL_SECONDS = 30


def count_pages(data: bytes) -> int | PdfProblem:
    """The number of pages, each touched to prove the page tree is sound."""
    answer = _run("pages", data)
    return answer if isinstance(answer, str) else int(answer["pages"])


@dataclass(frozen=True)
class PdfText:
    text: str


def read_text(data: bytes, max_pages: int) -> PdfText | PdfProblem:
    """The text of the first `max_pages` pages."""
    answer = _run("text", data, max_pages)
    return answer if isinstance(answer, str) else PdfText(str(answer["text"]))


def _run(task: Task, data: bytes, max_pages: int = 0) -> dict[str, Any] | PdfProblem:
    # Run as a script, not `-m storage...`: the child needs pypdf alone, not the storage package's imports.
    # -P keeps this file's folder off the import path, so nothing in storage/ can shadow a library.
    command = [sys.executable, "-P", __file__, task, str(max_pages)]  # our own interpreter and file, no shell
    try:
        child = subprocess.run(  # noqa: S603 # nosec B603
            command, input=data, capture_output=True, timeout=_WALL_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        log.warning("reading a PDF took over %s s; refused as too complex", _WALL_SECONDS)
        return "pdf_too_complex"
    if child.returncode < 0:  # killed by its CPU or memory limit
        log.warning("reading a PDF hit the CPU or memory limit (signal %s); refused", -child.returncode)
        return "pdf_too_complex"
    if child.returncode != 0:  # the reader itself is broken: that must not pass for a verdict on the file
        raise RuntimeError(f"the PDF reader failed: {child.stderr.decode(errors='replace')[-2000:]}")
    answer: dict[str, Any] = json.loads(child.stdout)
    return cast(PdfProblem, answer["problem"]) if "problem" in answer else answer


# The child process -------------------------------------------------------------------------------------


def _answer(task: str, data: bytes, max_pages: int) -> dict[str, Any]:
    # Imported here: only the child reads PDFs, the server process never needs pypdf.
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    try:
        with apply_configuration(None, **_LIMITS):
            reader = PdfReader(BytesIO(data))
            if reader.is_encrypted:
                return {"problem": "pdf_encrypted"}
            if task == "text":
                return {"text": "\n".join(page.extract_text() or "" for page in reader.pages[:max_pages])}
            for page in reader.pages:
                page.mediabox  # noqa: B018 - touching each page proves the page tree is sound
            return {"pages": len(reader.pages)} if len(reader.pages) else {"problem": "pdf_damaged"}
    except (LimitReachedError, MemoryError, RecursionError):
        return {"problem": "pdf_too_complex"}
    except Exception:  # pypdf raises many types on hostile input; any of them means "damaged"
        return {"problem": "pdf_damaged"}


def _main() -> None:
    # Limits first, before a byte of the file is read.
    resource.setrlimit(resource.RLIMIT_CPU, (_CPU_SECONDS, _CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_BYTES, _MEMORY_BYTES))
    logging.disable(logging.CRITICAL)  # pypdf warns about every oddity of a hostile file; the answer is enough
    task, max_pages = sys.argv[1], int(sys.argv[2])
    json.dump(_answer(task, sys.stdin.buffer.read(), max_pages), sys.stdout)


if __name__ == "__main__":
    _main()
