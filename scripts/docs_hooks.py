"""MkDocs hooks: the command-line reference rendered from the typer app; the JSON Schema copied.

``<!-- skyshield-cli-help -->`` in a page becomes ``skyshield --help`` and every verb's
``--help``, as a user's 100-column terminal shows them, so the page cannot fall behind the CLI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

MARKER = "<!-- skyshield-cli-help -->"
SCHEMA = "schema/scenario.schema.json"


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Add the repository's ``schema/scenario.schema.json`` to the site (pages link to it)."""
    root = Path(config.config_file_path).parent
    files.append(
        File(SCHEMA, src_dir=str(root), dest_dir=config.site_dir, use_directory_urls=False)
    )
    return files


def _help(args: list[str]) -> str:
    from typer.testing import CliRunner

    from skyshield.cli import app

    env = {"COLUMNS": "100", "NO_COLOR": "1"}
    result = CliRunner().invoke(app, [*args, "--help"], prog_name="skyshield", env=env)
    if result.exit_code != 0:
        raise RuntimeError(f"skyshield {' '.join(args)} --help exited {result.exit_code}")
    return "\n".join(line.rstrip() for line in result.output.rstrip().splitlines())


def _verbs() -> list[str]:
    from skyshield.cli import app

    return [c.name for c in app.registered_commands if c.name]


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace the marker with the help texts (pages without it are returned unchanged)."""
    if MARKER not in markdown:
        return markdown
    os.environ.setdefault("TERM", "dumb")
    parts = ["```text\n$ skyshield --help\n" + _help([]) + "\n```"]
    for verb in _verbs():
        parts.append(
            f"## `skyshield {verb}`\n\n```text\n$ skyshield {verb} --help\n{_help([verb])}\n```"
        )
    return markdown.replace(MARKER, "\n\n".join(parts))
