"""Fake OpenAI-compatible HTTP server and its pytest fixtures.

A real HTTP server on 127.0.0.1 that the real `openai` SDK talks to (`POST /v1/chat/completions`).
By default it answers like a careful model: it reads the `=== PAGE n ===` markers in the user
message, picks real sentences from those pages as evidence quotes and writes Japanese です・ます
answers around them, so the pipeline's verification passes on its output. Faults are queued:

    fake.enqueue("rate_limit")              # 429 with Retry-After: 0 (retry_after_ms=20 to speed up)
    fake.enqueue("server_error", times=3)   # 500 for the next three calls
    fake.enqueue("slow", seconds=2)         # sleeps, then answers normally
    fake.enqueue("length")                  # finish_reason "length", content cut in half
    fake.enqueue("content_filter")          # finish_reason "content_filter", content cut in half
    fake.enqueue("refusal") / ("invalid_json") / ("wrong_schema") / ("auth_error")
    fake.enqueue("ungrounded")              # schema-valid, but quotes/numbers not in the paper
    fake.enqueue("custom", output={...})    # this ModelOutput dict, as is
    fake.enqueue("unknown_dataset")         # grounded, but Q&A 1 names datasets the paper never mentions
    fake.enqueue("contradiction")           # grounded, but the last Q&A says the opposite of its real quote
    fake.enqueue("careless")                # grounded, plus a 概要 sentence without evidence and one cited on the wrong page

Judge requests (ronbun.judge: response_format schema `JudgeOutput`) are answered like a careful
judge (`judge_output`): an answer that negates its quote, or whose names and numbers are not in
its quotes, is unsupported. They have their own queue, filled by the kinds starting `judge_`:

    fake.enqueue("judge_unsupported")       # every item unsupported (items=["Q1"]: only those)
    fake.enqueue("judge_error", times=3)    # 500 (the SDK retries: one per attempt)
    fake.enqueue("judge_refusal") / ("judge_invalid_json")
    fake.enqueue("judge_slow", seconds=2)   # sleeps, then answers normally
    fake.enqueue("judge_custom", output={"verdicts": [...]})   # this JudgeOutput dict, as is

Question requests (ronbun.questions, ask the paper: response_format schema `QuestionOutput`) are
answered by `question_output`: the sentence of the prompt's pages sharing the most words with the
question (found when two or more), else 「この論文には記載がありません。」 with no evidence. They
take the kinds starting `question_` from the main queue (and are recorded in `fake.calls`):

    fake.enqueue("question_fabricated")     # found, but a quote not in the paper and an invented dataset
    fake.enqueue("question_custom", output={...})   # this QuestionOutput dict, as is
Streaming (issue 12): `ttft_seconds` and `tokens_per_second` pace answers; a request with
"stream": true gets SSE chunks of about one token each. Faults of a stream (settings, for every
streamed summary request until reset): `cut_after_chars=N` closes the connection after N characters
of the answer (no finish_reason, no [DONE]); `stall_after_chars=N` stops writing after N characters
and keeps the connection open (`stall_keepalive`: "none" sends nothing, "comment" sends SSE
": keepalive" lines, "whitespace" sends " " content deltas, every `stall_interval` s) until the
client closes it or `stall_max_seconds` pass; `chunked=True` frames the stream with
Transfer-Encoding: chunked as OpenAI does (a cut then breaks the framing). `fake.streams` records
every streamed answer: monotonic times `started`, `first_chunk`, `final_chunk` (the finish_reason
chunk) and how it `ended` ("done", "cut", "client_closed", "stall_timeout"; `fake.stream_end()`
waits for the server's thread to record it); `hold_final`
(an Event) makes each stream wait for it before the finish_reason chunk.
Prompt caching: like OpenAI, a request whose message prefix (at least 1,024 prompt tokens by the
fake's PROMPT_CHARS_PER_TOKEN count) equals one seen before reports
`usage.prompt_tokens_details.cached_tokens` (in 128-token steps), streamed or not.
Question-judge requests (ronbun.judge.QuestionJudge: schema `QuestionJudgeOutput`) take the judge
queue (judge_error/refusal/invalid_json/slow/custom as above) and are answered by
`question_judge_output`, a careful judge: the answer does_not_answer when its quotes lack the
question's focus (what it asks: "GPU", 報酬 -> reward; ronbun.retrieval.focus_terms), or, for a
question without one, share fewer than two of its non-generic words; unsupported when its names
and numbers are not in its quotes (judge_item). `fake.enqueue("judge_does_not_answer")` forces it.

`fake.calls` holds the JSON body of every summary request received, `fake.headers` their headers
and `fake.responses` the 200 bodies sent (errors are not recorded there); `fake.judge_calls` and
`fake.judge_responses` the same for judge requests.
Standalone: `python -m tests.fakes.fake_openai --port 8002` prints `ready http://127.0.0.1:PORT/v1`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import select
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

KINDS = ("ok", "rate_limit", "server_error", "slow", "length", "refusal", "invalid_json",
         "wrong_schema", "ungrounded", "custom", "auth_error", "unknown_dataset", "contradiction",
         "ochiai_invented", "content_filter", "careless")
JUDGE_KINDS = ("judge_ok", "judge_unsupported", "judge_error", "judge_refusal", "judge_invalid_json", "judge_custom",
               "judge_slow", "judge_does_not_answer")
JUDGE_SCHEMA = "JudgeOutput"
QUESTION_KINDS = ("question_ok", "question_fabricated", "question_custom")
QUESTION_SCHEMA = "QuestionOutput"
TEST_KEY = "sk-test-0123456789abcdef"
DEFAULT_QA = 4

_PAGE = re.compile(r"^=== PAGE (\d+) ===[ \t]*$", re.M)
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_ABBREV = re.compile(r"\b(?:et al|e\.g|i\.e|Fig|Figs|Eq|Sec|Tab|vs|cf)\.", re.I)

QUESTIONS = (
    ("この研究の目的は何ですか?", "この研究は次の課題に取り組んでいます。論文には「{q}」と書かれています。"),
    ("提案手法の特徴は何ですか?", "提案手法の特徴は、論文の「{q}」という記述に表れています。"),
    ("主な結果は何ですか?", "主な結果として、論文は「{q}」と報告しています。"),
    ("評価はどのように行われていますか?", "評価について、論文では「{q}」と説明しています。"),
    ("新規性はどこにありますか?", "新規性について、論文は「{q}」と述べています。"),
    ("今後の課題は何ですか?", "今後の課題として、論文は「{q}」と述べています。"),
    ("結論は何ですか?", "結論として、論文は「{q}」とまとめています。"),
    ("どのような背景がありますか?", "背景として、論文は「{q}」と説明しています。"),
)


def pages_from_prompt(text: str) -> dict[int, str]:
    """{page number: text} from the `=== PAGE n ===` markers of a user message."""
    parts = _PAGE.split(text)
    pages: dict[int, str] = {}
    for i in range(1, len(parts) - 1, 2):
        n = int(parts[i])
        pages[n] = (pages.get(n, "") + "\n" + parts[i + 1]).strip()
    return pages


_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+\S.{0,60}|abstract|introduction|related work|conclusions?|"
                      r"references|acknowledge?ments?|appendix)$", re.I)


def sentences_on(page_text: str) -> list[str]:
    """Plain prose sentences, whitespace collapsed (as a model would copy them); heading lines
    end a block so they never start a quote."""
    blocks, cur = [], []
    for line in page_text.splitlines():
        if _HEADING.match(line.strip()) and not line.rstrip().endswith("."):
            blocks.append(" ".join(cur))
            cur = []
        else:
            cur.append(line)
    blocks.append(" ".join(cur))
    out = []
    for block in blocks:
        for s in _SPLIT.split(" ".join(block.split())):
            words = s.split()
            if not 8 <= len(words) <= 50 or not s.endswith(".") or _ABBREV.search(s[:-1]):
                continue
            if "http" in s or "@" in s or sum(c.isalpha() for c in s) < 0.7 * len(s.replace(" ", "")):
                continue
            out.append(s)
    return out


def _user_text(messages: list[dict]) -> str:
    for m in messages:
        if m.get("role") == "user" and isinstance(m.get("content"), str) and _PAGE.search(m["content"]):
            return m["content"]
    return "\n".join(m["content"] for m in messages if m.get("role") == "user" and isinstance(m.get("content"), str))


def _qa_count(messages: list[dict]) -> int:
    asked = "\n".join(m["content"] for m in messages
                      if m.get("role") in ("system", "user") and isinstance(m.get("content"), str))
    m = re.search(r"質問と回答を\s*(\d+)\s*個", asked)
    return int(m.group(1)) if m else DEFAULT_QA


def grounded_output(messages: list[dict]) -> dict:
    """A schema-valid answer built only from sentences found on the prompt's pages."""
    text = _user_text(messages)
    title_m = re.search(r"^タイトル[^:\n]*:\s*(.+)$", text, re.M)
    title = title_m.group(1).strip() if title_m else "この論文"
    found = [(n, s) for n, page in sorted(pages_from_prompt(text).items()) for s in sentences_on(page)]
    want = min(_qa_count(messages), len(QUESTIONS))
    picks = [found[round(i * (len(found) - 1) / max(want - 1, 1))] for i in range(want)] if found else []
    seen, qa = set(), []
    for (page, quote), (question, frame) in zip(picks, QUESTIONS):
        if quote in seen:
            continue
        seen.add(quote)
        qa.append({"question": question, "answer": frame.format(q=quote),
                   "evidence": [{"page": page, "quote": quote}]})
    return {
        "one_liner": f"「{title}」の内容を本文に基づいて紹介する論文です。",
        "one_liner_evidence": [{"page": found[0][0], "quote": found[0][1]}] if found else [],
        "qa": qa,
        "summary_sentences": summary_sentences(found),     # after the Q&A, as the schema orders them
    }


