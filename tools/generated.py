"""The command line every generated-data script shares: write the file, or with --check exit 1
when the committed file is not what the script builds (the tests run the check)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable


def write_or_check(out: Path, build: Callable[[], str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = build()
    if args.check:
        return 0 if out.exists() and out.read_text(encoding="utf-8") == text else 1
    out.write_text(text, encoding="utf-8")
    print(f"{out}: {text.count(chr(10))} lines, {len(text.encode())} bytes")
    return 0
