#!/usr/bin/env python3
"""Score the translator against every corpus of ../shared/corpus, per corpus, arch and group.

Corpora (each a folder of ../shared/corpus):
- `libvirt-11.3`: libvirt's own qemuxmlconftest cases (`.args` byte for byte, `.err` messages),
  under the `libvirt-test` profile.
- `generated-11.3`: generated domains answered by the same harness (same manifest format).
- `native-11.3`: `virsh domxml-to-native` of a real daemon (profile `native`), one shell line.
- `start-11.3`: the line a real daemon logs on `virsh create` (profile `host`), one shell line.
- `libvirt-7.0-legacy-drive`: the legacy `-drive` form of disks (no manifest); only the `-drive`
  arguments are compared, with the `blockdev` capability removed from the newest profile.

One-line corpora are compared after masking what a running daemon draws at run time
(descriptor numbers, the domain id in runtime paths, random secret data/iv, wall-clock
`-rtc base=`), as their READMEs say. `.err` cases count as refused when the translator raises
`TranslationError`, and as exact when the message is libvirt's. Anything else raised is a crash.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = Path(os.environ.get("XML2ARGV_CORPUS", ROOT.parent / "shared" / "corpus"))
FLOOR_FILE = ROOT / "tests" / "conformance_floor.json"
CORPORA = ("libvirt-11.3", "generated-11.3", "native-11.3", "start-11.3",
           "libvirt-7.0-legacy-drive")
# the profile a manifest names -> the profile of this project that models it (first one known)
PROFILE_FOR = {"system": ("native", "system"), "host": ("host", "system"),
               None: ("libvirt-test",)}


@dataclass
class CaseResult:
    id: str
    name: str
    group: str
    expect: str
    arch: str = "x86_64"
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
    def is_args(self) -> bool:
        return self.expect != "error"

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
        return [r for r in self.results if r.is_args and (r.plain or not plain_only)]

    def summary(self) -> dict[str, Any]:
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

    def by_arch(self) -> dict[str, "Report"]:
        out: dict[str, Report] = defaultdict(Report)
        for r in self.results:
            out[r.arch].results.append(r)
        return dict(sorted(out.items()))


def group_of(name: str, groups: dict[str, list[str]]) -> str:
    best, best_len = "other", -1
    for g, prefixes in groups.items():
        for p in prefixes:
            if name.startswith(p) and len(p) > best_len:
                best, best_len = g, len(p)
    return best


def line_recall(expected: str, actual: str, split: str = "lines") -> float:
    exp = _units(expected, split)
    act = _units(actual, split)
    if not exp:
        return 1.0
    pool: dict[str, int] = defaultdict(int)
    for unit in act:
        pool[unit] += 1
    hit = 0
    for unit in exp:
        if pool[unit] > 0:
            pool[unit] -= 1
            hit += 1
    return hit / len(exp)


def _units(text: str, split: str) -> list[str]:
    if split == "lines":
        return [line.rstrip(" \\") for line in text.splitlines()]
    # one-line corpora: an option with its value is one unit
    return [u.strip() for u in re.split(r" (?=-[a-z])", text.strip()) if u.strip()]


# -- masking what a running daemon hands out (README of native-11.3 / start-11.3) -----------
_MASKS = (
    (re.compile(r'"(fds?|vhostfds?|fdset)":"?[\d:]+"?'), r'"\1":"N"'),
    (re.compile(r'\b(fd|vhostfd|fds|vhostfds)=[\d:]+'), r"\1=N"),
    (re.compile(r"/dev/fdset/\d+"), "/dev/fdset/N"),
    (re.compile(r"-add-fd set=\d+,fd=\d+"), "-add-fd set=N,fd=N"),
    (re.compile(r"(domain-|/)-?\d+-(?=[^/\s,'\"]+)"), r"\1ID-"),
    (re.compile(r'"data":"[^"]*","keyid":"masterKey0","iv":"[^"]*"'),
     '"data":"X","keyid":"masterKey0","iv":"X"'),
    (re.compile(r"-rtc base=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"), "-rtc base=DATE"),
)


def mask_runtime(line: str) -> str:
    """The line with every run-time value (descriptors, domain id, secrets, clock) masked."""
    for pattern, repl in _MASKS:
        line = pattern.sub(repl, line)
    return line.strip()


def _load_caps(path: Path, cache: dict[Path, Any]) -> Any:
    import capsdb
    if path not in cache:
        cache[path] = capsdb.load(path)
    return cache[path]


def _profile(name: str | None) -> str:
    from translator.profiles import PROFILES
    for candidate in PROFILE_FOR.get(name, (name or "libvirt-test",)):
        if candidate in PROFILES:
            return candidate
    return "libvirt-test"


# libvirt's harness names its mocked host CPUs by an enum (testutilsqemu.h qemuTestCPUDef);
# the manifest may cut the name short, so a prefix is enough
_HARNESS_CPU_DEFS = {"QEMU_CPU_DEF_DEFAULT": "core2duo", "QEMU_CPU_DEF_HASWELL": "Haswell"}


def harness_options(extra: list[str]) -> dict[str, Any]:
    """The translator options that reproduce a case's `harness_extra` (the mocked host
    state libvirt's qemuxmlconftest sets up with ARG_* arguments).  An argument the
    translator has no option for (or a host CPU it cannot tell) is left out: the case is
    scored apart from the plain ones anyway."""
    opts: dict[str, Any] = {}
    migrate_from: str | None = None
    migrate_fd = -1
    vdpa: dict[str, int] = {}
    for entry in extra:
        name, _, rest = entry.partition(",")
        args = [a.strip().strip('"') for a in rest.split(",")] if rest else []
        if name == "ARG_CAPS_HOST_CPU_MODEL":
            cpus = [cpu for enum, cpu in _HARNESS_CPU_DEFS.items()
                    if args and enum.startswith(args[0])]
            if len(cpus) == 1:
                opts["host_cpu"] = cpus[0]
        elif name == "ARG_MIGRATE_FROM":
            migrate_from = args[0]
        elif name == "ARG_MIGRATE_FD":
            migrate_fd = int(args[0])
        elif name == "ARG_VDPA_FD":
            vdpa[args[0]] = int(args[1])
    if migrate_from is not None:
        opts["incoming"] = migrate_from
        if migrate_fd >= 0:
            opts["incoming_fd"] = migrate_fd
    if vdpa:
        opts["vdpa_fds"] = vdpa
    return opts


def run(corpus: Path, arch: str | None = "x86_64", name_filter: str | None = None,
        name: str = "libvirt-11.3") -> Report:
    """Score one corpus (`name`, a folder of `corpus`) for one arch (None: every arch)."""
    if name == "libvirt-7.0-legacy-drive":
        return _run_legacy(corpus, arch, name_filter)
    import translator

    base = corpus / name
    # the harness' firmware descriptors stand in for /etc/qemu/firmware and friends
    os.environ.setdefault("XML2ARGV_TEST_FIRMWARE_ROOT", str(corpus / "libvirt-11.3" / "firmware"))
    manifest = json.loads((base / "manifest.json").read_text())
    groups = json.loads((corpus / "groups.json").read_text())["groups"]
    caps_cache: dict[Path, Any] = {}
    report = Report()
    for case in manifest["cases"]:
        if arch and case["arch"] != arch:
            continue
        if name_filter and name_filter not in case["id"]:
            continue
        res = CaseResult(case["id"], case["name"], group_of(case["name"], groups), case["expect"],
                         arch=case["arch"],
                         plain=case.get("plain", True) and not case.get("harness_extra"))
        caps = _load_caps((base / case["caps"]).resolve(), caps_cache)
        xml = (base / case["input"]).read_bytes()
        one_line = case["expect"] in ("native", "start")
        try:
            inv = translator.translate(xml, caps, profile=_profile(case.get("profile")),
                                       caps_add=case["caps_add"], caps_del=case["caps_del"],
                                       abi_update=bool(case.get("abi_update")),
                                       **harness_options(case.get("harness_extra") or []))
            out = inv.render("shell" if one_line else "args")
        except translator.TranslationError as exc:
            res.status, res.message, out = "refused", str(exc), ""
        except Exception as exc:  # noqa: BLE001 - a crash is what we are measuring
            res.status = "crash"
            res.message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            out = ""
        if case["expect"] == "error":
            res.expected_message = (base / case["expected"]).read_text().rstrip("\n")
        else:
            expected = (base / case["expected"]).read_text()
            if one_line:
                expected, out = mask_runtime(expected), mask_runtime(out)
                res.exact = bool(out) and out == expected
                res.recall = line_recall(expected, out, split="options")
            else:
                res.exact = out == expected
                res.recall = line_recall(expected, out)
        report.results.append(res)
    return report


def _legacy_drive_args(text: str) -> list[str]:
    """The values of every `-drive` argument of an .args file (lines wrapped at ',\\' joined)."""
    joined = text.replace(",\\\n", ",")
    return [line[len("-drive "):].rstrip(" \\") for line in joined.splitlines()
            if line.startswith("-drive ")]


def _run_legacy(corpus: Path, arch: str | None, name_filter: str | None) -> Report:
    """libvirt 7.0's legacy `-drive` disks: each expected `-drive` value must be printed by the
    newest profile of the arch without `blockdev` (other options changed since 7.0)."""
    import capsdb
    import translator

    base = corpus / "libvirt-7.0-legacy-drive"
    report = Report()
    known = {a for _, a in capsdb.profiles()}
    for exp_path in sorted((base / "expected").glob("*.args")):
        stem = exp_path.name[:-len(".args")]
        case_name, _, suffix = stem.partition(".")
        inp = base / "inputs" / f"{case_name}.xml"
        case_arch = suffix.split("-")[0] if suffix else _case_arch(case_name, inp)
        if arch and case_arch != arch:
            continue
        if name_filter and name_filter not in stem:
            continue
        wanted = _legacy_drive_args(exp_path.read_text())
        if not wanted:
            continue
        res = CaseResult(stem, case_name, "storage", "args", arch=case_arch)
        try:
            if known and case_arch not in known:
                raise LookupError(f"no embedded profile for {case_arch}")
            caps = capsdb.get(None, case_arch)
            inv = translator.translate(inp.read_bytes(), caps, profile="libvirt-test",
                                       caps_del=["blockdev"])
            got = _legacy_drive_args(inv.render("args"))
        except translator.TranslationError as exc:
            res.status, res.message, got = "refused", str(exc), []
        except Exception as exc:  # noqa: BLE001
            res.status = "crash"
            res.message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            got = []
        res.recall = sum(1 for w in wanted if w in got) / len(wanted)
        res.exact = res.recall == 1.0
        report.results.append(res)
    return report


_OS_ARCH = re.compile(rb"<type\b[^>]*\barch=['\"]([^'\"]+)['\"]")


# the guest arches whose domains libvirt starts with another arch's emulator (and its caps)
_EMULATOR_ARCH = {"i686": "x86_64"}


def _case_arch(name: str, inp: Path) -> str:
    """The emulator arch an unsuffixed legacy case was run with: the arch its name starts with
    (a 32-bit guest on a 64-bit emulator keeps the emulator's), else the domain's
    `<os><type arch=...>`; x86_64 when the domain names none (the harness's default)."""
    for prefix, arch in (("aarch64", "aarch64"), ("ppc64", "ppc64"), ("pseries", "ppc64"),
                         ("s390", "s390x"), ("riscv", "riscv64")):
        if name.startswith(prefix):
            return arch
    found = _OS_ARCH.search(inp.read_bytes()) if inp.is_file() else None
    arch = found.group(1).decode() if found else "x86_64"
    return _EMULATOR_ARCH.get(arch, arch)


def available(corpus: Path) -> list[str]:
    return [c for c in CORPORA if (corpus / c).is_dir()]


# -- the ratchet ---------------------------------------------------------------------------
def _trunc2(value: object) -> float:
    return int(float(value) * 100) / 100  # type: ignore[arg-type]


def floor_entry(summary: dict[str, Any]) -> dict[str, Any]:
    """What tests/test_conformance.py must never see drop for one corpus and arch."""
    return {
        "exact": int(summary["exact"]),
        "avg_line_recall_pct": _trunc2(summary["avg_line_recall_pct"]),
        "groups": {g: c["exact"] for g, c in sorted(summary["groups"].items())},
        "error_cases_refused": int(summary["error_cases_refused"]),
        "error_message_exact": int(summary["error_message_exact"]),
    }


def measure_all(corpus: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """corpus -> arch -> summary, for every corpus present."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name in available(corpus):
        report = run(corpus, None, None, name)
        out[name] = {a: r.summary() for a, r in report.by_arch().items()}
    return out


def drops(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every floor number that `new` would lower compared to `old` (human-readable)."""
    out = []
    for corpus, arches in sorted(old.get("corpora", {}).items()):
        for arch, entry in sorted(arches.items()):
            now = new.get("corpora", {}).get(corpus, {}).get(arch)
            if now is None:
                continue  # corpus or arch not measured here
            for k in ("exact", "avg_line_recall_pct", "error_cases_refused",
                      "error_message_exact"):
                if float(now.get(k, 0)) < float(entry.get(k, 0)):
                    out.append(f"{corpus} {arch} {k}: {entry[k]} -> {now.get(k, 0)}")
            for g, n in sorted(entry.get("groups", {}).items()):
                if now.get("groups", {}).get(g, 0) < n:
                    out.append(f"{corpus} {arch} group {g}: {n} -> {now['groups'].get(g, 0)}")
    return out


def update_floor(measured: dict[str, dict[str, dict[str, Any]]], allow_decrease: bool,
                 path: Path = FLOOR_FILE) -> int:
    """Rewrite the floor file with the current numbers; refuse to lower any of them unless
    `allow_decrease` (a ratchet only moves up by accident-proof default)."""
    new = {"corpora": {c: {a: floor_entry(s) for a, s in arches.items()}
                       for c, arches in measured.items()}}
    old = json.loads(path.read_text()) if path.exists() else {}
    lowered = drops(old, new)
    if lowered and not allow_decrease:
        print("refusing to lower the conformance floor (use --allow-decrease):", file=sys.stderr)
        for line in lowered:
            print(f"  {line}", file=sys.stderr)
        return 1
    # keep corpora that are not present here
    for c, arches in old.get("corpora", {}).items():
        new["corpora"].setdefault(c, arches)
    path.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


def _print_summary(title: str, summary: dict[str, Any], groups: bool) -> None:
    print(f"{title}: {summary['exact']}/{summary['args_cases']} exact "
          f"({summary['exact_pct']}%), recall {summary['avg_line_recall_pct']}%; "
          f"refusals {summary['error_cases_refused']}/{summary['error_cases']} raised, "
          f"{summary['error_message_exact']} with libvirt's message; "
          f"crashes {summary['crashes']}")
    if groups:
        for g, c in summary["groups"].items():
            print(f"    {g:12s} {c['exact']:4d}/{c['total']:<4d}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_CORPUS,
                    help="the folder holding the corpora (default ../shared/corpus)")
    ap.add_argument("--corpus", default="libvirt-11.3",
                    help=f"one of {', '.join(CORPORA)}, or 'all'")
    ap.add_argument("--arch", default="all", help="architecture to score ('all' for every one)")
    ap.add_argument("--filter", help="only cases whose id contains this text")
    ap.add_argument("--json", action="store_true", help="print the summaries as JSON")
    ap.add_argument("--groups", action="store_true", help="print per-group counts")
    ap.add_argument("--list", choices=("fail", "exact", "crash", "refused", "errmsg", "accepted"),
                    help="list case ids with that outcome (errmsg: refused .err cases whose "
                         "message differs from libvirt's; accepted: .err cases not refused)")
    ap.add_argument("--group", help="restrict --list to one group")
    ap.add_argument("--update-floor", action="store_true",
                    help=f"record every corpus's numbers in {FLOOR_FILE.relative_to(ROOT)}")
    ap.add_argument("--allow-decrease", action="store_true",
                    help="with --update-floor: also write numbers lower than the recorded ones")
    args = ap.parse_args(argv)
    present = available(args.root)
    if not present:
        print(f"no corpus found at {args.root}", file=sys.stderr)
        return 2
    if args.update_floor:
        if args.filter or args.arch != "all" or args.corpus not in ("all", "libvirt-11.3"):
            ap.error("--update-floor measures every corpus and arch; drop --arch/--filter/--corpus")
        return update_floor(measure_all(args.root), args.allow_decrease)
    names = present if args.corpus == "all" else [args.corpus]
    for n in names:
        if n not in present:
            ap.error(f"corpus {n!r} not found under {args.root}")
    t0 = time.perf_counter()
    reports = {n: run(args.root, None if args.arch == "all" else args.arch, args.filter, n)
               for n in names}
    elapsed = time.perf_counter() - t0
    if args.list:
        for report in reports.values():
            for r in report.results:
                if args.group and r.group != args.group:
                    continue
                if args.list == "errmsg":
                    if r.expect == "error" and r.refused and not r.message_match:
                        print(f"{r.id}\n  expected: {r.expected_message}\n  got:      {r.message}")
                    continue
                show = {"fail": r.is_args and not r.exact, "exact": r.exact,
                        "crash": r.status == "crash", "refused": r.status == "refused",
                        "accepted": r.expect == "error" and not r.refused}[args.list]
                if show:
                    print(f"{r.id}\t{r.recall:.2f}\t{r.message[:150]}")
        return 0
    if args.json:
        print(json.dumps({n: {a: s.summary() for a, s in r.by_arch().items()}
                          for n, r in reports.items()}, indent=2))
        return 0
    for n, report in reports.items():
        _print_summary(n, report.summary(), False)
        for a, r in report.by_arch().items():
            _print_summary(f"  {a}", r.summary(), args.groups)
    print(f"{elapsed:.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
