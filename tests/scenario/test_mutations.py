"""Property tests of skyshield.scenario.parse_scenario on mutated and arbitrary input.

Whatever a file holds, loading it either gives a `Scenario` or raises `ScenarioError` whose
every problem is one line ``source: path: expected X, got Y``; no other exception escapes.
The mutations start from the default example: delete a key, replace a leaf with a value of
any YAML type, insert an unknown key, change a list's length.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skyshield.errors import ScenarioError
from skyshield.scenario import DEFAULT_SCENARIO, Scenario, builtin_scenario_path, parse_scenario

SOURCE = "mutated.yaml"
DEFAULT_TEXT = builtin_scenario_path(DEFAULT_SCENARIO).read_text(encoding="utf-8")
DEFAULT_DICT: dict[str, Any] = yaml.safe_load(DEFAULT_TEXT)
# Problems with the whole file carry no field path: they are only these (a repeated key has the
# path of the key repeated, and its line and column).
WHOLE_FILE_EXPECTATIONS = {
    "valid YAML",
    "a mapping of scenario fields",
}

PROPERTY_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

Path_ = tuple[str | int, ...]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), -0.0, 1e308, -1e-308]),
    st.text(max_size=20),
    st.sampled_from(["", " ", "UA", "XX", "pl", "own", "buffer", "Kyiv", "shahed-136", "~"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=8), children, max_size=3),
    ),
    max_leaves=6,
)
unknown_keys = st.one_of(
    st.sampled_from(["lauch_site", "extra", "range_km", "Nations", "seed "]),
    st.text(min_size=1, max_size=12),
    st.integers(-5, 5),
)


def _nodes(node: Any, at: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every node of a YAML tree with its path, parents before children."""
    yield at, node
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _nodes(child, (*at, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _nodes(child, (*at, i))


def _get(tree: Any, at: Path_) -> Any:
    for part in at:
        tree = tree[part]
    return tree


def _delete_key(data: st.DataObject, tree: dict[str, Any]) -> None:
    dicts = [n for _, n in _nodes(tree) if isinstance(n, dict) and n]
    parent = data.draw(st.sampled_from(dicts), label="delete in")
    del parent[data.draw(st.sampled_from(sorted(parent, key=repr)), label="key")]


def _replace_leaf(data: st.DataObject, tree: dict[str, Any]) -> None:
    leaves = [at for at, n in _nodes(tree) if at and not isinstance(n, dict | list)]
    if not leaves:
        return
    at = data.draw(st.sampled_from(leaves), label="replace at")
    _get(tree, at[:-1])[at[-1]] = data.draw(values, label="new value")


def _insert_unknown_key(data: st.DataObject, tree: dict[str, Any]) -> None:
    dicts = [n for _, n in _nodes(tree) if isinstance(n, dict)]
    parent = data.draw(st.sampled_from(dicts), label="insert in")
    parent[data.draw(unknown_keys, label="key")] = data.draw(values, label="value")


def _change_list_length(data: st.DataObject, tree: dict[str, Any]) -> None:
    lists = [n for _, n in _nodes(tree) if isinstance(n, list)]
    if not lists:
        return
    target = data.draw(st.sampled_from(lists), label="list")
    how = data.draw(st.sampled_from(["truncate", "duplicate", "append"]), label="how")
    if how == "truncate":
        del target[data.draw(st.integers(0, len(target)), label="new length") :]
    elif how == "duplicate" and target:
        target.append(copy.deepcopy(data.draw(st.sampled_from(target), label="copy of")))
    else:
        target.extend(data.draw(st.lists(values, min_size=1, max_size=3), label="appended"))


MUTATIONS = {
    "delete_key": _delete_key,
    "replace_leaf": _replace_leaf,
    "insert_unknown_key": _insert_unknown_key,
    "change_list_length": _change_list_length,
}


def _check_outcome(text: str) -> Scenario | ScenarioError:
    """Parse ``text``; assert it loads or fails with well-formed problems only."""
    try:
        return parse_scenario(text, source=SOURCE)
    except ScenarioError as caught:
        exc = caught
    assert exc.source == SOURCE
    assert exc.problems, "a ScenarioError lists at least one problem"
    lines = [p.render(SOURCE) for p in exc.problems]
    assert str(exc) == "\n".join(lines)
    for p, line in zip(exc.problems, lines, strict=True):
        assert p.expected, line
        assert p.found, line
        assert "\n" not in line, line
        assert "\r" not in line, line
        if p.path:
            assert line == f"{SOURCE}: {p.path}: expected {p.expected}, got {p.found}"
        else:
            assert p.expected in WHOLE_FILE_EXPECTATIONS, line
            assert line == f"{SOURCE}: expected {p.expected}, got {p.found}"
    return exc


@PROPERTY_SETTINGS
@given(data=st.data(), kinds=st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3))
def test_parse_scenario__mutated_default_loads_or_explains(
    data: st.DataObject, kinds: list[str]
) -> None:
    tree = copy.deepcopy(DEFAULT_DICT)
    for kind in kinds:
        MUTATIONS[kind](data, tree)
    text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
    outcome = _check_outcome(text)
    if isinstance(outcome, ScenarioError):
        # The file is a mapping, so every problem names a field (or "(top level)").
        assert all(p.path for p in outcome.problems), str(outcome)
    else:
        assert isinstance(outcome, Scenario)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_parse_scenario__replaced_leaf_is_named(data: st.DataObject) -> None:
    # One leaf replaced by a value of the wrong type or range: the error names that field.
    tree = copy.deepcopy(DEFAULT_DICT)
    leaves = [at for at, n in _nodes(tree) if at and not isinstance(n, dict | list)]
    at = data.draw(st.sampled_from(leaves), label="replace at")
    _get(tree, at[:-1])[at[-1]] = data.draw(values, label="new value")
    outcome = _check_outcome(yaml.safe_dump(tree, sort_keys=False))
    if isinstance(outcome, ScenarioError):
        # Dict keys and list indexes of the path appear in the reported field path.
        named = [p.path for p in outcome.problems]
        top = str(at[0])
        assert any(path == top or path.startswith((f"{top}.", f"{top}[")) for path in named), (
            at,
            named,
        )


@PROPERTY_SETTINGS
@given(data=st.data())
def test_parse_scenario__typo_in_default_text_loads_or_explains(data: st.DataObject) -> None:
    # A one-character slip anywhere in the shipped file: YAML, schema or reference errors.
    where = data.draw(st.integers(0, len(DEFAULT_TEXT) - 1), label="position")
    edit = data.draw(st.sampled_from(["insert", "delete", "replace"]), label="edit")
    char = data.draw(st.sampled_from(list(":-[]{},#&*!|>'\" \t\n0aZ\xe9")), label="char")
    keep_from = where + (edit != "insert")
    text = DEFAULT_TEXT[:where] + ("" if edit == "delete" else char) + DEFAULT_TEXT[keep_from:]
    _check_outcome(text)


@PROPERTY_SETTINGS
@given(text=st.text())
def test_parse_scenario__arbitrary_text_never_crashes(text: str) -> None:
    outcome = _check_outcome(text)
    assert isinstance(outcome, Scenario | ScenarioError)


@PROPERTY_SETTINGS
@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab:- \n\t{}[],&*!|>'\"#%@`?0123456789.~")), max_size=60
    )
)
def test_parse_scenario__yaml_punctuation_never_crashes(text: str) -> None:
    # Plain st.text() rarely builds YAML structure; this alphabet mostly does.
    outcome = _check_outcome(text)
    assert isinstance(outcome, Scenario | ScenarioError)


