"""Synthetic arXiv-like PDFs for tests: made with fpdf2 by a tiny line typesetter so that
layout features (two columns, line-end hyphens, ligatures, running heads, the rotated arXiv
stamp, page numbers, URLs broken across lines) are under the test's control.

Text is laid out line by line with `FPDF.text`, column by column, so pypdf reads each column
top to bottom in the order it was written, as it does for LaTeX output.
"""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF

DEFAULT_TITLE = "Sparse Adapter Routing for Efficient Multilingual Summarization"
DEFAULT_AUTHORS = "Hana Sato, Daniel Okafor, Mei Lin"
DEFAULT_STAMP = "arXiv:2401.15884v1  [cs.CL]  29 Jan 2024"

DEFAULT_SECTIONS: list[tuple[str, list[str]]] = [
    ("Abstract", [
        "We present sparse adapter routing, a method that selects a small set of language "
        "specific adapters for every input document. Our model has 1.3B parameters and reaches "
        "an accuracy of 87.5% on the multilingual benchmark while using 40% less computation "
        "than dense fine-tuning. The representation learned by the router transfers to unseen "
        "languages without additional training.",
    ]),
    ("1 Introduction", [
        "Multilingual summarization requires a model to understand documents written in many "
        "languages and to produce faithful summaries. Existing approaches either train one "
        "dense model for every language or rely on translation pipelines that accumulate errors "
        "across components.",
        "In this paper we introduce a routing mechanism that activates only the adapters that "
        "are relevant to the input. The router is trained jointly with the adapters and "
        "requires no language identification at inference time. Our contributions are a simple "
        "routing objective, an efficient implementation, and an extensive evaluation on "
        "twelve languages.",
    ]),
    ("2 Method", [
        "Each transformer layer contains a shared feed-forward block and a pool of sixteen "
        "adapters. Given the hidden representation of a token, the router computes a "
        "probability distribution over the adapters and selects the two highest scoring ones. "
        "The outputs of the selected adapters are combined with weights proportional to their "
        "probabilities.",
        "To avoid collapse to a single adapter we add a balancing loss with coefficient 0.01. "
        "The complete model is optimized with AdamW using a learning rate of 0.0003 and a "
        "batch size of 256 documents for 50,000 steps.",
    ]),
    ("3 Experiments", [
        "We evaluate on a benchmark of 48,000 news articles in twelve languages. Our model "
        "reaches an accuracy of 87.5% on the factual consistency classifier and a ROUGE-L "
        "score of 41.2, compared with 38.9 for the dense baseline with 1.3B parameters.",
        "Training takes 36 hours on eight accelerators, which is 40% less computation than "
        "dense fine-tuning. Inference latency decreases from 210 ms to 145 ms per document. "
        "The improvement is largest for low resource languages such as Swahili and Nepali, "
        "where the ROUGE-L score increases by 4.7 points.",
        "An ablation shows that removing the balancing loss reduces accuracy to 81.0%, and "
        "routing to a single adapter reduces it to 84.2%. Human evaluation with three "
        "annotators confirms that summaries from our model are preferred in 62% of the cases.",
    ]),
    ("4 Conclusion", [
        "Sparse adapter routing makes multilingual summarization cheaper without losing "
        "quality. Future work will study routing across tasks and the interaction between "
        "adapters and retrieval components.",
    ]),
]

DEFAULT_REFERENCES: list[str] = [
    "[1] Ashish Vaswani, Noam Shazeer, Niki Parmar, et al. Attention is all you need. In "
    "Advances in Neural Information Processing Systems, 2017.",
    "[2] Neil Houlsby, Andrei Giurgiu, Stanislaw Jastrzebski, et al. Parameter-efficient "
    "transfer learning for NLP. In International Conference on Machine Learning, 2019.",
    "[3] William Fedus, Barret Zoph, and Noam Shazeer. Switch transformers: Scaling to "
    "trillion parameter models with simple and efficient sparsity. Journal of Machine "
    "Learning Research, 2022.",
    "[4] Chin-Yew Lin. ROUGE: A package for automatic evaluation of summaries. In Text "
    "Summarization Branches Out, 2004.",
]

