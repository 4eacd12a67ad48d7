#!/usr/bin/env python3
"""Derive capsdb's compact x86 CPU map from libvirt's `src/cpu_map/` (index.xml and the x86
files it includes).

    python tools/gen_cpu_map.py [CPU_MAP_DIR] [--out capsdb/data/cpu_map/x86.json.gz]

CPU_MAP_DIR defaults to ../shared/reference/libvirt-11.3/src/cpu_map.  Only what libvirt's
x86 CPU decoder needs is kept (see capsdb/cpumap.py for how it is read back):

- `vendors`: [name, CPUID vendor string] in map order;
- `features`: [name, [bit, ...], migratable] in map order (the order libvirt lists decoded
  features in).  A bit is `C<eax_in>.<ecx_in>.<register><bit>` for a CPUID leaf or
  `M<index>.<register><bit>` for an MSR, numbers in hex, register one of a/b/c/d;
- `models`: in map order, each {name, decode: [host, guest], compat: whether a partial
  check compares it with the host CPU (`<check partial='compat'/>`), vendor, signatures:
  [[family, model, steppings or null]], features: the features whose bits make the model's
  data (ancestor's data minus its removed features plus the model's own, as libvirt computes
  it when it loads the map), removed: the model's features marked removed='yes'}.

The output is deterministic (sorted keys, gzip without a timestamp).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = ROOT.parent / "shared" / "reference" / "libvirt-11.3" / "src" / "cpu_map"
DEFAULT_OUT = ROOT / "capsdb" / "data" / "cpu_map" / "x86.json.gz"
_REGS = ("eax", "ebx", "ecx", "edx")


def _bits(elem: etree._Element) -> list[str]:
    """Every set bit of the <cpuid>/<msr> children of a feature."""
    out: list[str] = []
    for item in elem:
        if not isinstance(item.tag, str) or item.tag == "alias":
            continue
        if item.tag == "cpuid":
            prefix = f"C{int(item.get('eax_in'), 0):x}.{int(item.get('ecx_in', '0'), 0):x}."
            regs: tuple[str, ...] = _REGS
        elif item.tag == "msr":
            prefix = f"M{int(item.get('index'), 0):x}."
            regs = ("eax", "edx")
        else:
            raise SystemExit(f"unknown data element <{item.tag}>")
        for reg in regs:
            value = int(item.get(reg, "0"), 0)
            out += [f"{prefix}{reg[1]}{b:x}" for b in range(32) if value >> b & 1]
    return out


def _steppings(text: str | None) -> list[int] | None:
    if not text:
        return None
    result: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        result += range(int(lo), int(hi or lo) + 1)
    return result


def _x86_files(src: Path) -> list[Path]:
    index = etree.parse(str(src / "index.xml"))
    arch = index.find("arch[@name='x86']")
    return [src / inc.get("filename") for inc in arch.iter("include")]


def generate(src: Path) -> dict:
    vendors: list[list[str]] = []
    features: list[list] = []
    feature_bits: dict[str, frozenset[str]] = {}
    models: list[dict] = []
    model_bits: dict[str, frozenset[str]] = {}
    model_removed: dict[str, list[str]] = {}
    model_info: dict[str, dict] = {}
    for path in _x86_files(src):
        root = etree.parse(str(path)).getroot()
        for v in root.iterfind("vendor"):
            vendors.append([v.get("name"), v.get("string")])
        for f in root.iterfind("feature"):
            bits = _bits(f)
            feature_bits[f.get("name")] = frozenset(bits)
            features.append([f.get("name"), bits, f.get("migratable") != "no"])
        for m in root.iterfind("model"):
            name = m.get("name")
            decode = m.find("decode")
            info: dict = {"name": name,
                          "decode": [decode.get("host") == "on", decode.get("guest") == "on"],
                          "compat": m.find("check") is not None
                          and m.find("check").get("partial") == "compat",
                          "vendor": None, "signatures": None}
            bits: set[str] = set()
            ancestor = m.find("model")
            if ancestor is not None:
                parent = model_info[ancestor.get("name")]
                info["vendor"], info["signatures"] = parent["vendor"], parent["signatures"]
                bits = set(model_bits[parent["name"]])
                for gone in model_removed[parent["name"]]:
                    bits -= feature_bits[gone]
            sigs = m.findall("signature")
            if sigs:
                info["signatures"] = [[int(s.get("family")), int(s.get("model")),
                                       _steppings(s.get("stepping"))] for s in sigs]
            if m.find("vendor") is not None:
                info["vendor"] = m.find("vendor").get("name")
            removed: list[str] = []
            for f in m.iterfind("feature"):
                if f.get("removed") == "yes":
                    removed.append(f.get("name"))
                elif f.get("added") != "yes":
                    bits |= feature_bits[f.get("name")]
            model_bits[name] = frozenset(bits)
            model_removed[name] = removed
            model_info[name] = info
            models.append(info)
    for info in models:
        bits = model_bits[info["name"]]
        names = [n for n, b in feature_bits.items() if b and b <= bits]
        covered = frozenset().union(*(feature_bits[n] for n in names))
        if covered != bits:
            raise SystemExit(f"model {info['name']}: data is not a union of features")
        info["features"] = names
        info["removed"] = model_removed[info["name"]]
    return {"format": 1, "source": "libvirt 11.3 src/cpu_map (x86)",
            "vendors": vendors, "features": features, "models": models}


def encode(doc: dict) -> bytes:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("ascii"))
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("src", type=Path, nargs="?", default=DEFAULT_SRC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    data = encode(generate(args.src))
    args.out.write_bytes(data)
    print(f"{args.out} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
