"""The refusals of libvirt's PCI address pass over the addresses a user wrote
(qemuDomainAssignPCIAddresses in qemu_domain_address.c, virDomainPCIAddressValidate in
domain_addr.c).

libvirt assigns addresses at the end of post-parse, before any validation, so these run
between `validate_postparse` and `validate`. They read only what the XML gave: the PCI
controllers' models, the devices' written PCI addresses and the chipset's fixed homes.
Every message comes from the config (`fromConfig`), hence XML_ERROR.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.address import GenericAddress, PciAddress
from ..model.device import Device
from ..model.devices import Controller, Sound
from ..prepare.addresses import BUS_ACCEPTS, ordered_pci_devices, pci_connection
from ..prepare.ports import usb_devices, usb_root_hubs
from .allocation import cannot_add_pci_bus, no_pci_buses, pci_address_in_use, virtio_disk_address
from .chipset_slots import ICH9_SATA, PIIX3_IDE, PIIX3_USB, check_fixed_function
from .qemu_validate import device_order

# PCI controller models that accept endpoint devices (VIR_PCI_CONNECT_TYPE_PCI_DEVICE or
# _PCIE_DEVICE among the bus flags of virDomainPCIAddressBusSetModel)
_ENDPOINT_BUSES = frozenset({"pci-root", "pci-bridge", "pci-expander-bus", "pcie-root",
                             "dmi-to-pci-bridge", "pcie-to-pci-bridge", "pcie-root-port",
                             "pcie-switch-downstream-port"})
# where each PCI controller model may be plugged (virDomainPCIControllerModelToConnectType
# against the bus flags); a pci-bridge written in the config plugs wherever an endpoint does
_CONTROLLER_PARENTS: dict[str, frozenset[str]] = {
    "pci-bridge": _ENDPOINT_BUSES,
    "pci-expander-bus": frozenset({"pci-root"}),
    "pcie-expander-bus": frozenset({"pcie-root"}),
    "dmi-to-pci-bridge": frozenset({"pcie-root", "pcie-expander-bus"}),
    "pcie-root-port": frozenset({"pcie-root", "pcie-expander-bus"}),
    "pcie-to-pci-bridge": frozenset({"pcie-root-port", "pcie-switch-downstream-port"}),
    "pcie-switch-upstream-port": frozenset({"pcie-root-port", "pcie-switch-downstream-port"}),
    "pcie-switch-downstream-port": frozenset({"pcie-switch-upstream-port"}),
}
# buses whose flags include VIR_PCI_CONNECT_TYPE_PCI_DEVICE
_PCI_DEVICE_BUSES = frozenset({"pci-root", "pci-bridge", "pci-expander-bus", "dmi-to-pci-bridge",
                               "pcie-to-pci-bridge"})
_PIIX3_USB = (None, "piix3-uhci")
_FUNCTION_LAST = 7


def _text(a: PciAddress) -> str:
    """virPCIDeviceAddressAsString."""
    return f"{a.domain:04x}:{a.bus:02x}:{a.slot:02x}.{a.function}"


def _present(dev: Device) -> PciAddress | None:
    """virDeviceInfoPCIAddressIsPresent: a PCI address other than all zero (domain, bus and
    slot 0 means 'pick one for me')."""
    a = dev.info.address
    return a if isinstance(a, PciAddress) and not a.unset else None


def _piix3_builtin(c: Controller, a: PciAddress) -> bool:
    """qemuDomainCollectPCIAddress leaves the PIIX3's IDE (00:01.1) and USB (00:01.2)
    functions to the chipset pass."""
    if a.domain or a.bus or a.slot != 1 or c.index != 0:
        return False
    return (c.type == "ide" and a.function == 1) or \
        (c.type == "usb" and c.model in _PIIX3_USB and a.function == 2)


def check_written_pci_addresses(ctx: BuildContext) -> None:
    """virDomainPCIAddressValidate for every address the config gives, as the address
    set is collected: PCI domain 0 only, a bus that takes this kind of device, a slot
    within the bus' range. Buses the config does not define yet are left to libvirt's
    bus growing and not judged here."""
    indexes = {c.index for c in ctx.domain.devices.controllers if c.type == "pci"}
    buses = {c.index: c.model for c in ctx.domain.devices.controllers
             if c.type == "pci" and c.model}
    if not buses:
        return
    for index in set(range(max(indexes))) - indexes:
        buses[index] = _default_bus_model(ctx, buses)
    # only the devices with a written address are judged (sorting just those keeps
    # libvirt's order among them)
    written = [dev for dev in ctx.domain.devices.items if _present(dev) is not None]
    for dev in device_order(written):
        a = _present(dev)
        if a is None:
            continue
        if isinstance(dev, Controller) and _piix3_builtin(dev, a):
            if buses.get(0, "pci-root") not in _PCI_DEVICE_BUSES:
                refuse(ErrorCode.INTERNAL_ERROR, "Bus 0 must be PCI for integrated PIIX3 "
                                                 "USB or IDE controllers")
            continue
        if a.domain != 0:
            refuse(ErrorCode.XML_ERROR, f"Invalid PCI address {_text(a)}. Only PCI domain 0 "
                                        "is available")
        model = buses.get(a.bus) or _grown_bus(ctx, dev, a.bus, buses)
        if model is None:
            continue
        _check_plug(ctx, dev, a, model)
        _, low, high = BUS_ACCEPTS.get(model, (frozenset(), 0, 31))
        if low and a.slot < low:
            refuse(ErrorCode.XML_ERROR, f"Invalid PCI address {_text(a)}. slot must be >= "
                                        f"{low}")
        if a.slot > high:
            refuse(ErrorCode.XML_ERROR, f"Invalid PCI address {_text(a)}. slot must be <= "
                                        f"{high}")
        if a.function > _FUNCTION_LAST:
            refuse(ErrorCode.XML_ERROR, f"Invalid PCI address {_text(a)}. function must be "
                                        f"<= {_FUNCTION_LAST}")


def _default_bus_model(ctx: BuildContext, buses: dict[int, str]) -> str:
    """qemuDomainPCIAddressSetCreate: the model of a bus index below the highest PCI
    controller that no controller has (one libvirt will add)."""
    if ctx.policy.multiple_pci_roots(ctx):
        return "pci-root"
    return "pcie-root-port" if buses.get(0) == "pcie-root" else "pci-bridge"


def _grown_bus(ctx: BuildContext, dev: Device, bus: int, buses: dict[int, str]) -> str | None:
    """virDomainPCIAddressSetGrow (the dry run): an address on a bus the config lacks
    adds buses up to it: on a PCI root bus, where every device is a conventional one,
    pci-bridges (pci-roots on a machine with several PCI hosts). None where libvirt's
    choice is more involved (under pcie-root) or the device is a PCI controller."""
    if isinstance(dev, Controller) and dev.type == "pci":
        return None
    if buses.get(0) == "pcie-root":
        return None
    model = "pci-root" if ctx.policy.multiple_pci_roots(ctx) else "pci-bridge"
    for index in range(max(buses) + 1, bus + 1):
        buses[index] = model
    return buses.get(bus)


def _check_plug(ctx: BuildContext, dev: Device, a: PciAddress, bus_model: str) -> None:
    """virDomainPCIAddressFlagsCompatible (from the config): the bus must take the
    device's kind of connection."""
    if isinstance(dev, Controller) and dev.type == "pci":
        parents = _CONTROLLER_PARENTS.get(dev.model or "")
        if parents is None or bus_model in parents:
            return
        wants = "standard PCI device" if dev.model == "pci-bridge" else dev.model
    else:
        kind = pci_connection(dev, ctx)
        if kind == "integrated" or bus_model in _ENDPOINT_BUSES:
            return
        wants = "PCI Express device" if kind == "pcie" else "standard PCI device"
    refuse(ErrorCode.XML_ERROR, f"The device at PCI address {_text(a)} cannot be plugged "
                                f"into the PCI controller with index='{a.bus}'. It requires a "
                                f"controller that accepts a {wants}.")


