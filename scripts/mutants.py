"""Run the mutants that scripts/mutants.sh lists; exit 1 unless every one is killed.

Called by scripts/mutants.sh (``make mutants``) with the directory of mutant specs it wrote:
one file per ``run NAME FILE FROM TO TEST-ARGS...`` line, its fields NUL-separated. Each mutant
is applied to a fresh copy of src/, tests/, scripts/ and pyproject.toml (every occurrence of
FROM becomes TO) and the tests it names run there (``pytest -x``) with that copy's ``src``
first on the path. Outcomes:

- killed: pytest exited 1 (a test failed); the first failing test is printed;
- SURVIVED: every test passed;
- PATTERN NOT FOUND: FROM is not in FILE (the code moved on; the mutant must be rewritten);
- ERROR: anything else (no test collected, a usage error, a collection error, a timeout).

Anything but "killed" fails the run. Mutants run ``MUTANT_JOBS`` at a time (default: the number
of CPUs), each job in its own slot: one directory, copied afresh for each mutant (files keep
their times), with one numba cache kept from mutant to mutant, so that numba compiles the
unmutated engine once per slot instead of once per mutant (a cold compile was most of a
mutant's time: ~200 s of a 214 s engine mutant on a loaded machine). A mutant runs on the
slot's cache itself when no file with numba code imports its file (directly or through other
modules): then no cached function can change. Otherwise it gets a copy of the slot's cache
without the entries of those files (:func:`stale_numba_files`), which numba compiles again
(numba checks a cached function against its own file only, not against the functions and
values it takes from the files it imports); what it compiles for the other files goes back
into the slot's cache. The slot's cache only ever holds code compiled from unmutated files.

The unmutated tests are assumed to pass (CI runs ``make test`` and ``make test-slow`` first);
``MUTANTS_BASELINE=1`` also runs each distinct test selection on an unmutated copy and fails
if one does not pass.
"""

from __future__ import annotations

import ast
import functools
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
    """Copy the tree into ``base / name``: what was there goes, but for its ``.numba`` cache."""
    directory = base / name
    directory.mkdir(exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", "*.pyc")
    for target in directory.iterdir():  # what the last mutant's tests left too
        if target.name == ".numba":
            continue
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
    for item in COPIED:
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, directory / item, ignore=ignore)  # copy2: times kept
        else:
            shutil.copy2(source, directory / item)
    return directory


def _module_files(module: str) -> list[Path]:
    """The files of ``module`` under src/ (a package's __init__.py), if it is ours."""
    path = ROOT / "src" / Path(*module.split("."))
    return [f for f in (path / "__init__.py", path.with_suffix(".py")) if f.is_file()]


@functools.cache
def _imports(path: Path) -> frozenset[Path]:
    """The src/ files that ``path`` imports (anywhere in it, TYPE_CHECKING blocks included)."""
    package = path.relative_to(ROOT / "src").with_suffix("").parts
    package = package[:-1]  # a module's package; __init__'s own package
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(x for x in (base, node.module or "") if x)
            names = [module, *(f"{module}.{a.name}" for a in node.names)]
        for name in names:
            found.update(_module_files(name))
    return frozenset(found)


@functools.cache
def _closure(path: Path) -> frozenset[Path]:
    """``path`` and every src/ file it imports, directly or through others."""
    seen = {path}
    todo = [path]
    while todo:
        for imported in _imports(todo.pop()):
            if imported not in seen:
                seen.add(imported)
                todo.append(imported)
    return frozenset(seen)


@functools.cache
def _numba_files() -> tuple[Path, ...]:
    return tuple(
        f
        for f in sorted((ROOT / "src").rglob("*.py"))
        if re.search(r"\bnumba\b|\bnjit\b", f.read_text(encoding="utf-8"))
    )


def stale_numba_files(mutant: Mutant) -> tuple[str, ...]:
    """The files with numba code whose cached functions the mutant may change.

    Those that import the mutant's file, directly or through other modules (the file itself
    if it has numba code): numba compiles in the functions they call and the module values
    they read (e.g. geo/territory's region, from geo/borders).
    """
    target = ROOT / mutant.file
    return tuple(str(f.relative_to(ROOT)) for f in _numba_files() if target in _closure(f))


