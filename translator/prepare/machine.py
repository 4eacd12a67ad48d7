"""Domain-wide settings outside <devices>: the boot order default."""

from __future__ import annotations

from ..context import BuildContext


def prepare_machine(ctx: BuildContext) -> None:
    _default_boot_order(ctx)


def _default_boot_order(ctx: BuildContext) -> None:
    """An HVM domain with neither <boot dev> nor per-device <boot order> boots from disk."""
    os_ = ctx.domain.os
    if os_.boot_devs or os_.type != "hvm":
        return
    if any(getattr(d.info, "boot_order", None) for d in ctx.domain.devices.items):
        return
    os_.boot_devs = ("hd",)
