"""The distributions as a user gets them: `python -m build` makes a wheel and an sdist;
the wheel holds the packages, their data and the metadata; the sdist holds everything its
own test suite needs, and that suite passes from the unpacked sdist.

Slow (an isolated build, then the suite again), so marked `slow`; CI runs it. Inside the
sdist's own run this module skips itself (XML2ARGV_FROM_SDIST).
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(os.environ.get("XML2ARGV_FROM_SDIST")),
                       reason="already running from the unpacked sdist"),
]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    res = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


def _version() -> str:
    from translator.version import __version__
    return __version__


def test_wheel_holds_packages_data_and_metadata(dists: tuple[Path, Path]) -> None:
    wheel, _ = dists
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        dist_info = f"qemu_xml2argv-{_version()}.dist-info"
        meta = email.message_from_bytes(z.read(f"{dist_info}/METADATA"))
        entry_points = z.read(f"{dist_info}/entry_points.txt").decode()
    assert {"translator/cli.py", "translator/py.typed", "capsdb/__init__.py"} <= names
    assert any(n.startswith("capsdb/data/") and n.endswith(".json.gz") for n in names)
    assert f"{dist_info}/licenses/LICENSE" in names
    assert not any(n.startswith(("tests/", "tools/", "examples/")) for n in names)
    assert meta["Version"] == _version()
    assert meta["License-Expression"] == "MIT"
    assert "License :: " not in " ".join(meta.get_all("Classifier") or [])
    assert "Programming Language :: Python :: 3.11" in meta.get_all("Classifier")
    assert meta.get_all("Project-URL")
    assert "xml2argv = translator.cli:main" in entry_points


def test_sdist_holds_what_its_tests_need(dists: tuple[Path, Path]) -> None:
    _, sdist = dists
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for needed in ("LICENSE", "README.md", ".pre-commit-hooks.yaml", "pyproject.toml",
                   "tests/conformance_floor.json", "tests/hostile_worker.py",
                   "examples/qmp-over-tcp.xml", "docs/namespace-guide.md",
                   "snapshots/test_examples_snapshot.ambr", "tools/benchmark.py"):
        assert needed in names, needed
    assert not any("__pycache__" in n for n in names)


def test_suite_passes_from_the_unpacked_sdist(dists: tuple[Path, Path],
                                              tmp_path: Path) -> None:
    _, sdist = dists
    with tarfile.open(sdist) as t:
        t.extractall(tmp_path, filter="data")
    (root,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    env = {**os.environ, "XML2ARGV_FROM_SDIST": "1"}
    # the unpacked tree, not this checkout, must be what the suite imports
    env.pop("PYTHONPATH", None)
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                          "--deselect", "tests/test_html_browser.py"],
                         cwd=root, env=env, capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert " passed" in res.stdout
