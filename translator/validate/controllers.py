"""Controller refusals libvirt makes before it adds the implicit controllers.

Run from prepare's post-parse step at the point libvirt makes them (after controller
indexes and USB companions are known), so the first error stays libvirt's first error.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, TranslationError, refuse
from ..model import Controller, PciAddress
from ..usb import XHCI_MAX_PORTS

_EXPANDERS = ("pci-expander-bus", "pcie-expander-bus")
_ROOT_MODELS = ("pci-root", "pcie-root")


def validate_controllers(ctx: BuildContext) -> None:
    """The controller checks of libvirt's post-parse, in its order: the machine's root bus
    model (qemuDomainDefAddDefaultDevices), each controller's callback
    (qemuDomainControllerDefPostParse), duplicate indexes (virDomainDefPostParseCommon),
    then virDomainPCIAddressValidate's ranges; before the implicit controllers are added."""
    ctrls = ctx.domain.devices.controllers
    _validate_root_model(ctx)  # the domain callback, before any device's
    for c in ctrls:
        if c.type == "pci" and c.model in _EXPANDERS:
            _validate_expander_node(ctx, c)
        if c.type == "pci" and c.model in _ROOT_MODELS:
            if c.index != 0 and not ctx.policy.multiple_pci_roots(ctx):
                raise TranslationError(
                    ErrorCode.XML_ERROR, "pci-root and pcie-root controllers should have index 0")
        if c.type == "usb" and c.ports is not None and c.model in ("nec-xhci", "qemu-xhci") \
                and c.ports > XHCI_MAX_PORTS:
            raise TranslationError(
                ErrorCode.CONFIG_UNSUPPORTED, f"'{c.model}' controller only supports up to "
                f"'{XHCI_MAX_PORTS}' ports")
    # virDomainDefRejectDuplicateControllers: once every device's callback has run
    seen: set[tuple[str, int]] = set()
    for c in ctrls:
        if c.type == "usb":
            continue  # several may share an index: refused later if their ports clash
        if (c.type, c.index) in seen:
            raise TranslationError(
                ErrorCode.XML_ERROR, f"Multiple '{c.type}' controllers with index '{c.index}'")
        seen.add((c.type, c.index))
    for d in ctx.domain.devices.items:
        if isinstance(d.info.address, PciAddress):
            validate_pci_address(d.info.address)


def _validate_root_model(ctx: BuildContext) -> None:
    root = ctx.domain.devices.controller("pci", 0)
    if root is None or root.model is None or not (ctx.is_q35 or ctx.is_i440fx):
        return
    check_root_model(root, "pcie-root" if ctx.is_q35 else "pci-root")


def validate_pci_address(a: PciAddress) -> None:
    """Range checks of a user-given PCI address (libvirt's wording)."""
    if a.bus > 0xFF:
        raise TranslationError(ErrorCode.XML_ERROR, f"Invalid PCI address bus='0x{a.bus:x}', "
                               "must be <= 0xFF")
    if a.slot > 0x1F:
        raise TranslationError(ErrorCode.XML_ERROR, f"Invalid PCI address slot='0x{a.slot:x}', "
                               "must be <= 0x1F")
    if a.function > 7:
        raise TranslationError(ErrorCode.XML_ERROR, f"Invalid PCI address function=0x{a.function:x}, "
                               "must be <= 7")




def _validate_expander_node(ctx: BuildContext, c: Controller) -> None:
    """An expander bus may only name a NUMA node the guest has."""
    node = c.target.findtext("node") if c.target is not None else None
    if node is None or not node.strip():
        return
    cells = len(ctx.domain.numa_cells)
    if int(node) >= cells:
        raise TranslationError(
            ErrorCode.XML_ERROR, f"{c.model} with index {c.index} is configured for a NUMA node "
            f"({int(node)}) not present in the domain's <cpu><numa> array ({cells})")


def check_root_model(root: Controller, want: str) -> None:
    """qemuDomainDefAddDefaultDevices: the index-0 PCI controller a user wrote must be the
    machine's root bus model (the machine's policy calls this while adding its defaults)."""
    if root.model is not None and root.model != want:
        refuse(ErrorCode.XML_ERROR, f"The PCI controller with index='0' must be model='{want}' "
               f"for this machine type, but model='{root.model}' was found instead")


def required_usb_model(model: str | None) -> str:
    """qemuValidateDomainDeviceDefControllerUSB: a USB controller left without a model (no
    default the QEMU binary has) is refused."""
    if model is None:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "no model provided for USB controller")
    return model


def check_bridge_buses(ctx: BuildContext) -> None:
    """qemuDomainAssignPCIAddresses, once every controller has its address: a pci-bridge
    must sit on a bus numbered below its own index."""
    for c in ctx.domain.devices.controllers:
        a = c.info.address
        if c.type == "pci" and c.model == "pci-bridge" and isinstance(a, PciAddress) \
                and c.index <= a.bus:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"PCI controller at index {c.index} (0x{c.index:02x}) has bus='0x{a.bus:02x}', "
                   "but index must be larger than bus")
