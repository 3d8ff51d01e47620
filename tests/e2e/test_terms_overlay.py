"""The overlay shows a glossary term's English once beside the Japanese (埋め込み(embedding)),
as text, in real Chromium (extension/terms.js through view.js). See tests/e2e/conftest.py."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_the_overlay_shows_the_english_of_a_term_once_at_its_first_use(browser):
    page = browser.extension_page()
    shown = page.evaluate("""async () => {
        const { renderResult } = await import(chrome.runtime.getURL('view.js'));
        const result = { one_liner: '知識蒸留で小さなモデルを作ります。',
            summary: '単語の埋め込みを使います。埋め込みは768次元です。',
            qa: [{ question: '「埋め込み」とは何ですか?', answer: '埋め込み<b>です</b>。', evidence: [] }],
            glossary_terms: [{ ja: '埋め込み', en: 'embedding' }, { ja: '知識蒸留', en: 'knowledge distillation' },
                             { ja: '<img src=x onerror=alert(1)>', en: '<b>x</b>' }],
            generator: { engine: 'openai', model: 'm', prompt_version: 'p' } };
        const el = renderResult({ paper_id: '2401.15884', status: 'done', paper: { id: '2401.15884', title: 'T' }, result });
        const q = (s) => el.querySelector(s).textContent;
        return { oneLiner: q('[data-ronbun="one-liner"]'), summary: q('[data-ronbun="summary"]'),
                 qa: q('[data-ronbun="qa"] .a'), question: q('[data-ronbun="qa"] .q'),
                 elements: el.querySelectorAll('b, img').length };
    }""")
    assert shown["oneLiner"] == "知識蒸留(knowledge distillation)で小さなモデルを作ります。"
    assert shown["summary"] == "単語の埋め込み(embedding)を使います。埋め込みは768次元です。"
    assert shown["question"] == "Q「埋め込み」とは何ですか?"
    assert shown["qa"] == "A埋め込み<b>です</b>。"          # markup stays text
    assert shown["elements"] == 0
    page.close()
