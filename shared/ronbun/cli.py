"""Command line: `ronbun summarize`, `ronbun check`, `ronbun digest`, `ronbun ask`, `ronbun dev`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from .digest import STAGE_JA
from .errors import InvalidRequest, RonbunError
from .ids import parse_pasted
from .settings import get_settings

EXIT_USAGE_OR_INPUT = 2
EXIT_BLOCKING_FINDINGS = 1
EXIT_PARTIAL = 3


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


class _JapaneseNotices(logging.Handler):
    """What the package logs for operators, shown to a reader in Japanese: records that carry a
    `notice_ja` (retries, repairs) are printed as that; others only with RONBUN_DEBUG."""

    def emit(self, record: logging.LogRecord) -> None:
        notice = getattr(record, "notice_ja", None)
        if notice:
            _err(notice)
        elif os.environ.get("RONBUN_DEBUG"):
            _err(f"[{record.levelname}] {record.getMessage()}")


def _install_notices() -> None:
    package = logging.getLogger("ronbun")
    if not any(isinstance(h, _JapaneseNotices) for h in package.handlers):
        package.addHandler(_JapaneseNotices(logging.INFO))
    if os.environ.get("RONBUN_DEBUG"):
        package.setLevel(logging.DEBUG)


def _stage_printer(prefix: str = ""):
    start = time.monotonic()

    def report(stage: str) -> None:
        _err(f"{prefix}{STAGE_JA.get(stage, stage)}… ({time.monotonic() - start:.1f}s)")
    return report


def _read_pdf(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidRequest(f"cannot read {path}: {exc.strerror}",
                             message_ja=f"ファイルを読み込めません: {path}") from exc


def _write(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
        _err(f"書き出しました: {out}")
    else:
        sys.stdout.write(text)


def _engine_note(engine: str | None) -> str:
    settings = get_settings()
    chosen = engine or settings.default_engine
    if engine is None:
        why = "OPENAI_API_KEY が設定されています" if chosen == "openai" else "OPENAI_API_KEY が未設定です"
        _err(f"エンジン: {chosen}({why})")
    return chosen


def cmd_summarize(args) -> int:
    from .pipeline import summarize
    from .render import paper_markdown

    if not args.paper and not args.pdf:
        raise InvalidRequest("give a paper id/URL or --pdf FILE", message_ja="論文 ID/URL か --pdf FILE を指定してください。")
    ref = parse_pasted(args.paper) if args.paper else None   # validated before any I/O
    pdf = _read_pdf(args.pdf) if args.pdf else None
    engine = _engine_note(args.engine)
    result = summarize(ref, pdf_bytes=pdf, engine=engine, model=args.model, progress=_stage_printer(),
                       template=args.template)
    if result.quality.dropped:
        from .verify.messages import dropped_ja
        _err(f"{dropped_ja(result.quality.dropped)}(修復 {result.quality.repaired} 件)")
    if args.format == "json":
        _write(result.model_dump_json(indent=2) + "\n", args.out)
    else:
        _write(paper_markdown(result, heading="#", evidence=args.evidence), args.out)
    return 0


def cmd_check(args) -> int:
    from pydantic import ValidationError

    from .models import Result
    from .quality import left_out_from, run_checks
    from .verify.messages import finding_ja, finding_line

    try:
        result = Result.model_validate_json(Path(args.file).read_bytes())
    except OSError as exc:
        raise InvalidRequest(f"cannot read {args.file}: {exc.strerror}",
                             message_ja=f"ファイルを読み込めません: {args.file}") from exc
    except ValidationError as exc:
        raise InvalidRequest(f"{args.file} is not a result document: {exc.error_count()} schema errors",
                             message_ja=f"{args.file} は結果ドキュメントの形式ではありません。") from exc
    doc = None
    if args.pdf:
        from .pdftext import extract
        doc = extract(_read_pdf(args.pdf), max_pages=get_settings().pdf_max_pages)
    findings = run_checks(result, doc)            # exactly the pipeline's checks
    if args.format == "json":
        print(json.dumps([{**f.model_dump(include={"item", "code", "message"}), "message_ja": finding_ja(f.code)}
                          for f in findings], ensure_ascii=False, indent=2))
    else:
        for f in findings:
            print(finding_line(f))
        for x in left_out_from(doc, result.generator.trimmed) if doc else []:
            print(f"対象外 {x.kind}: {x.detail_ja}")
        if not findings:
            print("問題は見つかりませんでした。" + ("" if doc else "(--pdf なしのため引用と数値の照合は省略)"))
    return EXIT_BLOCKING_FINDINGS if any(f.blocking for f in findings) else 0


def cmd_digest(args) -> int:
    from .digest import collect_via_api, collect_local, read_id_list
    from .render import DEFAULT_TITLE, digest_html, digest_markdown

    raw = list(args.ids) + (read_id_list(args.from_file) if args.from_file else [])
    if not raw:
        raise InvalidRequest("no paper ids given", message_ja="論文 ID を1つ以上指定してください。")
    refs = list(dict.fromkeys(parse_pasted(x) for x in raw))   # validated before any I/O; repeats once
    if args.api:
        entries = collect_via_api(refs, args.api, os.environ.get("RONBUN_API_KEY"), template=args.template)
    else:
        entries = collect_local(refs, engine=_engine_note(args.engine), model=args.model, template=args.template)
    if args.sort == "published":
        entries.sort(key=lambda e: e.published or "9999", reverse=True)
    render = digest_html if args.format == "html" else digest_markdown
    _write(render(entries, title=args.title or DEFAULT_TITLE, intro=args.intro, evidence=args.evidence), args.out)
    failed = sum(1 for e in entries if e.result is None)
    if failed:
        _err(f"{failed} 本の論文を要約できなかったため、部分的なダイジェストです。")
        return EXIT_PARTIAL
    return 0


def cmd_ask(args) -> int:
    """Ask the paper one question: fetch and extract it (or read --pdf), answer, check, print."""
    from . import questions
    from .arxiv import get_client
    from .models import Paper
    from .pdftext import extract
    from .pipeline import paper_from_pdf

    question = questions.check_question(args.question)          # validated before any I/O
    ref = parse_pasted(args.paper) if args.paper else None
    if ref is None and not args.pdf:
        raise InvalidRequest("give a paper id/URL or --pdf FILE", message_ja="論文 ID/URL か --pdf FILE を指定してください。")
    engine = _engine_note(args.engine)
    settings = get_settings()
    report = _stage_printer()
    paper: Paper | None = None
    if args.pdf:
        pdf = _read_pdf(args.pdf)
    else:
        report("fetching")
        client = get_client()
        paper = client.fetch_metadata(ref)
        pdf = client.download_pdf(ref.with_version(paper.version or ref.version))
    report("extracting")
    doc = extract(pdf, max_pages=settings.pdf_max_pages)
    paper = paper or paper_from_pdf(ref, doc)
    report("generating")
    answer = questions.answer(paper, doc, question, engine=engine, model=args.model, settings=settings)
    if args.format == "json":
        doc_out = {"paper": paper.model_dump(mode="json", exclude_none=True), "question": question, "answer": answer}
        _write(json.dumps(doc_out, ensure_ascii=False, indent=2) + "\n", args.out)
    else:
        lines = [f"# {paper.title}", "", f"Q: {question}", f"A: {answer['text']}"]
        lines += [f"  - p.{e['page']}: \"{e['quote']}\"" for e in answer["evidence"]]
        badge = "検証済み" if answer["verified"] and answer["found"] else ("記載なし" if not answer["found"] else "未検証")
        lines += ["", f"({answer['generator']['label_ja']} / {badge})", ""]
        _write("\n".join(lines), args.out)
    return 0


def cmd_dev(args) -> int:
    root = Path.cwd()
    if not (root / "infra" / "local.py").is_file():
        raise InvalidRequest("run `ronbun dev` from the repository root (infra/local.py not found)",
                             message_ja="リポジトリのルートで実行してください(infra/local.py が見つかりません)。")
    argv = [sys.executable, "-m", "infra.local", "--port", str(args.port)]
    os.execv(sys.executable, argv)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ronbun", description="arXiv 論文の日本語要約と Q&A(検証つき)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("summarize", help="1本の論文を要約する")
    s.add_argument("paper", nargs="?", help="arXiv ID (2401.15884, hep-th/9901001) or arxiv.org URL")
    s.add_argument("--pdf", help="local PDF file (no arXiv request)")
    s.add_argument("--engine", choices=["openai", "offline"])
    s.add_argument("--model")
    s.add_argument("--format", choices=["md", "json"], default="md")
    s.add_argument("--template", choices=["standard", "ochiai"], default="standard",
                   help="ochiai: 落合フォーマット(6つの定型の質問、次に読むべき論文は参考文献リストから)")
    s.add_argument("--out")
    s.add_argument("--evidence", choices=["pages", "footnotes"], default="pages",
                   help="footnotes: each summary sentence and answer with its quotes and pages (Markdown)")
    s.set_defaults(func=cmd_summarize)

    c = sub.add_parser("check", help="結果ドキュメントを検証する")
    c.add_argument("file")
    c.add_argument("--pdf")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.set_defaults(func=cmd_check)

    d = sub.add_parser("digest", help="週刊「最新論文ノート」を作る")
    d.add_argument("ids", nargs="*")
    d.add_argument("--from-file")
    d.add_argument("--title")
    d.add_argument("--intro")
    d.add_argument("--sort", choices=["given", "published"], default="given")
    d.add_argument("--engine", choices=["openai", "offline"])
    d.add_argument("--model")
    d.add_argument("--format", choices=["md", "html"], default="md")
    d.add_argument("--api", help="take results from a running Ronbun API (RONBUN_API_KEY for its key)")
    d.add_argument("--template", choices=["standard", "ochiai"], default="standard",
                   help="ochiai: 各論文を落合フォーマットで")
    d.add_argument("--out")
    d.add_argument("--evidence", choices=["pages", "footnotes"], default="pages",
                   help="footnotes: each summary sentence (and answer) with its quotes and pages")
    d.set_defaults(func=cmd_digest)

    a = sub.add_parser("ask", help="論文に質問する(根拠つきの回答)")
    a.add_argument("paper", nargs="?", help="arXiv ID or arxiv.org URL")
    a.add_argument("question", help="質問(日本語または英語、300 文字まで)")
    a.add_argument("--pdf", help="local PDF file (no arXiv request)")
    a.add_argument("--engine", choices=["openai", "offline"])
    a.add_argument("--model")
    a.add_argument("--format", choices=["md", "json"], default="md")
    a.add_argument("--out")
    a.set_defaults(func=cmd_ask)

    v = sub.add_parser("dev", help="ローカルでスタック全体を起動する(AWS/Docker 不要)")
    v.add_argument("--port", type=int, default=3000)
    v.set_defaults(func=cmd_dev)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _install_notices()
    try:
        return args.func(args)
    except RonbunError as exc:
        _err(f"エラー: {exc.message_ja}\n  ({exc.code}: {exc.message})")
        return EXIT_USAGE_OR_INPUT
    except KeyboardInterrupt:
        _err("中断しました。")
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        if os.environ.get("RONBUN_DEBUG"):
            raise
        _err(f"エラー: 予期しない問題が発生しました({type(exc).__name__}: {exc})。RONBUN_DEBUG=1 で詳細を表示します。")
        return 1


if __name__ == "__main__":
    sys.exit(main())
