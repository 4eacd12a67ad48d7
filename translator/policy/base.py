"""The machine policy interface, with the defaults of the machines no other policy claims.

A policy is chosen once per domain (`translator.policy.choose_policy`) from its
architecture and machine type, and owns every default libvirt decides per architecture
and machine: implicit controllers and devices, device models, how addresses are
assigned, and the arch-specific pieces of the command line. Generic code asks
`ctx.policy` instead of testing the architecture itself.

The base class describes the boards libvirt gives no special treatment (SPARC, MIPS,
...): no implicit controllers, no address assignment, QEMU's defaults everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..cmdline import Source
    from ..context import BuildContext
    from ..model import Controller, Device, Elem
    from ..model.devices import Interface
    from ..props import Props


def machine_default_cpu(ctx: BuildContext) -> str | None:
    """The machine type's own default CPU, named as libvirt does; the boards that use it
    (ARM, RISC-V, LoongArch) only trust it for TCG guests."""
    if ctx.domain.virt_type != "qemu":
        return None
    m = ctx.caps.find_machine(ctx.machine, ctx.domain.virt_type)
    if m is None or not m.default_cpu:
        return None
    return ctx.caps.cpu_name_for_type(m.default_cpu, ctx.domain.virt_type)


# arches without a policy of their own that libvirt gives no default memballoon
_NO_DEFAULT_BALLOON_ARCHES = frozenset({
    "sparc", "cris", "ia64", "lm32", "m68k", "microblaze", "microblazeel", "or32",
    "parisc", "parisc64", "ppcle", "unicore32", "xtensa", "xtensaeb"})


class MachinePolicy:
    """libvirt's per-architecture and per-machine decisions (generic machines)."""

    name = "generic"

    # -- post-parse defaults (qemu_postparse.c) --------------------------------------------

    def add_implicit_controllers(self, ctx: BuildContext) -> None:
        """Root bus, default USB and disk controllers, and models left unspecified."""

    def default_usb_model(self, ctx: BuildContext, auto_added: bool = True) -> str | None:
        """The USB controller model libvirt picks when none is given (None: no model)."""
        return None

    def default_scsi_model(self, ctx: BuildContext) -> str:
        """libvirt's SCSI controller model when none is given
        (qemuDomainGetSCSIControllerModel): pseries, s390 and LoongArch `virt` override
        it; elsewhere the LSI HBA if QEMU has it, else virtio-scsi."""
        if ctx.has("lsi"):
            return "lsilogic"
        return "virtio-scsi" if ctx.has("virtio-scsi-pci") else "lsilogic"

    def default_video_model(self, ctx: BuildContext) -> str:
        """libvirt's default <video> model: what QEMU offers of cirrus, then VGA."""
        return "cirrus" if ctx.has("cirrus-vga") else "vga"

    def adds_default_memballoon(self, ctx: BuildContext) -> bool:
        """Whether libvirt gives the domain a virtio memballoon when it defines none
        (qemuDomainDefAddDefaultDevices: per arch; the arch policies say for theirs)."""
        return ctx.arch not in _NO_DEFAULT_BALLOON_ARCHES

    def default_panic_model(self, ctx: BuildContext) -> str | None:
        """The model of a <panic> written without one (qemuDomainDefaultPanicModel; None:
        the machine has no default)."""
        return None

    def default_serial_target(self, ctx: BuildContext) -> str:
        """libvirt's serial target type when the XML gives none."""
        return "isa-serial"

    def system_serial_model(self, ctx: BuildContext) -> str:
        """The board's built-in UART behind a `system-serial` target."""
        return "pl011"

    def default_cpu_model(self, ctx: BuildContext) -> str | None:
        """The -cpu model of a guest that names none (None: QEMU's own default)."""
        return None

    # -- buses and addresses (qemu_domain_address.c) ---------------------------------------

    def multiple_pci_roots(self, ctx: BuildContext) -> bool:
        """Whether several pci-root controllers may exist (PCI host bridges)."""
        return False

    def root_bus_alias(self, ctx: BuildContext, c: Controller) -> str | None:
        """The alias of a root bus whose QEMU name is not libvirt's usual one."""
        return None

    def has_spapr_vio_bus(self, ctx: BuildContext) -> bool:
        """Whether serial ports and NVRAM sit on spapr-vio (pseries)."""
        return False

    def assign_addresses(self, ctx: BuildContext) -> None:
        """Give every device that needs one its PCI, CCW or MMIO address."""

    def memory_align_kib(self, ctx: BuildContext) -> int | None:
        """The machine's coarser memory alignment (None: the generic one)."""
        return None

    def nvdimm_size_kib(self, size_kib: int, label_kib: int) -> int | None:
        """An NVDIMM's size after the machine's own rounding (None: the generic one)."""
        return None

    # -- command line (qemu_command.c) -------------------------------------------------------

    def machine_feature_props(self, ctx: BuildContext) -> list[str]:
        """<features> that are -machine properties of this machine, after `ioapic`."""
        return []

    def machine_board_props(self, ctx: BuildContext) -> list[str]:
        """The board's own -machine properties, after the generic features."""
        return []

    def machine_cpu_props(self, ctx: BuildContext) -> list[str]:
        """-machine properties a CPU setting implies, after `memory-backend`."""
        return []

    def machine_tail_props(self, ctx: BuildContext) -> list[str]:
        """-machine properties that come last."""
        return []

    def follows_machine_acpi(self, ctx: BuildContext) -> bool:
        """Whether `acpi=` follows QEMU's per-machine ACPI support on this arch."""
        return False

    def has_aia(self, ctx: BuildContext) -> bool:
        """Whether the machine has RISC-V's AIA interrupt controller setting."""
        return False

    def cpu_model(self, ctx: BuildContext, model: str | None) -> str | None:
        """The -cpu model after the architecture's rewriting of the one libvirt chose."""
        return model

    def cpu_mode_parts(self, ctx: BuildContext, passthrough: bool) -> list[str]:
        """-cpu options a host-passthrough or maximum CPU adds on this architecture."""
        return []

    def cpu_extra_parts(self, ctx: BuildContext, cpu: Elem | None) -> list[str]:
        """-cpu options of the architecture's own CPU features."""
        return []

    def default_cpu(self, ctx: BuildContext) -> tuple[str | None, list[str]]:
        """The -cpu model and its leading options for a guest that names no model."""
        return self.default_cpu_model(ctx), []

    def has_isa_bus(self, ctx: BuildContext) -> bool:
        """Whether ISA devices exist (else a TPM's TIS interface is QEMU's sysbus one)."""
        return True

    def virtio_on_ccw(self, ctx: BuildContext) -> bool:
        """Whether a virtio device without an address sits on the channel subsystem."""
        return False

    def nvdimm_has_uuid(self, ctx: BuildContext) -> bool:
        """Whether an NVDIMM carries its <uuid> to the guest (pseries)."""
        return False

    def pci_bus_name(self, ctx: BuildContext, c: Controller, alias: str) -> str:
        """QEMU's name of the bus a PCI controller provides."""
        return alias

    def pci_controller_props(self, ctx: BuildContext, c: Controller) -> Props | None:
        """The -device of a PCI controller this machine builds its own way."""
        return None

    def adapt_device(self, ctx: BuildContext, dev: Device | None, props: Props) -> None:
        """Adjust a -device for the machine's transport (e.g. virtio-*-ccw)."""

    def companion_devices(self, ctx: BuildContext, dev: Device | None,
                          alias: str | None) -> list[tuple[Props, Source]]:
        """-device items the machine needs right before a device's own."""
        return []

    def emit_board_nic(self, ctx: BuildContext, net: Interface, src: Source) -> bool:
        """Emit a NIC that is a chip of the board itself; False when it is a -device."""
        return False

    def build_board_devices(self, ctx: BuildContext) -> None:
        """The board's built-in devices configured from the XML (e.g. spapr NVRAM)."""
