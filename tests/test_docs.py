"""The guide's generated blocks must be what xml2argv prints today (tools/make_docs.py).

When this fails, the translator's output changed: read the new output, then run
`python tools/make_docs.py` and review the guide's diff.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "namespace-guide.md"


def _make_docs():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "tools" / "make_docs.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_docs", mod)
    spec.loader.exec_module(mod)
    return mod


make_docs = _make_docs()


def test_guide_blocks_are_fresh():
    assert make_docs.stale([GUIDE]) == [], "docs are stale: run python tools/make_docs.py"


def test_check_mode_exit_status():
    assert make_docs.main(["--check"]) == 0


def test_stale_block_is_detected():
    text = GUIDE.read_text()
    broken = text.replace("-qmp tcp:127.0.0.1:4444,server=on,wait=off \\", "-qmp tcp:0:1 \\", 1)
    assert broken != text
    assert make_docs.regenerate(broken) == text


def test_every_marker_names_an_existing_file():
    for line in GUIDE.read_text().splitlines():
        hit = make_docs._MARKER.match(line)
        if hit:
            marker = make_docs.Marker.parse(hit.group(1), hit.group(2))
            assert (ROOT / marker.args[-1]).exists(), line


@pytest.mark.parametrize("filters, expected", [
    ([["grep", "b"]], ["...", "b", "..."]),
    ([["grep", "-v", "b"]], ["a", "...", "c", "d"]),
    ([["range", "^b", "^c"]], ["...", "b", "c", "..."]),
    ([["head", "2"]], ["a", "b", "..."]),
])
def test_filters(filters, expected):
    assert make_docs.apply_filters(["a", "b", "c", "d"], filters) == expected
