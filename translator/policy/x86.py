"""PC machines (x86_64, i686): i440fx and q35 chipsets, and the other x86 boards.

The chipsets decide what a PC has without being asked: a PCI (i440fx) or PCIe (q35)
root bus, an IDE (i440fx) or SATA (q35) controller at a fixed slot, a USB controller
(PIIX3 UHCI on i440fx, USB3 where QEMU has it on q35), PS/2 input and the ISA panic
device; q35's ICH9 functions live at fixed slots of 00:1f, 00:1d, 00:1a and 00:1b.
The other x86 boards (isapc, microvm) get no PCI root bus from libvirt.
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import PciAddress
from ..model.devices import Sound, Video
from ..prepare.addresses import (PciAllocator, assign_pci_root_addresses, ich9_address,
                                 pci_connection)
from ..prepare.controllers import ICH9_FUNCTION
from ..prepare.implicit import add_controller, add_disk_controllers, first_usb_model
from ..validate import allocation as alloc_errors
from ..validate.chipset_slots import ICH9_SATA, PIIX3_IDE, PIIX3_USB
from ..validate.controllers import required_usb_model
from .base import MachinePolicy


class X86Policy(MachinePolicy):
    """Every x86 machine; the i440fx and q35 chipsets refine it."""

    name = "x86"
    root_model = "pci-root"

    def default_usb_model(self, ctx: BuildContext, auto_added: bool = True) -> str | None:
        return first_usb_model(ctx, "piix3-uhci")

    def default_panic_model(self, ctx: BuildContext) -> str | None:
        return "isa"

    def follows_machine_acpi(self, ctx: BuildContext) -> bool:
        return True

    def default_cpu_model(self, ctx: BuildContext) -> str | None:
        """The machine type's default CPU (qemu64, ...), named as libvirt does."""
        d = ctx.domain
        machine = ctx.caps.find_machine(d.os.machine or "", d.virt_type)
        if machine is None or not machine.default_cpu:
            return None
        return ctx.caps.cpu_name_for_type(machine.default_cpu, d.virt_type)

    # the disk controller built into the chipset (None: isapc, microvm have no chipset)
    chipset_disk_controller: str | None = None

    def add_chipset_controllers(self, ctx: BuildContext) -> None:
        """The chipset's root bus and built-in disk controller."""
        disk = self.chipset_disk_controller
        if disk is None:
            return
        devs = ctx.domain.devices
        if devs.controller("pci", 0) is None:
            bus = "PCIe root" if self.root_model == "pcie-root" else "PCI root"
            add_controller(ctx, "pci", 0, self.root_model, f"{self.name} machines have a {bus} bus")
        # libvirt adds q35's SATA controller, but no IDE one (qemuDomainDefAddDefaultDevices)
        if disk == "sata" and devs.controller(disk, 0) is None:
            add_controller(ctx, disk, 0, None,
                           f"{self.name} machines have a built-in {disk.upper()} controller")

    def add_implicit_controllers(self, ctx: BuildContext) -> None:
        devs = ctx.domain.devices
        self.add_chipset_controllers(ctx)
        # an ISA-only PC has no PCI bus for a default USB controller
        if devs.controller("usb", 0) is None and ctx.machine != "isapc":
            model = self.default_usb_model(ctx)
            if model:
                add_controller(ctx, "usb", 0, model, "libvirt adds a default USB controller")
        for c in devs.controllers:
            if c.type == "usb" and c.model is None:
                c.model = required_usb_model(
                    self.default_usb_model(ctx, auto_added=c.implicit is not None))
            if c.type == "pci" and c.model is None and c.index == 0:
                c.model = self.root_model
            if c.type == "scsi" and c.model in (None, "auto"):
                c.model = self.default_scsi_model(ctx)
        add_disk_controllers(ctx, self.default_scsi_model(ctx))

    def reserve_builtin(self, ctx: BuildContext, alloc: PciAllocator) -> None:
        """The chipset's own slots and the fixed homes of its built-in functions."""
        place_primary_video(ctx, alloc, slot=2)

    def assign_addresses(self, ctx: BuildContext) -> None:
        assign_pci_root_addresses(ctx, self.reserve_builtin)


