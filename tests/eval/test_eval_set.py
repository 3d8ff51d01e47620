"""The evaluation set is well formed and the runner reports on it (targets are reported by
`make eval`, not asserted here)."""

import hashlib
import json

import pytest

from ronbun.verify import quote_found
from tests.eval import run


def _rows(kind: str, half: str) -> list[dict]:
    path = run.HERE / f"{kind}_{half}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


ITEMS = {h: _rows("items", h) for h in ("dev", "held")}
QUOTES = {h: _rows("quotes", h) for h in ("dev", "held")}


def test_ids_are_unique_and_the_set_is_large_enough():
    ids = [r["id"] for h in ("dev", "held") for r in ITEMS[h] + QUOTES[h]]
    assert len(ids) == len(set(ids))
    assert len(ITEMS["dev"]) + len(ITEMS["held"]) >= 360
    assert len(QUOTES["dev"]) + len(QUOTES["held"]) >= 120


@pytest.mark.parametrize("kind", ["items", "quotes"])
def test_halves_are_balanced_and_assigned_by_the_fixed_rule(kind):
    rows = ITEMS if kind == "items" else QUOTES
    total = len(rows["dev"]) + len(rows["held"])
    for half in ("dev", "held"):
        assert 0.4 * total <= len(rows[half]) <= 0.6 * total
        for r in rows[half]:
            even = hashlib.sha256(r["id"].encode()).digest()[0] % 2 == 0
            assert (half == "dev") == even, r["id"]


@pytest.mark.parametrize("half", ["dev", "held"])
def test_every_code_has_positives_and_negatives_in_both_halves(half):
    positives = {c for r in ITEMS[half] for c in r["expect"]}
    if any(q["label"] != "body" for q in QUOTES[half]):
        positives.add("quote_not_body")
    assert set(run.CODES) - run.SCOPE_CODES <= positives          # scope codes: scope_<half>.jsonl
    for code in set(run.CODES) - run.SCOPE_CODES:
        if code != "quote_not_body":
            assert any(code not in r["expect"] for r in ITEMS[half])
    assert any(q["label"] == "body" for q in QUOTES[half])
    styles = {r["style"] for r in ITEMS[half]}
    assert {"real-model", "english", "dearu", "list", "long"} <= styles


@pytest.mark.parametrize("half", ["dev", "held"])
def test_rows_are_well_formed(half):
    for item in ITEMS[half]:
        run.validate_item(item)
    for quote in QUOTES[half]:
        run.validate_quote(quote)


@pytest.mark.parametrize("half", ["dev", "held"])
def test_every_quote_is_really_on_its_page(half):
    for q in QUOTES[half]:
        pages = run.load_doc(q["paper"]).pages
        assert q["page"] in pages and quote_found(q["quote"], pages[q["page"]]), q["id"]
    for item in ITEMS[half]:
        if not item.get("paper") or "quote_not_found" in item["expect"]:
            continue
        pages = run.load_doc(item["paper"]).pages
        for ev in item.get("evidence", []):
            assert ev["page"] in pages and quote_found(ev["quote"], pages[ev["page"]]), item["id"]


def test_runner_prints_a_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "eval.json"
    assert run.main(["--split", "dev", "--json", str(out), "--verbose"]) == 0
    printed = capsys.readouterr().out
    assert "split dev:" in printed
    assert any(line.split()[:5] == ["code", "pos", "TP", "FP", "FN"] for line in printed.splitlines())
    for code in run.CODES:
        assert any(line.startswith(code) for line in printed.splitlines())
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report[0]["split"] == "dev" and report[0]["items"] == len(run.load_split("dev")[0])   # items + scope
    counts = report[0]["codes"]["non_answer"]
    assert counts["tp"] + counts["fn"] == sum("non_answer" in r["expect"] for r in ITEMS["dev"])


def test_runner_counts_true_and_false_positives():
    report = run.Report("t")
    report.add("a", {"truncated"}, {"truncated", "mixed_style"}, "途中で")
    report.add("b", set(), {"truncated"}, "終わりです.")
    report.add("c", {"non_answer"}, set(), "不明です。")
    t, m, n = report.scores["truncated"], report.scores["mixed_style"], report.scores["non_answer"]
    assert (t.tp, t.fp, t.fn, m.fp, n.fn) == (1, 1, 0, 1, 1)
    assert report.truncated_on_complete == ["b"]


