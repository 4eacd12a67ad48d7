"""PCI/USB topology: controller indexes, root ports, bridges, companions, hubs, errors."""

from __future__ import annotations

import json
import re

import pytest

import capsdb
import translator


def _devices(body: str, machine: str = "q35") -> list[dict[str, object]]:
    xml = f"""<domain type='qemu'><name>t</name><memory>131072</memory>
      <os><type arch='x86_64' machine='{machine}'>hvm</type></os>
      <devices>{body}</devices></domain>"""
    inv = translator.translate(xml, capsdb.get(), profile="libvirt-test")
    args = inv.args
    return [json.loads(args[i + 1]) for i, a in enumerate(args)
            if a == "-device" and args[i + 1].startswith("{")]


def _by_id(devs: list[dict[str, object]], ident: str) -> dict[str, object]:
    return next(d for d in devs if d.get("id") == ident)


def _error(body: str, machine: str = "q35") -> str:
    with pytest.raises(translator.TranslationError) as exc:
        _devices(body, machine)
    return str(exc.value)


def test_controllers_without_index_are_numbered_in_order() -> None:
    devs = _devices("<controller type='pci' model='pcie-root'/>"
                    "<controller type='pci' model='dmi-to-pci-bridge'/>"
                    "<controller type='pci' model='pci-bridge'/>")
    assert _by_id(devs, "pci.1")["driver"] == "i82801b11-bridge"
    assert _by_id(devs, "pci.1")["addr"] == "0x1e"
    bridge = _by_id(devs, "pci.2")
    assert (bridge["bus"], bridge["addr"], bridge["chassis_nr"]) == ("pci.1", "0x0", 2)


def test_root_ports_share_a_slot_and_function0_is_multifunction() -> None:
    devs = _devices("<controller type='pci' index='1' model='pcie-root-port'/>"
                    "<controller type='pci' index='2' model='pcie-root-port'/>")
    p1, p2 = _by_id(devs, "pci.1"), _by_id(devs, "pci.2")
    assert (p1["addr"], p1.get("multifunction"), p1["port"]) == ("0x1", True, 8)
    assert (p2["addr"], p2["port"]) == ("0x1.0x1", 9)


def test_ich9_companions_share_the_master_slot_without_id() -> None:
    devs = _devices("<controller type='usb' model='ich9-ehci1'/>"
                    "<controller type='usb' model='ich9-uhci1'/>"
                    "<controller type='usb' model='ich9-uhci2'/>")
    ehci = _by_id(devs, "usb")
    assert (ehci["bus"], ehci["addr"]) == ("pcie.0", "0x1d.0x7")
    uhci = [d for d in devs if str(d["driver"]).startswith("ich9-usb-uhci")]
    assert [u["firstport"] for u in uhci] == [0, 2]
    assert all("id" not in u and u["masterbus"] == "usb.0" for u in uhci)
    assert uhci[0]["addr"] == "0x1d" and uhci[0]["multifunction"] is True


def test_conventional_pci_device_on_q35_gets_a_pcie_to_pci_bridge() -> None:
    devs = _devices("<controller type='scsi' index='0' model='lsilogic'/>")
    bridge = next(d for d in devs if d["driver"] == "pcie-pci-bridge")
    assert _by_id(devs, "scsi0")["bus"] == bridge["id"]


def test_root_port_model_name_and_root_globals() -> None:
    devs = _devices("<controller type='pci' index='1' model='pcie-root-port'>"
                    "<model name='ioh3420'/></controller>")
    assert _by_id(devs, "pci.1")["driver"] == "ioh3420"
    xml = """<domain type='qemu'><name>t</name><memory>131072</memory>
      <os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
      <controller type='pci' index='0' model='pci-root'><target hotplug='off'/>
      <pcihole64 unit='KiB'>1048576</pcihole64></controller></devices></domain>"""
    args = translator.translate(xml, capsdb.get(), profile="libvirt-test").args
    assert "i440FX-pcihost.pci-hole64-size=1048576K" in args
    assert "PIIX4_PM.acpi-root-pci-hotplug=off" in args


