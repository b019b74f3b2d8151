"""What every command-line verb shares: consoles, the progress bar, strict JSON, output files."""

from __future__ import annotations

import json
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.cells import cell_len
from rich.console import Console, ConsoleDimensions
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

__all__ = [
    "check_output_path",
    "check_plot_path",
    "check_results_option",
    "err",
    "out",
    "print_json",
    "print_table",
    "progress_bar",
    "save_figure",
    "strict_json",
    "write_output",
]

# Output to a file or pipe has no width to fit; rich would assume 80 columns and cut names
# and numbers to "k…". COLUMNS, when set, still wins.
REDIRECTED_WIDTH = 200
# Cells up to this wide (numbers, intervals, ids, names) are never cut or wrapped mid-token;
# longer text folds onto further lines.
WHOLE_CELL_MAX = 40


class WideWhenRedirected(Console):
    """A console :data:`REDIRECTED_WIDTH` columns wide when it does not write to a terminal."""

    @property
    def size(self) -> ConsoleDimensions:
        """The terminal's size, or a wide one when output is redirected and COLUMNS unset."""
        size = super().size
        if self._width is None and not self.is_terminal and "COLUMNS" not in os.environ:
            return ConsoleDimensions(max(size.width, REDIRECTED_WIDTH), size.height)
        return size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


out = WideWhenRedirected()
err = WideWhenRedirected(stderr=True)


def print_table(table: Table, console: Console | None = None) -> None:
    """Print a table whose short cells (numbers, intervals, names) are never cut.

    Each short column is at least as wide as its widest cell; longer text folds. If the
    terminal is narrower than that, lines run past its edge (the terminal wraps them) rather
    than losing digits.
    """
    console = out if console is None else console
    for column in table.columns:
        cells = [str(c) for c in column.cells]
        widest = max((cell_len(c) for c in cells), default=0)
        if widest <= WHOLE_CELL_MAX:
            # a header may wrap between words, never inside one
            words = str(column.header).split()
            widest = max(widest, *(cell_len(w) for w in words)) if words else widest
            column.min_width = max(column.min_width or 0, widest)
        else:
            column.overflow = "fold"
    # measured without the console's width, which would cap the minimum at it
    needed = Measurement.get(console, console.options.update_width(10_000), table).minimum
    if needed <= console.width:
        console.print(table)
        return
    # rich caps a print's width at the console's, so widen the console for this table only
    saved = console._width
    console.width = needed
    try:
        console.print(table, crop=False)
    finally:
        console._width = saved


# With stderr redirected (a log file, a batch job) progress is plain lines, one at most every
# this many seconds: a short run prints none, a long one says it is alive.
PLAIN_PROGRESS_INTERVAL_S = 10.0


@contextmanager
def progress_bar(
    description: str,
    *,
    quiet: bool,
    total: int | None = None,
    interval_s: float | None = None,
) -> Iterator[Callable[[int, int], None]]:
    """Yield a ``(done, total)`` callback showing progress on stderr (nothing if quiet).

    On a terminal, a transient bar with the time elapsed and an estimate of the time
    remaining. Redirected, plain lines (``engine design: 12/40, 31 s``), one at most every
    ``interval_s`` seconds (default :data:`PLAIN_PROGRESS_INTERVAL_S`) and a last one when
    done, if any was printed.
    """
    if not quiet and not err.is_terminal:
        interval = PLAIN_PROGRESS_INTERVAL_S if interval_s is None else interval_s
        yield _plain_progress(description, interval)
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _plain_progress(description: str, interval_s: float) -> Callable[[int, int], None]:
    """Return a ``(done, total)`` callback writing a progress line to stderr now and then."""
    start = last = time.monotonic()
    printed = False

    def update(done: int, total: int) -> None:
        nonlocal last, printed
        now = time.monotonic()
        finished = done >= total > 0
        if now - last >= interval_s or (finished and printed):
            sys.stderr.write(f"{description}: {done}/{total}, {now - start:.0f} s\n")
            sys.stderr.flush()
            last, printed = now, True

    return update


