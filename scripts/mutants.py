"""Run the mutants that scripts/mutants.sh lists; exit 1 unless every one is killed.

Called by scripts/mutants.sh (``make mutants``) with the directory of mutant specs it wrote:
one file per ``run NAME FILE FROM TO TEST-ARGS...`` line, its fields NUL-separated. Each mutant
is applied to a copy of src/, tests/, scripts/ and pyproject.toml (every occurrence of
FROM becomes TO) and the tests it names run there (``pytest -x``) with that copy's ``src``
first on the path. Outcomes:

- killed: pytest exited 1 (a test failed); the first failing test is printed;
- SURVIVED: every test passed;
- PATTERN NOT FOUND: FROM is not in FILE (the code moved on; the mutant must be rewritten);
- ERROR: anything else (no test collected, a usage error, a collection error, a timeout).

Anything but "killed" fails the run. Mutants run ``MUTANT_JOBS`` at a time (default: the number
of CPUs), each job in a *slot*: one copy, made once, that every mutant of that job mutates and
then restores (the original file copied back with its time stamp).

Numba's compiled code is cached per slot and kept between its mutants, because compiling the
engine costs ~85 s of CPU, more than most mutants' tests. The cache is safe to keep only for a
mutant that cannot change compiled code: numba checks the time stamp of the file that defines a
function, not of the modules whose functions and constants it compiled in. So a mutant of a file
that uses numba, or that such a file imports at module level (directly or not:
:func:`numba_closure`), runs with a cache of its own, thrown away after it.

The unmutated tests are assumed to pass (CI runs ``make test`` and ``make test-slow``
first); ``MUTANTS_BASELINE=1`` also runs each distinct test selection on an unmutated copy and
fails if one does not pass.
"""

from __future__ import annotations

import ast
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
COPIED = ("src", "tests", "scripts", "pyproject.toml")
TIMEOUT_S = 1800
KILLED = "killed"
SURVIVED = "SURVIVED"
NOT_FOUND = "PATTERN NOT FOUND"
ERROR = "ERROR"


@dataclass(frozen=True)
class Mutant:
    """One ``run`` line of scripts/mutants.sh."""

    name: str
    file: str
    old: str
    new: str
    test_args: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """What became of one mutant (or of one unmutated baseline run)."""

    name: str
    status: str
    detail: str
    seconds: float


def read_specs(directory: Path) -> list[Mutant]:
    """The mutants in the order scripts/mutants.sh lists them."""
    mutants = []
    for path in sorted(directory.iterdir()):
        fields = path.read_bytes().decode("utf-8").split("\0")[:-1]
        if len(fields) < 5:  # name, file, from, to and at least one test argument
            sys.exit(f"mutants.sh: run {fields[:1]}: expected NAME FILE FROM TO TEST-ARGS...")
        mutants.append(Mutant(fields[0], fields[1], fields[2], fields[3], tuple(fields[4:])))
    names = [m.name for m in mutants]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        sys.exit(f"mutants.sh: mutant names used twice: {', '.join(twice)}")
    return mutants


