"""Snapshots of every bundled example, so that any change in their output is reviewed.

The snapshots live in the top-level snapshots/ directory (see tests/snapshot_ext.py);
refresh them deliberately with `pytest --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import capsdb
import translator

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.xml"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 7


@pytest.mark.parametrize("fmt", ["args", "json"])
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_snapshot(path: Path, fmt: str, snapshot):
    inv = translator.translate(path.read_bytes(), capsdb.get())
    assert inv.render(fmt) == snapshot
