"""pypdf in a child process, bounded in wall-clock time and address space.

A small PDF can cost pypdf minutes and gigabytes (content streams that inflate to MiBs of
operators per page, deep nesting). The worker therefore never runs pypdf itself: it starts
`python -m ronbun.pdfproc` with the bytes on stdin and reads JSON from stdout. The child
limits its own address space (RLIMIT_AS) and time (an interval timer); the parent kills it
when it overruns anyway. Lambda has no /dev/shm, so multiprocessing pools and queues are not
an option; a plain subprocess with pipes is.

Every line handed back is at most MAX_LINE_CHARS long, so that no text pass after this one
(clean-up, URL search, verification) sees the 40,000-character lines hostile PDFs carry.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from . import errors
from .deadline import Deadline, as_deadline, exceeded

MAX_LINE_CHARS = 2_000        # longer lines are broken (at a space when there is one)
KILL_GRACE_SECONDS = 2.0      # the child's own timer fires first; this is the parent's backstop
MIN_SECONDS = 1.0             # less than this left: do not start a child at all
_MB = 1024 * 1024


@dataclass
class Read:
    """What the child read: page texts, the PDF's page count, warnings, and its peak memory."""
    texts: list[str]
    total: int
    warnings: list[str]
    peak_rss_mb: float
    seconds: float


def read(data: bytes, *, max_pages: int, seconds: float, memory_mb: int,
         deadline: Deadline | None = None) -> Read:
    """Page texts of `data` from a child process. Raises PdfTooComplex when the child runs
    past `seconds` or `memory_mb`, DeadlineExceeded when it is the caller's deadline that
    leaves it too little time, and the child's own errors.Pdf* otherwise."""
    deadline = as_deadline(deadline)
    timeout = deadline.timeout(seconds, "PDF text extraction", least=MIN_SECONDS)
    by_deadline = timeout < seconds
    # the child sees this process's sys.path; -S skips `site`, which that path already reflects
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    args = [sys.executable, "-S", "-m", "ronbun.pdfproc", str(max_pages), f"{timeout:.3f}", str(int(memory_mb))]
    start = time.monotonic()
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = proc.communicate(data, timeout=timeout + KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise _out_of_time(by_deadline, timeout, deadline) from None
    elapsed = time.monotonic() - start
    try:
        answer = json.loads(out)
    except ValueError:
        # killed by the kernel (RLIMIT_AS hit outside Python's reach) or crashed
        raise errors.PdfTooComplex(f"the PDF reader stopped without an answer (exit {proc.returncode}): "
                                   f"{err.decode(errors='replace')[-300:]}") from None
    if "error" in answer:
        e = answer["error"]
        if e["code"] == "out_of_time":
            raise _out_of_time(by_deadline, timeout, deadline)
        cls = getattr(errors, e["class"], None)
        if not (isinstance(cls, type) and issubclass(cls, errors.PdfError)):
            cls = errors.PdfTruncated
        raise cls(e["message"])
    return Read(answer["texts"], answer["total"], answer["warnings"], answer["peak_rss_mb"], elapsed)


def _out_of_time(by_deadline: bool, timeout: float, deadline: Deadline) -> errors.RonbunError:
    if by_deadline:
        return exceeded("PDF text extraction", deadline.left())
    return errors.PdfTooComplex(f"extracting the PDF's text took longer than {timeout:g} s")


# ---------------------------------------------------------------------------- the child

class _OutOfTime(Exception):
    pass


def _alarm(signum, frame):
    raise _OutOfTime()


def cap_lines(text: str, limit: int = MAX_LINE_CHARS) -> str:
    """`text` with every line longer than `limit` broken into pieces of at most `limit`
    characters, at the last space of each piece when it has one."""
    if len(text) <= limit or all(len(line) <= limit for line in text.split("\n")):
        return text
    out = []
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", limit // 2, limit + 1)
            if cut < 0:
                out.append(line[:limit])
                line = line[limit:]
            else:
                out.append(line[:cut])
                line = line[cut + 1:]
        out.append(line)
    return "\n".join(out)


def pypdf_pages(data: bytes, max_pages: int, warnings: list[str]) -> tuple[list[str], int]:
    """(page texts, total pages). Owner-password-only PDFs (common on arXiv) are opened with
    the empty password; anything needing a real password fails. A page pypdf cannot read
    becomes "" with a warning rather than failing the paper; a reader limit, a recursion too
    deep or memory running out means the PDF is too complex."""
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except DependencyError as exc:
                raise errors.PdfEncrypted(f"encrypted with an unsupported algorithm: {exc}") from exc
            if not ok:
                raise errors.PdfEncrypted("a password is required to open the PDF")
        total = len(reader.pages)
    except (errors.PdfError, _OutOfTime):
        raise
    except FileNotDecryptedError as exc:
        raise errors.PdfEncrypted(str(exc)) from exc
    except (LimitReachedError, RecursionError, MemoryError) as exc:
        raise errors.PdfTooComplex(f"the PDF's structure is too complex: {type(exc).__name__}: {exc}"[:300]) from exc
    except Exception as exc:  # noqa: BLE001 - whatever pypdf trips over, the file is damaged
        raise errors.PdfTruncated(f"pypdf cannot read the PDF: {type(exc).__name__}: {exc}") from exc
    if total == 0:
        raise errors.PdfTruncated("the PDF has no pages")
    if total > max_pages:
        warnings.append(f"PDF has {total} pages; only the first {max_pages} were read")
    texts: list[str] = []
    for i in range(min(total, max_pages)):
        try:
            texts.append(cap_lines(reader.pages[i].extract_text() or ""))
        except (_OutOfTime, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - one bad page must not lose the paper
            warnings.append(f"page {i + 1}: text could not be extracted ({type(exc).__name__})")
            texts.append("")
    return texts, total


def _peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux


def main(argv: list[str]) -> int:
    import resource

    max_pages, seconds, memory_mb = int(argv[0]), float(argv[1]), int(argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * _MB, memory_mb * _MB))
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    data = sys.stdin.buffer.read()
    warnings: list[str] = []
    try:
        texts, total = pypdf_pages(data, max_pages, warnings)
        signal.setitimer(signal.ITIMER_REAL, 0)
        answer: dict = {"texts": texts, "total": total, "warnings": warnings}
    except _OutOfTime:
        answer = {"error": {"code": "out_of_time", "class": "PdfTooComplex", "message": "out of time"}}
    except MemoryError:
        answer = {"error": {"code": "pdf_too_complex", "class": "PdfTooComplex",
                            "message": f"extracting the PDF's text needed more than {memory_mb} MB"}}
    except errors.RonbunError as exc:
        answer = {"error": {"code": exc.code, "class": type(exc).__name__, "message": exc.message}}
    signal.setitimer(signal.ITIMER_REAL, 0)
    data = None
    answer["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
