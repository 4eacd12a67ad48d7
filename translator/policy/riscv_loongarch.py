"""RISC-V and LoongArch preparation: libvirt's defaults for their `virt` machines.

Both `virt` boards are PCI Express machines like q35 without its chipset: a pcie-root
bus (pcie.0) that only takes root ports and integrated devices, so every endpoint goes
into a pcie-root-port libvirt adds itself, and conventional PCI devices behind a
pcie-to-pci-bridge. LoongArch always has that PCIe root; RISC-V only on `virt`, where
virtio devices move to virtio-mmio transports when one of them already asks for it (or
the QEMU binary has no usable root port). libvirt adds a default memballoon on RISC-V
but not on LoongArch, and neither gets an implicit USB controller.

PCI addresses follow libvirt's two passes, shared with ARM `virt` in pcie_topology.
"""

from __future__ import annotations

from ..arches import LOONGARCH_ARCHES
from ..context import BuildContext
from ..machines import is_loongarch_virt, is_riscv_virt
from ..model import Controller, Device
from ..model.devices import Hostdev, Interface, Memballoon
from ..prepare import pcie_topology as topo
from ..prepare.addresses import fill_missing_buses, forget_empty_pci_addresses
from ..prepare.implicit import add_controller, add_disk_controllers, first_usb_model
from ..validate.controllers import check_root_model, required_usb_model
from .base import MachinePolicy, machine_default_cpu


# --- machine facts ------------------------------------------------------------------------

def is_virt(ctx: BuildContext) -> bool:
    return is_riscv_virt(ctx) or is_loongarch_virt(ctx)


def has_pcie_root(ctx: BuildContext) -> bool:
    """libvirt gives every LoongArch guest and a RISC-V `virt` guest a pcie-root."""
    return ctx.arch in LOONGARCH_ARCHES or is_riscv_virt(ctx)


# --- controllers and device models -----------------------------------------------------------

def default_usb_model(ctx: BuildContext) -> str | None:
    """A USB controller written without a model: XHCI on LoongArch `virt`, otherwise the
    generic fallback (the PIIX3 UHCI, then OHCI) that RISC-V gets."""
    order = ("qemu-xhci", "nec-xhci") if is_loongarch_virt(ctx) else ("piix3-uhci", "pci-ohci")
    return first_usb_model(ctx, *order)


def add_implicit_controllers(ctx: BuildContext) -> None:
    """The PCIe root bus, and the models libvirt picks for controllers written without."""
    devs = ctx.domain.devices
    if has_pcie_root(ctx):
        root = devs.controller("pci", 0)
        if root is None:
            add_controller(ctx, "pci", 0, "pcie-root",
                           f"the {ctx.machine} machine has a PCIe root bus")
        else:
            check_root_model(root, "pcie-root")
            root.model = root.model or "pcie-root"
    for c in devs.controllers:
        if c.type == "usb" and c.model is None:
            c.model = required_usb_model(default_usb_model(ctx))
        if c.type == "scsi" and c.model in (None, "auto"):
            c.model = ctx.policy.default_scsi_model(ctx)
    add_disk_controllers(ctx, ctx.policy.default_scsi_model(ctx))
    _apply_device_models(ctx)


def _apply_device_models(ctx: BuildContext) -> None:
    """NICs written without a model are virtio on these `virt` boards."""
    if not is_virt(ctx):
        return
    for d in ctx.domain.devices.items:
        if isinstance(d, Interface) and d.model is None and d.type != "hostdev":
            d.model = "virtio"


# --- virtio-mmio --------------------------------------------------------------------------

def _primed_for_transport(dev: Device) -> bool:
    """Address-less virtio devices libvirt declares to be on the board's virtio transport."""
    common = topo.common_virtio_transport(dev)
    if common is not None:
        return common
    if isinstance(dev, Controller):
        return dev.type == "virtio-serial" or \
            (dev.type == "scsi" and (dev.model or "").startswith("virtio"))
    if isinstance(dev, Hostdev):
        return dev.type == "scsi_host"
    if isinstance(dev, Memballoon):
        return (dev.model or "") in topo.VIRTIO_MODELS
    family = dev.family
    if family in ("rng", "crypto"):
        return True
    if family == "memory":
        return dev.elem.get("model") in ("virtio-pmem", "virtio-mem")
    return False


def uses_virtio_mmio(ctx: BuildContext) -> bool:
    """RISC-V `virt` prefers virtio-pci unless a device already uses virtio-mmio or QEMU
    lacks a PCIe root port."""
    if not is_riscv_virt(ctx) or not ctx.has("virtio-mmio"):
        return False
    return not topo.pcie_usable(ctx) or topo.has_mmio_device(ctx)


def assign_virtio_mmio(ctx: BuildContext) -> None:
    if uses_virtio_mmio(ctx):
        topo.prime_virtio_mmio(ctx, _primed_for_transport)


# --- PCI(e) addresses ---------------------------------------------------------------------

def assign_addresses(ctx: BuildContext) -> None:
    """virtio-mmio priming, then libvirt's two PCI passes on a PCIe root machine."""
    assign_virtio_mmio(ctx)
    forget_empty_pci_addresses(ctx)  # after the virtio-mmio choice, which they escape
    if ctx.domain.devices.controller("pci", 0) is None:
        return
    fill_missing_buses(ctx)
    topo.assign_pcie_addresses(ctx)


# --- the policies ---------------------------------------------------------------------------

class RiscvPolicy(MachinePolicy):
    """RISC-V guests; the `virt` board has a PCIe root bus (and may use virtio-mmio)."""

    name = "riscv"

    def add_implicit_controllers(self, ctx: BuildContext) -> None:
        add_implicit_controllers(ctx)

    def default_usb_model(self, ctx: BuildContext, auto_added: bool = True) -> str | None:
        return default_usb_model(ctx)

    def default_video_model(self, ctx: BuildContext) -> str:
        """virtio on the virt boards (qemuDomainDefaultVideoDevice), else a PC's choice."""
        return "virtio" if is_virt(ctx) else super().default_video_model(ctx)

    def default_serial_target(self, ctx: BuildContext) -> str:
        return "system-serial"

    def system_serial_model(self, ctx: BuildContext) -> str:
        return "16550a"

    def has_isa_bus(self, ctx: BuildContext) -> bool:
        return ctx.arch != "riscv64"

    def default_cpu_model(self, ctx: BuildContext) -> str | None:
        return machine_default_cpu(ctx)  # rv64, only used for TCG guests

    def assign_addresses(self, ctx: BuildContext) -> None:
        assign_addresses(ctx)

    def follows_machine_acpi(self, ctx: BuildContext) -> bool:
        return True

    def has_aia(self, ctx: BuildContext) -> bool:
        return is_riscv_virt(ctx)


class LoongArchPolicy(RiscvPolicy):
    """LoongArch guests: always a PCIe root bus, virtio-scsi, no default memballoon."""

    name = "loongarch"

    def default_scsi_model(self, ctx: BuildContext) -> str:
        return "virtio-scsi" if is_loongarch_virt(ctx) else super().default_scsi_model(ctx)

    def adds_default_memballoon(self, ctx: BuildContext) -> bool:
        return False

    def has_isa_bus(self, ctx: BuildContext) -> bool:
        return False

    def system_serial_model(self, ctx: BuildContext) -> str:
        return "pl011"

    def has_aia(self, ctx: BuildContext) -> bool:
        return False


def policy_for(ctx: BuildContext) -> MachinePolicy:
    return LoongArchPolicy() if ctx.arch in LOONGARCH_ARCHES else RiscvPolicy()