DEFAULT_APPENDIX: list[tuple[str, list[str]]] = [
    ("A Additional Results", [
        "Table 5 lists the scores for every language. The router assigns the same pair of "
        "adapters to closely related languages in 73% of the documents.",
    ]),
    ("B Hyperparameters", [
        "We use a dropout rate of 0.1, a warmup of 2,000 steps and gradient clipping at 1.0 "
        "for all experiments reported in this appendix.",
    ]),
]

_LANGUAGES = ("Swahili", "Nepali", "Basque", "Welsh", "Tagalog", "Amharic", "Icelandic",
              "Khmer", "Yoruba", "Latvian", "Sinhala", "Uzbek", "Maltese")
_PARTS = ("router", "adapter pool", "balancing loss", "shared block", "decoder", "encoder",
          "gating network")


def filler_paragraph(k: int) -> str:
    """Padding text that differs from paragraph to paragraph in words, not only in digits,
    so that no padding line looks like a running head repeated on many pages."""
    lang, part = _LANGUAGES[k % 13], _PARTS[k % 7]
    other = _LANGUAGES[(5 * k + 3) % 13]
    return (f"For {lang} documents the {part} behaves consistently across long inputs. "
            f"The {part} keeps the load between 4% and 9% of all tokens when {lang} text is "
            f"routed, and we observe the same pattern for {other} in every layer of the model.")


_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
              Path("/usr/share/fonts/TTF"))


def ligature_font() -> Path | None:
    """A TTF with the U+FB01/U+FB02 ligature glyphs (DejaVu Serif), or None if not installed."""
    for d in _FONT_DIRS:
        if (d / "DejaVuSerif.ttf").is_file() and (d / "DejaVuSerif-Bold.ttf").is_file():
            return d / "DejaVuSerif.ttf"
    return None


class _Pdf(FPDF):
    running_head = ""
    body_font = "Helvetica"

    def header(self):
        if self.page_no() > 1 and self.running_head:
            self.set_font(self.body_font, "", 8)
            self.text(20, 12, self.running_head)

    def footer(self):
        self.set_font(self.body_font, "", 9)
        self.text(103, 287, str(self.page_no()))


class _Typesetter:
    """Left-aligned lines in one or two columns; paragraphs wrap at spaces, optionally
    hyphenating long words, and break over-long URLs after a slash."""

    LINE = 4.6
    TOP = 22.0
    BOTTOM = 272.0

    def __init__(self, pdf: _Pdf, *, two_column: bool, hyphenate: bool, size: float = 10):
        self.pdf = pdf
        self.hyphenate = hyphenate
        self.size = size
        self.cols = [(18.0, 82.0), (110.0, 82.0)] if two_column else [(25.0, 160.0)]
        self.col = 0
        self.y = self.TOP
        self.col_top = self.TOP

    def new_page(self) -> None:
        self.pdf.add_page()
        self.col, self.y, self.col_top = 0, self.TOP, self.TOP

    def _advance_column(self) -> None:
        if self.col + 1 < len(self.cols):
            self.col += 1
            self.y = self.col_top
        else:
            self.new_page()

    def full_width(self, text: str, size: float, style: str = "") -> None:
        """Title block above the columns (page 1)."""
        self.pdf.set_font(self.pdf.body_font, style, size)
        for line in self._wrap(text, 165.0):
            self.y += size * 0.45
            self.pdf.text(20, self.y, line)
        self.y += 4
        self.col_top = self.y

    def line(self, text: str) -> None:
        if self.y + self.LINE > self.BOTTOM:
            self._advance_column()
        self.y += self.LINE
        x, _ = self.cols[self.col]
        self.pdf.text(x, self.y, text)

    def heading(self, text: str) -> None:
        if self.y + 4 * self.LINE > self.BOTTOM:
            self._advance_column()
        self.y += self.LINE * 0.6
        self.pdf.set_font(self.pdf.body_font, "B", self.size + 1)
        self.line(text)
        self.pdf.set_font(self.pdf.body_font, "", self.size)

    def paragraph(self, text: str) -> None:
        self.pdf.set_font(self.pdf.body_font, "", self.size)
        for line in self._wrap(text, self.cols[self.col][1]):
            self.line(line)
        self.y += self.LINE * 0.4

    def _wrap(self, text: str, width: float) -> list[str]:
        width_of = self.pdf.get_string_width
        lines: list[str] = []
        cur = ""
        for word in text.split():
            while True:
                trial = f"{cur} {word}" if cur else word
                if width_of(trial) <= width:
                    cur = trial
                    break
                head, tail = self._split(cur, word, width)
                if head:
                    lines.append(f"{cur} {head}" if cur else head)
                    cur, word = "", tail
                    continue
                if cur:
                    lines.append(cur)
                    cur = ""
                    continue
                cur = word  # a single word wider than the column: let it overflow
                break
        if cur:
            lines.append(cur)
        return lines

    def _split(self, cur: str, word: str, width: float) -> tuple[str, str]:
        """Largest head of `word` that still fits after `cur`: URLs break after '/',
        long lowercase words break with a hyphen when hyphenation is on."""
        width_of = self.pdf.get_string_width
        prefix = f"{cur} " if cur else ""
        if "://" in word:
            cuts = [i + 1 for i, ch in enumerate(word[:-1]) if ch == "/" and i > word.index("://") + 2]
            for i in reversed(cuts):
                if width_of(prefix + word[:i]) <= width:
                    return word[:i], word[i:]
            return "", word
        core = word.rstrip(".,;:)")
        if self.hyphenate and len(core) >= 7 and core.isalpha() and core.islower():
            for i in range(len(core) - 3, 2, -1):
                if width_of(prefix + word[:i] + "-") <= width:
                    return word[:i] + "-", word[i:]
        return "", word


