"""Adding what libvirt adds itself: implicit elements and controllers, in libvirt's places.

The building blocks the post-parse defaults and the architecture policies share; they
know nothing of any architecture (the policies decide *what* to add, this module *how*).
Everything added is marked `implicit=<reason>` so explanations can say which libvirt
default put it on the command line.
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import Controller, Device, Elem
from ..validate.limits import INT_LIMIT


def implicit_elem(tag: str, **attrs: str) -> Elem:
    """The XML element of something libvirt adds itself (it has no source line)."""
    return Elem(tag=tag, attrs=attrs, path=f"(implicit {tag})")


def add_controller(ctx: BuildContext, type_: str, index: int, model: str | None,
                   reason: str, position: int | None = None) -> Controller:
    """Add a controller libvirt adds itself, `reason` saying why (for --explain)."""
    attrs = {"type": type_, "index": str(index)}
    if model:
        attrs["model"] = model
    c = Controller(elem=Elem("controller", attrs, path="(implicit controller)"), type=type_,
                   index=index, model=model, implicit=reason)
    items = ctx.domain.devices.items
    if position is None:
        items.append(c)
    else:
        items.insert(position, c)
    return c


def insert_controller(ctx: BuildContext, c: Controller) -> None:
    """Insert `c` where libvirt would: among the controllers of its type, by index,
    else at the end of the device list."""
    items = ctx.domain.devices.items
    at: int | None = None
    for i in range(len(items) - 1, -1, -1):
        o = items[i]
        if not isinstance(o, Controller) or o.type != c.type:
            continue
        if o.index > c.index:
            at = i
        elif o.index < c.index and at is None:
            at = i + 1
            break
    items.insert(len(items) if at is None else at, c)


def new_pci_controller(ctx: BuildContext, index: int, model: str, reason: str,
                       pos: int | None = None) -> Controller:
    """Insert a PCI controller libvirt adds itself, by default in index order."""
    c = Controller(elem=Elem("controller", {"type": "pci", "model": model},
                             path="(implicit controller)"),
                   type="pci", index=index, model=model, implicit=reason)
    c.info.alias = f"pci.{index}"
    at = pci_controller_insert_pos(ctx, before_index=index) if pos is None else pos
    ctx.domain.devices.items.insert(at, c)
    return c


def pci_controller_insert_pos(ctx: BuildContext, before_index: int | None = None) -> int:
    """Where a new PCI controller goes in the device list (kept sorted by index)."""
    items = ctx.domain.devices.items
    last = -1
    for i, d in enumerate(items):
        if isinstance(d, Controller) and d.type == "pci":
            if before_index is not None and d.index > before_index:
                return i
            last = i
    return last + 1 if last >= 0 else 0


def add_disk_controllers(ctx: BuildContext, scsi_model: str) -> None:
    """virDomainDefAddDiskControllersForType: for SCSI, IDE and SATA in turn, every
    controller index up to the highest one a disk on that bus names must exist (a new SCSI
    controller has the machine's default `scsi_model`). libvirt compares the index as a C
    int, so one of 2^31 or more counts as none."""
    devs = ctx.domain.devices
    for ctype in ("scsi", "ide", "sata"):
        top = max((_controller_index(d) for d in devs.disks if d.bus == ctype), default=-1)
        for idx in range(top + 1):
            if devs.controller(ctype, idx) is None:
                add_controller(ctx, ctype, idx, scsi_model if ctype == "scsi" else None,
                               f"a {ctype} disk needs every {ctype} controller up to its own")


def _controller_index(d: Device) -> int:
    a = d.info.address
    idx = getattr(a, "controller", 0) if a is not None else 0
    return idx if isinstance(idx, int) and idx < INT_LIMIT else -1


# libvirt's USB model names -> the QEMU device (capability) each needs
USB_MODEL_CAPS = {"qemu-xhci": "qemu-xhci", "nec-xhci": "nec-usb-xhci",
                  "piix3-uhci": "piix3-usb-uhci", "pci-ohci": "pci-ohci",
                  "ich9-ehci1": "ich9-usb-ehci1"}


def first_usb_model(ctx: BuildContext, *models: str) -> str | None:
    """The first of `models` (libvirt names) whose QEMU device is available."""
    return next((m for m in models if ctx.has(USB_MODEL_CAPS[m])), None)