def test_usb_hub_takes_a_port_before_devices() -> None:
    devs = _devices("<controller type='usb' index='0' model='qemu-xhci'/>"
                    "<input type='mouse' bus='usb'/><hub type='usb'/>")
    assert _by_id(devs, "hub0")["port"] == "1"
    assert _by_id(devs, "input0")["port"] == "2"


@pytest.mark.parametrize("body,machine,message", [
    ("<controller type='pci' index='1' model='pci-bridge'/>"
     "<controller type='pci' index='1' model='pci-bridge'/>", "pc",
     "Multiple 'pci' controllers with index '1'"),
    ("<controller type='pci' index='0' model='pcie-root'/>", "pc",
     "must be model='pci-root' for this machine type"),
    ("<interface type='user'><address type='pci' slot='0x20'/></interface>", "pc",
     "Invalid PCI address slot='0x20', must be <= 0x1F"),
    ("<controller type='usb' index='0' model='nec-xhci' ports='16'/>", "q35",
     "'nec-xhci' controller only supports up to '15' ports"),
])
def test_libvirt_refusals(body: str, machine: str, message: str) -> None:
    assert message in _error(body, machine)


def _mice(n: int) -> str:
    return "".join("<input type='mouse' bus='usb'/>" for _ in range(n))


def test_usb_hubs_are_added_when_the_ports_run_out() -> None:
    devs = _devices("<controller type='usb' index='0' model='piix3-uhci'/>" + _mice(4),
                    machine="pc")
    assert _by_id(devs, "hub0")["port"] == "1"
    ports = [_by_id(devs, f"input{i}")["port"] for i in range(4)]
    assert ports == ["2", "1.1", "1.2", "1.3"]


