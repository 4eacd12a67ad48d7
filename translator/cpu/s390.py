"""libvirt's s390 CPU driver (src/cpu/cpu_s390.c) on QEMU's host CPU expansion.

On s390 libvirt takes QEMU's `<hostCPU>` as it is (virQEMUCapsInitCPUModelS390): the base
model QEMU named and every boolean property as a feature, required when QEMU enabled it and
disabled otherwise (or, for the migratable variant, when QEMU said it cannot migrate).
QEMU reports no migratability on s390, so the migratable host model is that same CPU
(the s390 driver has no copyMigratable).  virCPUs390Update then gives a host-model guest that
model with the guest's own features on top.
"""

from __future__ import annotations

from capsdb import Caps

from ..model import Elem
from .definition import DISABLE, REQUIRE, CpuDef
from .guest import disable_deprecated, from_xml


def host_model(caps: Caps, virt_type: str) -> CpuDef | None:
    """The host-model CPU libvirt builds for `virt_type` (None: no `<hostCPU>` for it)."""
    host = caps.host_cpu(virt_type)
    if host is None:
        return None
    migratable = host.migratability  # without migratability data: the full model
    cpu = CpuDef(model=host.model)
    for prop in host.props:
        if prop.type != "boolean":
            continue
        off = prop.value != "true" or (migratable and prop.migratable is False)
        cpu.features.append([prop.name, DISABLE if off else REQUIRE])
    return cpu


def resolve_host_model(cpu: Elem | None, caps: Caps, virt_type: str) -> CpuDef | None:
    """virCPUs390Update of a host-model guest (`cpu` None: the machine's `host` default)."""
    host = host_model(caps, virt_type)
    if host is None:
        return None
    if cpu is not None:
        for name, policy in from_xml(cpu).features:
            host.update_feature(name, policy)
        disable_deprecated(host, cpu, caps, virt_type)
    host.mode = "custom"
    return host
