"""The QEMU driver's validation (qemu_validate.c): `qemuValidateDomainDef` for the domain and
`qemuValidateDomainDeviceDef` for each device, dispatched by device type.

`domain_validate.validate_definition` calls these two entry points in libvirt's order.
"""

from __future__ import annotations

from ..context import BuildContext
from ..model.device import Device
from .qemu_def import validate_domain


def validate_domain_def(ctx: BuildContext) -> None:
    """qemuValidateDomainDef: domain-wide checks against the QEMU binary's capabilities."""
    validate_domain(ctx)


def validate_device(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDef: the per-device-type checks of the QEMU driver."""