def _copy(base: Path, name: str) -> Path:
    directory = base / name
    directory.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", "*.pyc")
    for item in COPIED:
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, directory / item, ignore=ignore)
        else:
            shutil.copy2(source, directory / item)
    return directory


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.with_suffix("").relative_to(src).parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The package modules ``path`` imports when it is imported (not inside functions or
    ``if TYPE_CHECKING``), and the packages that contain it."""
    found: set[str] = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                visit(node.orelse)
                visit(node.finalbody)
                for handler in node.handlers:
                    visit(handler.body)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                parent = package[: len(package) - node.level + 1] if node.level else []
                base = ".".join([*parent, *([node.module] if node.module else [])])
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    parts = name.split(".")
    found.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return {module for module in found if module in modules}


def numba_closure(src: Path) -> set[str]:
    """Files (relative to the repository) whose change can change numba's compiled code: those
    that import numba and every package module they import at module level, transitively."""
    modules = {_module_name(path, src): path for path in src.rglob("*.py")}
    uses_numba = re.compile(r"^\s*(import numba|from numba)", flags=re.MULTILINE)
    closure = {m for m, path in modules.items() if uses_numba.search(path.read_text("utf-8"))}
    frontier = list(closure)
    while frontier:
        name = frontier.pop()
        for module in _module_imports(modules[name], name, modules) - closure:
            closure.add(module)
            frontier.append(module)
    return {str(modules[m].relative_to(src.parent)) for m in closure}


def _pytest(directory: Path, test_args: tuple[str, ...], cache: Path) -> tuple[int | None, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(directory / "src")
    env["NUMBA_CACHE_DIR"] = str(cache)
    command = [str(PYTHON), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *test_args]
    try:
        done = subprocess.run(
            command,
            cwd=directory,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {TIMEOUT_S} s"
    log = done.stdout + done.stderr
    (directory / "pytest.log").write_text(log, encoding="utf-8")
    return done.returncode, log


def _first_failure(log: str) -> str:
    match = re.search(r"^(?:FAILED|ERROR) (\S+)", log, flags=re.MULTILINE)
    return match.group(1) if match else "a test failed"


def _clean(slot: Path) -> None:
    """What one run leaves in a slot that the next must not see."""
    shutil.rmtree(slot / ".hypothesis", ignore_errors=True)
    (slot / "pytest.log").unlink(missing_ok=True)


def run_mutant(mutant: Mutant, compiled_in: set[str], slot: Path) -> Outcome:
    """Apply one mutant to the slot's copy, run its tests there, restore the copy."""
    start = time.perf_counter()
    target = slot / mutant.file
    if not target.is_file():
        return Outcome(mutant.name, NOT_FOUND, f"no file {mutant.file}", 0.0)
    text = target.read_text(encoding="utf-8")
    if mutant.old not in text:
        return Outcome(mutant.name, NOT_FOUND, f"in {mutant.file}", 0.0)
    own_cache = mutant.file in compiled_in
    cache = slot.parent / f"{slot.name}.numba-{mutant.name}" if own_cache else slot / ".numba"
    target.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
    code: int | None = None
    log = ""
    try:
        code, log = _pytest(slot, mutant.test_args, cache)
    finally:
        if code != 1:  # kept to look at: the mutated copy and its log, without the caches
            ignore = shutil.ignore_patterns(".numba*")
            shutil.copytree(slot, slot.parent / mutant.name, ignore=ignore)
        shutil.copy2(ROOT / mutant.file, target)
        _clean(slot)
        if own_cache:
            shutil.rmtree(cache, ignore_errors=True)
    seconds = time.perf_counter() - start
    if code == 1:
        status, detail = KILLED, _first_failure(log)
    elif code == 0:
        status, detail = SURVIVED, "every test passed"
    else:
        status, detail = ERROR, f"pytest exit {code}: {log.strip().splitlines()[-1:]}"
    return Outcome(mutant.name, status, detail, seconds)


def run_baseline(index: int, test_args: tuple[str, ...], slot: Path) -> Outcome:
    """Run one test selection on the slot's unmutated copy: it must pass."""
    start = time.perf_counter()
    code, log = _pytest(slot, test_args, slot / ".numba")
    _clean(slot)
    ok = code == 0
    detail = " ".join(test_args) if ok else f"pytest exit {code}: {_first_failure(log)}"
    status = "passes" if ok else ERROR
    return Outcome(f"(unmutated {index})", status, detail, time.perf_counter() - start)


def main() -> int:
    """Run every mutant (or those named after the spec directory); print the table."""
    mutants = read_specs(Path(sys.argv[1]))
    only = set(sys.argv[2:])
    unknown = only - {m.name for m in mutants}
    if unknown:
        sys.exit(f"no such mutant: {', '.join(sorted(unknown))}")
    if only:
        mutants = [m for m in mutants if m.name in only]
    jobs = int(os.environ.get("MUTANT_JOBS", os.cpu_count() or 1))
    base = Path(tempfile.mkdtemp(prefix="skyshield-mutants-"))
    print(f"{len(mutants)} mutants, {jobs} at a time, in {base}", flush=True)
    start = time.perf_counter()
    compiled_in = numba_closure(ROOT / "src")
    slots: queue.Queue[Path] = queue.Queue()
    for k in range(jobs):
        slots.put(_copy(base, f"slot-{k}"))

    def in_a_slot(task: Callable[[Path], Outcome]) -> Outcome:
        slot = slots.get()
        try:
            return task(slot)
        finally:
            slots.put(slot)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(in_a_slot, partial(run_mutant, m, compiled_in)) for m in mutants]
        if os.environ.get("MUTANTS_BASELINE") == "1":
            selections = sorted({m.test_args for m in mutants})
            futures += [
                pool.submit(in_a_slot, partial(run_baseline, i, args))
                for i, args in enumerate(selections)
            ]
        outcomes = []
        for future in futures:
            outcome = future.result()
            outcomes.append(outcome)
            print(f"  {outcome.name}: {outcome.status} ({outcome.seconds:.0f} s)", flush=True)
    width = max(len(o.name) for o in outcomes)
    print(f"\n{'mutant':<{width}}  {'outcome':<17}  {'s':>4}  killed by / why")
    for o in outcomes:
        print(f"{o.name:<{width}}  {o.status:<17}  {o.seconds:>4.0f}  {o.detail}")
    bad = [o for o in outcomes if o.status not in (KILLED, "passes")]
    killed = sum(o.status == KILLED for o in outcomes)
    elapsed = time.perf_counter() - start
    print(f"\n{killed} of {len(mutants)} mutants killed in {elapsed:.0f} s")
    if bad:
        print(f"FAILED: {', '.join(f'{o.name} ({o.status})' for o in bad)}")
        print(f"(copies of those left in {base})")
        return 1
    shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
