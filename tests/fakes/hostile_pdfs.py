"""Hostile PDFs, written byte by byte (fpdf2 would refuse to make most of them): small files
that cost a reader time or memory out of all proportion to their size.

- `stream_bomb`: every page's content stream is a few KiB of Flate data that expands to
  MiBs of text-showing operators.
- `huge_line`: a normal paper with one 40,000+-character line (a DNA sequence, a hash).
- `deep_nesting`: the page tree nested thousands of levels deep.
- `tiny_pages`: thousands of pages with a few words each.
"""

from __future__ import annotations

import zlib

SENTENCES = (
    "We study sparse adapter routing for multilingual summarization and report its accuracy.",
    "The router selects two adapters per token and is trained jointly with the adapters.",
    "Our model reaches an accuracy of 87.5% while using 40% less computation than the baseline.",
    "An ablation shows that the balancing loss is needed to avoid collapse to one adapter.",
    "Human evaluation confirms that annotators prefer the summaries of our model.",
)


def _escape(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def _text_stream(lines: list[str]) -> bytes:
    """Content that shows `lines` top to bottom in Helvetica 10 pt."""
    out = [b"BT /F1 10 Tf 12 TL 72 740 Td"]
    out += [b"(" + _escape(line) + b") Tj T*" for line in lines]
    out.append(b"ET")
    return b"\n".join(out)


def _stream(data: bytes, compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


class _Writer:
    """Objects numbered from 1; `pdf()` adds the xref table and trailer."""

    def __init__(self):
        self.objects: list[bytes] = []

    def add(self, body: bytes) -> int:
        self.objects.append(body)
        return len(self.objects)

    def reserve(self) -> int:
        return self.add(b"null")

    def set(self, num: int, body: bytes) -> None:
        self.objects[num - 1] = body

    def pdf(self, root: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for i, body in enumerate(self.objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(self.objects) + 1, root, xref)
        return bytes(out)


def _document(contents: list[bytes], *, compress: bool = True) -> bytes:
    """A flat page tree with one page per content stream."""
    w = _Writer()
    font = w.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pages = w.reserve()
    kids = []
    for content in contents:
        stream = w.add(_stream(content, compress))
        kids.append(w.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
                          b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (pages, font, stream)))
    w.set(pages, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(kids), b" ".join(b"%d 0 R" % k for k in kids)))
    root = w.add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    return w.pdf(root)


def _paper_lines(page: int, n: int = 40) -> list[str]:
    return [f"{SENTENCES[(page + i) % len(SENTENCES)]}" for i in range(n)]


def paper_pages(count: int = 3) -> list[bytes]:
    """Content streams of an ordinary short paper (enough text for every check)."""
    first = ["Sparse Adapter Routing for Multilingual Summarization", "Hana Sato, Daniel Okafor", "",
             "Abstract"] + _paper_lines(0, 30)
    return [_text_stream(first)] + [_text_stream(_paper_lines(p)) for p in range(1, count)]


def stream_bomb(pages: int = 12, expanded_bytes: int = 2 * 1024 * 1024) -> bytes:
    """`pages` pages whose content streams each inflate to `expanded_bytes` of text operators."""
    op = b"(ab) Tj 1 0 Td\n"
    content = b"BT /F1 10 Tf 72 740 Td\n" + op * (expanded_bytes // len(op)) + b"ET"
    return _document([content] * pages)


def huge_line(chars: int = 40_000) -> bytes:
    """An ordinary paper whose second page holds one line of `chars` characters without a
    space (a sequence listing), between ordinary lines."""
    line = ("ACGT" * (chars // 4 + 1))[:chars]
    pages = paper_pages(3)
    pages[1] = _text_stream(_paper_lines(1, 20) + [line] + _paper_lines(2, 20))
    return _document(pages)


def deep_nesting(depth: int = 5_000) -> bytes:
    """One page at the bottom of a page tree `depth` levels deep."""
    w = _Writer()
    font = w.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    stream = w.add(_stream(paper_pages(1)[0]))
    nodes = [w.reserve() for _ in range(depth)]
    page = w.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
                 b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (nodes[-1], font, stream))
    for i, num in enumerate(nodes):
        parent = b" /Parent %d 0 R" % nodes[i - 1] if i else b""
        child = nodes[i + 1] if i + 1 < depth else page
        w.set(num, b"<< /Type /Pages /Count 1 /Kids [%d 0 R]%s >>" % (child, parent))
    root = w.add(b"<< /Type /Catalog /Pages %d 0 R >>" % nodes[0])
    return w.pdf(root)


def tiny_pages(count: int = 5_000) -> bytes:
    """`count` pages holding one short line each."""
    return _document([_text_stream([f"Page {i}: results."]) for i in range(1, count + 1)], compress=False)


def memory_bomb(expanded_mb: int = 400, pages: int = 1) -> bytes:
    """Pages whose content stream inflates to `expanded_mb` MiB (about 400 KiB on disk each)."""
    z = zlib.compressobj(9)
    chunk = b"0 0 m\n" * (1024 * 1024 // 6)
    body = z.compress(b"BT /F1 10 Tf 72 740 Td\n")
    for _ in range(expanded_mb):
        body += z.compress(chunk)
    body += z.compress(b"(x) Tj\nET") + z.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream"
    w = _Writer()
    font = w.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    content = w.add(stream)
    parent = w.reserve()
    kids = [w.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
                  b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (parent, font, content))
            for _ in range(pages)]
    w.set(parent, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(kids), b" ".join(b"%d 0 R" % k for k in kids)))
    return w.pdf(w.add(b"<< /Type /Catalog /Pages %d 0 R >>" % parent))
