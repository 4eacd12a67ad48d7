#!/usr/bin/env python3
"""Mutation fuzz over every input of a corpus folder: count internal errors (bugs).

Usage: fuzz_corpus.py [--root ../shared/corpus] [--count 10000] [--seed 1] [--show 20]

Each round takes a random corpus input, applies one mutation of tests/test_fuzz_mutations.py
(a dropped attribute, a junk/empty/negative/huge value, a duplicated, deleted or moved element,
junk device info) and translates it with the newest QEMU profile. A refusal or a command line is
fine; an `InternalError` is a bug and is counted and shown (grouped by its message).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import capsdb  # noqa: E402
import translator  # noqa: E402
from tests.test_fuzz_mutations import JUNK, MUTATIONS, _mutate  # noqa: E402
from translator.errors import InternalError  # noqa: E402


def inputs(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/inputs/*.xml")) + \
        sorted(p for p in root.glob("libvirt-11.3/*.xml"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default="../shared/corpus")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--mutations", type=int, default=1, help="mutations per input")
    ap.add_argument("--save", help="write the first mutated input of each bug into this folder")
    args = ap.parse_args()
    files = inputs(Path(args.root))
    if not files:
        print("no corpus inputs found", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    caps = capsdb.get()
    bugs: Counter[str] = Counter()
    example: dict[str, str] = {}
    parsed = 0
    for _ in range(args.count):
        path = rng.choice(files)
        try:
            root = etree.fromstring(path.read_bytes())
        except etree.XMLSyntaxError:
            continue
        kinds = [rng.choice(MUTATIONS) for _ in range(args.mutations)]
        for kind in kinds:
            _mutate(root, kind, rng.randrange(1000), rng.choice(JUNK))
        kind = "+".join(kinds)
        parsed += 1
        try:
            translator.translate(etree.tostring(root), caps, profile="libvirt-test")
        except translator.TranslationError:
            pass
        except InternalError as exc:
            key = str(exc)[:160]
            bugs[key] += 1
            if key not in example and args.save:
                Path(args.save).mkdir(parents=True, exist_ok=True)
                (Path(args.save) / f"bug{len(example)}.xml").write_bytes(etree.tostring(root))
            example.setdefault(key, f"{path.name} ({kind})")
    total = sum(bugs.values())
    print(f"{total} internal errors in {parsed} mutations "
          f"({total * 10000 / max(parsed, 1):.1f} per 10,000); {len(bugs)} distinct")
    for key, n in bugs.most_common(args.show):
        print(f"{n:5d}  {key}\n       e.g. {example[key]}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
