"""The guest CPU as libvirt has it when it builds `-cpu`: the domain's `<cpu>` after
qemuProcessUpdateGuestCPU (virCPUUpdate, virCPUTranslate, virQEMUCapsCPUFilterFeatures).

x86 goes through libvirt's x86 CPU driver (x86.py), s390 host-model through s390.py; the
other arches keep their own rules in their policies.  Where libvirt would fail the start
(no host CPU to expand, a model the map does not know) the definition is left as the XML
wrote it: refusing is validate/cpu.py's business, never the command builder's.
"""

from __future__ import annotations

from capsdb import Caps

from ..model import Elem
from . import x86
from .definition import DISABLE, OPTIONAL, POLICIES, REQUIRE, CpuDef


def from_xml(cpu: Elem) -> CpuDef:
    """virCPUDefParseXML's view of a guest `<cpu>` (defaults: custom, exact, allow)."""
    model = cpu.find("model")
    mode = cpu.get("mode", "custom")
    # the parser reads fallback and vendor_id only for CPUs that are not the host's own
    tunable = model if mode not in ("host-passthrough", "maximum") else None
    features = []
    for f in cpu.findall("feature"):
        policy = f.get("policy", REQUIRE)
        features.append([f.get("name", ""), policy if policy in POLICIES else REQUIRE])
    return CpuDef(
        mode=mode,
        match=cpu.get("match", "exact"),
        fallback=tunable.get("fallback", "allow") if tunable is not None else "allow",
        check=cpu.get("check"),
        model=(model.text or "").strip() or None if model is not None else None,
        vendor=cpu.findtext("vendor"),
        vendor_id=tunable.get("vendor_id") if tunable is not None else None,
        features=features)


def needs_host(cpu: CpuDef) -> bool:
    """virCPUUpdate: host-model, match='minimum' and optional features need the host CPU."""
    if cpu.mode == "host-model":
        return True
    return cpu.match == "minimum" or any(p == OPTIONAL for _, p in cpu.features)


def keep_restored_model(guest: CpuDef, start_new: bool) -> None:
    """qemuProcessUpdateGuestCPU on x86: a host-model CPU of a guest that is not started
    anew already carries the model it was given, so it is used as a custom one."""
    if not start_new and guest.mode == "host-model" and guest.model is not None:
        guest.mode = "custom"


def resolve_x86(cpu: Elem, caps: Caps, virt_type: str, start_new: bool = True) -> CpuDef:
    """The updated guest CPU of an x86 domain (qemuProcessUpdateGuestCPU).  A guest that
    is not started anew (restored, migrated in) keeps the model its host-model CPU was
    given, and the features removed from its model since were enabled where it ran."""
    guest = from_xml(cpu)
    if guest.mode == "custom" and guest.model is None:
        return guest
    keep_restored_model(guest, start_new)
    if guest.mode not in ("host-passthrough", "maximum"):
        updated = guest.copy()
        host = x86.host_model(caps, virt_type)
        removed_policy = DISABLE if start_new else REQUIRE
        if x86.update(updated, host, needs_host(updated), removed_policy):
            allowed = x86.allowed_models(caps, virt_type)
            if (allowed is None or updated.model in allowed
                    or (updated.fallback == "allow" and x86.translate(updated, allowed))):
                guest = updated
    guest.features = [f for f in guest.features if f[0] not in x86.IGNORED_FEATURES]
    disable_deprecated(guest, cpu, caps, virt_type)
    return guest


def disable_deprecated(guest: CpuDef, cpu: Elem, caps: Caps, virt_type: str) -> None:
    """virQEMUCapsUpdateCPUDeprecatedFeatures: deprecated_features='off' disables every
    feature QEMU reports deprecated for the host CPU model."""
    host = caps.host_cpu(virt_type)
    if cpu.get("deprecated_features") == "off" and host is not None:
        for name in host.deprecated:
            guest.update_feature(name, DISABLE)


def known_features(caps: Caps, virt_type: str) -> frozenset[str] | None:
    """virQEMUCapsGetCPUFeatures: every property name of QEMU's host CPU expansion in
    libvirt's spelling (None without one); a disabled feature QEMU does not know is left
    off the command line."""
    host = caps.host_cpu(virt_type)
    if host is None:
        return None
    # a pure function of the capabilities' static host CPU data: kept per host CPU object
    # (the hundreds of properties were renamed again for every domain)
    hit = _KNOWN.get(id(host))
    if hit is None or hit[0] is not host:
        if len(_KNOWN) >= 32:
            _KNOWN.clear()
        hit = _KNOWN[id(host)] = (host, frozenset(x86.feature_from_qemu(p.name)
                                                  for p in host.props))
    return hit[1]


_KNOWN: dict[int, tuple[object, frozenset[str]]] = {}
