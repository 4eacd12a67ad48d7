"""The PowerPC policies: pseries, the other ppc64 machines (powernv), 32-bit boards.

The rules themselves live in ppc_defaults.py (post-parse defaults), ppc_addresses.py
(PHBs, isolation groups, addresses) and ppc_command.py (CPU, -machine capabilities,
PHB devices, NVRAM).
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import Controller
from ..props import Props
from . import ppc_addresses as addresses
from . import ppc_command as command
from . import ppc_defaults as defaults
from .base import MachinePolicy


class PpcPolicy(MachinePolicy):
    """32-bit PowerPC boards (Mac, e500): a PCI root bus and a default USB controller."""

    name = "ppc"

    def add_implicit_controllers(self, ctx: BuildContext) -> None:
        defaults.add_implicit_controllers(ctx)

    def default_usb_model(self, ctx: BuildContext, auto_added: bool = True) -> str | None:
        return defaults.default_usb_model(ctx, auto_added)

    def assign_addresses(self, ctx: BuildContext) -> None:
        addresses.assign_addresses(ctx)

    def cpu_model(self, ctx: BuildContext, model: str | None) -> str | None:
        return command.cpu_model(ctx, model)


class Ppc64Policy(PpcPolicy):
    """ppc64 machines other than pseries (powernv): VGA, 256 MiB memory alignment."""

    name = "ppc64"

    def default_video_model(self, ctx: BuildContext) -> str:
        return "vga"

    def memory_align_kib(self, ctx: BuildContext) -> int | None:
        return defaults.PPC64_MEMORY_ALIGN_KIB

    def nvdimm_size_kib(self, size_kib: int, label_kib: int) -> int | None:
        return defaults.nvdimm_size_kib(size_kib, label_kib)

    def machine_cpu_props(self, ctx: BuildContext) -> list[str]:
        return command.machine_compat_props(ctx)

    def build_board_devices(self, ctx: BuildContext) -> None:
        command.build_nvram(ctx)

    def nvdimm_has_uuid(self, ctx: BuildContext) -> bool:
        return True


class PseriesPolicy(Ppc64Policy):
    """pseries: PCI host bridges, the spapr-vio bus, vSCSI and the firmware panic call."""

    name = "pseries"

    def default_scsi_model(self, ctx: BuildContext) -> str:
        return "ibmvscsi"

    def default_panic_model(self, ctx: BuildContext) -> str | None:
        return "pseries"

    def default_serial_target(self, ctx: BuildContext) -> str:
        return "spapr-vio-serial"

    def has_spapr_vio_bus(self, ctx: BuildContext) -> bool:
        return True

    def multiple_pci_roots(self, ctx: BuildContext) -> bool:
        return True

    def machine_feature_props(self, ctx: BuildContext) -> list[str]:
        return command.machine_feature_props(ctx)

    def pci_bus_name(self, ctx: BuildContext, c: Controller, alias: str) -> str:
        return command.pci_bus_name(ctx, c, alias)

    def pci_controller_props(self, ctx: BuildContext, c: Controller) -> Props | None:
        return command.phb_props(ctx, c) if command.is_extra_phb(ctx, c) else None


def policy_for(ctx: BuildContext) -> MachinePolicy:
    if defaults.is_pseries(ctx):
        return PseriesPolicy()
    return Ppc64Policy() if defaults.is_ppc64(ctx) else PpcPolicy()
