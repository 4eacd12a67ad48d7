"""syrupy extension that keeps snapshot files in the repository's top-level snapshots/."""

from __future__ import annotations

from pathlib import Path

from syrupy.extensions.amber import AmberSnapshotExtension

SNAPSHOT_DIR = Path(__file__).resolve().parents[1] / "snapshots"


class SnapshotsDirExtension(AmberSnapshotExtension):
    @classmethod
    def dirname(cls, *, test_location) -> str:  # type: ignore[no-untyped-def, override]
        return str(SNAPSHOT_DIR)
