"""ARM preparation (aarch64, armv7l, armv6l): libvirt's defaults for ARM machine types.

The `virt` machine is libvirt's modern ARM board: a PCIe root bus (pcie.0) whose devices
go into auto-added pcie-root-ports exactly like on q35, a GIC interrupt controller whose
version libvirt always makes explicit, and no implicit USB controller or memballoon.
The older boards keep their historical defaults: `versatilepb` has a conventional PCI
bus named plain `pci` (it has no multi-bus support) and, like the RealView boards, an
OHCI USB controller; `vexpress-*` boards and a virt guest that already uses virtio-mmio
put their virtio devices on virtio-mmio transports instead of PCI.
"""

from __future__ import annotations

from ..cmdline import Source
from ..context import BuildContext
from ..model import Controller, Device, Elem
from ..model.devices import Interface, Memballoon, Sound
from ..model.misc_devices import Panic
from ..prepare import pcie_topology as topo
from ..prepare.addresses import (assign_pci_root_addresses, fill_missing_buses,
                                 forget_empty_pci_addresses)
from ..prepare.implicit import add_controller, add_disk_controllers, first_usb_model, implicit_elem
from ..validate.controllers import check_root_model, required_usb_model
from . import arm_command
from .arm_command import is_arm
from ..machines import is_arm_virt
from ..validate.arch import validate_arm
from .base import MachinePolicy, machine_default_cpu


# --- machine facts ------------------------------------------------------------------------

def _has_pci_root(machine: str) -> bool:
    """The only board besides virt whose PCI bus libvirt models."""
    return machine == "versatilepb"


def _has_default_usb(machine: str) -> bool:
    """Boards that historically got a USB controller from QEMU's -usb."""
    return machine == "versatilepb" or machine.startswith("realview")


def root_bus_alias(ctx: BuildContext, c: Controller) -> str | None:
    """A pci-root is `pci` on boards without PCI multi-bus support (all but virt)."""
    if is_arm(ctx) and c.type == "pci" and c.index == 0 and c.model == "pci-root" \
            and not is_arm_virt(ctx):
        return "pci"
    return None


# --- controllers --------------------------------------------------------------------------

def default_usb_model(ctx: BuildContext, auto_added: bool) -> str | None:
    """libvirt's USB model for an ARM controller written without one.

    The controller libvirt adds itself to the historical boards is the OHCI they always
    had; virt only takes XHCI; aarch64 prefers XHCI too, 32-bit ARM the older UHCI/OHCI.
    """
    if auto_added:
        return first_usb_model(ctx, "pci-ohci")
    if is_arm_virt(ctx):
        return first_usb_model(ctx, "qemu-xhci", "nec-xhci")
    if ctx.arch == "aarch64":
        return first_usb_model(ctx, "qemu-xhci", "nec-xhci", "piix3-uhci", "pci-ohci")
    return first_usb_model(ctx, "piix3-uhci", "pci-ohci")


def add_implicit_controllers(ctx: BuildContext) -> None:
    """Root bus, the historical boards' USB controller, and models left unspecified."""
    devs = ctx.domain.devices
    machine = ctx.machine
    if _has_default_usb(machine) and not any(c.type == "usb" for c in devs.controllers):
        model = default_usb_model(ctx, auto_added=True)
        if model:
            add_controller(ctx, "usb", 0, model, "libvirt adds the board's USB controller")
    want = "pcie-root" if is_arm_virt(ctx) else ("pci-root" if _has_pci_root(machine) else None)
    if want is not None:
        root = devs.controller("pci", 0)
        if root is None:
            add_controller(ctx, "pci", 0, want, f"the {machine} machine has a {want} bus")
        else:
            check_root_model(root, want)
            root.model = root.model or want
    for c in devs.controllers:
        if c.type == "usb" and c.model is None:
            c.model = required_usb_model(
                default_usb_model(ctx, auto_added=c.implicit is not None))
        if c.type == "scsi" and c.model in (None, "auto"):
            c.model = ctx.policy.default_scsi_model(ctx)
    add_disk_controllers(ctx, ctx.policy.default_scsi_model(ctx))