ABSTRACT_SCHEMA = "AbstractOutput"
_ABSTRACT = re.compile(r"^アブストラクト[^:\n]*:\n(.+?)(?:\n\n|\Z)", re.M | re.S)


def abstract_output(messages: list[dict]) -> dict:
    """The quick first answer from the title and abstract (issue 12): a one-liner and a
    three-sentence summary around the abstract's own sentences (no page markers to quote)."""
    text = _user_text(messages)
    title_m = re.search(r"^タイトル[^:\n]*:\s*(.+)$", text, re.M)
    title = title_m.group(1).strip() if title_m else "この論文"
    m = _ABSTRACT.search(text)
    found = [(1, s) for s in sentences_on(m.group(1))] if m else []
    picks = [found[round(i * (len(found) - 1) / 2)][1] for i in range(3)] if found else []
    return {"one_liner": f"「{title}」の内容をアブストラクトに基づいて紹介する論文です。",
            "summary": "".join(frame.format(q=q) for frame, q in zip(SUMMARY_FRAMES, dict.fromkeys(picks)))
            or "アブストラクトに基づく概要です。"}


SUMMARY_FRAMES = ("論文の冒頭には「{q}」と書かれています。", "本文では「{q}」と説明されています。",
                  "結論として、論文は「{q}」と述べています。")


