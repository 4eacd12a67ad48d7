"""Device aliases as libvirt assigns them (the ids `-device` and `<qemu:override>` use)."""

from __future__ import annotations


from ..context import BuildContext
from ..disk_names import disk_index
from ..model import Chardev, Controller, Disk, DriveAddress

_CONTROLLER_PREFIX = {
    "ide": "ide", "sata": "sata", "scsi": "scsi", "fdc": "fdc", "virtio-serial": "virtio-serial",
    "ccid": "ccid", "usb": "usb", "xenbus": "xenbus", "isa": "isa", "nvme": "nvme",
}

_FAMILY_PREFIX = {
    "net": "net", "video": "video", "sound": "sound", "input": "input", "hostdev": "hostdev",
    "redirdev": "redir", "smartcard": "smartcard", "watchdog": "watchdog", "rng": "rng",
    "memballoon": "balloon", "tpm": "tpm", "shmem": "shmem", "filesystem": "fs",
    "memory": "dimm", "vsock": "vsock", "iommu": "iommu", "crypto": "crypto", "panic": "panic",
    "hub": "hub", "pstore": "pstore",
}


# families libvirt numbers one past the highest number in use (a user alias has none)
# rather than by position in their list (where a user-named device still takes its slot)
_NUMBERED_AFTER_HIGHEST = frozenset({"net", "hostdev", "rng", "memory", "crypto"})


def controller_alias(c: Controller, ctx: BuildContext) -> str:
    if c.type == "pci":
        if c.index == 0 and c.model == "pcie-root":
            return "pcie.0"
        board_alias = ctx.policy.root_bus_alias(ctx, c)
        if board_alias is not None:
            return board_alias
        return f"pci.{c.index}"
    if c.type == "ide" or (c.type == "sata" and ctx.is_q35 and c.index == 0):
        return "ide" if c.index == 0 else f"ide{c.index}"
    if c.type == "usb" and c.index == 0:
        return "usb"
    prefix = _CONTROLLER_PREFIX.get(c.type, c.type)
    return f"{prefix}{c.index}"


def disk_alias(d: Disk, ctx: BuildContext | None = None) -> str:
    """libvirt names a disk by its drive address; lsilogic SCSI disks omit the target."""
    a = d.info.address
    if isinstance(a, DriveAddress):
        if d.bus == "scsi":
            c = ctx.domain.devices.controller("scsi", a.controller) if ctx else None
            if c is not None and c.model == "lsilogic":
                return f"scsi{a.controller}-{a.bus}-{a.unit}"
            return f"scsi{a.controller}-{a.bus}-{a.target}-{a.unit}"
        if d.bus in ("ide", "sata", "fdc"):
            return f"{d.bus}{a.controller}-{a.bus}-{a.unit}"
    prefix = {"virtio": "virtio-disk", "usb": "usb-disk", "xen": "xenvbd", "sd": "sd-disk",
              "ide": "ide", "sata": "sata", "scsi": "scsi", "fdc": "fdc"}.get(d.bus or "", d.bus or "disk")
    return f"{prefix}{disk_index(d.dev)}"


def _builtin_controller(c: Controller, ctx: BuildContext) -> bool:
    if c.type == "pci":
        # a pseries PHB other than the built-in one is a real device a user may name
        return c.model in ("pci-root", "pcie-root") and \
            (c.index == 0 or not _pseries(ctx))
    if c.index != 0:
        return False
    return (c.type == "ide" and ctx.is_i440fx) or (c.type == "sata" and ctx.is_q35)


def _pseries(ctx: BuildContext) -> bool:
    return ctx.policy.multiple_pci_roots(ctx)


def assign_aliases(ctx: BuildContext) -> None:
    counters: dict[str, int] = {}
    for dev in ctx.domain.devices.items:
        if isinstance(dev, Controller) and _builtin_controller(dev, ctx):
            # QEMU names its root bus and built-in IDE/SATA itself: a user alias
            # cannot rename them
            dev.info.alias = controller_alias(dev, ctx)
            continue
        if dev.info.alias:
            if dev.family not in ("disk", "controller") and \
                    dev.family not in _NUMBERED_AFTER_HIGHEST:
                counters[dev.family] = counters.get(dev.family, 0) + 1
            continue
        if isinstance(dev, Controller):
            dev.info.alias = controller_alias(dev, ctx)
        elif isinstance(dev, Disk):
            dev.info.alias = disk_alias(dev, ctx)
        elif isinstance(dev, Chardev):
            n = counters.get(dev.kind, 0)
            counters[dev.kind] = n + 1
            port = dev.target_port if dev.kind in ("serial", "parallel") and \
                dev.target_port is not None else n
            dev.info.alias = f"{dev.kind}{port}"
        elif dev.family in ("graphics", "audio"):
            continue
        else:
            prefix = _FAMILY_PREFIX.get(dev.family, dev.family)
            n = counters.get(dev.family, 0)
            counters[dev.family] = n + 1
            if dev.family == "memballoon":
                dev.info.alias = "balloon0"
            else:
                dev.info.alias = f"{prefix}{n}"
