"""The address pass' refusals (validate/qemu_domain_address.py): each with libvirt's
message, next to the accepted neighbour."""

from __future__ import annotations

import capsdb
import translator
from tests.test_validate import _refusal, _translate, _xml

PCI = "<address type='pci' domain='0x{d:04x}' bus='0x{b:02x}' slot='0x{s:02x}' function='0x{f}'/>"


def _pci(b: int = 0, s: int = 3, f: int = 0, d: int = 0) -> str:
    return PCI.format(d=d, b=b, s=s, f=f)


def _disk(addr: str, dev: str = "vda") -> str:
    return (f"<disk type='file' device='disk'><source file='/a.img'/>"
            f"<target dev='{dev}' bus='virtio'/>{addr}</disk>")


def test_pci_domain_must_be_zero() -> None:
    assert _refusal(_xml(_disk(_pci(d=1)))) == (
        "XML error: Invalid PCI address 0001:00:03.0. Only PCI domain 0 is available")
    _translate(_xml(_disk(_pci())))


def test_slot_range_of_the_bus() -> None:
    bridge = "<controller type='pci' index='1' model='pci-bridge'/>"
    assert _refusal(_xml(bridge + _disk(_pci(b=1, s=0)))) == (
        "XML error: Invalid PCI address 0000:01:00.0. slot must be >= 1")
    _translate(_xml(bridge + _disk(_pci(b=1, s=1))))
    port = "<controller type='pci' index='1' model='pcie-root-port'/>"
    assert _refusal(_xml(port + _disk(_pci(b=1, s=1)), machine="q35")) == (
        "XML error: Invalid PCI address 0000:01:01.0. slot must be <= 0")
    _translate(_xml(port + _disk(_pci(b=1, s=0)), machine="q35"))


def test_bus_must_take_the_device() -> None:
    ports = ("<controller type='pci' index='1' model='pcie-root-port'/>"
             "<controller type='pci' index='2' model='pcie-switch-upstream-port'/>")
    assert _refusal(_xml(ports + _disk(_pci(b=2, s=0)), machine="q35")) == (
        "XML error: The device at PCI address 0000:02:00.0 cannot be plugged into the PCI "
        "controller with index='2'. It requires a controller that accepts a PCI Express "
        "device.")
    root_port = f"<controller type='pci' index='1' model='pcie-root-port'>{_pci(s=4)}</controller>"
    assert _refusal(_xml(root_port)) == (
        "XML error: The device at PCI address 0000:00:04.0 cannot be plugged into the PCI "
        "controller with index='0'. It requires a controller that accepts a pcie-root-port.")
    _translate(_xml(root_port, machine="q35"))


def test_piix3_fixed_functions() -> None:
    ide = "<controller type='ide' index='0'>{}</controller>"
    assert _refusal(_xml(ide.format(_pci(s=5, f=1)))) == (
        "internal error: Primary IDE controller must have PCI address 0:0:1.1")
    _translate(_xml(ide.format(_pci(s=1, f=1))))
    usb = "<controller type='usb' index='0' model='piix3-uhci'>{}</controller>"
    assert _refusal(_xml(usb.format(_pci(s=6, f=2)))) == (
        "internal error: PIIX3 USB controller at index 0 must have PCI address 0:0:1.2")
    _translate(_xml(usb.format(_pci(s=1, f=2))))


def test_q35_sata_fixed_function() -> None:
    sata = "<controller type='sata' index='0'>{}</controller>"
    assert _refusal(_xml(sata.format(_pci(s=5, f=2)), machine="q35")) == (
        "internal error: Primary SATA controller must have PCI address 0:0:1f.2")
    _translate(_xml(sata.format(_pci(s=0x1F, f=2)), machine="q35"))


def test_piix3_functions_need_a_pci_bus_0() -> None:
    ide = f"<controller type='ide' index='0'>{_pci(s=1, f=1)}</controller>"
    assert _refusal(_xml(ide, machine="q35")) == (
        "internal error: Bus 0 must be PCI for integrated PIIX3 USB or IDE controllers")


def test_virtio_disk_address_type() -> None:
    drive = "<address type='drive' controller='0' bus='0' target='0' unit='0'/>"
    assert _refusal(_xml(_disk(drive))) == (
        "unsupported configuration: virtio disk cannot have an address of type 'drive'")
    _translate(_xml(_disk("")))


