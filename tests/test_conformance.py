"""Conformance ratchet against every corpus of ../shared/corpus (tools/conformance.py).

The corpora are not part of the repository: without them every test here skips. With them,
no number of tests/conformance_floor.json (per corpus, per arch, per x86 group: exact cases,
line recall, refusals raised, refusals with libvirt's message) may drop, and nothing crashes.
Raise the floor with `python tools/conformance.py --update-floor` after an improvement.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

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
def tool() -> ModuleType:
    return load_tool()


@pytest.fixture(scope="module")
def reports(tool: ModuleType) -> dict[str, Any]:
    present = tool.available(CORPUS)
    if not present:
        pytest.skip(f"corpus not found at {CORPUS}")
    return {name: tool.run(CORPUS, None, None, name) for name in present}


def test_every_corpus_is_scored_and_has_a_floor(tool: ModuleType, reports: dict[str, Any]) -> None:
    """The ratchet covers every corpus present beside the project (brief: all of them)."""
    assert set(reports) == set(tool.available(CORPUS))
    assert set(reports) <= set(FLOOR["corpora"]), "run tools/conformance.py --update-floor"


def test_namespace_cases_all_exact(reports: dict[str, Any]) -> None:
    rep = reports["libvirt-11.3"]
    ns = [r for r in rep.results if r.group == "namespace" and r.is_args and r.arch == "x86_64"]
    assert len(ns) == NAMESPACE_CASES
    assert [r.id for r in ns if not r.exact] == []


def test_no_number_below_its_floor(tool: ModuleType, reports: dict[str, Any]) -> None:
    measured = {"corpora": {name: {a: tool.floor_entry(r.summary())
                                   for a, r in rep.by_arch().items()}
                            for name, rep in reports.items()}}
    assert tool.drops(FLOOR, measured) == []


def test_no_crashes(reports: dict[str, Any]) -> None:
    crashes = [f"{r.id}: {r.message}" for rep in reports.values() for r in rep.results
               if r.status == "crash"]
    assert crashes == [], "\n".join(crashes[:20])


def test_floor_file_is_well_formed() -> None:
    lib = FLOOR["corpora"]["libvirt-11.3"]["x86_64"]
    assert lib["groups"]["namespace"] == NAMESPACE_CASES
    for arches in FLOOR["corpora"].values():
        for entry in arches.values():
            assert 0 <= entry["avg_line_recall_pct"] <= 100
            assert entry["error_message_exact"] <= entry["error_cases_refused"]


def test_error_message_scoring(tool: ModuleType) -> None:
    """A refusal only counts as exact when its text is libvirt's, newline aside."""
    res = tool.CaseResult("x", "x", "other", "error", status="refused",
                          message="XML error: boom", expected_message="XML error: boom")
    assert res.message_match and res.message_contains
    res.message = "boom"
    assert not res.message_match and res.message_contains
    res.status = "ok"
    assert not res.refused and not res.message_contains


def test_ratchet_reports_a_drop(tool: ModuleType) -> None:
    old = {"corpora": {"c": {"x86_64": {"exact": 3, "avg_line_recall_pct": 90.0,
                                         "error_cases_refused": 2, "error_message_exact": 1,
                                         "groups": {"g": 2}}}}}
    new = json.loads(json.dumps(old))
    assert tool.drops(old, new) == []
    new["corpora"]["c"]["x86_64"]["error_message_exact"] = 0
    new["corpora"]["c"]["x86_64"]["groups"]["g"] = 1
    assert tool.drops(old, new) == ["c x86_64 error_message_exact: 1 -> 0",
                                    "c x86_64 group g: 2 -> 1"]


def test_runtime_values_are_masked(tool: ModuleType) -> None:
    """Descriptor numbers, domain ids and secrets a daemon draws never decide a comparison."""
    a = ('-chardev socket,id=charmonitor,fd=18,server=on -netdev \'{"type":"tap","fd":"19"}\' '
         'HOME=/var/lib/libvirt/qemu/domain-97-x')
    b = ('-chardev socket,id=charmonitor,fd=22,server=on -netdev \'{"type":"tap","fd":"30"}\' '
         'HOME=/var/lib/libvirt/qemu/domain--1-x')
    assert tool.mask_runtime(a) == tool.mask_runtime(b)
    assert tool.mask_runtime("-name a") != tool.mask_runtime("-name b")


def test_harness_extra_becomes_translator_options(tool: ModuleType) -> None:
    """The manifest's ARG_* arguments map to translate()'s start options; one the
    translator has no option for is left out rather than failing the run."""
    opts = tool.harness_options(['ARG_CAPS_HOST_CPU_MODEL, QEMU_CPU_DEF_H',
                                 'ARG_MIGRATE_FROM, "stdio"', 'ARG_MIGRATE_FD, 7',
                                 'ARG_VDPA_FD, "/dev/vhost-vdpa-0", 201'])
    assert opts == {"host_cpu": "Haswell", "incoming": "stdio", "incoming_fd": 7,
                    "vdpa_fds": {"/dev/vhost-vdpa-0": 201}}
    assert tool.harness_options(['ARG_MIGRATE_FROM, "exec:cat"']) == {"incoming": "exec:cat"}
    assert tool.harness_options(['ARG_FD_GROUP, "x", 1, 20']) == {}
