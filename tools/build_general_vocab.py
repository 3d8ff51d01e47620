"""Build shared/ronbun/data/general_vocab.tsv: words that carry no paper-specific content on their own.

    python tools/build_general_vocab.py            # needs jamdict (tools/requirements-glossary.txt)
    python tools/build_general_vocab.py --check    # exit 1 if the committed file is stale

English: the reviewed seed tools/general_vocab_seed.txt (academic research talk, praise, hedges) with
its inflections (-s, -ed, -ing, -ly, -er, -est, -ment, -ity, -ness, -al, -ally, -ive).
Japanese: every common JMdict word (a kanji headword with a priority tag, two characters or more, no
technical field) whose primary sense is general: every English gloss of its first sense is made of seed
words outside the seed's "english only" section (「様々」 various; diverse → general; 「建物」 building → not). Words that are an
accepted rendering of a glossary term whose English is not a seed word (埋め込み, 損失) are left out:
they name a device of ML. tools/general_vocab_seed_ja.txt adds reviewed Japanese words JMdict lacks.
The output is committed; jamdict is never a runtime dependency.
"""
from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_EN = ROOT / "tools" / "general_vocab_seed.txt"
SEED_JA = ROOT / "tools" / "general_vocab_seed_ja.txt"
GLOSSARY = ROOT / "shared" / "ronbun" / "data" / "glossary.tsv"
OUT = ROOT / "shared" / "ronbun" / "data" / "general_vocab.tsv"
TECH_FIELDS = {"computing", "mathematics", "statistics", "physics", "linguistics", "engineering", "chemistry",
               "biology", "medicine", "electronics", "electricity, elec. eng.", "telecommunications", "logic",
               "law", "finance", "economics", "music", "sports", "baseball", "computer", "geology", "astronomy"}
FUNCTION = set("a an the of to in on for by with from and or as at into out up its one's someone something "
               "be being been is are oneself etc. e.g. something's".split())
KANJI_OR_KATA = re.compile(r"^[\u4e00-\u9fff々\u30a1-\u30ffー]{2,}$")


def _words_of(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        out += line.split("#", 1)[0].split()
    return out


def _words(path: Path) -> list[str]:
    return _words_of(path.read_text(encoding="utf-8"))


def inflections(word: str) -> set[str]:
    w = word.lower()
    forms = {w}
    base = w[:-1] if w.endswith("e") else w
    y = w[:-1] + "i" if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou" else w
    forms |= {y + "es" if w.endswith("y") and y != w else w + ("es" if w.endswith(("s", "x", "sh", "ch")) else "s"),
              base + "ed" if y == w else y + "ed", base + "ing", y + "ly" if not w.endswith("le") else w[:-1] + "y",
              base + "er", base + "est", w + "ment", w + "ments", base + "ity", w + "ness", w + "al", w + "ally",
              base + "ive", base + "ation", base + "ations"}
    if w.endswith("le"):
        forms |= {w[:-2] + "ly", w[:-2] + "ility"}
    if w.endswith("ic"):
        forms.add(w + "ally")
    if w.endswith("e") and len(w) > 3:
        forms.add(w[:-1] + "ive")
    return forms


def build() -> str:
    text = SEED_EN.read_text(encoding="utf-8")
    mapped, _, english_only = text.partition("=english-only")
    en, maps = set(), set()
    for w in _words_of(mapped):
        maps |= inflections(w)
    for w in _words_of(english_only):
        en |= inflections(w)
    en |= maps
    glossary_ja = set()
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        term, accepted = line.split("\t")[:2]
        if term.lower() not in en:
            glossary_ja |= set(accepted.split("|"))
    from jamdict import Jamdict          # build-time only
    db = sqlite3.connect(f"file:{Jamdict().db_file}?mode=ro", uri=True)
    common = {}
    for kid, idseq, text in db.execute("SELECT DISTINCT k.ID, k.idseq, k.text FROM Kanji k JOIN KJP p ON p.kid = k.ID"):
        if KANJI_OR_KATA.match(text):
            common.setdefault(idseq, []).append(text)
    ja = set()
    for idseq, words in common.items():
        sid = db.execute("SELECT MIN(ID) FROM Sense WHERE idseq = ?", (idseq,)).fetchone()[0]
        if sid is None:
            continue
        fields = {f for (f,) in db.execute("SELECT text FROM field WHERE sid = ?", (sid,))}
        if fields & TECH_FIELDS:
            continue
        glosses = [g for (g,) in db.execute("SELECT text FROM SenseGloss WHERE sid = ? AND lang = 'eng'", (sid,))]
        if not glosses:
            continue
        general = 0
        for g in glosses:
            g = re.sub(r"\([^)]*\)", " ", g.lower())
            toks = [t for t in re.findall(r"[a-z][a-z\-']*", g) if t not in FUNCTION]
            if toks and all(t in maps for t in toks):
                general += 1
        if general == len(glosses):
            ja |= {w for w in words if w not in glossary_ja}
    if SEED_JA.exists():
        ja |= set(_words(SEED_JA))
    head = ("# Generated by tools/build_general_vocab.py from tools/general_vocab_seed*.txt and JMdict: edit the seeds.\n"
            "# lang\tword: a word that names no method, data or result of one paper on its own\n")
    return head + "".join(f"en\t{w}\n" for w in sorted(en)) + "".join(f"ja\t{w}\n" for w in sorted(ja))


if __name__ == "__main__":
    from generated import write_or_check      # tools/generated.py, beside this script
    sys.exit(write_or_check(OUT, build))
