"""Generic validation of a complete definition (domain_validate.c: `virDomainDefValidate`).

libvirt runs the driver's domain callback (`qemu_validate.validate_domain_def`), then each
device through `virDomainDeviceDefValidate` (the generic device checks, then the driver's
device callback), then the generic domain checks; `validate_definition` keeps that order.
"""

from __future__ import annotations

from typing import Callable, Iterable

from ..context import BuildContext
from . import qemu_validate

Rule = Callable[[BuildContext], None]


def validate_definition(ctx: BuildContext, generic_device_rules: Iterable[Rule] = ()) -> None:
    """virDomainDefValidate's order: driver domain checks, every device, generic checks.

    `generic_device_rules` are generic device checks still written domain-wide: they run
    before the driver's device checks, as libvirt runs its generic ones first per device.
    """
    qemu_validate.validate_domain_def(ctx)
    for rule in generic_device_rules:
        rule(ctx)
    qemu_validate.validate_devices(ctx)
