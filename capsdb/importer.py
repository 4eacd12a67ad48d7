"""Turn libvirt capability files into capsdb's compact embedded profiles.

    python -m capsdb.importer SRC_DIR [--out capsdb/data] [--prune]

SRC_DIR holds libvirt's `caps_VERSION_ARCH[+VARIANT].xml` files (libvirt's
tests/qemucapabilitiesdata layout).  Each becomes `ARCH-VERSION[+VARIANT].json.gz`
in the output directory.  Only these derived files are meant to be committed.

File format (version 1), a gzip-compressed JSON object:

    {"format": 1, "profile": "10.0.0", "version": 10000000, "arch": "x86_64", "variant": null,
     "package": "...", "emulator": "...", "host_cpu_model": "...",
     "flags": ["VGA", "acpi-index", ...],                  # sorted names
     "machines": {"kvm": [{"name": "pc-q35-10.0", "alias": "q35", ...}, ...]},
     "cpus": {"kvm": [{"name": "Haswell", "usable": false}, ...]},
     "sev_cbitpos": 51, "sev_reduced_phys_bits": 1}     # AMD SEV hosts only

Machine and CPU rows keep the capability file's order and omit every field that
has its default value (see `MACHINE_DEFAULTS`; a CPU's `typename` is dropped when
it is the usual `NAME-ARCH-cpu`, and written as null when the file has none).  Keys are sorted and gzip's timestamp is zero,
so importing the same file twice yields identical bytes.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Iterable

from .model import Caps, CpuModel, CpuProp, HostCpu, Machine
from .names import is_known, is_retired

if TYPE_CHECKING:  # pathlib only for the command-line tool: translations never need it
    from pathlib import Path

FORMAT_VERSION = 1

SOURCE_RE = re.compile(
    r"^caps_(?P<version>\d+\.\d+\.\d+)_(?P<arch>[A-Za-z0-9_]+)(?:\+(?P<variant>[A-Za-z0-9_.-]+))?\.xml$"
)

MACHINE_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Machine)}
CPU_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(CpuModel)}
SEV_FIELDS = ("sev_cbitpos", "sev_reduced_phys_bits")


def output_name(arch: str, profile_version: str, variant: str | None) -> str:
    """`x86_64-10.0.0.json.gz`, `x86_64-9.2.0+amdsev.json.gz`.

    `profile_version` is the version in the source file's *name*, which is how
    libvirt's tests (and `capsdb.get()`) refer to a file; it can differ from the
    version QEMU reported inside it (caps_10.0.0_s390x.xml holds a 9.2.50 build).
    """
    suffix = f"+{variant}" if variant else ""
    return f"{arch}-{profile_version}{suffix}.json.gz"


def _machine_row(m: Machine) -> dict[str, Any]:
    return {k: v for k, v in vars(m).items() if k == "name" or v != MACHINE_DEFAULTS[k]}


def _cpu_row(c: CpuModel, arch: str) -> dict[str, Any]:
    # `typename` is inverted: omitted means the usual NAME-ARCH-cpu, while a model
    # the file lists without a typename is written as an explicit null.
    row = {k: v for k, v in vars(c).items()
           if k in ("name", "typename") or v != CPU_DEFAULTS[k]}
    if row["typename"] == f"{c.name}-{arch}-cpu":
        del row["typename"]
    if "blockers" in row:
        row["blockers"] = list(c.blockers)
    return row


def _host_cpu_doc(h: HostCpu) -> dict[str, Any]:
    return {"model": h.model, "migratability": h.migratability,
            "props": [[p.name, p.type, p.value, p.migratable] for p in h.props],
            **({"deprecated": list(h.deprecated)} if h.deprecated else {})}


def _host_cpu_from_doc(doc: dict[str, Any]) -> HostCpu:
    return HostCpu(model=doc["model"], migratability=bool(doc["migratability"]),
                   props=tuple(CpuProp(str(n), str(t), str(v), m) for n, t, v, m in doc["props"]),
                   deprecated=tuple(str(n) for n in doc.get("deprecated", ())))


def caps_to_doc(caps: Caps, profile_version: str | None = None) -> dict[str, Any]:
    """The JSON-ready document for one profile (the inverse of `doc_to_caps`)."""
    return {
        "format": FORMAT_VERSION,
        "profile": profile_version or caps.version_string,
        "version": caps.version,
        "arch": caps.arch,
        "variant": caps.variant,
        "package": caps.package,
        "emulator": caps.emulator,
        "host_cpu_model": caps.host_cpu_model,
        "flags": sorted(caps.flags),
        "machines": {accel: [_machine_row(m) for m in ms] for accel, ms in caps.machines.items()},
        "cpus": {accel: [_cpu_row(c, caps.arch) for c in cs] for accel, cs in caps.cpus.items()},
        # only hosts with AMD SEV have these: absent keys keep the other files unchanged
        **{k: getattr(caps, k) for k in SEV_FIELDS if getattr(caps, k) is not None},
        **({"host_cpu_props": [[n, v] for n, v in caps.host_cpu_props]}
           if caps.host_cpu_props else {}),
        **({"host_cpus": {a: _host_cpu_doc(h) for a, h in caps.host_cpus.items()}}
           if caps.host_cpus else {}),
        **({"gic": [list(g) for g in caps.gic]} if caps.gic else {}),
    }


def doc_to_caps(doc: dict[str, Any]) -> Caps:
    """Rebuild a `Caps` from a profile document, exactly as it was imported."""
    if doc.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported profile format {doc.get('format')!r}")
    arch = doc["arch"]
    cpus: dict[str, tuple[CpuModel, ...]] = {}
    for accel, rows in doc["cpus"].items():
        models = []
        for row in rows:
            if "typename" not in row:
                row = {**row, "typename": f"{row['name']}-{arch}-cpu"}
            if "blockers" in row:
                row = {**row, "blockers": tuple(row["blockers"])}
            models.append(CpuModel(**row))
        cpus[accel] = tuple(models)
    return Caps(
        version=doc["version"],
        arch=arch,
        flags=frozenset(doc["flags"]),
        machines={a: tuple(Machine(**r) for r in rows) for a, rows in doc["machines"].items()},
        cpus=cpus,
        host_cpu_model=doc["host_cpu_model"],
        variant=doc["variant"],
        package=doc["package"],
        emulator=doc["emulator"],
        **{k: doc[k] for k in SEV_FIELDS if k in doc},
        host_cpu_props=tuple((str(n), bool(v)) for n, v in doc.get("host_cpu_props", ())),
        host_cpus={a: _host_cpu_from_doc(h) for a, h in doc.get("host_cpus", {}).items()},
        gic=tuple((str(v), bool(k), bool(e)) for v, k, e in doc.get("gic", ())),
    )


def encode(caps: Caps, profile_version: str | None = None) -> bytes:
    """Deterministic gzip-compressed JSON bytes for `caps`."""
    text = json.dumps(caps_to_doc(caps, profile_version), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("ascii"))
    return buf.getvalue()


def decode(data: bytes) -> Caps:
    return doc_to_caps(json.loads(gzip.decompress(data)))


def find_sources(src: Path) -> list[Path]:
    return sorted(p for p in src.iterdir() if SOURCE_RE.match(p.name))


def import_file(path: Path) -> tuple[Caps, str]:
    """Load one source file; returns the caps and the version its name gives."""
    from .libvirt_xml import load_caps_file  # lxml is only needed here

    m = SOURCE_RE.match(path.name)
    if m is None:
        raise ValueError(f"{path.name}: not a caps_VERSION_ARCH[+VARIANT].xml name")
    caps = load_caps_file(path)
    if caps.arch != m["arch"]:
        raise ValueError(f"{path.name}: file says arch {caps.arch}")
    return caps, m["version"]


def run(src: Path, out: Path, *, prune: bool = False, stream=sys.stdout) -> list[Path]:
    sources = find_sources(src)
    if not sources:
        raise SystemExit(f"no caps_VERSION_ARCH[+VARIANT].xml files in {src}")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for path in sources:
        caps, profile_version = import_file(path)
        unknown = sorted(f for f in caps.flags if not is_known(f))
        retired = sorted(f for f in caps.flags if is_retired(f))
        for label, names in (("unknown", unknown), ("retired", retired)):
            if names:
                print(f"warning: {path.name}: {label} flags {', '.join(names)}", file=sys.stderr)
        data = encode(caps, profile_version)
        target = out / output_name(caps.arch, profile_version, caps.variant)
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
        written.append(target)
        print(f"{path.name} -> {target.name} ({len(data)} bytes, {len(caps.flags)} flags)",
              file=stream)
    if prune:
        keep = {p.name for p in written}
        for stale in out.glob("*.json.gz"):
            if stale.name not in keep:
                stale.unlink()
                print(f"removed stale {stale.name}", file=stream)
    return written


def main(argv: Iterable[str] | None = None) -> int:
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m capsdb.importer", description=__doc__.split("\n")[0])
    parser.add_argument("src", type=Path, help="directory of libvirt caps_*.xml files")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data",
                        help="output directory (default: the package's data directory)")
    parser.add_argument("--prune", action="store_true",
                        help="delete *.json.gz files in --out that this run did not produce")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not args.src.is_dir():
        parser.error(f"{args.src} is not a directory")
    run(args.src, args.out, prune=args.prune)
    return 0


if __name__ == "__main__":
    sys.exit(main())
