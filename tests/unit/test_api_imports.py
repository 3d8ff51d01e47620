"""What the API function imports on a cold start (DESIGN.md "Budgets": no openai, no pypdf,
and nothing a cached read does not need). Structural checks in fresh interpreters, not timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

NEVER_ON_IMPORT = ("openai", "pypdf", "pydantic", "pydantic_core", "ronbun.pipeline", "ronbun.llm",
                   "ronbun.pdftext", "ronbun.prompts", "ronbun.models", "ronbun.arxiv", "ronbun.queue",
                   "ronbun.render", "aws_xray_sdk")


def loaded_after(code: str) -> list[str]:
    """The modules of NEVER_ON_IMPORT present in sys.modules after `code` runs in a fresh python."""
    probe = f"import json, sys\n{code}\nprint(json.dumps([m for m in {NEVER_ON_IMPORT!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_api_function_loads_no_sdk_pipeline_or_pydantic():
    assert loaded_after("import functions.api.app") == []


def test_the_probe_sees_a_heavy_module_when_one_is_imported():
    # the same probe after importing the pipeline reports what it pulled in
    assert {"pydantic", "ronbun.llm", "ronbun.pdftext"} <= set(loaded_after("import functions.api.app, ronbun.pipeline"))


def test_settings_and_versions_import_without_pydantic():
    assert loaded_after("import ronbun.settings, ronbun.versions, ronbun.service") == []