def summary_sentences(found: list[tuple[int, str]]) -> list[dict]:
    """One 概要 sentence per frame, each around a real sentence of the paper (first, middle, last)."""
    if not found:
        return []
    picks = dict.fromkeys([found[0], found[len(found) // 2], found[-1]])
    return [{"text": frame.format(q=quote), "evidence": [{"page": page, "quote": quote}]}
            for (page, quote), frame in zip(picks, SUMMARY_FRAMES)]


CARELESS_NO_EVIDENCE = "この手法はあらゆるタスクで従来手法を大幅に上回ります。"
CARELESS_WRONG_PAGE = "論文は「{q}」と述べています。"


def careless_output(messages: list[dict]) -> dict:
    """Grounded, except for two more 概要 sentences: one with no evidence, one whose quote is
    real but cited on another page than the one it is on."""
    out = grounded_output(messages)
    found = [(n, q) for n, page in sorted(pages_from_prompt(_user_text(messages)).items()) for q in sentences_on(page)]
    out["summary_sentences"].append({"text": CARELESS_NO_EVIDENCE, "evidence": []})
    if found:
        page, quote = found[len(found) // 3]
        wrong = next((n for n in sorted(pages_from_prompt(_user_text(messages))) if n != page), page + 1)
        out["summary_sentences"].append({"text": CARELESS_WRONG_PAGE.format(q=quote),
                                         "evidence": [{"page": wrong, "quote": quote}]})
    return out


def ungrounded_output(messages: list[dict]) -> dict:
    """Schema-valid, but everything a verifier must catch: a non-answer, invented numbers,
    quotes that are not in the paper and a page that does not exist."""
    return {
        "one_liner": "この論文は画期的な手法で精度を 99.7% まで高めたと主張しています。",
        "one_liner_evidence": [],
        "summary_sentences": [
            {"text": "この論文は新しい手法を提案しています。", "evidence": []},
            {"text": "精度は 99.7% に達し、学習時間は 123 時間です。",
             "evidence": [{"page": 1, "quote": "Our method reaches an accuracy of 99.7% on every task."}]},
            {"text": "詳細は明記されていません。", "evidence": []}],
        "qa": [
            {"question": "コードは公開されていますか?", "answer": "詳細は明記されていません。",
             "evidence": [{"page": 1, "quote": "This sentence was never written in the paper at all."}]},
            {"question": "主な結果は何ですか?", "answer": "精度は 97.3% で、従来手法を 12.5 ポイント上回ります。",
             "evidence": [{"page": 999, "quote": "We obtain an accuracy of 97.3% on every benchmark."}]},
        ],
    }


UNKNOWN_DATASETS = "評価には MS MARCO と HotpotQA のデータセットを用いています。"
CONTRADICTION = "いいえ、論文の実験ではこの点で改善は見られず、性能はむしろ低下しました。"
_NEGATIVE_EN = re.compile(r"(?i)\b(?:not|no|never|without|fails?|failed|worse|lower|decreas\w*|reduc\w*|drops?|"
                          r"degrad\w*|hurts?|neither|nor)\b|n't\b")
_NEGATIVE_JA = re.compile(r"ません|ない(?:です|。|、|$)|なかった|ず[、。]|低下|悪化|減少|下回|下が")
_JA_QUOTED = re.compile(r"「[^」]*」")
_CONTENT = re.compile(r"[A-Za-z][A-Za-z0-9\-]{2,}|\d+(?:\.\d+)?")
_COMMON = frozenset("the and for with that this from are was were which these those our their has have its "
                    "into than then also can not".split())


def unknown_dataset_output(messages: list[dict]) -> dict:
    """Grounded, except that Q&A 1 names two datasets the paper never mentions."""
    out = grounded_output(messages)
    if out["qa"]:
        out["qa"][0]["answer"] += UNKNOWN_DATASETS
    return out


def contradiction_output(messages: list[dict]) -> dict:
    """Grounded, except that the last Q&A item pairs a real, affirmative quote with an answer
    saying the opposite; every deterministic check passes it."""
    out = grounded_output(messages)
    if out["qa"]:
        last = out["qa"][-1]
        text = _user_text(messages)
        found = [(n, q) for n, page in sorted(pages_from_prompt(text).items()) for q in sentences_on(page)
                 if not _NEGATIVE_EN.search(q) and not re.search(r"\d", q)]
        page, quote = found[-1] if found else (last["evidence"][0]["page"], last["evidence"][0]["quote"])
        out["qa"][-1] = {"question": "提案手法で性能は改善しますか?", "answer": CONTRADICTION,
                         "evidence": [{"page": page, "quote": quote}]}
    return out


def _content_words(text: str) -> set[str]:
    return {w.casefold() for w in _CONTENT.findall(text) if w.casefold() not in _COMMON}


def judge_item(text: str, evidence: list[str]) -> tuple[str, str]:
    """A careful judge in miniature: (verdict, reason) of one text against its evidence."""
    source = " ".join(evidence)
    own = _JA_QUOTED.sub("", text)                      # the writer's own words, quotations aside
    if _NEGATIVE_JA.search(own) and not _NEGATIVE_EN.search(source):
        return "unsupported", "回答は否定・低下を述べていますが、引用は肯定的な結果を述べており矛盾します。"
    words = _content_words(text)
    if not words:
        return "supported", "引用と矛盾する記述は見当たりません。"
    missing = sorted(words - _content_words(source))
    if not missing:
        return "supported", "回答の語句と数値はすべて引用にあります。"
    if len(missing) <= len(words) / 2:
        return "partial", f"引用に無い語句があります: {', '.join(missing[:5])}。"
    return "unsupported", f"回答の主な語句が引用にありません: {', '.join(missing[:5])}。"


def judge_items(messages: list[dict]) -> list[dict]:
    """The items of a judge request (ronbun.judge.build_messages: JSON in the user message)."""
    text = "\n".join(m["content"] for m in messages if m.get("role") == "user" and isinstance(m.get("content"), str))
    start = text.find("[")
    return json.loads(text[start:]) if start >= 0 else []


def judge_output(messages: list[dict], unsupported: list[str] | None = None) -> dict:
    """Verdicts for every item; `unsupported` forces those ids (all when empty) to unsupported."""
    verdicts = []
    for item in judge_items(messages):
        if unsupported is not None and (not unsupported or item["id"] in unsupported):
            verdict, reason = "unsupported", "(強制) 回答は引用で裏付けられません。"
        else:
            verdict, reason = judge_item(item.get("text", ""), item.get("evidence", []))
        problem = ("contradiction" if "矛盾" in reason else "not_in_evidence") if verdict != "supported" else "none"
        verdicts.append({"item": item["id"], "verdict": verdict, "problem": problem, "reason": reason})
    return {"verdicts": verdicts}


def is_judge_request(body: dict) -> bool:
    fmt = body.get("response_format") or {}
    name = (fmt.get("json_schema") or {}).get("name", "") if isinstance(fmt, dict) else ""
    system = "".join(m.get("content") or "" for m in body.get("messages", [])
                     if m.get("role") == "system" and isinstance(m.get("content"), str))
    return name == JUDGE_SCHEMA or "[ronbun-judge]" in system


# ---------------------------------------------------------------- 落合フォーマット (ronbun.ochiai)

OCHIAI_SCHEMA = "OchiaiOutput"
OCHIAI_QUESTIONS = ("どんなもの？", "先行研究と比べてどこがすごい？", "技術や手法のキモはどこ？",
                    "どうやって有効だと検証した？", "議論はある？")
_REF_LINE = re.compile(r"^\[(\d+)\](?: \(本文 ([^)]*) で引用\))? (.+)$", re.M)
_RUN_IN_HEAD = re.compile(r"(?<![.:;!?])\s(?:The|We|This|Our|In)\s|^[^.]{0,50}:\s")     # "Team X The team relied ..."
OCHIAI_WHY = "本文で引用されている先行研究で、この論文の出発点を理解するのに役立ちます。"


def _schema_name(body: dict) -> str:
    fmt = body.get("response_format") or {}
    return (fmt.get("json_schema") or {}).get("name", "") if isinstance(fmt, dict) else ""


def ochiai_output(messages: list[dict], invent: bool = False) -> dict:
    """A careful model's 落合フォーマット answer (`fake.enqueue("ochiai_invented")`: plus two picks
    that are not in the paper's list): five grounded answers in order, and up to three next
    reads from the prompt's numbered reference list, each quoting a body sentence that cites it."""
    out = grounded_output(messages)
    pages = pages_from_prompt(_user_text(messages))
    found = [(n, q) for n, page in sorted(pages.items()) for q in sentences_on(page) if not _RUN_IN_HEAD.search(q)]
    picked = [found[round(i * (len(found) - 1) / 4)] for i in range(5)] if found else []
    out["qa"] = [{"question": question, "answer": f"この点について、論文には「{quote}」と書かれています。",
                  "evidence": [{"page": page, "quote": quote}]} for question, (page, quote) in zip(OCHIAI_QUESTIONS, picked)]
    refs = _REF_LINE.findall("\n".join(m["content"] for m in messages if m.get("role") == "user"))
    picks = []
    for n, cited, text in refs:
        cites = re.compile(rf"\[(?:[\d,\s–-]*[,\s])?{n}(?:[,\s–-][\d,\s–-]*)?\]")
        for page in (int(p) for p in re.findall(r"p\.(\d+)", cited)):
            quote = next((q for q in sentences_on(pages.get(page, "")) if cites.search(q)), None)
            if quote and len(picks) < 3:
                picks.append({"ref": int(n), "title": text[:120], "why": OCHIAI_WHY,
                              "evidence": [{"page": page, "quote": quote}]})
                break
    if invent and picks:
        made_up = {"why": OCHIAI_WHY, "evidence": picks[0]["evidence"]}
        picks += [{"ref": len(refs) + 7, "title": "Attention Is All You Need", **made_up},
                  {"ref": picks[0]["ref"], "title": "Quantum Gravity for Large Language Models", **made_up}]
    return {**out, "next_reads": picks}


# ---------------------------------------------------------------- ask the paper (ronbun.questions)

NOT_SAID = "この論文には記載がありません。"
FABRICATED_ANSWER = {"text": "評価には MS MARCO を用い、正解率は 97.3% に達しています。", "found": True,
                     "evidence": [{"page": 1, "quote": "We evaluate our agent on every public benchmark and reach a new state of the art."}]}
_QUESTION = re.compile(r"<<<QUESTION\n(.*)\nQUESTION>>>", re.S)


def is_question_request(body: dict) -> bool:
    fmt = body.get("response_format") or {}
    return isinstance(fmt, dict) and (fmt.get("json_schema") or {}).get("name") == QUESTION_SCHEMA


def question_output(messages: list[dict]) -> dict:
    """A careful model: the sentence of the prompt's pages sharing the most content words with the
    question (two at least), quoted verbatim; else the paper does not say, with no evidence."""
    text = _user_text(messages)
    m = _QUESTION.search(text)
    asked = _content_words(json.loads(m.group(1))) if m else set()
    best, hits = None, 1
    for page, body in sorted(pages_from_prompt(text).items()):
        body = "\n".join(line for line in body.splitlines() if not line.startswith("[図表キャプション"))
        for sentence in sentences_on(body):
            n = len(asked & _content_words(sentence))
            if n > hits:
                best, hits = (page, sentence), n
    if best is None:
        return {"text": NOT_SAID, "found": False, "evidence": []}
    return {"text": f"論文には「{best[1]}」と書かれています。", "found": True,
            "evidence": [{"page": best[0], "quote": best[1]}]}


QUESTION_JUDGE_SCHEMA = "QuestionJudgeOutput"


def is_question_judge_request(body: dict) -> bool:
    system = "".join(m.get("content") or "" for m in body.get("messages", [])
                     if m.get("role") == "system" and isinstance(m.get("content"), str))
    return _schema_name(body) == QUESTION_JUDGE_SCHEMA or "[ronbun-question-judge]" in system


def question_judge_output(messages: list[dict]) -> dict:
    """A careful judge of one answer to a reader's question (see the module docstring)."""
    from ronbun import retrieval

    text = _user_text(messages)
    item = json.loads(text[text.find("{"):])
    question, answer, evidence = item.get("question", ""), item.get("answer", ""), item.get("evidence", [])
    have = set(retrieval.tokens(" ".join(evidence)))
    focus = retrieval.focus_terms(question)
    if focus:
        relevant = retrieval.covers(have, focus)
        why = "引用は質問が尋ねている点を述べています。" if relevant else "引用は質問が尋ねている点(焦点の語)に触れていません。"
    else:
        asked = set(retrieval.query_terms(question)) - retrieval.GENERIC
        shared = asked & have
        relevant = len(shared) >= min(2, len(asked)) and bool(asked)
        why = "引用は質問の主な語を含みます。" if relevant else "引用は質問の主な語をほとんど含みません。"
    support, reason = judge_item(answer, evidence)
    return {"relevance": "answers" if relevant else "does_not_answer",
            "support": "unsupported" if support == "unsupported" else "supported",
            "reason": why + (reason if support == "unsupported" else "")}


CHARS_PER_TOKEN = 3          # as _usage counts output tokens
PROMPT_CHARS_PER_TOKEN = 4   # as _usage counts prompt tokens (and cached ones)
CACHE_MIN_TOKENS, CACHE_STEP = 1024, 128


def _writing_seconds(fake: "FakeOpenAI", content: str | None) -> float:
    """How long a model at `tokens_per_second` takes to write `content`."""
    if not fake.tokens_per_second:
        return 0.0
    return len(content or "") / CHARS_PER_TOKEN / fake.tokens_per_second


def _usage(body: dict, content: str | None, cached: int = 0) -> dict:
    chars = sum(len(m.get("content") or "") for m in body.get("messages", []) if isinstance(m.get("content"), str))
    prompt = max(1, chars // PROMPT_CHARS_PER_TOKEN)
    completion = max(1, len(content or "") // CHARS_PER_TOKEN)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": min(cached, prompt)}}


def _prompt_key(body: dict) -> str:
    return "".join(f"\x00{m.get('role')}\x00{m['content']}" for m in body.get("messages", [])
                   if isinstance(m.get("content"), str))


def _block_digests(key: str) -> list[bytes]:
    """A digest of every whole cache block's prefix (CACHE_STEP tokens of prompt characters)."""
    size = CACHE_STEP * PROMPT_CHARS_PER_TOKEN
    h, out = hashlib.sha1(), []
    for start in range(0, len(key) - size + 1, size):
        h.update(key[start:start + size].encode())
        out.append(h.copy().digest())
    return out


class FakeOpenAI:
    """The server; `start()` runs it on a daemon thread, `stop()` shuts it down."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.calls: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.responses: list[dict] = []
        self.judge_calls: list[dict] = []
        self.judge_responses: list[dict] = []
        self.formats: list[str] = []        # the response_format type of every request, in order
        self._queue: deque[tuple[str, dict]] = deque()
        self._judge_queue: deque[tuple[str, dict]] = deque()
        self._lock = threading.Lock()
        self._seq = 0
        self.server = ThreadingHTTPServer((host, port), _Handler)
        self.server.daemon_threads = True
        self.server.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        # How OpenAI-compatible the server is: "openai" (strict json_schema), "json_object" (refuses
        # json_schema, like many local servers), "text" (refuses any response_format and answers
        # JSON inside prose and a ```json fence). `quirks`: "no_finish_reason", "no_usage",
        # "no_refusal", "no_cache_details" leave those fields out of every answer, as some local
        # servers do; "no_stream" answers 400 to stream=true, "ignore_stream" answers it whole;
        # "brace_in_prose" puts a "{...}" in the prose before a text answer's JSON.
        self.profile = "openai"
        self.quirks: set[str] = set()
        # Like a real model: time to first token and output tokens per second (0: answer at once).
        # A request with "stream": true gets SSE chunks of about one token each, paced at that
        # rate, the finish_reason chunk, a usage chunk when stream_options.include_usage, [DONE].
        self.ttft_seconds = 0.0
        self.tokens_per_second = 0.0
        # Stream faults and framing (see the module docstring); None: off.
        self.cut_after_chars: int | None = None
        self.stall_after_chars: int | None = None
        self.stall_keepalive = "none"
        self.stall_interval = 0.05
        self.stall_max_seconds = 30.0
        self.chunked = False
        # A test sets hold_final to an Event: each stream then waits for it (at most
        # hold_final_seconds) before its finish_reason chunk; the stream's record says whether
        # it was set in time ("held": True), i.e. the client acted on the parts before the end.
        self.hold_final: threading.Event | None = None
        self.hold_final_seconds = 10.0
        self.streams: list[dict] = []
        self._cache: set[bytes] = set()      # prefix digests of every summary request, for the prompt cache
        self._stopping = threading.Event()

    def cached_tokens(self, body: dict) -> int:
        """What OpenAI's prompt cache would serve of this request (and remember its prompt)."""
        digests = _block_digests(_prompt_key(body))
        with self._lock:
            blocks = next((i for i, d in enumerate(digests) if d not in self._cache), len(digests))
            self._cache.update(digests)
        tokens = blocks * CACHE_STEP             # the longest prefix seen before, in whole blocks
        return tokens if tokens >= CACHE_MIN_TOKENS else 0

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "FakeOpenAI":
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="fake-openai")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def stream_end(self, index: int = -1, seconds: float = 10.0) -> str | None:
        """How stream `index` ended, once the server's thread has finished it. The client can
        read [DONE] and return before that thread records "done", so a test asks here rather
        than reading the record at once."""
        end = time.monotonic() + seconds
        while self.streams[index]["ended"] is None and time.monotonic() < end:
            time.sleep(0.01)
        return self.streams[index]["ended"]

    def enqueue(self, kind: str, *, times: int = 1, **kw) -> "FakeOpenAI":
        if kind not in KINDS + JUDGE_KINDS + QUESTION_KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS + JUDGE_KINDS + QUESTION_KINDS}")
        with self._lock:
            (self._judge_queue if kind in JUDGE_KINDS else self._queue).extend([(kind, kw)] * times)
        return self

    def _next_judge(self, body: dict) -> tuple[str, dict, int]:
        with self._lock:
            self.judge_calls.append(body)
            self._seq += 1
            kind, kw = self._judge_queue.popleft() if self._judge_queue else ("judge_ok", {})
            return kind, kw, self._seq

    def _next(self, body: dict, headers: dict[str, str]) -> tuple[str, dict, int]:
        with self._lock:
            self.calls.append(body)
            self.headers.append(headers)
            self._seq += 1
            kind, kw = self._queue.popleft() if self._queue else ("ok", {})
            return kind, kw, self._seq


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, payload: dict, extra: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass                      # the client gave up (timeout); nothing to tell it

    def _error(self, status: int, message: str, kind: str, extra: dict[str, str] | None = None) -> None:
        self._send(status, {"error": {"message": message, "type": kind, "param": None, "code": kind}}, extra)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._error(404, f"no route {self.path}", "not_found")
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._error(400, "body is not JSON", "invalid_request_error")
            return
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        if self._refuses_format(fake, body):
            return
        if is_question_judge_request(body):
            self._question_judge(fake, body)
            return
        if is_judge_request(body):
            self._judge(fake, body)
            return
        if is_question_request(body):
            self._question(fake, body)
            return
        kind, kw, seq = fake._next(body, {k.lower(): v for k, v in self.headers.items()})

        if kind == "rate_limit":
            headers = {"Retry-After": str(kw.get("retry_after", 0))}
            if "retry_after_ms" in kw:
                headers["retry-after-ms"] = str(kw["retry_after_ms"])
            self._error(429, "Rate limit reached (fake)", "rate_limit_exceeded", headers)
            return
        if kind == "server_error":
            self._error(500, "The server had an error (fake)", "server_error")
            return
        if kind == "auth_error":
            self._error(401, "Incorrect API key provided (fake)", "invalid_api_key")
            return
        if kind == "slow":
            time.sleep(float(kw.get("seconds", 2.0)))

        if body.get("stream") and "no_stream" in fake.quirks:
            self._error(400, "stream is not supported by this server", "invalid_request_error")
            return
        messages = body.get("messages", [])
        finish, refusal = "stop", None
        if kind == "custom":
            content = json.dumps(kw["output"], ensure_ascii=False)
        elif kind == "ungrounded":
            content = json.dumps(ungrounded_output(messages), ensure_ascii=False)
        elif kind == "unknown_dataset":
            content = json.dumps(unknown_dataset_output(messages), ensure_ascii=False)
        elif kind == "contradiction":
            content = json.dumps(contradiction_output(messages), ensure_ascii=False)
        elif kind == "careless":
            content = json.dumps(careless_output(messages), ensure_ascii=False)
        elif kind == "invalid_json":
            content = '{"one_liner": "途中で壊れた出力です。", "summary": '
        elif kind == "wrong_schema":
            content = json.dumps({"title": "要約", "points": ["一つ目", "二つ目"]}, ensure_ascii=False)
        elif kind == "refusal":
            content, refusal = None, "I'm sorry, but I can't help with that request."
        elif _schema_name(body) == OCHIAI_SCHEMA:
            content = json.dumps(ochiai_output(messages, invent=kind == "ochiai_invented"), ensure_ascii=False)
        elif _schema_name(body) == ABSTRACT_SCHEMA:
            content = json.dumps(abstract_output(messages), ensure_ascii=False)
        else:
            content = json.dumps(grounded_output(messages), ensure_ascii=False)
            if kind in ("length", "content_filter"):
                content, finish = content[: len(content) // 2], kind
        payload = {
            "id": f"chatcmpl-fake-{seq}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [{"index": 0, "finish_reason": finish, "logprobs": None,
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}],
            "usage": _usage(body, content, fake.cached_tokens(body)),
        }
        self._shape(fake, payload)
        with fake._lock:
            fake.responses.append(payload)
        if body.get("stream") and "ignore_stream" not in fake.quirks:
            self._stream(fake, body, payload)
            return
        time.sleep(fake.ttft_seconds + _writing_seconds(fake, content))
        self._send(200, payload)

    def _judge(self, fake: FakeOpenAI, body: dict) -> None:
        kind, kw, seq = fake._next_judge(body)
        if kind == "judge_error":
            self._error(500, "The server had an error (fake judge)", "server_error")
            return
        if kind == "judge_slow":
            time.sleep(float(kw.get("seconds", 2.0)))
        messages = body.get("messages", [])
        content, refusal = None, None
        if kind == "judge_refusal":
            refusal = "I'm sorry, but I can't help with that request."
        elif kind == "judge_invalid_json":
            content = '{"verdicts": [{"item": "Q1", '
        elif kind == "judge_custom":
            content = json.dumps(kw["output"], ensure_ascii=False)
        else:
            forced = list(kw.get("items", [])) if kind == "judge_unsupported" else None
            content = json.dumps(judge_output(messages, forced), ensure_ascii=False)
        payload = {
            "id": f"chatcmpl-fake-judge-{seq}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}],
            "usage": _usage(body, content),
        }
        self._shape(fake, payload)
        with fake._lock:
            fake.judge_responses.append(payload)
        self._send(200, payload)

    def _question_judge(self, fake: FakeOpenAI, body: dict) -> None:
        """The question judge (ronbun.judge.QuestionJudge): see question_judge_output."""
        kind, kw, seq = fake._next_judge(body)
        if kind == "judge_error":
            self._error(500, "The server had an error (fake judge)", "server_error")
            return
        if kind == "judge_slow":
            time.sleep(float(kw.get("seconds", 2.0)))
        content, refusal = None, None
        if kind == "judge_refusal":
            refusal = "I'm sorry, but I can't help with that request."
        elif kind == "judge_invalid_json":
            content = '{"relevance": "answers", '
        elif kind == "judge_custom":
            content = json.dumps(kw["output"], ensure_ascii=False)
        else:
            output = question_judge_output(body.get("messages", []))
            if kind == "judge_does_not_answer":
                output = {**output, "relevance": "does_not_answer", "reason": "(強制) 引用はこの質問に答えていません。"}
            content = json.dumps(output, ensure_ascii=False)
        payload = {"id": f"chatcmpl-fake-qjudge-{seq}", "object": "chat.completion", "created": int(time.time()),
                   "model": body.get("model", "fake-model"),
                   "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                "message": {"role": "assistant", "content": content, "refusal": refusal}}],
                   "usage": _usage(body, content)}
        self._shape(fake, payload)
        with fake._lock:
            fake.judge_responses.append(payload)
        self._send(200, payload)

    def _question(self, fake: FakeOpenAI, body: dict) -> None:
        """Ask the paper (ronbun.questions): see question_output."""
        kind, kw, seq = fake._next(body, {k.lower(): v for k, v in self.headers.items()})
        if kind == "server_error":
            self._error(500, "The server had an error (fake)", "server_error")
            return
        if kind == "question_custom":
            output = kw["output"]
        elif kind == "question_fabricated":
            output = FABRICATED_ANSWER
        else:
            output = question_output(body.get("messages", []))
        content = json.dumps(output, ensure_ascii=False)
        payload = {"id": f"chatcmpl-fake-q-{seq}", "object": "chat.completion", "created": int(time.time()),
                   "model": body.get("model", "fake-model"),
                   "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                "message": {"role": "assistant", "content": content, "refusal": None}}],
                   "usage": _usage(body, content)}
        with fake._lock:
            fake.responses.append(payload)
        if body.get("stream"):
            self._stream(fake, body, payload)
            return
        self._send(200, payload)

    def _stream(self, fake: "FakeOpenAI", body: dict, payload: dict) -> None:
        """The answer as server-sent events, one chunk per token, paced like a model writing
        (and cut off or stalled when the fake is set to)."""
        record = {"seq": payload["id"], "started": time.monotonic(), "first_chunk": None, "final_chunk": None,
                  "ended": None}
        with fake._lock:
            fake.streams.append(record)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        if fake.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        choice = payload["choices"][0]
        content = choice["message"].get("content") or ""
        refusal = choice["message"].get("refusal") or ""
        field, text = ("content", content) if content or not refusal else ("refusal", refusal)
        base = {k: payload[k] for k in ("id", "created", "model")} | {"object": "chat.completion.chunk"}

        def write(data: bytes) -> None:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if fake.chunked else data)
            self.wfile.flush()

        def chunk(choices: list, **extra) -> bytes:
            return f"data: {json.dumps(base | {'choices': choices} | extra, ensure_ascii=False)}\n\n".encode()

        pieces = [text[i:i + CHARS_PER_TOKEN] for i in range(0, len(text), CHARS_PER_TOKEN)]
        per_token = 1 / fake.tokens_per_second if fake.tokens_per_second else 0.0
        stop_at = min((n for n in (fake.cut_after_chars, fake.stall_after_chars) if n is not None), default=None)
        try:
            time.sleep(fake.ttft_seconds)
            write(chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]))
            sent, paced_from = 0, time.monotonic()
            for n, piece in enumerate(pieces, start=1):
                if stop_at is not None and sent + len(piece) > stop_at:
                    piece = piece[:stop_at - sent]
                    if piece:
                        write(chunk([{"index": 0, "delta": {field: piece}, "finish_reason": None}]))
                    if stop_at == fake.cut_after_chars:
                        record["ended"] = "cut"
                        self._cut()
                    else:
                        record["ended"] = self._stall(fake, write, chunk)
                    return
                write(chunk([{"index": 0, "delta": {field: piece}, "finish_reason": None}]))
                sent += len(piece)
                record["first_chunk"] = record["first_chunk"] or time.monotonic()
                wait = paced_from + n * per_token - time.monotonic()     # on schedule, no drift
                if wait > 0:
                    time.sleep(wait)
            if fake.hold_final is not None:
                record["held"] = fake.hold_final.wait(fake.hold_final_seconds)
            write(chunk([{"index": 0, "delta": {}, "finish_reason": choice.get("finish_reason")}]))
            record["final_chunk"] = time.monotonic()
            if (body.get("stream_options") or {}).get("include_usage") and "usage" in payload:
                write(chunk([], usage=payload["usage"]))
            write(b"data: [DONE]\n\n")
            if fake.chunked:
                self.wfile.write(b"0\r\n\r\n")
            record["ended"] = "done"
        except (BrokenPipeError, ConnectionResetError):
            record["ended"] = record["ended"] or "client_closed"     # the client stopped reading

    def _cut(self) -> None:
        """Drop the connection mid-answer, as a proxy or a crashed server does."""
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _stall(self, fake: "FakeOpenAI", write, chunk) -> str:
        """Keep the connection open without finishing the answer (sending keep-alives or
        whitespace if so set) until the client closes it or stall_max_seconds pass."""
        until = time.monotonic() + fake.stall_max_seconds
        while time.monotonic() < until and not fake._stopping.wait(fake.stall_interval):
            if fake.stall_keepalive == "comment":
                write(b": keepalive\n\n")
            elif fake.stall_keepalive == "whitespace":
                write(chunk([{"index": 0, "delta": {"content": " "}, "finish_reason": None}]))
            elif self._client_gone():
                return "client_closed"
        return "stall_timeout"

    def _client_gone(self) -> bool:
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _refuses_format(self, fake: "FakeOpenAI", body: dict) -> bool:
        """Answer 400 as a local server does to a response_format it does not take."""
        fmt = body.get("response_format")
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        with fake._lock:
            fake.formats.append(kind or "none")
        if fake.profile == "json_object" and kind == "json_schema":
            self._error(400, "response_format type 'json_schema' is not supported by this server", "invalid_request_error")
            return True
        if fake.profile == "text" and fmt is not None:
            self._error(400, "Unrecognized request argument supplied: response_format", "invalid_request_error")
            return True
        return False

    @staticmethod
    def _shape(fake: "FakeOpenAI", payload: dict) -> None:
        choice = payload["choices"][0]
        content = choice["message"].get("content")
        if fake.profile == "text" and content:
            lead = "以下が {要求された} JSON です。" if "brace_in_prose" in fake.quirks else "以下が要求された JSON です。"
            choice["message"]["content"] = f"{lead}\n```json\n{content}\n```\nご確認ください。"
        if "no_finish_reason" in fake.quirks:
            choice["finish_reason"] = None
        if "no_usage" in fake.quirks:
            payload.pop("usage", None)
        if "no_refusal" in fake.quirks:
            choice["message"].pop("refusal", None)
        if "no_cache_details" in fake.quirks and "usage" in payload:
            payload["usage"].pop("prompt_tokens_details", None)


@pytest.fixture
def fake_openai(monkeypatch):
    """A running fake with OPENAI_BASE_URL/OPENAI_API_KEY pointing at it (settings cache cleared)."""
    from ronbun.settings import get_settings

    fake = FakeOpenAI().start()
    monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    get_settings.cache_clear()
    yield fake
    fake.stop()
    get_settings.cache_clear()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake OpenAI-compatible server for local runs")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ttft", type=float, default=0.0, help="seconds to the first token")
    parser.add_argument("--tokens-per-second", type=float, default=0.0, help="output rate (0: at once)")
    args = parser.parse_args(argv)
    fake = FakeOpenAI(args.host, args.port)
    fake.ttft_seconds, fake.tokens_per_second = args.ttft, args.tokens_per_second
    print(f"ready http://{args.host}:{fake.port}/v1", flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.server.server_close()


if __name__ == "__main__":
    main()
