"""Build shared/ronbun/data/glossary.tsv from the reviewed seed and the JMdict dictionary.

    pip install -r tools/requirements-glossary.txt      # jamdict + its JMdict database (build time only)
    python tools/build_glossary.py                      # writes the glossary and the review record
    python tools/build_glossary.py --check              # exit 1 if the committed files are stale

For every English term of tools/glossary_seed.tsv (hand-written: the accepted Japanese renderings,
whether the English helps the reader, and the reviewed decisions), the script asks JMdict which
general-dictionary words translate it: those are the renderings a word-for-word translation
produces. The rule that turns a proposal into a trap:

1. A proposal is kept out when it is an accepted rendering of any term, contains or is part of
   an accepted rendering of this term, is written in kana only, is one character long, is not a
   common word (no JMdict priority tag: a machine translation picks common words), carries the
   gloss only in a technical sense (JMdict field computing, mathematics, statistics, ...), or
   the seed reviewed it as normal ML Japanese ("-word").
2. A single word that survives is a normal Japanese word in other senses (注目, 重量), so it is a
   trap only inside an ML compound: directly followed by one of ronbun.glossary.HEADS (注目機構,
   重量行列), written "word~+" in the glossary.
3. A two-part term (loss function) also gets its literal compounds: a dictionary rendering of one
   part joined to the accepted rendering of the other (喪失関数, 損失機能), or to a dictionary
   rendering of the other (客観的機能). Such compounds are not Japanese, so they count wherever
   they occur.
4. The seed's reviewed traps ("word" or "word~regex") are added as written; a reviewed regex for
   a dictionary word replaces rule 2's context.

tools/glossary_candidates.tsv records every proposal and the decision, for review.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))
from ronbun.glossary import IN_COMPOUND  # noqa: E402  (the runtime expands "word~+" with its HEADS)
SEED = ROOT / "tools" / "glossary_seed.tsv"
OUT = ROOT / "shared" / "ronbun" / "data" / "glossary.tsv"
REPORT = ROOT / "tools" / "glossary_candidates.tsv"

# JMdict fields whose senses are technical: a rendering used in that sense is a term of art.
TECH_FIELDS = {"computing", "mathematics", "statistics", "physics", "linguistics", "engineering",
               "electronics", "electricity, elec. eng.", "telecommunications", "logic"}
COMPOSE_TOP = 3          # dictionary renderings of one part joined to the accepted other part (most frequent first)
COMPOSE_BOTH = 2         # dictionary renderings of each part joined to each other (喪失機能)
KANA = re.compile(r"^[\u3040-\u30ff\u30fc・ー]+$")
KANJI = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Seed:
    en: str
    good: list[str]
    show: bool
    traps: list[tuple[str, str]] = field(default_factory=list)     # (word, regex or "")
    out: set[str] = field(default_factory=set)                     # reviewed: not a trap
    out_all: bool = False


def read_seed(path: Path = SEED) -> list[Seed]:
    seeds = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t") + ["", "", ""]
        s = Seed(cols[0].strip(), [g.strip() for g in cols[1].split("|") if g.strip()], cols[2].strip() == "y")
        for part in _split_review(cols[3]):
            if part == "-*":
                s.out_all = True
            elif part.startswith("-"):
                s.out.add(part[1:])
            else:
                word, _, regex = part.partition("~")
                s.traps.append((word, regex))
        seeds.append(s)
    return seeds


def _split_review(field_: str) -> list[str]:
    """Split on '|' outside regex groups: 'a|b~x(?:c|d)|e' -> ['a', 'b~x(?:c|d)', 'e']."""
    parts, depth, cur = [], 0, ""
    for i, ch in enumerate(field_):
        escaped = i > 0 and field_[i - 1] == "\\"
        if ch in "([" and not escaped:
            depth += 1
        elif ch in ")]" and not escaped:
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return [p for p in parts if p]


@dataclass
class Proposal:
    word: str
    rank: int            # JMdict frequency rank (nfXX; lower is more frequent)
    common: bool
    technical: bool


class Dictionary:
    """English -> Japanese headwords from JMdict (through the jamdict package's database)."""

    def __init__(self) -> None:
        from jamdict import Jamdict          # build-time only; never imported by ronbun
        self.db = sqlite3.connect(f"file:{Jamdict().db_file}?mode=ro", uri=True)
        self.cache: dict[str, list[Proposal]] = {}

    def proposals(self, en: str) -> list[Proposal]:
        key = en.lower()
        if key in self.cache:
            return self.cache[key]
        rows = self.db.execute(
            "SELECT g.sid, s.idseq FROM SenseGloss g INDEXED BY SenseGloss_text JOIN Sense s ON s.ID = g.sid "
            "WHERE g.text IN (?, ?, ?) AND g.lang = 'eng'", (key, "to " + key, en)).fetchall()
        found: dict[str, Proposal] = {}
        for sid, idseq in rows:
            fields = {f for (f,) in self.db.execute("SELECT text FROM field WHERE sid = ?", (sid,))}
            technical = bool(fields & TECH_FIELDS)
            for kid, word in self.db.execute("SELECT ID, text FROM Kanji WHERE idseq = ?", (idseq,)):
                tags = [t for (t,) in self.db.execute("SELECT text FROM KJP WHERE kid = ?", (kid,))]
                nf = [int(t[2:]) for t in tags if t.startswith("nf")]
                rank = min(nf) if nf else (30 if tags else 99)
                p = found.get(word)
                if p is None:
                    found[word] = Proposal(word, rank, bool(tags), technical)
                else:   # a word counts as technical if any sense with this gloss is technical
                    p.technical = p.technical or technical
                    p.rank = min(p.rank, rank)
        self.cache[key] = sorted(found.values(), key=lambda p: (p.rank, p.word))
        return self.cache[key]


def _why_out(p: Proposal, seed: Seed, accepted_any: set[str]) -> str:
    w = p.word
    if seed.out_all or w in seed.out:
        return "reviewed: normal in ML text"
    if w in accepted_any:
        return "accepted rendering of a term"
    if any(w in g or g in w for g in seed.good):
        return "part of an accepted rendering"
    if KANA.match(w):
        return "kana only"
    if len(w) < 2 or not KANJI.search(w):
        return "too short"
    if p.technical:
        return "technical sense"
    if not p.common:
        return "not a common word"
    return ""


def _parts(en: str) -> tuple[str, str] | None:
    words = re.split(r"[ -]", en)
    return (words[0], words[1]) if len(words) == 2 else None


def _accepted_parts(seed: Seed, a: str, b: str, by_en: dict[str, Seed]) -> list[tuple[str, str]]:
    """(Japanese of part a, Japanese of part b) pairs read off the accepted renderings."""
    pairs = []
    for good in seed.good:
        for ja_a in (by_en[a].good if a in by_en else []):
            if good.startswith(ja_a) and len(good) > len(ja_a):
                pairs.append((ja_a, good[len(ja_a):]))
        for ja_b in (by_en[b].good if b in by_en else []):
            if good.endswith(ja_b) and len(good) > len(ja_b):
                pairs.append((good[:-len(ja_b)], ja_b))
    return list(dict.fromkeys(pairs))


def build(seeds: list[Seed], dic: Dictionary) -> tuple[list[str], list[str]]:
    by_en = {s.en: s for s in seeds}
    accepted_any = {g for s in seeds for g in s.good}
    rows, report = [], []
    taken: dict[str, str] = {}          # a word is a trap of one term only: the first in file order,
    reviewed_by = {w: s.en for s in reversed(seeds) for w, _ in s.traps}   # unless a later term reviewed it
    for s in seeds:
        traps: dict[str, str] = {}
        reviewed = {w: r for w, r in s.traps}
        for p in dic.proposals(s.en):
            why = _why_out(p, s, accepted_any)
            if why and p.word not in reviewed:
                report.append(f"{s.en}\t{p.word}\tjmdict\tkept out: {why}")
                continue
            regex = reviewed.get(p.word) or IN_COMPOUND
            traps[p.word] = regex
            report.append(f"{s.en}\t{p.word}\tjmdict\ttrap{' (reviewed)' if p.word in reviewed else ': in an ML compound'}")
        parts = _parts(s.en)
        if parts and not s.out_all:
            lits = [[p.word for p in dic.proposals(en_part)
                     if not _why_out(p, by_en.get(en_part, Seed(en_part, [], False)), accepted_any)]
                    for en_part in parts]
            words = [lit + ja_b for ja_a, ja_b in _accepted_parts(s, *parts, by_en) for lit in lits[0][:COMPOSE_TOP]]
            words += [ja_a + lit for ja_a, ja_b in _accepted_parts(s, *parts, by_en) for lit in lits[1][:COMPOSE_TOP]]
            words += [a + b for a in lits[0][:COMPOSE_BOTH] for b in lits[1][:COMPOSE_BOTH]]
            for word in dict.fromkeys(words):
                if word in traps or word in accepted_any:
                    continue
                if word in s.out:
                    report.append(f"{s.en}\t{word}\tcompound\tkept out: reviewed: normal in ML text")
                    continue
                traps[word] = ""
                report.append(f"{s.en}\t{word}\tcompound\ttrap: literal compound")
        for word, regex in s.traps:
            if word not in traps:
                traps[word] = regex
                report.append(f"{s.en}\t{word}\treview\ttrap (reviewed)")
        for word in list(traps):
            owner = reviewed_by.get(word, s.en)
            if owner != s.en:
                del traps[word]
                report.append(f"{s.en}\t{word}\t-\tkept out: a reviewed trap of {owner}")
            elif word in taken:
                del traps[word]
                report.append(f"{s.en}\t{word}\t-\tkept out: already a trap of {taken[word]}")
            else:
                taken[word] = s.en
        bad = "|".join(w + (f"~{r}" if r else "") for w, r in traps.items())
        rows.append("\t".join([s.en, "|".join(s.good), bad, "y" if s.show else ""]))
    return rows, report


def read_taken(report: list[str]) -> set[tuple[str, str]]:
    """(term, word) of the traps that made it into the glossary, from the review record."""
    kept = {tuple(r.split("\t")[:2]) for r in report if r.split("\t")[3].startswith("trap")}
    return kept - {tuple(r.split("\t")[:2]) for r in report if "kept out: a" in r.split("\t")[3]}


HEADER = ("# Generated by tools/build_glossary.py from tools/glossary_seed.tsv and JMdict: edit the seed, not this file.\n"
          "# en\taccepted Japanese (|-separated; first is preferred)\t"
          "word-for-word renderings that betray machine translation (|-separated; \"word~regex\" narrows where the word counts)\t"
          "y = show the English once beside the Japanese\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the committed glossary is not what the seed builds")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    seeds = read_seed()
    rows, report = build(seeds, Dictionary())
    glossary = HEADER + "\n".join(rows) + "\n"
    record = "# en\tproposal\tsource\tdecision\n" + "\n".join(report) + "\n"
    took = time.perf_counter() - t0
    if args.check:
        stale = [p for p, text in ((OUT, glossary), (REPORT, record)) if p.read_text(encoding="utf-8") != text]
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)} (run tools/build_glossary.py)", file=sys.stderr)
        return 1 if stale else 0
    OUT.write_text(glossary, encoding="utf-8")
    REPORT.write_text(record, encoding="utf-8")
    n_traps = len(read_taken(report))
    print(f"{len(rows)} terms, {n_traps} traps, {len(report)} proposals reviewed in {took:.1f}s -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
