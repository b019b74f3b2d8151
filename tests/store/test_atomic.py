from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pytest

from skyshield.store.atomic import TEMP_MARKER, atomic_write, remove_stale_temporaries


class WriterKilledError(Exception):
    pass


def test_atomic_write__interrupted_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "t.parquet"

    def half(file: BinaryIO) -> None:
        file.write(b"half of it")
        raise WriterKilledError

    with pytest.raises(WriterKilledError):
        atomic_write(target, half)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write__interrupted_keeps_previous_content(tmp_path: Path) -> None:
    target = tmp_path / "t.bin"
    atomic_write(target, lambda f: f.write(b"complete"))

    def half(file: BinaryIO) -> None:
        file.write(b"new but unfinished")
        raise WriterKilledError

    with pytest.raises(WriterKilledError):
        atomic_write(target, half)
    assert target.read_bytes() == b"complete"
    assert [p.name for p in tmp_path.iterdir()] == ["t.bin"]


def test_atomic_write__content_reaches_the_destination_only_at_the_end(tmp_path: Path) -> None:
    target = tmp_path / "t.bin"
    seen: list[bool] = []

    def write(file: BinaryIO) -> None:
        file.write(b"x")
        seen.append(target.exists())

    atomic_write(target, write)
    assert seen == [False]
    assert target.read_bytes() == b"x"


def test_remove_stale_temporaries__only_temporaries(tmp_path: Path) -> None:
    (tmp_path / "keep.parquet").write_bytes(b"k")
    (tmp_path / f".keep.parquet{TEMP_MARKER}abc").write_bytes(b"half")
    assert remove_stale_temporaries(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep.parquet"]
