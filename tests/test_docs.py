"""The docs: the tutorial's code runs as written; a broken cross-reference fails the build.

``make docs`` (run by ``make test``) builds the site with ``mkdocs build --strict``; these tests
run the tutorial's code blocks and prove that the strict build does fail on a broken reference,
in a page and in a docstring.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)
# display options the tutorial sets: restored after it runs, so no other test sees them
PANDAS_OPTIONS = ("display.width", "display.max_columns", "display.float_format")


def python_blocks(markdown: str) -> list[str]:
    """The ```python fenced blocks of a Markdown text, in order."""
    return BLOCK.findall(markdown)


def test_python_blocks__in_order_and_only_python() -> None:
    text = "a\n```python\nx = 1\n```\n```text\nout\n```\n```python\ny = x\n```\n"
    assert python_blocks(text) == ["x = 1\n", "y = x\n"]


def test_tutorial__every_block_runs_in_one_namespace() -> None:
    blocks = python_blocks(TUTORIAL.read_text(encoding="utf-8"))
    assert len(blocks) >= 6, "the tutorial's code blocks were not found"
    namespace: dict[str, object] = {"__name__": "__tutorial__"}
    saved = [(name, pd.get_option(name)) for name in PANDAS_OPTIONS]
    try:
        for number, block in enumerate(blocks, start=1):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block, f"{TUTORIAL.name}, block {number}", "exec"), namespace)
            if "print(" in block:
                assert out.getvalue().strip(), f"block {number} printed nothing"
    finally:
        for name, value in saved:
            pd.set_option(name, value)


def _site_copy(tmp_path: Path) -> Path:
    """The docs sources (config, pages, hooks, package source) copied to a scratch folder."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root)
    shutil.copytree(ROOT / "docs", root / "docs")
    shutil.copytree(ROOT / "schema", root / "schema")
    (root / "scripts").mkdir()
    for script in (ROOT / "scripts").glob("docs_*.py"):
        shutil.copy(script, root / "scripts")
    shutil.copytree(
        ROOT / "src" / "skyshield",
        root / "src" / "skyshield",
        ignore=shutil.ignore_patterns("__pycache__", "*.geojson", "*.csv", "*.parquet"),
    )
    return root


def _build(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_docs_build__broken_references_fail(tmp_path: Path) -> None:
    root = _site_copy(tmp_path)
    page = root / "docs" / "index.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\nSee [`x`][skyshield.api.no_such_function].\n",
        encoding="utf-8",
    )
    errors = root / "src" / "skyshield" / "errors.py"
    text = errors.read_text(encoding="utf-8")
    doc = '"""Base class of every error skyshield raises on purpose."""'
    assert doc in text
    errors.write_text(
        text.replace(doc, doc[:-4] + ' (:func:`no_such_helper`)."""'), encoding="utf-8"
    )
    # a module no page renders: the docs' griffe extension still checks its roles
    fast = root / "src" / "skyshield" / "engine" / "fast.py"
    text = fast.read_text(encoding="utf-8")
    assert ":mod:`.kernel`" in text
    fast.write_text(text.replace(":mod:`.kernel`", ":mod:`.kernal`", 1), encoding="utf-8")
    built = _build(root)
    log = built.stdout + built.stderr
    assert built.returncode != 0, log
    assert "in strict mode" in log, log
    assert "target 'skyshield.api.no_such_function'" in log  # the page's link (autorefs)
    assert "target 'no_such_helper'" in log  # the docstring's role, on the rendered page
    assert "skyshield.errors.SkyshieldError: cross-reference ':func:`no_such_helper`'" in log
    assert "skyshield.engine.fast: cross-reference ':mod:`.kernal`'" in log
