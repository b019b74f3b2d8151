"""Run the mutants that scripts/mutants.sh lists; exit 1 unless every one is killed.

Called by scripts/mutants.sh (``make mutants``) with the directory of mutant specs it wrote:
one file per ``run NAME FILE FROM TO TEST-ARGS...`` line, its fields NUL-separated. Each mutant
is applied to its own copy of src/, tests/, scripts/ and pyproject.toml (every occurrence of
FROM becomes TO) and the tests it names run there (``pytest -x``) with that copy's ``src``
first on the path and a numba cache of its own. Outcomes:

- killed: pytest exited 1 (a test failed); the first failing test is printed;
- SURVIVED: every test passed;
- PATTERN NOT FOUND: FROM is not in FILE (the code moved on; the mutant must be rewritten);
- ERROR: anything else (no test collected, a usage error, a collection error, a timeout).

Anything but "killed" fails the run. Mutants run ``MUTANT_JOBS`` at a time (default: the number
of CPUs). The unmutated tests are assumed to pass (CI runs ``make test`` and ``make test-slow``
first); ``MUTANTS_BASELINE=1`` also runs each distinct test selection on an unmutated copy and
fails if one does not pass.
"""

from __future__ import annotations

import os
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


def _pytest(directory: Path, test_args: tuple[str, ...]) -> tuple[int | None, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(directory / "src")
    env["NUMBA_CACHE_DIR"] = str(directory / ".numba")
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


def run_mutant(mutant: Mutant, base: Path) -> Outcome:
    """Apply one mutant to a fresh copy and run its tests there."""
    start = time.perf_counter()
    directory = _copy(base, mutant.name)
    target = directory / mutant.file
    if not target.is_file():
        return Outcome(mutant.name, NOT_FOUND, f"no file {mutant.file}", 0.0)
    text = target.read_text(encoding="utf-8")
    if mutant.old not in text:
        return Outcome(mutant.name, NOT_FOUND, f"in {mutant.file}", 0.0)
    target.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
    code, log = _pytest(directory, mutant.test_args)
    seconds = time.perf_counter() - start
    if code == 1:
        status, detail = KILLED, _first_failure(log)
    elif code == 0:
        status, detail = SURVIVED, "every test passed"
    else:
        status, detail = ERROR, f"pytest exit {code}: {log.strip().splitlines()[-1:]}"
    if status == KILLED:
        shutil.rmtree(directory, ignore_errors=True)  # kept otherwise, to look at
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
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_mutant, m, base) for m in mutants]
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