def _ligate(text: str) -> str:
    return text.replace("ffi", "\ufb03").replace("fi", "\ufb01").replace("fl", "\ufb02")


def make_paper_pdf(
    title: str = DEFAULT_TITLE,
    sections: list[tuple[str, list[str]]] | None = None,
    *,
    pages: int | None = None,
    two_column: bool = False,
    ligatures: bool = False,
    hyphenate: bool = False,
    stamp: str | None = DEFAULT_STAMP,
    running_head: str | None = "Short Title",
    references: bool | list[str] = True,
    appendix: bool | list[tuple[str, list[str]]] = False,
    code_url: str | None = None,
    encrypt: bool = False,
) -> bytes:
    """A multi-page English paper: title, authors, `sections` (default: Abstract, 1
    Introduction, 2 Method, 3 Experiments, 4 Conclusion), a "References" section with
    numbered entries, and optionally an appendix starting on a new page after them.

    pages: pad the body with filler_paragraph(1), (2), ... until the body reaches that page (so the PDF
        has at least `pages` pages; references follow on the same or the next page).
    ligatures: write fi/fl/ffi as U+FB01/U+FB02/U+FB03 in a DejaVu TTF (ValueError if the
        font is missing: check `ligature_font()` first).
    hyphenate: break long lowercase words at line ends with "-".
    stamp: the rotated arXiv identifier on the left margin of page 1 (None for none).
    running_head: printed at the top of pages 2.. (None for none); page numbers at the bottom.
    code_url: a sentence "Our code is available at URL." is added to the end of the first
        section paragraph (long URLs break across lines after a slash).
    encrypt: encrypt with user password "secret" (see make_encrypted_pdf).
    """
    pdf = _Pdf(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    lig = _ligate if ligatures else (lambda s: s)
    if ligatures:
        font = ligature_font()
        if font is None:
            raise ValueError("no TTF with ligature glyphs (DejaVu Serif) is installed")
        pdf.add_font("DejaVu", "", str(font))
        pdf.add_font("DejaVu", "B", str(font.with_name("DejaVuSerif-Bold.ttf")))
        pdf.body_font = "DejaVu"
    pdf.running_head = running_head or ""

    ts = _Typesetter(pdf, two_column=two_column, hyphenate=hyphenate)
    ts.new_page()
    if stamp:
        pdf.set_font(pdf.body_font, "", 16)
        with pdf.rotation(90, 10, 200):
            pdf.text(10, 200, stamp)
    ts.full_width(lig(title), 16, "B")
    ts.full_width(DEFAULT_AUTHORS, 11)

    body = [(h, list(ps)) for h, ps in (sections if sections is not None else DEFAULT_SECTIONS)]
    if code_url and body and body[0][1]:
        body[0][1][0] = f"{body[0][1][0]} Our code is available at {code_url}."
    for heading, paragraphs in body:
        ts.heading(lig(heading))
        for p in paragraphs:
            ts.paragraph(lig(p))
    k = 0
    while pages is not None and pdf.page_no() < pages:
        k += 1
        ts.paragraph(lig(filler_paragraph(k)))

    if references:
        refs = DEFAULT_REFERENCES if references is True else references
        ts.heading("References")
        for r in refs:
            ts.paragraph(lig(r))
    if appendix:
        ts.new_page()
        for heading, paragraphs in (DEFAULT_APPENDIX if appendix is True else appendix):
            ts.heading(lig(heading))
            for p in paragraphs:
                ts.paragraph(lig(p))

    data = bytes(pdf.output())
    return encrypt_pdf(data) if encrypt else data


def encrypt_pdf(data: bytes, *, user_password: str = "secret", owner_password: str = "owner",
                algorithm: str = "RC4-128") -> bytes:
    """Re-save `data` encrypted. An empty user password gives the common arXiv case of an
    owner-password-only PDF that any reader can open. "AES-128"/"AES-256" need the
    `cryptography` package (pypdf does RC4 by itself)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_encrypted_pdf(*, user_password: str = "secret", owner_password: str = "owner",
                       algorithm: str = "RC4-128") -> bytes:
    """The default paper, encrypted; with user_password="" it opens without a password."""
    return encrypt_pdf(make_paper_pdf(), user_password=user_password, owner_password=owner_password,
                       algorithm=algorithm)


def make_textless_pdf(pages: int = 2) -> bytes:
    """Pages with only drawn shapes and a raster image, like a scan: no text operators."""
    from PIL import Image

    img = Image.new("RGB", (60, 40), (200, 200, 200))
    for x in range(60):
        img.putpixel((x, x % 40), (0, 0, 0))
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    for _ in range(pages):
        pdf.add_page()
        pdf.rect(20, 20, 170, 30)
        pdf.line(20, 60, 190, 60)
        pdf.circle(x=105, y=120, radius=30)
        pdf.image(img, x=40, y=170, w=120)
    return bytes(pdf.output())


def make_many_pages_pdf(n: int) -> bytes:
    """`n` pages, each two short lines: "This is page k of n." and filler_paragraph(k)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", "", 10)
    for k in range(1, n + 1):
        pdf.add_page()
        first, _, rest = filler_paragraph(k).partition(". ")
        pdf.text(20, 30, f"This is page {k} of {n}. {first}.")
        pdf.text(20, 36, rest)
    return bytes(pdf.output())


def make_garbage_font_pdf() -> bytes:
    """The default paper in an embedded TTF whose /ToUnicode maps were removed, as in PDFs
    whose fonts have no Unicode map: pypdf returns glyph ids as characters (garbage).
    ValueError if no TTF is installed (see ligature_font)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    data = make_paper_pdf(ligatures=True, stamp=None)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for ref in (fonts.get_object().values() if fonts else []):
            font = ref.get_object()
            font.pop(NameObject("/ToUnicode"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncate(data: bytes, keep: float = 0.5) -> bytes:
    """The first `keep` fraction of a PDF, as left by an interrupted download."""
    return data[: max(8, int(len(data) * keep))]


HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>arXiv</title></head>"
             b"<body><p>Rate limit exceeded. Please try again later.</p></body></html>\n")


# ---------------------------------------------------------------------------- text that is not prose

MARKED_HEAD = "Sparse Routing Preprint"
MARKED_AFFILIATION = "Department of Informatics, Kyoto University"
MARKED_EMAIL = "{hsato, dokafor}@i.kyoto-u.example.jp"
MARKED_FOOTNOTE = "1Code is available at https://github.com/example/sparse-routing."
MARKED_GLUED_HEADING = "2 Method"
MARKED_FIGURE_TEXT = ["1.0", "0.8", "0.6", "Accuracy", "Training steps", "Dense", "Sparse"]
MARKED_SCREENSHOT = "Prior work argues that dense models are always more accurate than sparse ones."
MARKED_CAPTION = ("Figure 1: Accuracy of sparse routing and dense fine-tuning over training steps. "
                  "Sparse routing converges faster than the dense model.")
MARKED_TABLE_CAPTION = "Table 1: Results on the multilingual benchmark with twelve languages."
MARKED_TABLE = ["Model Accuracy ROUGE-L Latency", "Dense 85.1 38.9 210", "Sparse 87.5 41.2 145",
                "Sparse (one adapter) 84.2 40.1 139"]


def make_marked_paper_pdf() -> bytes:
    """A 4-page paper full of text that is not body prose, each kind where a real PDF has it:
    page 1: title, authors, affiliation and e-mail above "Abstract", a footnote at the foot;
    page 2: a section heading on the same line as the sentence after it ("2 Method Each
    transformer ..."), a figure (short fragments: axis ticks, labels, legend; a sentence shown
    inside it as in a screenshot) followed by its two-line caption;
    page 3: a table caption with a header row and numeric rows, then prose;
    pages 2-4: the running head MARKED_HEAD (3 of 4 pages); page numbers at the foot."""
    pdf = _Pdf(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.running_head = MARKED_HEAD
    ts = _Typesetter(pdf, two_column=False, hyphenate=False)
    ts.new_page()
    ts.full_width(DEFAULT_TITLE, 16, "B")
    ts.full_width(DEFAULT_AUTHORS, 11)
    ts.full_width(MARKED_AFFILIATION, 10)
    ts.full_width(MARKED_EMAIL, 10)
    for heading, paragraphs in DEFAULT_SECTIONS[:2]:
        ts.heading(heading)
        for p in paragraphs:
            ts.paragraph(p)
    pdf.set_font(pdf.body_font, "", 8)
    pdf.text(25, 268, MARKED_FOOTNOTE)

    ts.new_page()
    method = DEFAULT_SECTIONS[2][1]
    ts.paragraph(f"{MARKED_GLUED_HEADING} {method[0]}")
    pdf.set_font(pdf.body_font, "", 7)
    y = ts.y + 8
    for k, frag in enumerate(MARKED_FIGURE_TEXT):
        pdf.text(40 + (k % 3) * 30, y + (k // 3) * 6, frag)
    pdf.text(40, y + 22, MARKED_SCREENSHOT)
    ts.y = y + 28
    ts.paragraph(MARKED_CAPTION)
    ts.paragraph(method[1])
    for k in range(1, 4):
        ts.paragraph(filler_paragraph(k))

    ts.new_page()
    ts.paragraph(MARKED_TABLE_CAPTION)
    for row in MARKED_TABLE:
        ts.line(row)
    ts.y += 4
    ts.heading(DEFAULT_SECTIONS[3][0])
    for p in DEFAULT_SECTIONS[3][1]:
        ts.paragraph(p)

    ts.new_page()
    ts.heading(DEFAULT_SECTIONS[4][0])
    for p in DEFAULT_SECTIONS[4][1]:
        ts.paragraph(p)
    ts.heading("References")
    for r in DEFAULT_REFERENCES:
        ts.paragraph(r)
    return bytes(pdf.output())


#: Raw page text as pypdf gives it for a 1990s preprint set in bitmap (Type 3) fonts: words
#: split at glyph boundaries, spaces lost, glyph names printed as "/2/3/5". fpdf2 cannot write
#: Type 3 fonts, so tests give this to `clean()` directly.
TYPE3_GARBLE = (
    "we describ e the mo del of thesp ectatorequation/.InSectionI I I/ we sho w that the\n"
    "/2/3/5/2/9 /1/4/7 the mo del is solv ed b y the metho d of lines/.InSectionI V/ w e\n"
    "deriv e the sp ectrum of the op erator and the b oundary conditions /2/6/1/8/0 are\n"
    "giv en in App endix A/. The solution of the mo del dep ends on the param eter/.\n"
) * 3