def test_usb_port_search_fills_a_hub_before_the_hubs_behind_it() -> None:
    devs = _devices("<controller type='usb' index='0' model='piix3-uhci'/>"
                    "<hub type='usb'><address type='usb' bus='0' port='1'/></hub>"
                    "<hub type='usb'><address type='usb' bus='0' port='1.1'/></hub>"
                    + _mice(8), machine="pc")
    ports = [_by_id(devs, f"input{i}")["port"] for i in range(8)]
    assert ports == ["2", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8"]


def test_usb_address_errors_use_libvirts_wording() -> None:
    usb = "<controller type='usb' index='0' model='piix3-uhci'/>"
    assert _error(usb + "<input type='mouse' bus='usb'><address type='usb' bus='0' "
                  "port='1.2'/></input>", "pc") == \
        "XML error: there is no hub at port 1 in USB address bus: 0 port: 1.2"
    assert _error(usb + "<hub type='usb'><address type='usb' bus='1'/></hub>", "pc") == \
        "XML error: USB bus 1 requested but no controller with that index is present"
    assert _error("<controller type='usb' model='none'/><input type='tablet' bus='usb'/>",
                  "pc") == "unsupported configuration: Can't add USB input device. " \
        "USB bus is disabled"


def test_i440fx_adds_pci_bridges_when_slots_run_out() -> None:
    nics = "".join(f"<interface type='user'><mac address='52:54:00:00:00:{i:02x}'/>"
                   "<model type='virtio'/></interface>" for i in range(40))
    devs = _devices(nics + "<memballoon model='none'/>", machine="pc")
    bridge = _by_id(devs, "pci.1")
    assert (bridge["driver"], bridge["bus"], bridge["addr"]) == ("pci-bridge", "pci.0", "0x2")
    assert _by_id(devs, "net0")["addr"] == "0x3"
    assert _by_id(devs, "net39")["bus"] == "pci.1"


def test_device_on_a_missing_bus_makes_libvirt_add_bridges() -> None:
    devs = _devices("<memballoon model='virtio'><address type='pci' domain='0x0000' "
                    "bus='0x02' slot='0x05' function='0x0'/></memballoon>", machine="pc")
    assert [_by_id(devs, f"pci.{i}")["driver"] for i in (1, 2)] == ["pci-bridge"] * 2
    assert _by_id(devs, "balloon0")["bus"] == "pci.2"


def test_pcie_devices_skip_pci_bridges_on_q35() -> None:
    devs = _devices("<controller type='pci' model='pcie-root'/>"
                    "<controller type='pci' model='dmi-to-pci-bridge'/>"
                    "<controller type='pci' model='pci-bridge'/>"
                    "<controller type='pci' model='pcie-root-port'/>"
                    "<controller type='virtio-serial'/>")
    assert _by_id(devs, "virtio-serial0")["bus"] == "pci.3"


def test_expander_bus_numa_node_and_default_bus_nr() -> None:
    xml = """<domain type='qemu'><name>t</name><memory>262144</memory><vcpu>2</vcpu>
      <cpu><numa><cell id='0' cpus='0' memory='131072'/><cell id='1' cpus='1'
        memory='131072'/></numa></cpu>
      <os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
      <controller type='pci' index='0' model='pci-root'/>
      <controller type='pci' index='1' model='pci-expander-bus'>
        <target busNr='254'><node>1</node></target></controller>
      <controller type='pci' index='2' model='pci-expander-bus'/></devices></domain>"""
    args = translator.translate(xml, capsdb.get(), profile="libvirt-test").args
    devs = [json.loads(args[i + 1]) for i, a in enumerate(args) if a == "-device"]
    assert _by_id(devs, "pci.1")["numa_node"] == 1
    assert _by_id(devs, "pci.2")["bus_nr"] == 252
    assert "numa_node" not in _by_id(devs, "pci.2")
    with pytest.raises(translator.TranslationError, match="NUMA node \\(3\\)"):
        translator.translate(xml.replace("<node>1</node>", "<node>3</node>"), capsdb.get())


def test_root_port_hotplug_and_bridge_mem_reserve() -> None:
    devs = _devices("<controller type='pci' model='pcie-root'/>"
                    "<controller type='pci' model='pcie-root-port'><target hotplug='off'/>"
                    "</controller>"
                    "<controller type='pci' model='dmi-to-pci-bridge'/>"
                    "<controller type='pci' model='pci-bridge'>"
                    "<target memReserve='8196'/></controller>")
    assert _by_id(devs, "pci.1")["hotplug"] is False
    assert _by_id(devs, "pci.3")["mem-reserve"] == 8196 * 1024


def test_virtio_channels_get_ports_and_an_implicit_controller() -> None:
    devs = _devices("<controller type='virtio-serial' index='1'/>"
                    "<channel type='pty'><target type='virtio' name='a'/></channel>"
                    "<channel type='pty'><target type='virtio' name='b'/>"
                    "<address type='virtio-serial' controller='1' bus='2'/></channel>",
                    machine="pc")
    assert _by_id(devs, "virtio-serial0")["driver"] == "virtio-serial-pci"
    assert (_by_id(devs, "channel0")["bus"], _by_id(devs, "channel0")["nr"]) == \
        ("virtio-serial0.0", 1)
    assert (_by_id(devs, "channel1")["bus"], _by_id(devs, "channel1")["nr"]) == \
        ("virtio-serial1.0", 1)


def _channel(name: str, port: int, controller: int = 0) -> str:
    return (f"<channel type='pty'><target type='virtio' name='{name}'/><address "
            f"type='virtio-serial' controller='{controller}' bus='0' port='{port}'/></channel>")


def test_written_virtio_serial_ports_are_reserved_once() -> None:
    """virDomainVirtioSerialAddrReserve: a written port must exist on its controller (the
    controller's `ports`, else 31) and be written once; port 0 is no address at all."""
    small = "<controller type='virtio-serial' index='0' ports='4'/>"
    assert _error(small + _channel("a", 4)) == \
        "XML error: virtio serial controller 0 does not have port 4"
    devs = _devices(small + _channel("a", 3))
    assert (_by_id(devs, "channel0")["bus"], _by_id(devs, "channel0")["nr"]) == \
        ("virtio-serial0.0", 3)
    assert _error(_channel("a", 31)) == \
        "XML error: virtio serial controller 0 does not have port 31"
    assert _error(_channel("a", 2) + _channel("b", 2)) == \
        "XML error: virtio serial port 2 on controller 0 is already occupied"
    devs = _devices(_channel("a", 2) + _channel("b", 2, controller=1))
    assert _by_id(devs, "channel1")["bus"] == "virtio-serial1.0"


def test_full_virtio_serial_controllers_get_a_new_one() -> None:
    """virDomainVirtioSerialAddrNext: with every port taken, a port without an address goes
    to a new controller; one naming a full controller is refused."""
    chans = "".join(f"<channel type='pty'><target type='virtio' name='c{i}'/></channel>"
                    for i in range(3))
    devs = _devices("<controller type='virtio-serial' index='0' ports='3'/>" + chans,
                    machine="pc")
    assert [(_by_id(devs, f"channel{i}")["bus"], _by_id(devs, f"channel{i}")["nr"])
            for i in range(3)] == [("virtio-serial0.0", 1), ("virtio-serial0.0", 2),
                                   ("virtio-serial1.0", 1)]
    assert _error("<controller type='virtio-serial' index='0' ports='2'/>"
                  "<channel type='pty'><target type='virtio' name='a'/></channel>"
                  "<channel type='pty'><target type='virtio' name='b'/>"
                  "<address type='virtio-serial' controller='0'/></channel>", "pc") == \
        "XML error: Unable to find a free port on virtio-serial controller 0"


@pytest.mark.parametrize(("body", "machine", "message"), [
    ("<controller type='ide' index='0'><address type='pci' bus='0' slot='5' function='1'/>"
     "</controller>", "pc", "Primary IDE controller must have PCI address 0:0:1.1"),
    ("<controller type='usb' index='0' model='piix3-uhci'><address type='pci' bus='0' slot='1'"
     " function='7'/></controller>", "pc",
     "PIIX3 USB controller at index 0 must have PCI address 0:0:1.2"),
    ("<controller type='sata' index='0'><address type='pci' bus='0' slot='0x1e' function='2'/>"
     "</controller>", "q35", "Primary SATA controller must have PCI address 0:0:1f.2"),
])
def test_chipset_controllers_keep_their_fixed_address(body: str, machine: str,
                                                       message: str) -> None:
    """qemuDomainValidateDevicePCISlotsPIIX3/Q35: elsewhere is refused, the fixed address
    or none (0000:00:00 counts as none) is accepted."""
    assert _error(body, machine) == f"internal error: {message}"
    fixed = {"pc": "slot='1' function='1'", "q35": "slot='0x1f' function='2'"}[machine]
    if "usb" in body:
        fixed = "slot='1' function='2'"
    accepted = re.sub(r"slot='[^']*' function='[^']*'", fixed, body)
    assert _devices(accepted, machine) is not None
    _devices(re.sub(r"slot='[^']*' function='[^']*'", "slot='0' function='2'", body), machine)


def test_q35_sata0_finds_its_address_taken() -> None:
    """q35 always has sata0 at 00:1f.2: another controller given that address is a double
    use; given elsewhere it is accepted."""
    body = ("<controller type='sata' index='3'><address type='pci' bus='0' slot='0x1f' "
            "function='2'/></controller>")
    assert _error(body) == "XML error: Attempted double use of PCI Address 0000:00:1f.2"
    assert _by_id(_devices(body.replace("function='2'", "function='3'")), "sata3")


def test_pcie_root_port_needs_a_pcie_root() -> None:
    """A pcie-root-port plugs only into a PCIe root: on i440fx's pci-root it finds no slot."""
    body = "<controller type='pci' index='1' model='pcie-root-port'/>"
    assert _error(body, "pc") == (
        "internal error: a PCI slot is needed to connect a PCI controller "
        "model='pcie-root-port', but none is available, and it cannot be automatically added")
    assert _by_id(_devices(body), "pci.1")["driver"] == "pcie-root-port"


def test_usb_controllers_sharing_an_index() -> None:
    """Post-parse allows several USB controllers on one index: on i440fx two PIIX3 ones
    both want 00:01.2; elsewhere two with ports of their own are duplicates; ICH9
    companions share their EHCI's index."""
    two = "<controller type='usb' index='0'/><controller type='usb' index='0'/>"
    assert _error(two, "pc") == "XML error: Attempted double use of PCI Address 0000:00:01.2"
    xhci = ("<controller type='usb' index='0' model='qemu-xhci'/>"
            "<controller type='usb' index='0' model='nec-xhci'/>")
    assert _error(xhci) == "XML error: Duplicate USB controllers with index 0"
    ich9 = "".join(f"<controller type='usb' index='0' model='{m}'/>"
                   for m in ("ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3"))
    assert _by_id(_devices(ich9), "usb")["driver"] == "ich9-usb-ehci1"


def test_virtio_disk_with_a_drive_address_on_a_pci_machine() -> None:
    """qemuDomainAssignDevicePCISlots: a virtio disk cannot be given a drive address."""
    disk = ("<disk type='file' device='disk'><source file='/a.img'/>"
            "<target dev='vda' bus='virtio'/>{}</disk>")
    assert _error(disk.format("<address type='drive' controller='0' unit='0'/>")) == \
        "unsupported configuration: virtio disk cannot have an address of type 'drive'"
    assert _by_id(_devices(disk.format("")), "virtio-disk0")["driver"] == "virtio-blk-pci"


def test_user_alias_does_not_take_a_hostdev_number() -> None:
    devs = _devices("<controller type='usb' index='0' model='piix3-uhci'/>"
                    "<hostdev mode='subsystem' type='usb'><alias name='ua-first'/>"
                    "<source><address bus='1' device='2'/></source></hostdev>"
                    "<hostdev mode='subsystem' type='usb'>"
                    "<source><address bus='1' device='3'/></source></hostdev>", machine="pc")
    assert any(d.get("id") == "ua-first" for d in devs)
    assert any(d.get("id") == "hostdev0" for d in devs)


def test_isapc_has_no_pci_bus() -> None:
    assert _error("<controller type='usb' index='0'/>", "isapc") == \
        "XML error: No PCI buses available"


def test_empty_pci_address_asks_for_a_slot() -> None:
    rng = ("<rng model='virtio'><backend model='random'>/dev/urandom</backend>"
           "<address type='pci'/></rng><memballoon model='none'/>")
    assert _by_id(_devices(rng, "pc"), "rng0")["addr"] == "0x2"   # not 00:00.0
    q35 = _devices(rng)
    assert _by_id(q35, "rng0")["bus"] != "pcie.0"  # a root port like any PCIe device


def test_pci_bridge_index_must_exceed_its_bus() -> None:
    bridge = ("<controller type='pci' index='1' model='pci-bridge'>"
              "<address type='pci' bus='0x{bus}' slot='0x03'/></controller>"
              "<controller type='pci' index='2' model='pci-bridge'/><memballoon model='none'/>")
    assert _error(bridge.format(bus="02"), "pc") == (
        "unsupported configuration: PCI controller at index 1 (0x01) has bus='0x02', "
        "but index must be larger than bus")
    assert _by_id(_devices(bridge.format(bus="00"), "pc"), "pci.1")["bus"] == "pci.0"


def test_an_all_zero_pci_address_is_no_address() -> None:
    """virDeviceInfoPCIAddressIsPresent: domain, bus and slot 0 (any function) is no
    address, so the PIIX3's USB function goes home to 00:01.2 instead of being refused."""
    usb = ("<controller type='usb' index='0' model='piix3-uhci'><address type='pci' "
           "domain='0' bus='0' slot='{slot}' function='2'/></controller>")
    devs = _devices(usb.format(slot=0), machine="pc")
    assert _by_id(devs, "usb")["addr"] == "0x1.0x2"
    assert _error(usb.format(slot=3), "pc") == \
        "internal error: PIIX3 USB controller at index 0 must have PCI address 0:0:1.2"


def test_an_ich9_set_goes_to_its_standard_slot_only_with_its_uhci1() -> None:
    """qemuDomainValidateDevicePCISlotsQ35 places a UHCI1 (and so its set) at 00:1d, or
    00:1a when 1d is taken; an EHCI1 alone is an ordinary PCI device."""
    alone = _devices("<controller type='usb' index='0' model='ich9-ehci1'/>")
    assert _by_id(alone, "usb")["addr"] != "0x1d.0x7"
    sets = _devices("<controller type='usb' index='0' model='ich9-ehci1'/>"
                    "<controller type='usb' index='0' model='ich9-uhci1'>"
                    "<master startport='0'/></controller>"
                    "<controller type='usb' index='1' model='ich9-ehci1'/>"
                    "<controller type='usb' index='1' model='ich9-uhci1'>"
                    "<master startport='0'/></controller>")
    assert _by_id(sets, "usb")["addr"] == "0x1d.0x7"
    assert _by_id(sets, "usb1")["addr"] == "0x1a.0x7"
