"""libvirt's refusals that only address assignment can find, worded in one place.

A full bus, a number already taken or a port path that leads nowhere shows only while
libvirt hands out addresses (domain_addr.c, qemu_domain_address.c), so the allocators in
`prepare/` and `policy/` detect these and raise the error built here: the allocator
decides *when*, this module says *what* (libvirt's code and words). Every other refusal
is a rule of its own elsewhere in `validate/`.
"""

from __future__ import annotations

from ..errors import ErrorCode, TranslationError
from ..model import PciAddress


def _error(code: ErrorCode, message: str) -> TranslationError:
    return TranslationError(code, message)


# -- PCI (virDomainPCIAddressGetNextAddr, virDomainPCIAddressSetGrow) -----------------------

def no_pci_buses() -> TranslationError:
    return _error(ErrorCode.XML_ERROR, "No PCI buses available")


def pci_address_in_use(a: PciAddress) -> TranslationError:
    """Two devices were given one PCI function (virDomainPCIAddressReserveAddrInternal)."""
    return _error(ErrorCode.XML_ERROR, "Attempted double use of PCI Address "
                  f"{a.domain:04x}:{a.bus:02x}:{a.slot:02x}.{a.function}")


def virtio_disk_address(address_type: str) -> TranslationError:
    """qemuDomainAssignDevicePCISlots: a virtio disk on a PCI machine whose address is
    neither PCI nor one of the virtio transports the machine has."""
    return _error(ErrorCode.CONFIG_UNSUPPORTED,
                  f"virtio disk cannot have an address of type '{address_type}'")


def no_free_pci_slot() -> TranslationError:
    return _error(ErrorCode.INTERNAL_ERROR, "No more available PCI slots")


def no_slot_for_controller(model: str) -> TranslationError:
    """A PCI controller the user listed finds no free slot and no bus can be added for it."""
    return _error(ErrorCode.INTERNAL_ERROR,
                  f"a PCI slot is needed to connect a PCI controller model='{model}', but none "
                  "is available, and it cannot be automatically added")


def no_phb_target_index(bus: int) -> TranslationError:
    """Every pseries PHB target index QEMU has (1-31) is taken (qemuDomainAssignPCIAddresses);
    libvirt names the PHB by the bus of its own (unset) PCI address."""
    return _error(ErrorCode.CONFIG_UNSUPPORTED, f"No usable target index found for {bus}")


def cannot_add_pci_bus(flags: int | None = None) -> TranslationError:
    """libvirt appends the device's connect flags (given where they are known: a device
    with none, 00)."""
    suffix = "" if flags is None else f" {flags:02x}"
    return _error(ErrorCode.INTERNAL_ERROR,
                  f"Cannot automatically add a new PCI bus for a device with connect flags{suffix}")


def no_free_bus_nr(bus: int) -> TranslationError:
    """qemuDomainAssignPCIAddresses: an expander bus's busNr is counted down to the floor."""
    return _error(ErrorCode.CONFIG_UNSUPPORTED,
                  "No free busNr lower than current lowest busNr is available to auto-assign "
                  f"to bus {bus}. Must be manually assigned")


# -- virtio-serial (virDomainVirtioSerialAddrNext*) ------------------------------------------

def no_free_port_on_virtio_serial(controller: int) -> TranslationError:
    """virDomainVirtioSerialAddrNextFromController: the port's named controller is full."""
    return _error(ErrorCode.XML_ERROR,
                  f"Unable to find a free port on virtio-serial controller {controller}")


def virtio_serial_port_missing(controller: int, port: int) -> TranslationError:
    """virDomainVirtioSerialAddrReserve: a written port beyond the controller's ports."""
    return _error(ErrorCode.XML_ERROR,
                  f"virtio serial controller {controller} does not have port {port}")


def virtio_serial_port_occupied(port: int, controller: int) -> TranslationError:
    """virDomainVirtioSerialAddrReserve: two devices wrote the same port."""
    return _error(ErrorCode.XML_ERROR,
                  f"virtio serial port {port} on controller {controller} is already occupied")


# -- USB (virDomainUSBAddressFindPort, virDomainUSBAddressReserve/Assign) --------------------

def duplicate_usb_controller(index: int) -> TranslationError:
    """virDomainUSBAddressSetAddController: two controllers with ports on one index."""
    return _error(ErrorCode.XML_ERROR, f"Duplicate USB controllers with index {index}")


def missing_usb_bus(bus: int) -> TranslationError:
    return _error(ErrorCode.XML_ERROR, f"Missing USB bus {bus}")


def usb_port_out_of_range(port: int, bus: int, path: str) -> TranslationError:
    return _error(ErrorCode.XML_ERROR,
                  f"port {port} out of range in USB address bus: {bus} port: {path}")


def no_usb_hub_at(port: int, bus: int, path: str) -> TranslationError:
    return _error(ErrorCode.XML_ERROR,
                  f"there is no hub at port {port} in USB address bus: {bus} port: {path}")


def usb_port_not_present(path: str, bus: int) -> TranslationError:
    return _error(ErrorCode.XML_ERROR, f"requested USB port {path} not present on USB bus {bus}")


def usb_bus_without_controller(bus: int) -> TranslationError:
    return _error(ErrorCode.XML_ERROR,
                  f"USB bus {bus} requested but no controller with that index is present")


def duplicate_usb_hub(bus: int, path: str) -> TranslationError:
    return _error(ErrorCode.XML_ERROR, f"Duplicate USB hub on bus {bus} port {path}")


def duplicate_usb_address(bus: int, path: str) -> TranslationError:
    return _error(ErrorCode.XML_ERROR, f"Duplicate USB address bus {bus} port {path}")


def usb_disabled_with_devices() -> TranslationError:
    """qemuDomainAssignUSBAddresses: devices that need a USB port on a domain without USB."""
    return _error(ErrorCode.CONFIG_UNSUPPORTED, "USB is disabled for this domain, but USB "
                  "devices are present in the domain XML")


def no_free_usb_port() -> TranslationError:
    return _error(ErrorCode.INTERNAL_ERROR, "No free USB ports")


# -- s390 CCW and zPCI (virDomainCCWAddressAssign, virDomainZPCIAddressAssign*) --------------

def ccw_devno_in_use(devno: str) -> TranslationError:
    return _error(ErrorCode.XML_ERROR, f"The CCW devno '{devno}' is in use already")


def no_free_ccw_devno() -> TranslationError:
    return _error(ErrorCode.INTERNAL_ERROR, "There are no more free CCW devnos.")


def no_free_zpci_id(name: str) -> TranslationError:
    """`name` is 'uid' or 'fid' (virDomainZPCIAddressAssignId)."""
    return _error(ErrorCode.INTERNAL_ERROR, f"There is no more free {name}.")


# -- spapr-vio (qemuDomainAssignSpaprVIOAddress) ----------------------------------------------

def spapr_vio_in_use(reg: int) -> TranslationError:
    return _error(ErrorCode.XML_ERROR, f"spapr-vio address {reg:#x} already in use")
