"""Conformance ratchet against libvirt's own test data (../shared/corpus).

The corpus is not part of the repository: without it every test here skips. With it,
the x86_64 score must not fall below tests/conformance_floor.json (refresh that file
with `python tools/conformance.py --update-floor` after an improvement).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("XML2ARGV_CORPUS", REPO.parent / "shared" / "corpus"))
FLOOR = json.loads((REPO / "tests" / "conformance_floor.json").read_text())
NAMESPACE_CASES = 9


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("xml2argv_conformance",
                                                  REPO / "tools" / "conformance.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while loading
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report():
    if not (CORPUS / "libvirt-11.3" / "manifest.json").exists():
        pytest.skip(f"libvirt corpus not found at {CORPUS}")
    tool = load_tool()
    rep = tool.run(CORPUS, "x86_64")
    return rep, rep.summary()


def test_namespace_cases_all_exact(report):
    rep, _ = report
    ns = [r for r in rep.results if r.group == "namespace" and r.expect == "args"]
    assert len(ns) == NAMESPACE_CASES
    assert [r.id for r in ns if not r.exact] == []


def test_exact_percentage_floor(report):
    _, summary = report
    assert summary["exact_pct"] >= FLOOR["exact_pct"]


def test_line_recall_floor(report):
    _, summary = report
    assert summary["avg_line_recall_pct"] >= FLOOR["avg_line_recall_pct"]


def test_group_exact_floors(report):
    _, summary = report
    below = {g: (summary["groups"].get(g, {}).get("exact", 0), floor)
             for g, floor in FLOOR["groups"].items()
             if summary["groups"].get(g, {}).get("exact", 0) < floor}
    assert below == {}, "groups below their floor (now, floor): " + repr(below)


def test_no_crashes(report):
    rep, summary = report
    crashes = [f"{r.id}: {r.message}" for r in rep.results if r.status == "crash"]
    assert summary["crashes"] == 0, "\n".join(crashes[:20])


def test_floor_file_is_well_formed():
    assert FLOOR["arch"] == "x86_64"
    assert 0 <= FLOOR["exact_pct"] <= 100 and 0 <= FLOOR["avg_line_recall_pct"] <= 100
    assert FLOOR["groups"]["namespace"] == NAMESPACE_CASES


def test_error_refusal_floor(report):
    """Domains libvirt refuses must stay refused, with libvirt's exact message."""
    _, summary = report
    assert summary["error_cases_refused"] >= FLOOR.get("error_cases_refused", 0)
    assert summary["error_message_exact"] >= FLOOR.get("error_message_exact", 0)


def test_other_architecture_floors(report):
    """aarch64, s390x, ppc64, ... keep their own exact counts (not scored in the x86 groups)."""
    tool = load_tool()
    for arch, floor in sorted(FLOOR.get("other_arches", {}).items()):
        summary = tool.run(CORPUS, arch).summary()
        assert summary["exact"] >= floor["exact"], arch
        assert summary["error_message_exact"] >= floor["error_message_exact"], arch
        assert summary["crashes"] == 0, arch


def test_error_message_scoring():
    """A refusal only counts as exact when its text is libvirt's, newline aside."""
    tool = load_tool()
    res = tool.CaseResult("x", "x", "other", "error", status="refused",
                          message="XML error: boom", expected_message="XML error: boom")
    assert res.message_match and res.message_contains
    res.message = "boom"
    assert not res.message_match and res.message_contains
    res.status = "ok"
    assert not res.refused and not res.message_contains
    floors = tool.floors_from({"exact_pct": 1, "avg_line_recall_pct": 1, "groups": {},
                               "error_cases_refused": 5, "error_message_exact": 3})
    assert floors["error_cases_refused"] == 5 and floors["error_message_exact"] == 3
    assert tool.drops(floors, dict(floors, error_message_exact=2)) == [
        "error_message_exact: 3 -> 2"]
