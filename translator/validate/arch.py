"""Refusals that depend on the guest's architecture and machine, not made elsewhere.

They run where libvirt's post-parse and address assignment would notice them (the
machine policies call them at those points), so the first error stays libvirt's.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model import Controller
from . import qemu_machine as m

CONFIG = ErrorCode.CONFIG_UNSUPPORTED

# CPU features libvirt's ARM CPU driver knows (its cpu map), beyond the SVE vector lengths
_ARM_CPU_FEATURES = frozenset({"sve", "pauth", "pmu", "aarch64", "mte"})
# QEMU accepts PHB target indexes 0..30 (index 0 is the machine's built-in PHB)
MAX_PHB_TARGET_INDEX = 30


def _known_arm_cpu_feature(name: str) -> bool:
    if name in _ARM_CPU_FEATURES:
        return True
    bits = name[3:]
    return name.startswith("sve") and bits.isdigit() and int(bits) % 128 == 0 \
        and 128 <= int(bits) <= 2048


def validate_arm(ctx: BuildContext) -> None:
    """ARM CPU features must be known to libvirt's ARM CPU driver (virCPUarmValidateFeatures).
    (TPM 1.2 on ARM is refused by qemu_devices.validate_tpm.)"""
    cpu = ctx.domain.cpu
    for f in cpu.findall("feature") if cpu is not None else ():
        if not _known_arm_cpu_feature(f.get("name", "")):
            refuse(CONFIG, f"unknown CPU feature: {f.get('name', '')}")


def _user_target_index(c: Controller) -> int | None:
    value = c.target.get("index") if c.target is not None else None
    return int(value, 0) if value not in (None, "") else None


def validate_phbs(ctx: BuildContext) -> None:
    """The target index and NUMA node rules of pseries PHBs
    (qemuDomainDeviceDefValidateControllerPCI)."""
    if not m.is_pseries(ctx):
        return
    for c in ctx.domain.devices.controllers:
        if c.type != "pci" or c.model != "pci-root":
            continue
        target = _user_target_index(c)
        if target is not None and target > MAX_PHB_TARGET_INDEX:
            refuse(CONFIG, f"PCI controller target index '{target}' out of range - must be "
                           f"0-{MAX_PHB_TARGET_INDEX}")
        if target is not None and (target == 0) != (c.index == 0):
            refuse(CONFIG, "Only the PCI controller with index 0 can have target index 0, "
                           "and vice versa")
        node = c.target.findtext("node") if c.target is not None else None
        if c.index == 0 and node is not None and node.strip():
            refuse(CONFIG, "The PCI controller with index=0 can't be associated with a NUMA "
                           "node")