# --- features and CPU ---------------------------------------------------------------------

def default_gic_version(ctx: BuildContext) -> str:
    """The GIC version libvirt makes explicit (qemuDomainDefEnableDefaultFeatures): the
    highest one QEMU supports for the accelerator (the host kernel's for KVM, QEMU's
    emulation for TCG), never the emulated GICv3 for TCG (it lacks an MSI controller),
    else GICv2."""
    virt = ctx.domain.virt_type
    for version in ("3", "2"):
        if version == "3" and virt == "qemu":
            continue
        if ctx.caps.supports_gic(version, virt):
            return version
    return "2"


def apply_gic_default(ctx: BuildContext) -> None:
    """virt always has a GIC: an absent or version-less <gic> gets a version."""
    d = ctx.domain
    gic = d.feature("gic")
    if gic is None and not is_arm_virt(ctx):
        return
    if gic is not None and gic.get("version"):
        return
    version = default_gic_version(ctx)
    features = d.features or implicit_elem("features")
    kids = tuple(c for c in features.children if c.tag != "gic")
    new_gic = Elem(tag="gic", attrs={**(gic.attrs if gic is not None else {}),
                                     "version": version},
                   line=gic.line if gic is not None else features.line,
                   path=f"{features.path}/gic")
    d.features = Elem(tag=features.tag, attrs=dict(features.attrs), children=kids + (new_gic,),
                      text=features.text, line=features.line, path=features.path)


# the machine's default CPU, which libvirt only trusts for TCG guests on ARM
default_cpu_model = machine_default_cpu


# --- virtio-mmio --------------------------------------------------------------------------

def _wants_virtio_transport(dev: Device) -> bool:
    """Address-less virtio devices libvirt primes with the board's virtio transport."""
    common = topo.common_virtio_transport(dev)
    if common is not None:
        return common
    if isinstance(dev, Controller):
        return dev.type == "virtio-serial" or (dev.type == "scsi" and dev.model == "virtio-scsi")
    if isinstance(dev, (Memballoon, Sound)):
        return (dev.model or "") in topo.VIRTIO_MODELS
    if dev.family == "rng":
        return (dev.elem.get("model") or "virtio") in topo.VIRTIO_MODELS
    return False


def _uses_virtio_mmio(ctx: BuildContext) -> bool:
    """vexpress boards always; virt only when PCIe is unusable or one device asks for MMIO."""
    if not ctx.has("virtio-mmio"):
        return False
    if ctx.machine.startswith("vexpress-"):
        return True
    if not is_arm_virt(ctx):
        return False
    return not topo.pcie_usable(ctx) or topo.has_mmio_device(ctx)


def assign_virtio_mmio(ctx: BuildContext) -> None:
    """Put the address-less virtio devices on virtio-mmio where libvirt does."""
    if is_arm(ctx) and _uses_virtio_mmio(ctx):
        topo.prime_virtio_mmio(ctx, _wants_virtio_transport)


# --- entry point for the generic defaults -------------------------------------------------

def default_nic_model(ctx: BuildContext) -> str:
    """virt NICs are virtio; versatilepb has an SMC91C111, other boards a LAN9118."""
    if ctx.machine == "versatilepb":
        return "smc91c111"
    return "virtio" if is_arm_virt(ctx) else "lan9118"


def _apply_device_models(ctx: BuildContext) -> None:
    """NICs and panic devices written without a model get ARM's defaults."""
    for d in ctx.domain.devices.items:
        if isinstance(d, Interface) and d.model is None and d.type not in ("hostdev",):
            d.model = "virtio" if d.type in ("vdpa", "vhostuser") else default_nic_model(ctx)
        elif isinstance(d, Panic) and d.model is None and is_arm_virt(ctx):
            d.model = "pvpanic"


