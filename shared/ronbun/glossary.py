"""ML and academic terms with their accepted Japanese renderings, and the word-for-word
renderings that betray machine translation (埋葬 for "embedding"). The data lives in
data/glossary.tsv so that it can be reviewed without reading code; the prompt shows it to
the model and verify.py flags the bad renderings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files


@dataclass(frozen=True)
class Term:
    en: str
    good: tuple[str, ...]                        # accepted renderings, preferred first
    bad: tuple[str, ...]                         # word-for-word renderings (as shown to people)
    patterns: tuple[re.Pattern, ...]             # where each bad rendering counts (same order)


def _parse_bad(field: str) -> tuple[tuple[str, ...], tuple[re.Pattern, ...]]:
    words, patterns = [], []
    for part in filter(None, (p.strip() for p in field.split("|"))):
        word, _, regex = part.partition("~")
        words.append(word)
        patterns.append(re.compile(regex or re.escape(word)))
    return tuple(words), tuple(patterns)


@lru_cache(maxsize=1)
def terms() -> tuple[Term, ...]:
    """Every glossary entry, in file order (most important first)."""
    text = files("ronbun").joinpath("data/glossary.tsv").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t") + ["", ""]
        good = tuple(g.strip() for g in cols[1].split("|") if g.strip())
        bad, patterns = _parse_bad(cols[2])
        out.append(Term(cols[0].strip(), good, bad, patterns))
    return tuple(out)


def prompt_lines(limit: int | None = None) -> str:
    """Glossary lines for the system prompt: "embedding: 埋め込み / エンベディング (×埋葬)"."""
    lines = []
    for term in terms()[:limit]:
        line = f"{term.en}: {' / '.join(term.good)}"
        if term.bad:
            line += " (×" + "・×".join(term.bad) + ")"
        lines.append(line)
    return "\n".join(lines)


def find_mistranslations(text: str) -> list[tuple[str, str, str]]:
    """(bad rendering found, accepted rendering, English term) for each trap in the text."""
    found: dict[str, tuple[str, str, str]] = {}
    for term in terms():
        for word, pattern in zip(term.bad, term.patterns):
            if word not in found and pattern.search(text):
                found[word] = (word, term.good[0], term.en)
    return list(found.values())
