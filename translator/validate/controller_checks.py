"""Controller checks of the QEMU driver (qemu_validate.c) that the builders rely on."""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse

# machines with a built-in IDE controller besides the i440fx PCs (qemuDomainMachineHasBuiltinIDE)
_BUILTIN_IDE_MACHINES = frozenset({"malta", "sun4u", "g3beige"})


def has_builtin_ide(ctx: BuildContext) -> bool:
    return ctx.is_i440fx or ctx.machine in _BUILTIN_IDE_MACHINES


def check_ide_controllers(ctx: BuildContext) -> None:
    """qemuValidateDomainDeviceDefControllerIDE: only a machine's built-in IDE controller
    (index 0) exists; QEMU has no separate IDE controller device for libvirt to add."""
    builtin = has_builtin_ide(ctx)
    for c in ctx.domain.devices.controllers:
        if c.type != "ide" or (c.index == 0 and builtin):
            continue
        if builtin:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "Only a single IDE controller is supported for this machine type")
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "IDE controllers are unsupported for this QEMU binary or machine type")