class I440fxPolicy(X86Policy):
    """The i440fx PC: PCI root bus, PIIX3/PIIX4 functions in slot 1."""

    name = "i440fx"

    chipset_disk_controller = "ide"

    def reserve_builtin(self, ctx: BuildContext, alloc: PciAllocator) -> None:
        """Slot 1 is the PIIX3 (qemuDomainValidateDevicePCISlotsPIIX3): the first IDE
        controller at 00:01.1 and a PIIX3 (or default) USB controller index 0 at 00:01.2,
        whatever non-PCI address they were given, then function 0 of the slot; a user
        device already there is a double use."""
        devs = ctx.domain.devices
        root = alloc.buses.get(0)
        if root is None:
            return
        builtin = [(c, PIIX3_IDE if c.type == "ide" else PIIX3_USB) for c in devs.controllers
                   if c.index == 0 and (c.type == "ide" or (
                       c.type == "usb" and c.model in (None, "piix3-uhci")))]
        for c, home in builtin:  # a second one at index 0 takes the same place: a double use
            if not isinstance(c.info.address, PciAddress) or c.info.address.unset:
                c.info.address = PciAddress(slot=1, function=home.function)
                alloc.reserve(c.info.address, c.alias or c.type)
        alloc.reserve(PciAddress(slot=1), "PIIX3")
        place_primary_video(ctx, alloc, slot=2)


class Q35Policy(X86Policy):
    """The q35 PC: PCIe root bus, ICH9 functions at fixed slots, USB3 by default."""

    name = "q35"
    root_model = "pcie-root"

    def default_usb_model(self, ctx: BuildContext, auto_added: bool = True) -> str | None:
        """Only a controller libvirt adds itself gets the modern choice; one the user
        wrote without a model keeps the historical piix3-uhci default (ABI stability)."""
        if auto_added:
            return first_usb_model(ctx, "qemu-xhci", "nec-xhci", "ich9-ehci1")
        return super().default_usb_model(ctx, auto_added)

    chipset_disk_controller = "sata"

    def reserve_builtin(self, ctx: BuildContext, alloc: PciAllocator) -> None:
        """00:1f is the ICH9 (SATA at 00:1f.2); the first two ICH9 USB sets live at
        00:1d and 00:1a, ICH9 audio at 00:1b, the primary video at 00:01."""
        devs = ctx.domain.devices
        root = alloc.buses.get(0)
        if root is None:
            return
        sata = devs.controller("sata", 0)
        if sata is not None:
            given = sata.info.address
            if given is None or isinstance(given, PciAddress) and given.unset:
                # libvirt places it without reserving: a user device already there is
                # found when all addresses are collected again at the end
                if ICH9_SATA.function in root.used.get(ICH9_SATA.slot, set()):
                    raise alloc_errors.pci_address_in_use(ICH9_SATA)
                sata.info.address = PciAddress(slot=0x1F, function=2)
        for fn in range(8):
            root.reserve(0x1F, fn)
        # each UHCI1 without an address, in controller order, goes to 00:1d, else 00:1a,
        # whichever is free (the standard places of the first two USB2 sets); the other
        # ICH9 functions of its index follow it there
        for uhci1 in [c for c in devs.controllers if c.type == "usb"
                      and c.model == "ich9-uhci1" and c.info.address is None]:
            slot = next((s for s in (0x1D, 0x1A) if root.is_free(s)), None)
            if slot is None:
                continue
            for c in devs.controllers:
                if c.type == "usb" and c.index == uhci1.index and c.model in ICH9_FUNCTION \
                        and c.info.address is None:
                    c.info.address = ich9_address(0, slot, c)
                    root.reserve(slot, ICH9_FUNCTION[c.model or ""])
        for snd in (d for d in devs.items if isinstance(d, Sound)):
            if snd.model == "ich9" and snd.info.address is None and root.is_free(0x1B):
                snd.info.address = PciAddress(slot=0x1B)
                root.reserve(0x1B, 0)
                break
        place_primary_video(ctx, alloc, slot=1)


def place_primary_video(ctx: BuildContext, alloc: PciAllocator, slot: int) -> None:
    """The first video card has a fixed home on the root bus; when that slot is taken it
    gets the next free slot right away, before every other device
    (qemuDomainValidateDevicePCISlotsPIIX3 / Q35)."""
    videos = [d for d in ctx.domain.devices.items if isinstance(d, Video)]
    kind = pci_connection(videos[0], ctx) if videos else None
    if kind is None or videos[0].info.address is not None:
        return
    root = alloc.buses.get(0)
    if root is None:
        return
    if root.is_free(slot):
        root.reserve(slot, 0)
        videos[0].info.address = PciAddress(slot=slot)
    else:
        videos[0].info.address = alloc.take(kind)


def policy_for(ctx: BuildContext) -> MachinePolicy:
    if ctx.is_q35:
        return Q35Policy()
    if ctx.is_i440fx:
        return I440fxPolicy()
    return X86Policy()
