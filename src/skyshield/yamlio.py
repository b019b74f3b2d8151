"""The one YAML reader for every input file (scenarios and the catalog): strict and bounded.

PyYAML's plain ``safe_load`` accepts three things a hostile or careless file can abuse, so this
loader refuses them: duplicate keys (``stock: 8`` then ``stock: 0`` would silently keep 0),
aliases (a 1 KB "billion laughs" file expands to gigabytes when constructed; no shipped file
needs them) and unbounded size (a 50 MB file takes minutes and gigabytes to parse). It uses
libyaml's C parser when PyYAML was built with it.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

__all__ = ["MAX_BYTES_ENV", "YamlInputError", "default_max_bytes", "load_yaml"]

# Scenario and catalog files are tens of kilobytes (the 800-threat record raid: 47 KB).
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_BYTES_ENV = "SKYSHIELD_MAX_YAML_BYTES"

_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlInputError(ValueError):
    """A YAML text is refused: what was ``expected`` and what was ``found`` (with its line).

    ``path`` locates the problem in the document when it has a place there (a repeated key:
    the keys and list indices leading to it), else it is empty.
    """

    def __init__(self, expected: str, found: str, path: tuple[str | int, ...] = ()) -> None:
        self.expected = expected
        self.found = found
        self.path = path
        super().__init__(f"expected {expected}, got {found}")


class _Refused(yaml.constructor.ConstructorError):
    """A construct this loader refuses; ``expected`` says what is accepted instead."""

    def __init__(self, expected: str, found: str, mark: yaml.Mark) -> None:
        super().__init__(None, None, found, mark)
        self.expected = expected


class _StrictLoader(_BASE):  # type: ignore[misc,valid-type]
    """Safe loader refusing duplicate keys and aliases (each node is constructed once)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._constructed: set[int] = set()

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if id(node) in self._constructed:  # only an alias reaches a node twice
            raise _Refused(_NO_ALIASES, "an alias", node.start_mark)
        self._constructed.add(id(node))
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            self._constructed.discard(id(key_node))  # constructed again below
            if isinstance(key, list | dict):
                continue  # unhashable: the base class reports it
            if key in seen:
                raise _Refused(_ONCE, f"{key!r} a second time", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


# Dates stay text: the model parses them, so a bad one is reported at its field path.
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_str)

_TOO_DEEP = "lists or mappings nested too deeply"
_ONCE = "each key once per mapping"
_NO_ALIASES = "no anchors or aliases (&name, *name)"


def _where(mark: yaml.Mark) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}"


def _refuse_repeats(root: yaml.Node) -> None:
    """Find a repeated key or an alias in the composed document before anything is built.

    Walks the node tree once (each node is met once unless an alias points at it again, which
    is refused at once, so an alias bomb is never expanded) and names a repeated key by its
    path: the plain keys and list indices leading to it.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            # the anchored node met again: the line is the anchor's; a path could be either use
            raise YamlInputError(_NO_ALIASES, f"an alias{_where(node.start_mark)}")
        seen.add(id(node))
        # children are pushed last first, so the document is walked in reading order and the
        # first repeated key of the file is the one reported
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in reversed(list(enumerate(node.value))))
        elif isinstance(node, yaml.MappingNode):
            keys: set[tuple[str, str]] = set()
            children: list[tuple[yaml.Node, tuple[str | int, ...]]] = []
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = (key_node.tag, key_node.value)
                    if key in keys:
                        found = f"{key_node.value!r} a second time{_where(key_node.start_mark)}"
                        raise YamlInputError(_ONCE, found, (*path, key_node.value))
                    keys.add(key)
                    children += [(key_node, path), (value_node, (*path, key_node.value))]
                else:
                    children += [(key_node, path), (value_node, path)]
            stack.extend(reversed(children))


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


def default_max_bytes() -> int:
    """Return the size cap: ``$SKYSHIELD_MAX_YAML_BYTES`` if a positive integer, else 8 MiB."""
    value = os.environ.get(MAX_BYTES_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_MAX_BYTES


def load_yaml(text: str, *, max_bytes: int | None = None) -> Any:
    """Parse one YAML document strictly.

    Raises
    ------
    YamlInputError
        Larger than ``max_bytes`` (default :func:`default_max_bytes`), not valid YAML, nested too
        deeply, a duplicate key, an alias, or a value PyYAML cannot convert.
    """
    limit = default_max_bytes() if max_bytes is None else max_bytes
    size = len(text.encode("utf-8"))
    if size > limit:
        raise YamlInputError(
            f"a file of at most {limit:,} bytes (set {MAX_BYTES_ENV} to allow more)",
            f"{size:,} bytes",
        )
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_repeats(node)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _where(mark) if mark is not None else ""
        expected = exc.expected if isinstance(exc, _Refused) else "valid YAML"
        problem = exc.problem or "a syntax error"
        if "nesting depth" in problem:  # libyaml's limit; PyYAML hits RecursionError below
            raise YamlInputError(expected, _TOO_DEEP) from None
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem += " (a tab: indent with spaces)"
        raise YamlInputError(expected, f"{problem}{where}") from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())[:160]  # one line
        raise YamlInputError("valid YAML", detail or "a syntax error") from None
    except RecursionError:
        raise YamlInputError("valid YAML", _TOO_DEEP) from None
    except YamlInputError:
        raise
    except ValueError as exc:  # PyYAML lets int() and date() errors through: 2024-13-01
        raise YamlInputError("valid YAML", f"an unreadable value ({str(exc)[:80]})") from None
    finally:
        loader.dispose()
