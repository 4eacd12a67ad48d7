#!/usr/bin/env python3
"""Wall time and peak memory of xml2argv (not a test: numbers vary by machine).

1. `import translator, capsdb` in a fresh interpreter (best of `--rounds`);
2. one CLI call on a bundled example in a subprocess (best of `--rounds`), with the child's
   peak RSS, and as a multiple of a bare `python -c "import lxml.etree"` (the floor any
   call of a Python tool using lxml pays);
3. if ../shared/corpus is present: every case of every architecture translated in
   this process (after one untimed warm-up pass) — timed `--repeat` times, keeping the
   fastest pass, then once under tracemalloc for the peak of Python allocations — and this
   process's peak RSS (ru_maxrss).

Every timing is the best of several runs: on a shared machine the other load only ever adds
time, so the minimum is the figure closest to the program's own cost.

Steps 1 and 2 run twice. "cached" is how an installed xml2argv runs: pip compiles the
bytecode at install time, so the children read .pyc files (kept here in a private
temporary PYTHONPYCACHEPREFIX, warmed by one untimed run, so the work tree stays clean).
"no .pyc" runs with PYTHONDONTWRITEBYTECODE=1, so a checkout without __pycache__
compiles every imported module of the project on each run: it shows what lazy imports
save in compile time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLE = ROOT / "examples" / "qmp-over-tcp.xml"
IMPORT_SNIPPET = ("import time; t = time.perf_counter(); import translator, capsdb; "
                  "print(time.perf_counter() - t)")


def maxrss_mib(who: int) -> float:
    """ru_maxrss in MiB (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(who).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def best_of(n: int, *runs: Callable[[], float]) -> list[float]:
    """The fastest of `n` rounds of each run, the runs taking turns: a burst of load from
    elsewhere then slows every one of them alike instead of skewing their ratio."""
    best = [float("inf")] * len(runs)
    for _ in range(n):
        for i, run in enumerate(runs):
            best[i] = min(best[i], run())
    return best


def child_env(pycache: str | None) -> dict[str, str]:
    """The children's environment: bytecode read from and written to `pycache`, or
    never written when it is None (the standard library keeps its own .pyc files)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def import_run(env: dict[str, str]) -> Callable[[], float]:
    def once() -> float:
        out = subprocess.run([sys.executable, "-c", IMPORT_SNIPPET], cwd=ROOT, check=True,
                             capture_output=True, text=True, env=env).stdout
        return float(out.strip())
    return once


def wall_run(env: dict[str, str], *argv: str) -> Callable[[], float]:
    """One whole process `python ARGV`, timed from outside."""
    def once() -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *argv], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        return time.perf_counter() - t0
    return once


def report_startup(rounds: int) -> None:
    """Steps 1 and 2, with and without compiled bytecode, against the bare start."""
    cli_argv = ("-m", "translator", str(EXAMPLE))
    with tempfile.TemporaryDirectory(prefix="xml2argv-pyc-") as pycache:
        cached = child_env(pycache)
        wall_run(cached, *cli_argv)()  # untimed warm-up: compiles every module the CLI imports
        # the floor every call pays: this interpreter starting and importing lxml.etree
        bare, cli, imp = best_of(rounds, wall_run(cached, "-c", "import lxml.etree"),
                                 wall_run(cached, *cli_argv), import_run(cached))
        print(f'python -c "import lxml.etree":        {bare * 1000:8.1f} ms (best of {rounds})')
        print(f"import translator, capsdb (cached): {imp * 1000:8.1f} ms (best of {rounds})")
        print(f"CLI call {EXAMPLE.name} (cached):  {cli * 1000:8.1f} ms (best of {rounds}), "
              f"{cli / bare:.2f}x the bare start")
        nopyc = child_env(None)
        cli, imp = best_of(rounds, wall_run(nopyc, *cli_argv), import_run(nopyc))
        print(f"import translator, capsdb (no .pyc): {imp * 1000:8.1f} ms (best of {rounds})")
        print(f"CLI call {EXAMPLE.name} (no .pyc):  {cli * 1000:8.1f} ms (best of {rounds}), "
              f"{cli / bare:.2f}x the bare start")
    print(f"CLI peak RSS: {maxrss_mib(resource.RUSAGE_CHILDREN):.1f} MiB")


def translate_corpus(corpus: Path) -> tuple[int, int, int]:
    """Translate every manifest case; returns (cases, produced, refused)."""
    import capsdb
    import translator

    base = corpus / "libvirt-11.3"
    manifest = json.loads((base / "manifest.json").read_text())
    caps_cache: dict[str, "capsdb.Caps"] = {}
    produced = refused = 0
    for case in manifest["cases"]:
        caps = caps_cache.get(case["caps"])
        if caps is None:
            caps = caps_cache[case["caps"]] = capsdb.load(base / case["caps"])
        try:
            translator.translate((base / case["input"]).read_bytes(), caps,
                                 profile="libvirt-test", caps_add=case["caps_add"],
                                 caps_del=case["caps_del"]).render("args")
            produced += 1
        except Exception:  # noqa: BLE001 - refusals and crashes both count as done
            refused += 1
    return len(manifest["cases"]), produced, refused


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--rounds", type=int, default=10,
                    help="timed process starts of each kind (the best counts)")
    ap.add_argument("--repeat", type=int, default=3, help="timed corpus passes (the best counts)")
    ap.add_argument("--only", choices=("startup", "corpus"),
                    help="run only steps 1-2 (startup) or step 3 (corpus)")
    args = ap.parse_args(argv)

    if args.only != "corpus":
        report_startup(args.rounds)
    if args.only == "startup":
        return 0

    if not (args.corpus / "libvirt-11.3" / "manifest.json").exists():
        print(f"corpus: skipped (not found at {args.corpus})")
        return 0
    translate_corpus(args.corpus)  # untimed warm-up: imports, capability files, caches
    wall = cpu = float("inf")
    for _ in range(max(1, args.repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        n, ok, refused = translate_corpus(args.corpus)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    tracemalloc.start()
    translate_corpus(args.corpus)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"corpus ({n} cases, all arches; {ok} translated, {refused} refused): "
          f"{wall:.2f} s wall, {wall / n * 1000:.2f} ms/case "
          f"({cpu / n * 1000:.2f} ms/case of CPU; best of {max(1, args.repeat)} passes)")
    print(f"corpus peak memory: tracemalloc {peak / (1024 * 1024):.1f} MiB, "
          f"ru_maxrss {maxrss_mib(resource.RUSAGE_SELF):.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