def test_malformed_set_exits_2(tmp_path, monkeypatch, capsys):
    good = {"id": "x-1", "kind": "qa", "question": "何ですか？", "text": "答えです。", "evidence": [],
            "paper": None, "expect": [], "style": "real-model", "note": ""}
    bad = dict(good, id="x-2", expect="non_answer")           # expect must be a list
    (tmp_path / "items_dev.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in (good, bad)), encoding="utf-8")
    (tmp_path / "quotes_dev.jsonl").write_text("", encoding="utf-8")
    monkeypatch.setattr(run, "HERE", tmp_path)
    assert run.main(["--split", "dev"]) == 2
    assert "x-2" in capsys.readouterr().err


# Summary and one-liner sentences with their evidence, labelled `overgeneralised` or clean
# (issue 14; tests/eval/README.md "Scope set").
SCOPE = {h: _rows("scope", h) for h in ("dev", "held")}


def test_scope_set_is_well_formed_balanced_and_apart_from_the_items():
    rows = SCOPE["dev"] + SCOPE["held"]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) >= 160
    assert not set(ids) & {r["id"] for h in ("dev", "held") for r in ITEMS[h] + QUOTES[h]}
    assert 0.4 * len(rows) <= sum(r["expect"] == ["overgeneralised"] for r in rows) <= 0.6 * len(rows)
    for half in ("dev", "held"):
        assert 0.4 * len(rows) <= len(SCOPE[half]) <= 0.6 * len(rows)
        assert {tuple(r["expect"]) for r in SCOPE[half]} == {(), ("overgeneralised",)}
        for r in SCOPE[half]:
            run.validate_item(r)
            assert r["kind"] in ("summary", "one_liner") and r["paper"] and r["evidence"], r["id"]


@pytest.mark.parametrize("half", ["dev", "held"])
def test_every_scope_quote_is_really_on_its_page(half):
    for r in SCOPE[half]:
        pages = run.load_doc(r["paper"]).pages
        for ev in r["evidence"]:
            assert ev["page"] in pages and quote_found(ev["quote"], pages[ev["page"]]), r["id"]


# ---------------------------------------------------------------- --judge: the rules plus the judge call

def _judge_items(tmp_path):
    quote = "We train the retriever for 40 epochs with a batch size of 128 on 8 V100 GPUs."
    rows = [
        {"id": "j-1", "kind": "qa", "question": "学習の設定は？", "paper": None, "expect": ["non_answer"],
         "text": "学習の設定は、学習エポック数とバッチサイズと使用したGPUによって決まっています。",
         "evidence": [{"page": 1, "quote": quote}]},
        {"id": "j-2", "kind": "qa", "question": "学習の設定は？", "paper": None, "expect": [],
         "text": "8台のV100 GPUで、バッチサイズ128、40エポック学習しています。",
         "evidence": [{"page": 1, "quote": quote}]},
    ]
    path = tmp_path / "judge_items.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_the_judge_mode_counts_what_the_judge_names(tmp_path, fake_openai):
    path = _judge_items(tmp_path)
    rules = run.evaluate_items(path)
    assert rules.scores["non_answer"].fn == 1          # the restatement has words of its own: the rules pass it
    fake_openai.enqueue("judge_custom", output={"verdicts": [
        {"item": "Q1", "verdict": "unsupported", "problem": "non_answer", "reason": "質問の言い換えです。"},
        {"item": "Q2", "verdict": "supported", "problem": "none", "reason": "引用どおりです。"}]})
    both = run.evaluate_items(path, judge=True)
    assert (both.scores["non_answer"].tp, both.scores["non_answer"].fp) == (1, 0)
    [call] = fake_openai.judge_calls
    assert "学習エポック数" in call["messages"][-1]["content"] and "V100" in call["messages"][-1]["content"]


def test_the_judge_mode_says_when_the_judge_cannot_run(tmp_path, fake_openai, capsys):
    fake_openai.enqueue("judge_error", times=4)
    assert run.main(["--items", str(_judge_items(tmp_path)), "--judge"]) == 2
    assert "the judge call failed" in capsys.readouterr().err