# Plain scalars PyYAML's resolver turns into Python values: timestamps (built with
# datetime, which rejects month 13), ints in several bases, floats, sexagesimal numbers; plus
# decimal ints around Python's 4300-digit int() limit (sys.int_info.default_max_str_digits)
# and nesting around the recursion limit.
yaml_tokens = st.one_of(
    st.from_regex(r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\Z"),
    st.from_regex(r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt ][0-9]{1,2}:[0-9]{2}:[0-9]{2}\Z"),
    st.from_regex(r"\A[-+]?(0x[0-9a-fA-F_]+|0b[01_]+|0[0-7_]+|[1-9][0-9_]*(:[0-5]?[0-9])*)\Z"),
    st.from_regex(r"\A[-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?\Z"),
    st.integers(4290, 4310).map(lambda n: "9" * n),
    st.integers(4290, 4310).map(lambda n: "0x" + "f" * n),
    st.integers(1, 1500).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 1500).map(lambda n: "{a: " * n + "1" + "}" * n),
)


@PROPERTY_SETTINGS
@given(token=yaml_tokens, key=st.sampled_from(["name", "notional", "monte_carlo"]))
def test_parse_scenario__yaml_scalar_never_crashes(token: str, key: str) -> None:
    outcome = _check_outcome(f"{key}: {token}\n")
    assert isinstance(outcome, ScenarioError)  # the other required fields are missing
