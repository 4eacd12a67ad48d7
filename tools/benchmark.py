#!/usr/bin/env python3
"""Wall time and peak memory of xml2argv (not a test: numbers vary by machine).

1. `import translator, capsdb` in a fresh interpreter (best of 5);
2. one CLI call on a bundled example in a subprocess (best of 5), with the child's
   peak RSS, and as a multiple of a bare `python -c "import lxml.etree"` (the floor any
   call of a Python tool using lxml pays);
3. if ../shared/corpus is present: every case of every architecture translated in
   this process (after one untimed warm-up pass) — once for wall and CPU time, once under tracemalloc for the peak of Python
   allocations — and this process's peak RSS (ru_maxrss).

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


def best_of(n: int, fn) -> float:  # type: ignore[no-untyped-def]
    return min(fn() for _ in range(n))


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


def time_import(env: dict[str, str]) -> float:
    def once() -> float:
        out = subprocess.run([sys.executable, "-c", IMPORT_SNIPPET], cwd=ROOT, check=True,
                             capture_output=True, text=True, env=env).stdout
        return float(out.strip())
    return best_of(5, once)


def time_cli(env: dict[str, str]) -> float:
    def once() -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "translator", str(EXAMPLE)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        return time.perf_counter() - t0
    return best_of(5, once)


def time_bare_lxml(env: dict[str, str]) -> float:
    """The floor every call pays: this interpreter starting and importing lxml.etree."""
    def once() -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import lxml.etree"], cwd=ROOT, check=True,
                       env=env)
        return time.perf_counter() - t0
    return best_of(5, once)


def report_startup() -> None:
    """Steps 1 and 2, with and without compiled bytecode, against the bare start."""
    with tempfile.TemporaryDirectory(prefix="xml2argv-pyc-") as pycache:
        cached = child_env(pycache)
        time_cli(cached)  # untimed warm-up: compiles every module the CLI imports
        bare = time_bare_lxml(cached)
        print(f'python -c "import lxml.etree":        {bare * 1000:8.1f} ms (best of 5)')
        rows = [("cached", cached), ("no .pyc", child_env(None))]
        for label, env in rows:
            print(f"import translator, capsdb ({label}): {time_import(env) * 1000:8.1f} ms "
                  "(best of 5)")
            cli = time_cli(env)
            print(f"CLI call {EXAMPLE.name} ({label}):  {cli * 1000:8.1f} ms (best of 5), "
                  f"{cli / bare:.2f}x the bare start")
    print(f"CLI peak RSS: {maxrss_mib(resource.RUSAGE_CHILDREN):.1f} MiB")


def translate_corpus(corpus: Path) -> tuple[int, int, int]:
    """Translate every manifest case; returns (cases, produced, refused)."""
    import capsdb
    import translator

    base = corpus / "libvirt-11.3"
    manifest = json.loads((base / "manifest.json").read_text())
    caps_cache: dict[str, object] = {}
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
    args = ap.parse_args(argv)

    report_startup()

    if not (args.corpus / "libvirt-11.3" / "manifest.json").exists():
        print(f"corpus: skipped (not found at {args.corpus})")
        return 0
    translate_corpus(args.corpus)  # untimed warm-up: imports, capability files, caches
    t0, c0 = time.perf_counter(), time.process_time()
    n, ok, refused = translate_corpus(args.corpus)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    tracemalloc.start()
    translate_corpus(args.corpus)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"corpus ({n} cases, all arches; {ok} translated, {refused} refused): "
          f"{wall:.2f} s wall, {wall / n * 1000:.2f} ms/case "
          f"({cpu / n * 1000:.2f} ms/case of CPU)")
    print(f"corpus peak memory: tracemalloc {peak / (1024 * 1024):.1f} MiB, "
          f"ru_maxrss {maxrss_mib(resource.RUSAGE_SELF):.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
