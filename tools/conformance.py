#!/usr/bin/env python3
"""Score the translator against libvirt's own test data (../shared/corpus).

For every case of the manifest (x86_64 by default) the translator runs with the case's
capability file and toggles under the `libvirt-test` profile; `.args` cases are compared
byte for byte and by line recall, `.err` cases by whether a refusal happened and whether
its message is libvirt's (the `.err` text without its trailing newline).
Prints per-group exact counts, overall exact %, average line recall, errors and crashes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
FLOOR_FILE = ROOT / "tests" / "conformance_floor.json"


@dataclass
class CaseResult:
    id: str
    name: str
    group: str
    expect: str
    exact: bool = False
    recall: float = 0.0
    status: str = "ok"         # ok | refused | crash
    message: str = ""
    plain: bool = True
    expected_message: str = ""  # .err cases: libvirt's message, trailing newline removed

    @property
    def refused(self) -> bool:
        return self.status == "refused"

    @property
    def message_match(self) -> bool:
        """The refusal carries libvirt's exact message."""
        return self.refused and self.message == self.expected_message

    @property
    def message_contains(self) -> bool:
        """Looser: one message contains the other (e.g. a prefix or suffix differs)."""
        return self.refused and bool(self.message) and (
            self.expected_message in self.message or self.message in self.expected_message)


@dataclass
class Report:
    results: list[CaseResult] = field(default_factory=list)

    def args_cases(self, plain_only: bool = False) -> list[CaseResult]:
        return [r for r in self.results if r.expect == "args" and (r.plain or not plain_only)]

    def summary(self) -> dict[str, object]:
        args = self.args_cases()
        exact = sum(r.exact for r in args)
        recall = sum(r.recall for r in args) / len(args) if args else 0.0
        groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in args:
            groups[r.group][0] += r.exact
            groups[r.group][1] += 1
        errs = [r for r in self.results if r.expect == "error"]
        return {
            "args_cases": len(args), "exact": exact,
            "exact_pct": round(100.0 * exact / len(args), 2) if args else 0.0,
            "avg_line_recall_pct": round(100.0 * recall, 2),
            "groups": {g: {"exact": e, "total": t} for g, (e, t) in sorted(groups.items())},
            "error_cases": len(errs),
            "error_cases_refused": sum(r.refused for r in errs),
            "error_message_exact": sum(r.message_match for r in errs),
            "error_message_contains": sum(r.message_contains for r in errs),
            "crashes": sum(r.status == "crash" for r in self.results),
        }


def group_of(name: str, groups: dict[str, list[str]]) -> str:
    best, best_len = "other", -1
    for g, prefixes in groups.items():
        for p in prefixes:
            if name.startswith(p) and len(p) > best_len:
                best, best_len = g, len(p)
    return best


def line_recall(expected: str, actual: str) -> float:
    exp = expected.splitlines()
    act = actual.splitlines()
    if not exp:
        return 1.0
    pool: dict[str, int] = defaultdict(int)
    for line in act:
        pool[line.rstrip(" \\")] += 1
    hit = 0
    for line in exp:
        key = line.rstrip(" \\")
        if pool[key] > 0:
            pool[key] -= 1
            hit += 1
    return hit / len(exp)


def run(corpus: Path, arch: str | None = "x86_64", name_filter: str | None = None) -> Report:
    import capsdb
    import translator

    base = corpus / "libvirt-11.3"
    # the harness' firmware descriptors stand in for /etc/qemu/firmware and friends
    os.environ.setdefault("XML2ARGV_TEST_FIRMWARE_ROOT", str(base / "firmware"))
    manifest = json.loads((base / "manifest.json").read_text())
    groups = json.loads((corpus / "groups.json").read_text())["groups"]
    caps_cache: dict[str, object] = {}
    report = Report()
    for case in manifest["cases"]:
        if arch and case["arch"] != arch:
            continue
        if name_filter and name_filter not in case["id"]:
            continue
        res = CaseResult(case["id"], case["name"], group_of(case["name"], groups), case["expect"],
                         plain=case.get("plain", True) and not case.get("harness_extra"))
        caps = caps_cache.get(case["caps"])
        if caps is None:
            caps = caps_cache[case["caps"]] = capsdb.load(base / case["caps"])
        xml = (base / case["input"]).read_bytes()
        try:
            inv = translator.translate(xml, caps, profile="libvirt-test",
                                       caps_add=case["caps_add"], caps_del=case["caps_del"],
                                       abi_update=bool(case.get("abi_update")))
            out = inv.render("args")
        except translator.TranslationError as exc:
            res.status, res.message, out = "refused", str(exc), ""
        except Exception as exc:  # noqa: BLE001 - a crash is what we are measuring
            res.status = "crash"
            res.message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            out = ""
        if case["expect"] == "args":
            expected = (base / case["expected"]).read_text()
            res.exact = out == expected
            res.recall = line_recall(expected, out)
        elif case["expect"] == "error":
            res.expected_message = (base / case["expected"]).read_text().rstrip("\n")
        report.results.append(res)
    return report


def _trunc2(value: object) -> float:
    return int(float(value) * 100) / 100  # type: ignore[arg-type]


def arch_floor(summary: dict[str, object]) -> dict[str, int]:
    """The per-architecture ratchet for the architectures other than x86_64."""
    return {"exact": int(summary["exact"]),  # type: ignore[call-overload]
            "error_message_exact": int(summary.get("error_message_exact", 0))}  # type: ignore[call-overload]


