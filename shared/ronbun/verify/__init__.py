"""Quality checks that every result passes before anyone sees it (DESIGN.md "Trustworthy
answers"): grounded quotes, real answers, numbers from the paper, Japanese in one style with
accepted ML terms, nothing cut off, no repeated questions.

Pure functions over text: no network, no PDF or model library. `check_result` returns
Findings; the blocking ones stop an item (or the summary) from being published.

One module per kind of check: `quotes` (evidence), `japanese` (language, style, truncation),
`answers` (answers that say nothing), `numbers`, `scope` (summary sentences broader than
their quotes), and `checks` (per item and per result).
"""

from .answers import (DUPLICATE_JACCARD, different_topics, non_answer_reason, question_similarity, restates_question,
                      says_nothing)
from .checks import (BLOCKING, ItemKey, check_duplicates, check_qa_item, check_result, check_sentence, check_text,
                     is_publishable)
from .japanese import (JAPANESE_MIN_RATIO, Style, is_truncated, japanese_ratio, normalize_generated,
                       normalize_ja_punctuation, off_style_sentences, sentence_style, sentences)
from .numbers import Quantity, claimed_numbers, missing_numbers, number_in_source, source_values
from .quotes import find_quote_page, quote_found, quote_status, quote_too_short
from .scope import overgeneralised
from .text import normalize


def preload() -> None:
    """Load the checks' data (glossary traps, general vocabulary, Japanese→English glosses) now,
    by checking one small item: the worker calls it at import (Lambda's init phase), so that the
    first job does not pay for it inside its deadline, and concurrent first jobs do not each
    build the same tables."""
    from .checks import check_qa_item as _check
    from ..models import Evidence, QAItem

    quote = "We train the model with a learning rate of 0.001 on the training set."
    item = QAItem(question="学習率はいくつですか？", answer="学習データで学習率0.001を用いて学習しています。",
                  evidence=[Evidence(page=1, quote=quote)])
    _check(0, item, {1: quote}, prose={1: quote})
    overgeneralised("学習率0.001で常に学習します。", [quote])
    from .grounding import _table         # the non-answer check's glosses (loaded only for plain-word answers)
    from .terms import _never_literal, _senses     # the quoted-term check's tables (loaded only for an unrendered term)
    _table(), _senses(), _never_literal()


__all__ = [
    "BLOCKING", "DUPLICATE_JACCARD", "JAPANESE_MIN_RATIO", "ItemKey", "Quantity", "Style",
    "check_duplicates", "check_qa_item", "check_result", "check_sentence", "check_text", "claimed_numbers",
    "different_topics", "find_quote_page", "is_publishable", "is_truncated", "japanese_ratio",
    "missing_numbers", "non_answer_reason", "normalize", "normalize_generated", "normalize_ja_punctuation",
    "number_in_source", "off_style_sentences", "overgeneralised", "preload", "question_similarity", "quote_found", "quote_status",
    "quote_too_short", "restates_question", "says_nothing", "sentence_style", "sentences",
    "source_values",
]
