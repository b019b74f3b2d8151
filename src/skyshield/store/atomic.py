"""Atomic file writes: a file is either absent, or complete with everything it should hold.

The writer fills a temporary file in the destination's own directory (so the final rename never
crosses a file system), flushes and fsyncs it, renames it over the destination with
:func:`os.replace` (atomic on POSIX), then fsyncs the directory so the rename itself survives a
power cut. A process killed at any point leaves at worst a ``.*.tmp-*`` file, which no reader
takes for a result.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["TEMP_MARKER", "atomic_write", "fsync_directory", "remove_stale_temporaries"]

# Every temporary file's name holds this, so readers and clean-ups can tell them apart.
TEMP_MARKER = ".tmp-"
_FILE_MODE = 0o644


def fsync_directory(directory: Path) -> None:
    """Flush a directory's entries (a rename into it) to disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` through ``write(file)`` so that it appears complete or not at all.

    Parameters
    ----------
    path : the destination; its directory must exist
    write : fills the open binary file it is given (it must not close it)
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}{TEMP_MARKER}")
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), _FILE_MODE)  # mkstemp's 0600 would hide results
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_directory(path.parent)


def remove_stale_temporaries(directory: Path) -> int:
    """Delete temporary files a killed writer left under ``directory``; return how many."""
    stale = [p for p in directory.rglob(f".*{TEMP_MARKER}*") if p.is_file()]
    for p in stale:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    return len(stale)
