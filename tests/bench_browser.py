"""Click -> text on screen, measured in real headless Chromium with the unpacked extension.

For each paper: open https://arxiv.org/abs/<id> (served by a FakeArxiv behind TLS, as in the
e2e tests), click the toolbar icon, and read the overlay's bench hooks (data attributes set by
overlay.js with the page's performance.now(), also performance marks `ronbun:*`):

    t_metadata_s        click -> title and authors shown
    t_first_japanese_s  click -> first Japanese one-liner shown (abstract-based or full text)
    t_first_qa_s        click -> first verified Q&A item shown
    t_done_s            click -> final result shown

Each paper should be new to the API (a cached one is done at once): pass distinct ids.

    .venv/bin/python -m tests.bench_browser --api http://127.0.0.1:3000 --papers 2501.10120 2401.15884 ...

From code (after `make bench` started a stack): measure(api_url, ids, arxiv=the_stack_fake_arxiv).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
from pathlib import Path

OVERLAY_JS = "document.querySelector('[data-ronbun-overlay]')"
HOOKS = {"t_metadata_s": "ronbunPaperMs", "t_first_japanese_s": "ronbunFirstJapaneseMs",
         "t_first_qa_s": "ronbunFirstQaMs", "t_done_s": "ronbunDoneMs"}


def measure_in(browser, api_base_url: str, paper_id: str, *, api_key: str = "", timeout_s: float = 300) -> dict:
    """One click -> text run in an open e2e Browser (tests/e2e/conftest.py). Times in seconds;
    None for a step that never showed (e.g. no Q&A). `state` is done / failed / error."""
    browser.configure(api_base_url, api_key)
    page = browser.ctx.new_page()
    try:
        page.goto(f"https://arxiv.org/abs/{paper_id}", wait_until="domcontentloaded")
        page.wait_for_selector("[data-ronbun-button]", timeout=10_000)
        t0 = page.evaluate("() => performance.now()")
        browser.click_toolbar(f"arxiv.org/abs/{paper_id}")
        page.wait_for_function(f"() => ['done', 'failed', 'error'].includes({OVERLAY_JS}?.dataset.ronbunState)",
                               timeout=timeout_s * 1000)
        data = page.evaluate(f"() => ({{ ...{OVERLAY_JS}.dataset }})")
    finally:
        page.close()
    out: dict = {"paper_id": paper_id, "state": data.get("ronbunState"), "cache": data.get("ronbunCache")}
    for name, attr in HOOKS.items():
        out[name] = round((float(data[attr]) - t0) / 1000, 3) if data.get(attr) else None
    return out


def summarize(runs: list[dict]) -> dict:
    """Medians of each measure over the runs that showed it."""
    medians = {}
    for name in HOOKS:
        values = [r[name] for r in runs if r.get(name) is not None]
        medians[name] = round(statistics.median(values), 3) if values else None
    return {"runs": runs, "median": medians, "n": len(runs)}


def measure(api_base_url: str, paper_ids: list[str], *, api_key: str = "", arxiv=None, timeout_s: float = 300) -> dict:
    """Launch Chromium with the extension and measure each paper once (see the module doc).
    `arxiv`: a running FakeArxiv that knows the papers (e.g. the stack's); else one is started."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import TlsTunnel, _self_signed, launch_browser
    from tests.fakes.fake_arxiv import FakeArxiv

    own = arxiv is None
    if own:
        arxiv = FakeArxiv().start()
        for paper_id in paper_ids:
            arxiv.add_paper(re.sub(r"v\d+$", "", paper_id), title=f"Bench {paper_id}")
    certs = Path(tempfile.mkdtemp(prefix="ronbun-bench-certs-"))
    profile = Path(tempfile.mkdtemp(prefix="ronbun-bench-chromium-"))
    tunnel = TlsTunnel(arxiv.port, *_self_signed(certs))
    pw = sync_playwright().start()
    try:
        browser = launch_browser(pw, profile, tunnel.port)
        try:
            runs = [measure_in(browser, api_base_url, pid, api_key=api_key, timeout_s=timeout_s) for pid in paper_ids]
        finally:
            browser.ctx.close()
    finally:
        pw.stop()
        tunnel.stop()
        if own:
            arxiv.stop()
        shutil.rmtree(certs, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)
    return summarize(runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", required=True, help="API base URL, e.g. http://127.0.0.1:3000")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--papers", nargs="+", required=True, help="arXiv ids, each new to the API")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.api, args.papers, api_key=args.api_key, timeout_s=args.timeout), indent=2))


if __name__ == "__main__":
    main()
