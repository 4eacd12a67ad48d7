#!/usr/bin/env python3
"""Regenerate the output blocks of docs/*.md from the real xml2argv, so the guide cannot lie.

A generated block is an HTML comment marker followed by a fenced block that this tool owns:

    <!-- xml2argv: --diff examples/qmp-over-tcp.xml | grep qmp -->
    <!-- file: examples/qmp-over-tcp.xml | range <qemu:commandline> </qemu:commandline> -->

`xml2argv:` runs the command line interface in-process (stdout, then stderr as a terminal
shows them); `file:` quotes a file. After the first `|` come filters applied to the lines:
`grep REGEX`, `grep -v REGEX`, `range START END` (regexes: the first line matching START
through the next line matching END) and `head N`. Dropped lines show as one `...` so a reader sees the cut.

The conformance table between `<!-- conformance:begin -->` and `<!-- conformance:end -->`
needs libvirt's corpus and changes whenever the translator improves, so it is rewritten only
with `--conformance` and never compared by `--check`.

    python tools/make_docs.py                # rewrite the generated blocks in place
    python tools/make_docs.py --check        # exit 1 when a block is stale (tests use this)
    python tools/make_docs.py --conformance  # also refresh the conformance table
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))

_MARKER = re.compile(r"^<!-- (xml2argv|file): (.*?) -->$")
_FENCE = re.compile(r"^(```+)")
_CONF_BEGIN, _CONF_END = "<!-- conformance:begin -->", "<!-- conformance:end -->"


@dataclass(frozen=True)
class Marker:
    """One marker: what to run or quote, and the line filters after it."""
    kind: str                   # "xml2argv" or "file"
    args: list[str]
    filters: list[list[str]]

    @classmethod
    def parse(cls, kind: str, spec: str) -> "Marker":
        parts = [shlex.split(p) for p in spec.split(" | ")]
        return cls(kind, parts[0], parts[1:])


# --- producing a block ---------------------------------------------------------------------

def run_cli(args: list[str]) -> str:
    """The CLI's stdout followed by its stderr, run from the repository root."""
    from translator.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(args)
    finally:
        os.chdir(old)
    text = out.getvalue()
    if text and not text.endswith("\n"):
        text += "\n"
    return text + err.getvalue()


def apply_filters(lines: list[str], filters: list[list[str]]) -> list[str]:
    """Keep the selected lines in order; every run of dropped lines becomes one '...'."""
    keep = list(range(len(lines)))
    for f in filters:
        keep = _select(lines, keep, f)
    out: list[str] = []
    prev = -1
    for i in keep:
        if i != prev + 1:
            out.append("...")
        out.append(lines[i])
        prev = i
    if keep and keep[-1] != len(lines) - 1:
        out.append("...")
    return out


def _select(lines: list[str], keep: list[int], f: list[str]) -> list[int]:
    name, rest = f[0], f[1:]
    if name == "grep" and rest[:1] == ["-v"]:
        return [i for i in keep if not re.search(rest[1], lines[i])]
    if name == "grep":
        return [i for i in keep if re.search(rest[0], lines[i])]
    if name == "head":
        return keep[:int(rest[0])]
    if name == "range":
        return _range(lines, keep, rest[0], rest[1])
    raise ValueError(f"unknown filter {' '.join(f)!r}")


def _range(lines: list[str], keep: list[int], start: str, end: str) -> list[int]:
    out: list[int] = []
    inside = False
    for i in keep:
        if not inside and re.search(start, lines[i]):
            inside = True
        if inside:
            out.append(i)
            if len(out) > 1 and re.search(end, lines[i]):
                return out
    return out


def produce(m: Marker) -> list[str]:
    """The fenced block (without its fences) for one marker."""
    if m.kind == "file":
        lines = (ROOT / m.args[0]).read_text().splitlines()
        return apply_filters(lines, m.filters)
    lines = run_cli(m.args).splitlines()
    return ["$ xml2argv " + shlex.join(m.args)] + apply_filters(lines, m.filters)


# --- rewriting a document ------------------------------------------------------------------

def regenerate(text: str, conformance: str | None = None) -> str:
    """The document with every marker's fenced block rewritten (and the table, if given)."""
    src = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(src):
        line = src[i]
        out.append(line)
        i += 1
        if line == _CONF_BEGIN and conformance is not None:
            while i < len(src) and src[i] != _CONF_END:
                i += 1
            out.extend(conformance.splitlines())
            continue
        hit = _MARKER.match(line)
        if not hit:
            continue
        marker = Marker.parse(hit.group(1), hit.group(2))
        lang = "xml" if marker.kind == "file" else "text"
        if i < len(src) and _FENCE.match(src[i]):  # drop the old block
            fence = _FENCE.match(src[i]).group(1)  # type: ignore[union-attr]
            i += 1
            while i < len(src) and src[i] != fence:
                i += 1
            i += 1
        out.append(f"```{lang}")
        out.extend(produce(marker))
        out.append("```")
    return "\n".join(out) + "\n"


def conformance_table() -> str:
    """x86_64 exact counts by group and every corpus's and architecture's totals, dated."""
    script = ROOT / "tools" / "conformance.py"
    res = subprocess.run([sys.executable, str(script), "--json", "--corpus", "all"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    corpora = json.loads(res.stdout)
    x86 = corpora["libvirt-11.3"]["x86_64"]
    rows = [f"Measured on {datetime.date.today().isoformat()} (`python tools/conformance.py "
            "--corpus all`; exact = byte-identical `.args`, or the whole line for the one-line "
            "corpora after masking run-time values).", "",
            "| group (libvirt-11.3, x86_64) | exact | cases |", "|---|---:|---:|"]
    for g, c in x86["groups"].items():
        rows.append(f"| {g} | {c['exact']} | {c['total']} |")
    rows.append(f"| **all x86_64** | **{x86['exact']}** | **{x86['args_cases']}** |")
    rows += ["", "| corpus | architecture | exact | cases | line recall "
             "| refusals raised | with libvirt's message |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for name, arches in corpora.items():
        for a, s in arches.items():
            rows.append(f"| {name} | {a} | {s['exact']} | {s['args_cases']} "
                        f"| {s['avg_line_recall_pct']}% | {s['error_cases_refused']}/"
                        f"{s['error_cases']} | {s['error_message_exact']} |")
    return "\n".join(rows)


def stale(paths: list[Path]) -> list[Path]:
    return [p for p in paths if regenerate(p.read_text()) != p.read_text()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only report stale documents")
    ap.add_argument("--conformance", action="store_true",
                    help="also refresh the conformance table (needs ../shared/corpus)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.check:
        bad = stale(DOCS)
        for p in bad:
            print(f"stale: {p.relative_to(ROOT)} (run python tools/make_docs.py)")
        return 1 if bad else 0
    table = conformance_table() if args.conformance else None
    for p in DOCS:
        new = regenerate(p.read_text(), table)
        if new != p.read_text():
            p.write_text(new)
            print(f"updated {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