def check_chipset_slots(ctx: BuildContext) -> None:
    """qemuDomainValidateDevicePCISlotsPIIX3/Q35: the chipset's own controllers, when
    given a PCI address, must have their fixed one; on the PIIX3 each takes its function,
    so a second controller wanting the same one is a double use."""
    if not any(c.type == "pci" for c in ctx.domain.devices.controllers):
        return
    taken: set[tuple[int, int, int, int]] = set()
    for c in ctx.domain.devices.controllers:
        if c.index != 0:
            continue
        if ctx.is_i440fx:
            home = _piix3_home(c)
            if home is None:
                continue
            check_fixed_function(c, home)
            if home.key() in taken:
                raise pci_address_in_use(home)
            taken.add(home.key())
        elif ctx.is_q35 and c.type == "sata":
            check_fixed_function(c, ICH9_SATA)


def _piix3_home(c: Controller) -> PciAddress | None:
    """The PIIX3 function an index-0 IDE or (PIIX3/default) USB controller lives at."""
    if c.type == "ide":
        return PIIX3_IDE
    if c.type == "usb" and c.model in _PIIX3_USB:
        return PIIX3_USB
    return None


def _usb_ports_all_given(ctx: BuildContext) -> bool:
    """virDomainUSBAddressPresent for every USB device: a USB address naming a port."""
    for d in usb_devices(ctx):
        a = d.info.address
        port = a.attrs.get("port", "") if isinstance(a, GenericAddress) and a.type == "usb" \
            else ""
        if not port or port.startswith("0"):
            return False
    return True