def _is_entry_of(entry: Path, directory: Path, files: tuple[str, ...]) -> bool:
    """Whether numba cache entry ``entry`` belongs to one of ``files`` (copied to ``directory``).

    numba names a file's entries ``<stem>.<function>-<line>.py311...`` in a folder named
    ``<the file's folder name>_<hash of the folder's path>``.
    """
    for file in files:
        path = directory / file
        if entry.parent.name.startswith(f"{path.parent.name}_") and entry.name.startswith(
            f"{path.stem}."
        ):
            return True
    return False


def _cache_without(slot_cache: Path, directory: Path, files: tuple[str, ...], to: Path) -> Path:
    """Copy ``slot_cache`` to ``to`` without the entries of ``files``."""
    if slot_cache.is_dir():
        shutil.copytree(slot_cache, to)
    else:
        to.mkdir()
    for entry in list(to.rglob("*")):
        if entry.is_file() and _is_entry_of(entry, directory, files):
            entry.unlink()
    return to


def _keep_unmutated(own: Path, slot_cache: Path, directory: Path, files: tuple[str, ...]) -> None:
    """Copy into the slot's cache what ``own`` compiled but for the entries of ``files``.

    The other files' functions were compiled from unmutated code (no mutated file is among
    what they import), so later mutants of the slot reuse them.
    """
    for entry in own.rglob("*"):
        if entry.is_file() and not _is_entry_of(entry, directory, files):
            target = slot_cache / entry.relative_to(own)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(entry, target)


def _pytest(
    directory: Path, test_args: tuple[str, ...], cache: Path | None = None
) -> tuple[int | None, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(directory / "src")
    env["NUMBA_CACHE_DIR"] = str(cache or directory / ".numba")
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


def run_mutant(mutant: Mutant, base: Path, slots: queue.Queue[int]) -> Outcome:
    """Apply one mutant to a fresh copy in a free slot and run its tests there."""
    slot = slots.get()
    try:
        return _run_in_slot(mutant, base, slot)
    finally:
        slots.put(slot)


def _run_in_slot(mutant: Mutant, base: Path, slot: int) -> Outcome:
    start = time.perf_counter()
    directory = _copy(base, f"slot-{slot}")
    target = directory / mutant.file
    if not target.is_file():
        return Outcome(mutant.name, NOT_FOUND, f"no file {mutant.file}", 0.0)
    text = target.read_text(encoding="utf-8")
    if mutant.old not in text:
        return Outcome(mutant.name, NOT_FOUND, f"in {mutant.file}", 0.0)
    target.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
    stale = stale_numba_files(mutant)
    own_cache = None
    if stale:
        own_cache = _cache_without(
            directory / ".numba", directory, stale, base / f"{mutant.name}.numba"
        )
    code, log = _pytest(directory, mutant.test_args, own_cache)
    if own_cache is not None:
        _keep_unmutated(own_cache, directory / ".numba", directory, stale)
        shutil.rmtree(own_cache, ignore_errors=True)
    seconds = time.perf_counter() - start
    if code == 1:
        status, detail = KILLED, _first_failure(log)
    elif code == 0:
        status, detail = SURVIVED, "every test passed"
    else:
        status, detail = ERROR, f"pytest exit {code}: {log.strip().splitlines()[-1:]}"
    if status != KILLED:  # kept, to look at (the slot's copy is reused)
        shutil.copytree(directory, base / mutant.name, ignore=shutil.ignore_patterns(".numba"))
    return Outcome(mutant.name, status, detail, seconds)


def run_baseline(index: int, test_args: tuple[str, ...], base: Path) -> Outcome:
    """Run one test selection on an unmutated copy: it must pass."""
    start = time.perf_counter()
    directory = _copy(base, f"baseline-{index}")
    code, log = _pytest(directory, test_args)
    ok = code == 0
    detail = " ".join(test_args) if ok else f"pytest exit {code}: {_first_failure(log)}"
    if ok:
        shutil.rmtree(directory, ignore_errors=True)
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
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_mutant, m, base, slots) for m in mutants]
        if os.environ.get("MUTANTS_BASELINE") == "1":
            selections = sorted({m.test_args for m in mutants})
            futures += [pool.submit(run_baseline, i, a, base) for i, a in enumerate(selections)]
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