def apply_defaults(ctx: BuildContext) -> None:
    """ARM's post-parse defaults: GIC, root bus and USB controllers, device models."""
    validate_arm(ctx)
    apply_gic_default(ctx)
    add_implicit_controllers(ctx)
    _apply_device_models(ctx)


# --- addresses ----------------------------------------------------------------------------

def assign_addresses(ctx: BuildContext) -> None:
    """Prime virtio-mmio devices, then place virt's PCIe devices (or versatilepb's
    conventional PCI ones)."""
    assign_virtio_mmio(ctx)
    forget_empty_pci_addresses(ctx)  # after the virtio-mmio choice, which they escape
    if not supports_pci(ctx) or ctx.domain.devices.controller("pci", 0) is None:
        return
    if not is_arm_virt(ctx):
        assign_pci_root_addresses(ctx)  # versatilepb: no chipset slots to reserve
        return
    fill_missing_buses(ctx, up_to_addresses=True)
    topo.assign_pcie_addresses(ctx)


def supports_pci(ctx: BuildContext) -> bool:
    """Only versatilepb and virt have a PCI bus libvirt manages among the ARM boards."""
    return ctx.machine == "versatilepb" or is_arm_virt(ctx)


# --- the policies ---------------------------------------------------------------------------

class ArmBoardPolicy(MachinePolicy):
    """The ARM boards other than virt (versatilepb, realview, vexpress, ...)."""

    name = "arm-board"

    def add_implicit_controllers(self, ctx: BuildContext) -> None:
        apply_defaults(ctx)

    def default_usb_model(self, ctx: BuildContext, auto_added: bool = True) -> str | None:
        return default_usb_model(ctx, auto_added)

    def adds_default_memballoon(self, ctx: BuildContext) -> bool:
        return False  # ARM machine types never get a default balloon

    def default_serial_target(self, ctx: BuildContext) -> str:
        return "isa-serial" if ctx.arch == "armv7b" else "system-serial"

    def default_cpu_model(self, ctx: BuildContext) -> str | None:
        return machine_default_cpu(ctx)

    def has_isa_bus(self, ctx: BuildContext) -> bool:
        return ctx.arch != "aarch64"

    def root_bus_alias(self, ctx: BuildContext, c: Controller) -> str | None:
        return root_bus_alias(ctx, c)

    def assign_addresses(self, ctx: BuildContext) -> None:
        assign_addresses(ctx)

    def machine_board_props(self, ctx: BuildContext) -> list[str]:
        return arm_command.machine_feature_props(ctx)

    def follows_machine_acpi(self, ctx: BuildContext) -> bool:
        return True

    def cpu_mode_parts(self, ctx: BuildContext, passthrough: bool) -> list[str]:
        return arm_command.cpu_model_suffix(ctx, passthrough)

    def cpu_extra_parts(self, ctx: BuildContext, cpu: Elem | None) -> list[str]:
        return arm_command.sve_feature_parts(cpu) + arm_command.timer_parts(ctx)

    def emit_board_nic(self, ctx: BuildContext, net: Interface, src: Source) -> bool:
        if not arm_command.is_board_nic(net):
            return False
        arm_command.add_legacy_nic(ctx, net, src)  # an on-board chip: -net nic
        return True


class ArmVirtPolicy(ArmBoardPolicy):
    """QEMU's `virt` board: a PCIe root bus like q35 without its chipset, a GIC, pvpanic."""

    name = "arm-virt"

    def default_video_model(self, ctx: BuildContext) -> str:
        return "virtio"  # qemuDomainDefaultVideoDevice: only ARM's virt board

    def default_panic_model(self, ctx: BuildContext) -> str | None:
        return "pvpanic"


def policy_for(ctx: BuildContext) -> MachinePolicy:
    return ArmVirtPolicy() if is_arm_virt(ctx) else ArmBoardPolicy()