def strict_json(value: Any) -> Any:
    """``value`` with every NaN or infinity (not JSON) replaced by None (null)."""
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(v) for v in value]
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        value = value.item()  # a NumPy scalar as the Python number it holds
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def print_json(data: dict[str, Any], indent: int | None = None) -> None:
    """Print strict JSON (RFC 8259: no NaN): values that do not exist are null."""
    sys.stdout.write(json.dumps(strict_json(data), allow_nan=False, indent=indent) + "\n")


def _path_problem(path: Path) -> str | None:
    """Why an output file cannot be written at ``path``, or None if it can.

    Tried for real (the file opened for appending, or made and removed): permission bits say
    nothing under root or on /proc. An existing file is left as it was; nothing is left behind.
    """
    if path.is_dir():
        return "expected a file path, got a directory"
    if not path.parent.is_dir():
        return f"expected a path in an existing directory, got no directory {path.parent}"
    existed = path.exists()
    try:
        with path.open("ab"):
            pass
    except OSError as exc:
        return f"expected a writable file, got {(exc.strerror or type(exc).__name__).lower()}"
    if not existed:
        path.unlink(missing_ok=True)
    return None


def check_output_path(path: Path) -> None:
    """Exit 2 with one line now, before any work, if ``path`` cannot be an output file."""
    problem = _path_problem(path)
    if problem is not None:
        sys.stderr.write(f"{path}: {problem}\n")
        raise typer.Exit(2)


def plot_formats() -> dict[str, str]:
    """File types matplotlib can save a figure as: suffix (no dot) -> description."""
    from matplotlib.figure import Figure  # slow to import: only when a plot is asked for

    return dict(Figure().canvas.get_supported_filetypes())


def check_plot_path(path: Path) -> None:
    """Exit 2 with one line now, before any work, if a figure cannot be saved at ``path``."""
    check_output_path(path)
    formats = plot_formats()
    suffix = path.suffix.lower().removeprefix(".")
    if suffix not in formats:
        found = f"suffix {path.suffix!r}" if suffix else "no suffix"
        sys.stderr.write(
            f"{path}: --plot: expected a file type matplotlib writes "
            f"({', '.join(f'.{k}' for k in sorted(formats))}), got {found}\n"
        )
        raise typer.Exit(2)


def check_results_option(directory: Path) -> None:
    """Exit 2 with one line now, before any work, if ``--out`` cannot be a results directory.

    Nothing is created: a run that fails later leaves no empty directory behind.
    """
    from skyshield.store import results_directory_problem

    problem = results_directory_problem(directory)
    if problem is not None:
        sys.stderr.write(f"{directory}: --out: {problem}\n")
        raise typer.Exit(2)


def write_output(path: Path, content: str | Callable[[Path], object]) -> None:
    """Write an output file, or exit 2 with one line saying why it cannot be written.

    ``content`` is the text, or a writer called with the path (e.g. a figure's ``savefig``).
    """
    problem = _path_problem(path)
    if problem is None:
        try:
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                content(path)
        except OSError as exc:
            problem = f"expected a writable file, got {exc.strerror}"
        except ValueError as exc:  # matplotlib: a file type it cannot write
            problem = f"expected a file type the writer knows, got {exc}"
        else:
            return
    sys.stderr.write(f"{path}: {problem}\n")
    raise typer.Exit(2)


def save_figure(figure: Any, path: Path) -> None:
    """Save a matplotlib figure (type from the suffix), or exit 2 with one line.

    matplotlib's warnings (a layout it could not apply, say) become one ``note:`` line each:
    Python would print them with a source path and line, as if skyshield had failed.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_output(path, lambda p: figure.savefig(p, dpi=120))
    for message in dict.fromkeys(" ".join(str(w.message).split()) for w in caught):
        sys.stderr.write(f"note: {path}: {message}\n")
