"""PowerPC guests (ppc64 pseries, Mac and e500 boards): libvirt's defaults and addresses.

The machine facts and post-parse defaults of the PowerPC policies (policy/ppc.py); the
PCI host bridges and addresses are in policy/ppc_addresses.py, the command-line pieces
in policy/ppc_command.py.

A pseries machine differs from a PC in three ways that show on the command line:

- its PCI buses are PCI host bridges (PHBs): every `pci-root` controller is one, each
  with a `target index`, and libvirt adds a new PHB (not a pci-bridge) when the slots
  run out; no slot is reserved by a chipset, so devices start at slot 1 of each PHB;
- paravirtual devices (vty console, vscsi, vlan, nvram, vTPM) sit on the spapr-vio bus
  at a `reg` address: the first free one from a per-kind default, 0x1000 apart
  (prepare/spapr_vio.py);
- ppc64 picks its own default models (pci-ohci USB, ibmvscsi SCSI on pseries, tpm-spapr)
  and rounds memory to 256 MiB.
"""

from __future__ import annotations

from ..arches import PPC_ARCHES
from ..context import BuildContext
from ..machines import is_ppc64, is_pseries
from ..model.devices import Input, Interface
from ..validate.arch import check_nvdimm_guest_area
from ..prepare.implicit import add_controller, add_disk_controllers, implicit_elem
from ..validate.controllers import check_root_model, required_usb_model

PPC64_MEMORY_ALIGN_KIB = 256 * 1024


# -- machine facts ----------------------------------------------------------------------

def is_ppc(ctx: BuildContext) -> bool:
    return ctx.arch in PPC_ARCHES


# -- default models -----------------------------------------------------------------------

def default_usb_model(ctx: BuildContext, auto_added: bool = True) -> str | None:
    """The USB controller model libvirt picks on PowerPC, or None when none is available.

    ppc64 keeps pci-ohci for ABI stability (xHCI is only chosen when libvirt may update
    the ABI, which a plain start never does); 32-bit boards prefer PIIX3 UHCI like PCs
    and fall back to xHCI, then OHCI.
    """
    _ = auto_added  # the same choice whether libvirt added the controller or not
    if is_ppc64(ctx) and ctx.abi_update:
        # a newly defined guest gets USB3 where QEMU has it
        for flag, model in (("qemu-xhci", "qemu-xhci"), ("nec-usb-xhci", "nec-xhci"),
                            ("pci-ohci", "pci-ohci")):
            if ctx.has(flag):
                return model
        return None
    if is_ppc64(ctx):
        return "pci-ohci" if ctx.has("pci-ohci") else None
    for flag, model in (("piix3-usb-uhci", "piix3-uhci"), ("qemu-xhci", "qemu-xhci"),
                        ("nec-usb-xhci", "nec-xhci"), ("pci-ohci", "pci-ohci")):
        if ctx.has(flag):
            return model
    return None


def default_net_model(ctx: BuildContext) -> str:
    """No arch-specific choice on PowerPC: the first NIC QEMU offers of a fixed list."""
    for flag, model in (("rtl8139", "rtl8139"), ("e1000", "e1000"),
                        ("virtio-net", "virtio")):
        if ctx.has(flag):
            return model
    return "rtl8139"


def _apply_model_defaults(ctx: BuildContext) -> None:
    devs = ctx.domain.devices
    for c in devs.controllers:
        if c.type == "usb" and c.model is None:
            c.model = required_usb_model(
                default_usb_model(ctx, auto_added=c.implicit is not None))
        elif c.type == "pci" and c.model is None and c.index == 0:
            c.model = "pci-root"
        elif c.type == "scsi" and c.model in (None, "auto"):
            c.model = ctx.policy.default_scsi_model(ctx)
    for d in devs.items:
        if isinstance(d, Interface) and d.model is None and d.type != "hostdev":
            d.model = "virtio" if d.type in ("vdpa", "vhostuser") else default_net_model(ctx)
        elif d.family == "panic" and getattr(d, "model", None) is None and is_pseries(ctx):
            d.model = "pseries"  # type: ignore[attr-defined]  # the firmware's panic call
        elif d.family == "tpm" and getattr(d, "model", None) is None:
            d.model = "tpm-spapr" if is_ppc64(ctx) else "tpm-tis"  # type: ignore[attr-defined]


# -- implicit controllers and devices ----------------------------------------------------

def add_implicit_controllers(ctx: BuildContext) -> None:
    """PowerPC machines have a PCI root bus and (unless disabled) a USB controller."""
    devs = ctx.domain.devices
    if devs.controller("usb", 0) is None:
        model = default_usb_model(ctx)
        if model:
            add_controller(ctx, "usb", 0, model, "libvirt adds a default USB controller")
    root = devs.controller("pci", 0)
    if root is None:
        add_controller(ctx, "pci", 0, "pci-root", "PowerPC machines have a PCI root bus")
    else:
        check_root_model(root, "pci-root")
    _apply_model_defaults(ctx)
    add_disk_controllers(ctx, ctx.policy.default_scsi_model(ctx))
    add_usb_input_defaults(ctx)


def add_usb_input_defaults(ctx: BuildContext) -> None:
    """A ppc64 guest with a display gets a USB keyboard and (without a tablet) a mouse."""
    items = ctx.domain.devices.items
    if not is_ppc64(ctx) or not any(d.family == "graphics" for d in items):
        return
    if any(c.type == "usb" and c.model == "none" for c in ctx.domain.devices.controllers):
        return  # USB is disabled: nothing to plug them into
    inputs = [d for d in items if isinstance(d, Input)]
    has_tablet = any(i.type == "tablet" and i.bus == "usb" for i in inputs)
    for kind in ("keyboard", "mouse"):
        if kind == "mouse" and has_tablet:
            continue
        if any(i.type == kind and i.bus == "usb" for i in inputs):
            continue
        items.append(Input(elem=implicit_elem("input", type=kind, bus="usb"), type=kind,
                           bus="usb", implicit=f"ppc64 guests with graphics get a USB {kind}"))


# -- memory ---------------------------------------------------------------------------------

def memory_align_kib(ctx: BuildContext) -> int | None:
    """ppc64 rounds guest RAM, NUMA cells and memory modules to 256 MiB."""
    return PPC64_MEMORY_ALIGN_KIB if is_ppc64(ctx) else None


def nvdimm_size_kib(size_kib: int, label_kib: int) -> int:
    """A ppc64 NVDIMM's guest area (size minus label) is rounded *down* to 256 MiB so
    that QEMU never writes past the end of the backing file."""
    area = size_kib - label_kib
    check_nvdimm_guest_area(area, PPC64_MEMORY_ALIGN_KIB)
    return area // PPC64_MEMORY_ALIGN_KIB * PPC64_MEMORY_ALIGN_KIB + label_kib
