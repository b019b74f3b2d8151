"""A mutation fuzzer over scenario files: whatever the bytes, a clear error or a scenario.

Seeded, so every run checks the same files. Each mutant of a shipped scenario must load or
raise :class:`ScenarioError` (never another exception), and none may take pathologically
long. ``make test`` checks the first 500 files, ``make test-slow`` 10,000 (``SKYSHIELD_FUZZ_N``
sets that number).
"""

from __future__ import annotations

import contextlib
import heapq
import os
import time

import numpy as np
import pytest

from skyshield.errors import ScenarioError
from skyshield.scenario import builtin_scenario_path, parse_scenario

N_FILES = int(os.environ.get("SKYSHIELD_FUZZ_N", "10000"))
BASES = [builtin_scenario_path(n).read_text(encoding="utf-8") for n in ("default", "poland-100km")]
TOKENS = [
    "&a ",
    "*a",
    "<<: *a",
    "!!python/object:os.system ",
    "- ",
    ": ",
    "\t",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    "#",
    "|",
    ">",
    "?",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "~",
    "null",
    ".nan",
    "-.inf",
    "1e309",
    "0x1F",
    "2024-13-01",
    "é",
    "\u202e",
    "\x00",
    "\x1f",
    "\ufeff",
    "9" * 400,
]


def _mutant(rng: np.random.Generator) -> str:
    text = BASES[int(rng.integers(len(BASES)))]
    for _ in range(int(rng.integers(1, 6))):
        at = int(rng.integers(len(text)))
        match int(rng.integers(6)):
            case 0:  # delete a span
                text = text[:at] + text[at + int(rng.integers(1, 40)) :]
            case 1:  # insert a token
                text = text[:at] + TOKENS[int(rng.integers(len(TOKENS)))] + text[at:]
            case 2:  # flip a character
                text = text[:at] + chr(int(rng.integers(1, 0x2FF))) + text[at + 1 :]
            case 3:  # duplicate a line
                lines = text.splitlines(keepends=True)
                k = int(rng.integers(len(lines)))
                text = "".join([*lines[: k + 1], lines[k], *lines[k + 1 :]])
            case 4:  # swap two lines
                lines = text.splitlines(keepends=True)
                a, b = rng.integers(len(lines), size=2)
                lines[a], lines[b] = lines[b], lines[a]
                text = "".join(lines)
            case _:  # change a number
                text = text[:at] + str(int(rng.integers(-(10**6), 10**6))) + text[at:]
    return text


@pytest.mark.parametrize(
    "n_files",
    [
        pytest.param(500, id="500"),  # the first 500 of the slow tier's files
        pytest.param(N_FILES, id="all", marks=pytest.mark.slow),
    ],
)
def test_parse_scenario__fuzzed_files_load_or_explain(n_files: int) -> None:
    rng = np.random.default_rng(20261201)
    # no fuzzed file may take pathologically long (a YAML bomb, a quadratic check). The
    # slowest files are timed again (best of three) against an unmutated file parsed in the
    # same run: a pathological file stays slow, a pause of a loaded machine does not repeat
    reference = _parse_seconds(BASES[0])
    slowest: list[tuple[float, int, str]] = []  # a min-heap of the 5 slowest (seconds, i, text)
    errors = []
    for i in range(n_files):
        text = _mutant(rng)
        start = time.perf_counter()
        try:
            parse_scenario(text, source="fuzz.yaml")
        except ScenarioError as exc:
            errors.append(exc)
        heapq.heappush(slowest, (time.perf_counter() - start, i, text))
        if len(slowest) > 5:
            heapq.heappop(slowest)
    reference = max(reference, _parse_seconds(BASES[0]))
    retimed = max(_parse_seconds(text) for _, _, text in slowest)
    assert retimed < 200 * reference, (retimed, reference)
    assert all(str(e).startswith("fuzz.yaml: ") for e in errors)
    assert all(p.expected and p.found for e in errors for p in e.problems)
    rejected = len(errors)
    assert rejected > n_files // 2  # the fuzzer does break files


def _parse_seconds(text: str) -> float:
    """The fastest of three parses of ``text``, in seconds."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        with contextlib.suppress(ScenarioError):  # rejecting must be quick too
            parse_scenario(text, source="reference.yaml")
        times.append(time.perf_counter() - start)
    return min(times)
