"""Read libvirt's own capability cache format (`<qemuCaps>` XML).

These files come from a user's `/var/cache/libvirt/qemu/capabilities/` or from libvirt's
test data; they are parsed with a hardened parser because they are input, not code.
"""

from __future__ import annotations

import os
from pathlib import Path

from lxml import etree

from .model import Caps, CapsFileError, CpuModel, CpuProp, HostCpu, Machine


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True,
    )


def _yes(value: str | None) -> bool:
    return value == "yes"


def parse_caps_xml(data: bytes, *, variant: str | None = None) -> Caps:
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise CapsFileError(f"malformed capability file: {exc}") from None
    if root.tag != "qemuCaps":
        raise CapsFileError(f"expected <qemuCaps> root element, found <{root.tag}>")
    flags = frozenset(f.get("name") for f in root.iterfind("flag") if f.get("name"))
    version = int(root.findtext("version") or 0)
    arch = root.findtext("arch") or "x86_64"
    machines: dict[str, list[Machine]] = {}
    for m in root.iterfind("machine"):
        machines.setdefault(m.get("type", "kvm"), []).append(Machine(
            name=m.get("name", ""),
            alias=m.get("alias"),
            max_cpus=int(m.get("maxCpus", "0")),
            default=_yes(m.get("default")),
            default_cpu=m.get("defaultCPU"),
            default_ram_id=m.get("defaultRAMid"),
            deprecated=_yes(m.get("deprecated")),
            acpi=None if m.get("acpi") is None else _yes(m.get("acpi")),
            hotplug_cpus=_yes(m.get("hotplugCpus")),
            numa_mem_supported=_yes(m.get("numaMemSupported")),
        ))
    cpus: dict[str, list[CpuModel]] = {}
    for c in root.iterfind("cpu"):
        usable = c.get("usable")
        cpus.setdefault(c.get("type", "kvm"), []).append(CpuModel(
            name=c.get("name", ""),
            typename=c.get("typename"),
            usable=None if usable is None else usable == "yes",
            deprecated=_yes(c.get("deprecated")),
            blockers=tuple(b.get("name", "") for b in c.iterfind("blocker")),
        ))
    host = root.find("hostCPU")
    host_cpus = {h.get("type", "kvm"): _host_cpu(h) for h in root.iterfind("hostCPU")}
    sev = root.find("sev")
    host_props = tuple(
        (prop.get("name", ""), prop.get("value") == "true")
        for prop in (host.iterfind("property") if host is not None else ())
        if prop.get("type") == "boolean")
    return Caps(
        version=version,
        arch=arch,
        flags=flags,
        machines={k: tuple(v) for k, v in machines.items()},
        cpus={k: tuple(v) for k, v in cpus.items()},
        host_cpu_model=host.get("model") if host is not None else None,
        host_cpu_props=host_props,
        host_cpus=host_cpus,
        gic=tuple((g.get("version", ""), _yes(g.get("kernel")), _yes(g.get("emulated")))
                  for g in root.iterfind("gic")),
        variant=variant,
        package=root.findtext("package"),
        emulator=root.findtext("emulator"),
        sev_cbitpos=_opt_int(sev, "cbitpos"),
        sev_reduced_phys_bits=_opt_int(sev, "reducedPhysBits"),
    )


def _host_cpu(elem: etree._Element) -> HostCpu:
    props = tuple(
        CpuProp(name=p.get("name", ""), type=p.get("type", ""), value=p.get("value", ""),
                migratable=None if p.get("migratable") is None else _yes(p.get("migratable")))
        for p in elem.iterfind("property"))
    deprecated = tuple(p.get("name", "") for p in elem.iterfind("deprecatedFeatures/property"))
    return HostCpu(model=elem.get("model", ""), migratability=_yes(elem.get("migratability")),
                   props=props, deprecated=deprecated)


def _opt_int(parent: etree._Element | None, tag: str) -> int | None:
    text = parent.findtext(tag) if parent is not None else None
    return int(text) if text and text.strip().isdigit() else None


def load_caps_file(path: str | os.PathLike[str]) -> Caps:
    p = Path(path)
    variant = None
    stem = p.stem
    if "+" in stem:
        variant = stem.split("+", 1)[1]
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise CapsFileError(f"cannot read capability file {p}: {exc.strerror}") from None
    return parse_caps_xml(data, variant=variant)
