"""Controller normalisation libvirt does while parsing: indexes and USB companions.

A controller written without `index` gets one (the lowest unused of its type; a
pci-root/pcie-root is always 0). ICH9 UHCI companions share the index of the EHCI
master they follow, get their fixed master start port, and are kept right after
their master so that the master is emitted (and addressed) first.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import TranslationError
from ..model import Controller, PciAddress
from ..usb import XHCI_MAX_PORTS

ICH9_FAMILY = ("ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3")
# start port on the EHCI master's bus and PCI function of each ICH9 companion model
COMPANION_STARTPORT = {"ich9-uhci1": 0, "ich9-uhci2": 2, "ich9-uhci3": 4}
ICH9_FUNCTION = {"ich9-uhci1": 0, "ich9-uhci2": 1, "ich9-uhci3": 2, "ich9-ehci1": 7}


def is_usb_companion(c: Controller) -> bool:
    return c.type == "usb" and c.master_startport is not None


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


_ROOT_MODELS = ("pci-root", "pcie-root")


def validate_controllers(ctx: BuildContext) -> None:
    """The controller checks libvirt makes while parsing and validating a domain."""
    ctrls = ctx.domain.devices.controllers
    seen: set[tuple[str, int]] = set()
    for c in ctrls:
        if c.type == "usb" and (is_usb_companion(c) or c.model in ICH9_FAMILY):
            continue
        if (c.type, c.index) in seen:
            raise TranslationError(
                f"XML error: Multiple '{c.type}' controllers with index '{c.index}'")
        seen.add((c.type, c.index))
    for c in ctrls:
        if c.type == "pci" and c.model in _EXPANDERS:
            _validate_expander_node(ctx, c)
        if c.type == "pci" and c.model in _ROOT_MODELS:
            if c.index != 0 and not _multiple_roots(ctx):
                raise TranslationError(
                    "XML error: pci-root and pcie-root controllers should have index 0")
            if c.info.address is not None:
                raise TranslationError("unsupported configuration: pci-root and pcie-root "
                                       "controllers should not have an address")
        if c.type == "usb" and c.ports is not None and c.model in ("nec-xhci", "qemu-xhci") \
                and c.ports > XHCI_MAX_PORTS:
            raise TranslationError(
                f"unsupported configuration: '{c.model}' controller only supports up to "
                f"'{XHCI_MAX_PORTS}' ports")
    usb = [c for c in ctrls if c.type == "usb"]
    if any(c.model == "none" for c in usb) and len(usb) > 1:
        raise TranslationError(
            "Can't add another USB controller: USB is disabled for this domain")
    _validate_root_model(ctx)
    for d in ctx.domain.devices.items:
        if isinstance(d.info.address, PciAddress):
            validate_pci_address(d.info.address)


def _validate_root_model(ctx: BuildContext) -> None:
    root = ctx.domain.devices.controller("pci", 0)
    if root is None or root.model is None or not (ctx.is_q35 or ctx.is_i440fx):
        return
    want = "pcie-root" if ctx.is_q35 else "pci-root"
    if root.model != want:
        raise TranslationError(
            f"XML error: The PCI controller with index='0' must be model='{want}' for this "
            f"machine type, but model='{root.model}' was found instead")


def validate_pci_address(a: PciAddress) -> None:
    """Range checks of a user-given PCI address (libvirt's wording)."""
    if a.bus > 0xFF:
        raise TranslationError(f"XML error: Invalid PCI address bus='0x{a.bus:x}', "
                               "must be <= 0xFF")
    if a.slot > 0x1F:
        raise TranslationError(f"XML error: Invalid PCI address slot='0x{a.slot:x}', "
                               "must be <= 0x1F")
    if a.function > 7:
        raise TranslationError(f"XML error: Invalid PCI address function=0x{a.function:x}, "
                               "must be <= 7")


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
            raise TranslationError(
                "unsupported configuration: No free busNr lower than current lowest busNr "
                f"is available to auto-assign to bus {bus}. Must be manually assigned")
        c.bus_nr = lowest - 2


def _validate_expander_node(ctx: BuildContext, c: Controller) -> None:
    """An expander bus may only name a NUMA node the guest has."""
    node = c.target.findtext("node") if c.target is not None else None
    if node is None or not node.strip():
        return
    cells = len(ctx.domain.numa_cells)
    if int(node) >= cells:
        raise TranslationError(
            f"XML error: {c.model} with index {c.index} is configured for a NUMA node "
            f"({int(node)}) not present in the domain's <cpu><numa> array ({cells})")