def test_missing_bus_is_grown_as_pci_bridge() -> None:
    ide_disk = ("<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/>"
                f"{_pci(b=1, s=0)}</disk>")
    assert _refusal(_xml(ide_disk)) == (
        "XML error: Invalid PCI address 0000:01:00.0. slot must be >= 1")


def test_usb_controllers_may_share_an_index_only_without_ports() -> None:
    two = "<controller type='usb' index='0'/><controller type='usb' index='0' model='nec-xhci'/>"
    assert _refusal(_xml(two)) == "XML error: Duplicate USB controllers with index 0"
    ich9 = ("<controller type='usb' index='0' model='ich9-ehci1'/>"
            "<controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/>"
            "</controller>")
    _translate(_xml(ich9))


def test_duplicate_usb_controller_waits_for_start_when_ports_are_missing() -> None:
    """A USB device without a port defers the USB pass to the start, after validation."""
    two = "<controller type='usb' index='0'/><controller type='usb' index='0' model='nec-xhci'/>"
    vsock = "<vsock model='virtio'><cid auto='no' address='2'/></vsock>"
    tablet = "<input type='tablet' bus='usb'>{}</input>"
    assert _refusal(_xml(two + tablet.format("") + vsock)) == (
        "unsupported configuration: guest CIDs must be >= 3")
    placed = tablet.format("<address type='usb' bus='0' port='1'/>")
    assert _refusal(_xml(two + placed + vsock)) == (
        "XML error: Duplicate USB controllers with index 0")


def test_piix3_function_taken_twice() -> None:
    two = "<controller type='usb' index='0'/><controller type='usb' index='0'/>"
    assert _refusal(_xml(two)) == "XML error: Attempted double use of PCI Address 0000:00:01.2"


def test_bus_below_the_highest_gets_libvirts_default_model() -> None:
    bridge = ("<controller type='pci' index='2' model='pcie-to-pci-bridge'>"
              f"{_pci(b=1, s=0)}</controller>")
    assert _refusal(_xml(bridge)) == (
        "XML error: The device at PCI address 0000:01:00.0 cannot be plugged into the PCI "
        "controller with index='1'. It requires a controller that accepts a "
        "pcie-to-pci-bridge.")
    port = "<controller type='pci' index='3' model='pcie-root-port'/>"
    assert _refusal(_xml(port + _disk(_pci(b=2, s=1)), machine="q35")) == (
        "XML error: Invalid PCI address 0000:02:01.0. slot must be <= 0")
    _translate(_xml(port + _disk(_pci(b=2, s=0)), machine="q35"))


def test_no_pci_bus_for_a_pci_device() -> None:
    scsi = "<controller type='scsi' index='0' model='lsilogic'/>"
    assert _refusal(_xml(scsi, machine="isapc")) == "XML error: No PCI buses available"
    _translate(_xml("<memballoon model='none'/>", machine="isapc"))
    assert _refusal(_xml(_disk(_pci(s=5)) + "<memballoon model='none'/>",
                         machine="isapc")) == "XML error: No PCI buses available"


def test_sparc_gets_no_default_balloon() -> None:
    """qemuDomainDefAddDefaultDevices adds a virtio balloon on some arches only."""
    disk = ("<disk type='file' device='disk'><source file='/a.img'/>"
            "<target dev='sda' bus='scsi'/></disk>"
            "<controller type='scsi' index='0' model='ncr53c90'/>")
    xml = _xml(disk, arch="sparc", machine="SS-5")
    inv = translator.translate(xml, capsdb.get(None, "sparc"), profile="libvirt-test")
    assert "balloon" not in inv.render("args")


def test_ich7_sound_has_no_pci_bus() -> None:
    """Its connect flags are 0, yet the address pass asks it a slot."""
    assert _refusal(_xml("<sound model='ich7'/>")) == (
        "internal error: Cannot automatically add a new PCI bus for a device with connect "
        "flags 00")
    _translate(_xml("<sound model='ich6'/>"))


def test_xenbus_controller_has_no_pci_bus() -> None:
    assert _refusal(_xml("<controller type='xenbus' maxGrantFrames='64'/>")) == (
        "internal error: Cannot automatically add a new PCI bus for a device with connect "
        "flags 00")
