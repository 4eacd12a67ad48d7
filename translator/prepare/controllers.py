"""Controller normalisation libvirt does while parsing: indexes and USB companions.

A controller written without `index` gets one (the lowest unused of its type; a
pci-root/pcie-root is always 0). ICH9 UHCI companions share the index of the EHCI
master they follow, get their fixed master start port, and are kept right after
their master so that the master is emitted (and addressed) first.
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import Controller, PciAddress
from ..usb import COMPANION_STARTPORT, ICH9_FAMILY, ICH9_FUNCTION
from ..validate import allocation as alloc_errors



def _lowest_unused(used: set[int]) -> int:
    n = 0
    while n in used:
        n += 1
    return n


def assign_controller_indexes(ctx: BuildContext) -> None:
    """Give every controller written without `index` the one libvirt would pick."""
    ctrls = ctx.domain.devices.controllers
    used: dict[str, set[int]] = {}
    for c in ctrls:
        if c.elem.get("index") is not None:
            used.setdefault(c.type, set()).add(c.index)
    prev_usb: Controller | None = None
    known = [c for c in ctrls if c.elem.get("index") is not None]
    for c in ctrls:
        taken = used.setdefault(c.type, set())
        if c.elem.get("index") is None:
            if c.type == "pci" and c.model in ("pci-root", "pcie-root") and \
                    not _multiple_roots(ctx):
                c.index = 0
            elif c.type == "usb" and _joins_previous_set(c, prev_usb, known):
                assert prev_usb is not None
                c.index = prev_usb.index
            else:
                c.index = _lowest_unused(taken)
            taken.add(c.index)
            known.append(c)
        if c.type == "usb":
            prev_usb = c


__all__ = ["ICH9_FUNCTION", "assign_controller_indexes", "assign_expander_bus_numbers",
           "set_usb_companions"]


def _multiple_roots(ctx: BuildContext) -> bool:
    """pseries machines can have several pci-root controllers (PCI host bridges)."""
    return ctx.policy.multiple_pci_roots(ctx)


def _joins_previous_set(c: Controller, prev: Controller | None,
                        ctrls: list[Controller]) -> bool:
    """An ICH9 controller joins the set just before it unless that set has its model.

    `ctrls` holds only the controllers whose index is already known."""
    if prev is None or c.model not in ICH9_FAMILY or prev.model not in ICH9_FAMILY:
        return False
    return not any(o is not c and o.type == "usb" and o.index == prev.index
                   and o.model == c.model for o in ctrls)


def set_usb_companions(ctx: BuildContext) -> None:
    """ICH9 UHCI companions get their start port (addresses.sort_controllers puts them
    after their EHCI master)."""
    devs = ctx.domain.devices
    for c in devs.controllers:
        if c.type == "usb" and c.master_startport is None and c.model in COMPANION_STARTPORT:
            c.master_startport = COMPANION_STARTPORT[c.model]


_EXPANDERS = ("pci-expander-bus", "pcie-expander-bus")


def assign_expander_bus_numbers(ctx: BuildContext) -> None:
    """An expander bus without `busNr` takes the lowest one in use minus two.

    Each pxb needs a bus number for itself and one for its built-in bridge, so libvirt
    counts down from 256 in steps of two; numbers 0-2 cannot be handed out.
    """
    ctrls = [c for c in ctx.domain.devices.controllers if c.type == "pci"]
    for c in ctrls:
        if c.model not in _EXPANDERS or c.bus_nr is not None:
            continue
        lowest = min((o.bus_nr for o in ctrls if o.bus_nr is not None), default=256)
        if lowest <= 2:
            # libvirt names the bus the expander is plugged into, not its own index
            bus = c.info.address.bus if isinstance(c.info.address, PciAddress) else 0
            raise alloc_errors.no_free_bus_nr(bus)
        c.bus_nr = lowest - 2
