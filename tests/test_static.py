"""Static checks: the code base stays type-clean (mypy) and lint-clean (ruff).

Both tools come with the `dev` extra and read their settings from pyproject.toml.
CI installs only the `test` extra, so there these tests skip; on a developer's
machine they catch a type or lint regression together with the behaviour tests.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run_tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[dev]')")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_mypy_clean(tmp_path: Path) -> None:
    # a private cache keeps the check independent of any stale cache in the tree
    done = _run_tool("mypy", "--cache-dir", str(tmp_path / "mypy-cache"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_clean() -> None:
    done = _run_tool("ruff", "check", "--no-cache", "translator", "capsdb", "tools", "tests")
    assert done.returncode == 0, done.stdout + done.stderr
