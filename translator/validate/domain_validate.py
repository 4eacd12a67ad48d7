"""Generic validation of a complete definition (domain_validate.c: `virDomainDefValidate`).

libvirt runs the driver's domain callback (`qemu_validate.validate_domain_def`), then each
device through `virDomainDeviceDefValidate` (the driver's device callback, then the generic
device checks), then the generic domain checks; `validate_definition` keeps that order.
"""

from __future__ import annotations

from ..context import BuildContext
from . import qemu_validate


def validate_definition(ctx: BuildContext) -> None:
    """virDomainDefValidate's order: driver domain checks, every device, generic checks."""
    qemu_validate.validate_domain_def(ctx)
    for dev in ctx.domain.devices.items:
        qemu_validate.validate_device(ctx, dev)
