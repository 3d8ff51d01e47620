"""Streaming engine timings (issue 12): the fake model at 80 tokens/s with 0.8 s to the first
token, the 15-page corpus paper, the real `openai` SDK. Medians of N runs, streamed and whole
calls interleaved; then what the repair call costs with the paper's prefix served from the
prompt cache, at the configured price table's gpt-4.1-mini prices.

    .venv/bin/python -m tests.bench_streaming [--runs 5] [--ttft 0.8] [--tps 80]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PDF = REPO.parent / "shared" / "corpus" / "pdf" / "2501.10120v1.pdf"


def measure(runs: int = 5, ttft: float = 0.8, tps: float = 80.0) -> dict:
    from tests.fakes.fake_openai import TEST_KEY, FakeOpenAI, grounded_output

    fake = FakeOpenAI().start()
    os.environ.update(OPENAI_BASE_URL=fake.url, OPENAI_API_KEY=TEST_KEY, RONBUN_MODEL="gpt-4.1-mini")
    from ronbun import llm, prompts
    from ronbun.models import Finding, ModelOutput
    from ronbun.pdftext import extract
    from ronbun.pipeline import paper_from_pdf
    from ronbun.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    doc = extract(PDF.read_bytes())
    paper = paper_from_pdf(None, doc)
    prompt = prompts.build_prompt(paper, doc, max_chars=settings.prompt_max_chars, qa_count=settings.qa_count)
    engine = llm.get_engine("openai", settings)
    engine.generate(prompt, paper=paper, doc=doc)                  # warm: imports, connection pool
    fake.ttft_seconds, fake.tokens_per_second = ttft, tps
    streamed: dict[str, list[float]] = {"first_part": [], "first_qa": [], "call": []}
    whole: list[float] = []
    for _ in range(runs):
        marks: dict[str, float] = {}
        start = time.monotonic()

        def on_part(key, value, marks=marks):
            marks.setdefault("first_part", time.monotonic() - start)
            if isinstance(key, int):
                marks.setdefault("first_qa", time.monotonic() - start)

        engine.generate(prompt, paper=paper, doc=doc, on_part=on_part)
        streamed["call"].append(time.monotonic() - start)
        streamed["first_part"].append(marks["first_part"])
        streamed["first_qa"].append(marks["first_qa"])
        start = time.monotonic()
        engine.generate(prompt, paper=paper, doc=doc)
        whole.append(time.monotonic() - start)
    answer = grounded_output(prompt.messages)
    fake.ttft_seconds = fake.tokens_per_second = 0
    # cost: the main call as the first on this paper (fresh fake cache), then a repair call
    fake.stop()
    fake = FakeOpenAI().start()
    os.environ["OPENAI_BASE_URL"] = fake.url
    get_settings.cache_clear()
    engine = llm.get_engine("openai", get_settings())
    main = engine.generate(prompt, paper=paper, doc=doc)
    repair_prompt = prompts.build_repair_prompt(
        paper, doc, ModelOutput.model_validate(answer), [Finding(item=0, code="no_evidence", message="x")],
        max_chars=settings.prompt_max_chars, qa_count=settings.qa_count)
    repair = engine.generate(repair_prompt, paper=paper, doc=doc)
    fake.stop()

    def usd(gen, cached: bool = True) -> float:
        return llm.estimate_cost(gen.model, gen.input_tokens, gen.output_tokens,
                                 gen.cached_input_tokens if cached else 0)

    med = {k: round(statistics.median(v), 2) for k, v in streamed.items()}
    return {
        "fake": {"ttft_s": ttft, "tokens_per_second": tps, "runs": runs, "paper": PDF.stem, "pages": doc.page_count,
                 "answer_chars": len(json.dumps(answer, ensure_ascii=False))},
        "streamed_t_first_part_s": med["first_part"], "streamed_t_first_qa_s": med["first_qa"],
        "streamed_t_call_s": med["call"], "whole_t_call_s": round(statistics.median(whole), 2),
        "first_part_share_of_call": round(med["first_part"] / med["call"], 3),
        "first_qa_share_of_call": round(med["first_qa"] / med["call"], 3),
        "cost": {"prices_as_of": llm.prices().as_of, "model": main.model,
                 "main": {"input": main.input_tokens, "cached_input": main.cached_input_tokens,
                          "output": main.output_tokens, "usd": usd(main)},
                 "repair": {"input": repair.input_tokens, "cached_input": repair.cached_input_tokens,
                            "output": repair.output_tokens, "usd": usd(repair), "usd_without_cache": usd(repair, False)},
                 "paper_without_repair_usd": usd(main),
                 "paper_with_repair_usd": round(usd(main) + usd(repair), 6),
                 "paper_with_repair_no_cache_usd": round(usd(main) + usd(repair, False), 6)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ttft", type=float, default=0.8)
    parser.add_argument("--tps", type=float, default=80.0)
    args = parser.parse_args()
    print(json.dumps(measure(args.runs, args.ttft, args.tps), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
