"""Griffe extension for the docs: Sphinx roles in docstrings become mkdocs cross-references.

skyshield's docstrings are numpydoc and cross-reference with Sphinx roles
(``:func:`run```, ``:class:`~skyshield.results.RunSummary```, ``:mod:`skyshield.store```), which
mkdocstrings would print literally. Each role is resolved as Python resolves the name where the
docstring sits (the object's class, its module, the package), then written as an autorefs link:

- a name that resolves to a skyshield object: a link, marked optional (no warning when the
  target is not on a rendered page; it shows as code);
- a name that resolves to nothing, or to a skyshield path that does not exist: a plain autorefs
  reference, so ``mkdocs build --strict`` fails on it (a broken cross-reference in a docstring);
- a name that resolves outside skyshield (numpy, pandas...), or a dotted name of another
  package: code, no link.

skyshield's numpydoc also writes ``name : what it holds`` in Parameters and Attributes sections
(the type comes from the annotation), which numpydoc parsers read as ``name : type``; those
entries become ``name`` with the text as the description.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|attr|data|obj|exc|const):`(~?)([\w.]+)(\(\))?`")
PACKAGE = "skyshield"
# a "mkdocs." logger: --strict counts its warnings, so a broken role in any module fails the build
LOG = logging.getLogger("mkdocs.plugins.skyshield_docs")
NAMED_SECTIONS = {"Parameters", "Attributes", "Other Parameters", "Keyword Arguments"}
ENTRY = re.compile(r"^(\*{0,2}[A-Za-z_][\w, *]*?) : (.+)$")


def _descriptions(text: str) -> str:
    """``name : text`` entries of named sections -> ``name`` then the text, indented."""
    lines = text.splitlines()
    out: list[str] = []
    section = None
    for i, line in enumerate(lines):
        underline = i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}
        if underline and line.strip():
            section = line.strip()
        if line.endswith("::") and line.strip() != "::":
            line = line[:-1]  # reST's "text::" before a literal block (indented: code here too)
        match = ENTRY.match(line) if section in NAMED_SECTIONS else None
        if match:
            out.extend([match.group(1), "    " + match.group(2)])
        else:
            out.append(line)
    return "\n".join(out)


def _lookup(collection: griffe.ModulesCollection, path: str) -> griffe.Object | griffe.Alias | None:
    try:
        found: griffe.Object | griffe.Alias = collection.get_member(path)
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return found


def _resolve(obj: griffe.Object | griffe.Alias, target: str) -> str | None:
    """Full path of ``target`` seen from ``obj``'s scopes; None when nothing has that name."""
    collection = obj.modules_collection
    scopes: list[griffe.Object | griffe.Alias] = []
    scope: griffe.Object | griffe.Alias | None = obj
    while scope is not None:
        scopes.append(scope)
        scope = scope.parent
    for base in [*(s.path for s in scopes), ""]:
        found = _lookup(collection, f"{base}.{target}" if base else target)
        if found is None:
            continue
        if isinstance(found, griffe.Alias):
            try:
                return found.final_target.path
            except (griffe.AliasResolutionError, griffe.CyclicAliasError):
                return found.target_path  # outside skyshield (not loaded): no link
        return found.path
    return None


def _rewrite(obj: griffe.Object | griffe.Alias, text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        short, call = match.group(1), match.group(3) or ""
        target = match.group(2).lstrip(".")  # Sphinx's ".name": in the enclosing module/package
        title = (target.rsplit(".", 1)[-1] if short else target) + call
        path = _resolve(obj, target)
        if path is None and "." in target and target.split(".")[0] != PACKAGE:
            return f"`{title}`"  # another library's (os.replace, pydantic_core...): not loaded
        if path is None or (
            path.split(".")[0] == PACKAGE and _lookup(obj.modules_collection, path) is None
        ):
            # broken: reported here for every module (autorefs also reports it on rendered pages)
            LOG.warning(
                "%s:%s: %s: cross-reference %r resolves to nothing",
                obj.relative_filepath,
                obj.docstring.lineno if obj.docstring else "?",
                obj.path,
                match.group(0),
            )
            return f"[`{title}`][{path or target}]"
        if path.split(".")[0] != PACKAGE:
            return f"`{title}`"
        return (
            f'<autoref identifier="{html.escape(path)}" optional>'
            f"<code>{html.escape(title)}</code></autoref>"
        )

    return ROLE.sub(replace, text)


def _walk(obj: griffe.Object) -> list[griffe.Object]:
    found = [obj]
    for member in obj.members.values():
        if member.is_alias:
            continue
        found.extend(_walk(member))  # type: ignore[arg-type]
    return found


class SphinxRoles(griffe.Extension):
    """Rewrite every docstring of the loaded package once it is complete."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Run once ``pkg`` and all its modules are loaded (every name can be resolved)."""
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = _rewrite(obj, _descriptions(obj.docstring.value))
