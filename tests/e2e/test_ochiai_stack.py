"""The 落合フォーマット switch against the real local stack (offline engine) with a corpus paper:
the six questions in order and the references from the paper's own list, arXiv-linked when they
carry an id. Runs once the ochiai template (helper `ochiai`, issue 13) is in the tree; skipped
before. Fixtures: tests/e2e/conftest.py."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, start_stack
from tests.fakes.fake_arxiv import CORPUS_PAPERS, DEFAULT_CORPUS

pytest.importorskip("ronbun.ochiai", reason="the ochiai template (issue 13, helper ochiai) is not merged yet")

pytestmark = pytest.mark.e2e

PASA = "2501.10120"
OCHIAI = ["どんなもの？", "先行研究と比べてどこがすごい？", "技術や手法のキモはどこ？",
          "どうやって有効だと検証した？", "議論はある？", "次に読むべき論文は？"]
HOST_JS = "document.querySelector('[data-ronbun-overlay]')"
ROOT_JS = f"{HOST_JS}.shadowRoot"


@pytest.fixture(scope="module")
def stack(arxiv):
    arxiv.add_paper(PASA, pdf=(DEFAULT_CORPUS / "pdf" / "2501.10120v1.pdf").read_bytes(), **CORPUS_PAPERS[PASA])
    s = start_stack(arxiv, env={"RONBUN_LOCAL_VISIBILITY_TIMEOUT": "120"})
    yield s
    s.stop()


def test_the_ochiai_switch_against_the_real_stack(browser, stack):
    browser.configure(stack.url, "")
    page = browser.open_paper(PASA)
    page.wait_for_selector("[data-ronbun-button]", timeout=10_000)
    browser.click_toolbar(f"arxiv.org/abs/{PASA}")
    page.wait_for_function(f"() => {HOST_JS}?.dataset.ronbunState === 'done'", timeout=120_000)
    page.locator('[data-ronbun="template"][data-template="ochiai"]').click()
    page.wait_for_function(f"() => ['done', 'error'].includes({ROOT_JS}.querySelector('.result-slot').dataset.ronbunOchiai)",
                           timeout=120_000)
    view = page.evaluate(f"""() => {{
        const slot = {ROOT_JS}.querySelector('[data-ronbun="ochiai"]');
        return {{ state: {ROOT_JS}.querySelector('.result-slot').dataset.ronbunOchiai,
                  error: {ROOT_JS}.querySelector('[data-ronbun="ochiai-error"]').textContent,
                  questions: [...slot.querySelectorAll('[data-ronbun="qa"] .q')].map((q) => q.textContent),
                  refs: [...slot.querySelectorAll('[data-ronbun="reference"]')].map((li) => ({{
                      text: li.querySelector('.ref-text').textContent,
                      links: [...li.querySelectorAll('.ref-link a')].map((a) => a.href) }})) }};
    }}""")
    assert view["state"] == "done", view
    assert view["questions"] == [f"Q{q}" for q in OCHIAI], view["questions"]
    assert view["refs"], view
    assert all(link.startswith("https://arxiv.org/abs/") for r in view["refs"] for link in r["links"])
    page.evaluate(f"() => {ROOT_JS}.querySelector('[data-ronbun=\"references\"]').scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / "ochiai-stack.png"))
    print(f"\n[e2e] ochiai over the stack: {len(view['refs'])} references, "
          f"{sum(1 for r in view['refs'] if r['links'])} linked to arXiv")
    page.close()