def check_slotless_devices(ctx: BuildContext) -> None:
    """qemuDomainAssignDevicePCISlots asks a slot for every controller but a few and every
    sound card but the ISA, PC speaker and USB ones; a xenbus controller or an ich7 card
    plugs into no PCI bus (its connect flags are 0), so no bus can take it and none can be
    added for it."""
    if not _pci_pass_runs(ctx):
        return
    controllers = [c for c in ctx.domain.devices.controllers if c.type == "xenbus"]
    sounds = [d for d in ctx.domain.devices.items if isinstance(d, Sound) and d.model == "ich7"]
    for dev in (*sounds, *controllers):  # libvirt places the sound cards first
        if _wanted(dev):
            raise cannot_add_pci_bus(0)


def _wanted(dev: Device) -> bool:
    """virDeviceInfoPCIAddressIsWanted: no address, or an all-zero PCI one."""
    a = dev.info.address
    return a is None or (isinstance(a, PciAddress) and _present(dev) is None)


def check_virtio_disk_addresses(ctx: BuildContext) -> None:
    """qemuDomainAssignDevicePCISlots: a virtio disk is a PCI device unless it sits on
    CCW or (when QEMU has it) virtio-mmio; any other address type is refused."""
    if not _pci_pass_runs(ctx):
        return
    for d in ctx.domain.devices.disks:
        a = d.info.address
        if d.bus != "virtio" or a is None or isinstance(a, PciAddress):
            continue
        if a.type == "ccw" or (a.type == "virtio-mmio" and ctx.has("virtio-mmio")):
            continue
        raise virtio_disk_address(a.type)


def _pci_pass_runs(ctx: BuildContext) -> bool:
    """qemuDomainAssignPCIAddresses places devices when the domain has PCI buses or the
    machine supports PCI (qemuDomainSupportsPCI: on ARM only virt and versatilepb, on
    RISC-V only virt)."""
    if any(c.type == "pci" for c in ctx.domain.devices.controllers):
        return True
    arch, machine = ctx.arch, ctx.machine
    if arch.startswith(("arm", "aarch64")):
        return machine.startswith("virt") or machine == "versatilepb"
    if arch.startswith("riscv"):
        return machine.startswith("virt")
    return True


# the arches whose implicit PCI root buses prepare/ adds as libvirt does (the others, such
# as alpha or sh4, get a pci-root from libvirt that this project does not add yet)
_IMPLICIT_ROOTS_KNOWN = frozenset({"x86_64", "i686", "aarch64", "armv6l", "armv7l", "armv7b",
                                   "ppc64", "ppc64le", "ppc", "s390x", "s390", "riscv64",
                                   "riscv32", "loongarch64", "sparc"})


def _collected(dev: Device) -> bool:
    """qemuDomainCollectPCIAddress reserves the device's written address (the PIIX3's own
    functions are left to the chipset pass)."""
    a = _present(dev)
    return a is not None and not (isinstance(dev, Controller) and _piix3_builtin(dev, a))


def check_pci_buses_exist(ctx: BuildContext) -> None:
    """virDomainPCIAddressValidate / virDomainPCIAddressGetNextAddr with no PCI bus at all
    (a machine without PCI, such as isapc): a written PCI address, or a PCI device that
    needs one where the machine supports PCI, has nowhere to go."""
    if any(c.type == "pci" for c in ctx.domain.devices.controllers) or \
            ctx.arch not in _IMPLICIT_ROOTS_KNOWN:
        return
    devices = ctx.domain.devices.items
    if any(_collected(d) for d in devices) or (_pci_pass_runs(ctx) and any(
            d.info.address is None and pci_connection(d, ctx) is not None
            for d in ordered_pci_devices(ctx))):
        raise no_pci_buses()


def validate_written_addresses(ctx: BuildContext) -> None:
    """qemuDomainAssignAddresses' refusals over the written addresses, in its order."""
    check_pci_buses_exist(ctx)
    check_written_pci_addresses(ctx)
    check_chipset_slots(ctx)
    check_slotless_devices(ctx)
    check_virtio_disk_addresses(ctx)
    # the USB pass of a definition that is not new runs only when every USB device has
    # its port; otherwise it waits for the start (assign_usb_ports)
    if ctx.abi_update or _usb_ports_all_given(ctx):
        usb_root_hubs(ctx)  # refuses two controllers with ports on one index
