"""The QEMU driver's memory hotplug rules (qemu_domain.c: `qemuDomainDefValidateMemoryHotplug`
and `qemuDomainDefValidateMemoryHotplugDevice`), called by `qemuValidateDomainDef`."""

from __future__ import annotations

from ..arches import PPC64_ARCHES, S390_ARCHES
from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.device import Device
from .numa_conf import cell_count
from .values import address_type, number, size_kib

_SLOT_MODELS = ("dimm", "nvdimm")


def validate_memory_hotplug(ctx: BuildContext) -> None:
    """Memory modules need <maxMemory>, enough slots and hotplug space, and (except on ppc64
    and s390) a guest NUMA topology."""
    d = ctx.domain
    mems = d.devices.of("memory")
    mm = d.max_memory
    max_kib = (size_kib(mm) if mm is not None else None) or 0
    slots = (number(mm.get("slots")) if mm is not None else None) or 0
    if not max_kib:
        if mems:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "cannot use/hotplug a memory device when domain "
                   "'maxMemory' is not defined")
        return
    if ctx.arch not in PPC64_ARCHES and ctx.arch not in S390_ARCHES and not cell_count(d):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "At least one numa node has to be configured when "
               "enabling memory hotplug")
    needed = 0
    modules = 0
    for dev in mems:
        model = dev.elem.get("model") or ""
        modules += size_kib(dev.elem.at("target", "size")) or 0
        if model in _SLOT_MODELS:
            needed += 1
        if model in (*_SLOT_MODELS, "virtio-pmem", "virtio-mem"):
            _validate_device(ctx, dev, model, slots)
    if needed > slots:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"count of memory devices requiring memory slots "
               f"'{needed}' exceeds slots count '{slots}'")
    root = d.root
    total = (size_kib(root.find("memory")) if root is not None else None) or 0
    if modules > max_kib - (total - modules):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "memory device total size exceeds hotplug space")


def _validate_device(ctx: BuildContext, dev: Device, model: str, slots: int) -> None:
    """qemuDomainDefValidateMemoryHotplugDevice: the address each model takes, its node."""
    atype = address_type(dev)
    if model in _SLOT_MODELS:
        if atype not in (None, "dimm"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "only 'dimm' addresses are supported for the pc-dimm device")
        slot = number(dev.elem.attr_at("slot", "address")) if atype == "dimm" else None
        if slot is not None and slot >= slots:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"memory device slot '{slot}' exceeds slots count '{slots}'")
    elif model == "virtio-pmem":
        if atype not in (None, "pci"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "only 'pci' addresses are supported for the virtio-pmem device")
        return
    elif atype not in (None, "pci", "ccw"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               f"only 'pci' and 'ccw' addresses are supported for the {model} device")
    if cell_count(ctx.domain) and dev.elem.at("target", "node") is None and \
            ctx.domain.default_memory_node is None:
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "target NUMA node needs to be specified for memory device")
