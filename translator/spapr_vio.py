"""spapr-vio addresses: the `reg` of pseries' paravirtual devices (qemuDomainAssignSpaprVIOAddresses).

The vty console, vSCSI adapter, VLAN NIC, NVRAM and vTPM sit on the spapr-vio bus at a
`reg` address: the user's (unique), else the first free one from QEMU's default for
the kind of device, 0x1000 apart. libvirt runs this for every architecture; only
pseries machines have serial ports and NVRAM there.
"""

from __future__ import annotations

from .context import BuildContext
from .model import Chardev, Device, GenericAddress
from .model.devices import Interface
from .validate import allocation as alloc_errors

# QEMU's default spapr-vio `reg` of each kind of device (spapr_llan/vscsi/vty/nvram/tpm)
VIO_NET = 0x1000
VIO_SCSI = 0x2000
VIO_NVRAM = 0x3000
VIO_TPM = 0x4000
VIO_SERIAL = 0x30000000
VIO_STEP = 0x1000


def vio_reg(d: Device) -> int | None:
    """The `reg` of a device's spapr-vio address, if it has one."""
    a = d.info.address
    if isinstance(a, GenericAddress) and a.type == "spapr-vio" and a.attrs.get("reg"):
        return int(a.attrs["reg"], 0)
    return None


def _on_vio(d: Device) -> bool:
    """The user gave the device a spapr-vio address (maybe without `reg`)."""
    return isinstance(d.info.address, GenericAddress) and d.info.address.type == "spapr-vio"


def _vio_candidates(ctx: BuildContext) -> list[tuple[Device, int]]:
    """The devices libvirt puts on spapr-vio, in its order, with their default `reg`."""
    devs = ctx.domain.devices
    out: list[tuple[Device, int]] = []
    for d in devs.items:
        if isinstance(d, Interface) and (d.model == "spapr-vlan" or _on_vio(d)):
            out.append((d, VIO_NET))
    # any controller given a spapr-vio address gets a `reg` too (in libvirt's list order)
    out += [(c, VIO_SCSI) for c in devs.controllers
            if (c.type == "scsi" and c.model == "ibmvscsi") or _on_vio(c)]
    if ctx.policy.has_spapr_vio_bus(ctx):
        for ch in devs.chardevs("serial"):
            if ch.target_type in (None, "spapr-vio-serial", "isa-serial"):
                out.append((ch, VIO_SERIAL))
        out += [(d, VIO_NVRAM) for d in devs.items if d.family == "nvram"]
    out += [(d, VIO_TPM) for d in devs.items
            if d.family == "tpm" and getattr(d, "model", None) == "tpm-spapr"]
    return out


def assign_spapr_vio_addresses(ctx: BuildContext) -> None:
    """Each spapr-vio device keeps its user `reg` (which must be unique) or takes the
    first one free from its kind's default, in steps of 0x1000."""
    devs = ctx.domain.devices
    taken: dict[int, Device] = {}
    for d in devs.items:
        reg = vio_reg(d)
        if reg is not None and not (isinstance(d, Chardev) and d.kind == "console"):
            taken.setdefault(reg, d)
    for d, default in _vio_candidates(ctx):
        reg = vio_reg(d)
        if reg is not None:
            other = taken.get(reg)
            if other is not None and other is not d:
                raise alloc_errors.spapr_vio_in_use(reg)
            taken[reg] = d
            continue
        reg = default
        while reg in taken:
            reg += VIO_STEP
        taken[reg] = d
        d.info.address = GenericAddress("spapr-vio", {"reg": hex(reg)})