def floors_from(summary: dict[str, object]) -> dict[str, object]:
    """The ratchet's numbers: what tests/test_conformance.py must never see drop.

    Percentages are truncated to two decimals so that re-measuring the same state
    always passes.
    """
    groups = summary["groups"]
    assert isinstance(groups, dict)
    return {
        "arch": "x86_64",
        "exact_pct": _trunc2(summary["exact_pct"]),
        "avg_line_recall_pct": _trunc2(summary["avg_line_recall_pct"]),
        "groups": {g: c["exact"] for g, c in sorted(groups.items())},
        "error_cases_refused": int(summary.get("error_cases_refused", 0)),  # type: ignore[call-overload]
        "error_message_exact": int(summary.get("error_message_exact", 0)),  # type: ignore[call-overload]
    }


def drops(old: dict[str, object], new: dict[str, object]) -> list[str]:
    """Every floor that `new` would lower compared to `old` (human-readable)."""
    out = [f"{k}: {old[k]} -> {new[k]}"
           for k in ("exact_pct", "avg_line_recall_pct", "error_cases_refused",
                     "error_message_exact")
           if k in old and float(new[k]) < float(old[k])]  # type: ignore[arg-type]
    old_arches = old.get("other_arches", {})
    new_arches = new.get("other_arches", {})
    assert isinstance(old_arches, dict) and isinstance(new_arches, dict)
    for arch, counts in sorted(old_arches.items()):
        for k, n in counts.items():
            if new_arches.get(arch, {}).get(k, 0) < n:
                out.append(f"{arch} {k}: {n} -> {new_arches.get(arch, {}).get(k, 0)}")
    old_groups = old.get("groups", {})
    new_groups = new["groups"]
    assert isinstance(old_groups, dict) and isinstance(new_groups, dict)
    out += [f"group {g}: {n} -> {new_groups.get(g, 0)}" for g, n in sorted(old_groups.items())
            if new_groups.get(g, 0) < n]
    return out


def update_floor(summary: dict[str, object], allow_decrease: bool,
                 path: Path = FLOOR_FILE,
                 other_arches: dict[str, dict[str, object]] | None = None) -> int:
    """Rewrite the floor file with the current numbers; refuse to lower any of them
    unless `allow_decrease` (a ratchet only moves up by accident-proof default)."""
    new = floors_from(summary)
    if other_arches:
        new["other_arches"] = {a: arch_floor(s) for a, s in sorted(other_arches.items())}
    old = json.loads(path.read_text()) if path.exists() else {}
    lowered = drops(old, new)
    if lowered and not allow_decrease:
        print("refusing to lower the conformance floor (use --allow-decrease):", file=sys.stderr)
        for line in lowered:
            print(f"  {line}", file=sys.stderr)
        return 1
    path.write_text(json.dumps(new, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}: exact {new['exact_pct']}%, "
          f"recall {new['avg_line_recall_pct']}%")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--arch", default="x86_64", help="architecture to score ('all' for every one)")
    ap.add_argument("--filter", help="only cases whose id contains this text")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--list", choices=("fail", "exact", "crash", "refused", "errmsg"),
                    help="list case ids with that outcome (errmsg: refused .err cases whose "
                         "message differs from libvirt's)")
    ap.add_argument("--group", help="restrict --list to one group")
    ap.add_argument("--update-floor", action="store_true",
                    help=f"record the current x86_64 numbers in {FLOOR_FILE.relative_to(ROOT)}")
    ap.add_argument("--allow-decrease", action="store_true",
                    help="with --update-floor: also write numbers lower than the recorded ones")
    args = ap.parse_args(argv)
    if args.update_floor and (args.arch != "x86_64" or args.filter):
        ap.error("--update-floor measures the whole x86_64 corpus; drop --arch/--filter")
    if not (args.corpus / "libvirt-11.3" / "manifest.json").exists():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    report = run(args.corpus, None if args.arch == "all" else args.arch, args.filter)
    elapsed = time.perf_counter() - t0
    summary = report.summary()
    if args.update_floor:
        arches = sorted({c["arch"] for c in json.loads(
            (args.corpus / "libvirt-11.3" / "manifest.json").read_text())["cases"]} - {"x86_64"})
        others = {a: run(args.corpus, a).summary() for a in arches}
        return update_floor(summary, args.allow_decrease, other_arches=others)
    if args.list == "errmsg":
        for r in report.results:
            if r.expect == "error" and r.refused and not r.message_match \
                    and not (args.group and r.group != args.group):
                print(f"{r.id}\n  expected: {r.expected_message}\n  got:      {r.message}")
        return 0
    if args.list:
        for r in report.results:
            if args.group and r.group != args.group:
                continue
            show = {"fail": r.expect == "args" and not r.exact, "exact": r.exact,
                    "crash": r.status == "crash", "refused": r.status == "refused"}[args.list]
            if show:
                print(f"{r.id}\t{r.recall:.2f}\t{r.message[:150]}")
        return 0
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{summary['exact']}/{summary['args_cases']} .args cases exact "
          f"({summary['exact_pct']}%), average line recall {summary['avg_line_recall_pct']}%")
    for g, c in summary["groups"].items():  # type: ignore[union-attr]
        print(f"  {g:12s} {c['exact']:4d}/{c['total']:<4d}")
    print(f"error cases refused: {summary['error_cases_refused']}/{summary['error_cases']}, "
          f"message exact: {summary['error_message_exact']} "
          f"(contains: {summary['error_message_contains']}); "
          f"crashes: {summary['crashes']}; {elapsed:.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
