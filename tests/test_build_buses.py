"""PCI/USB topology: controller indexes, root ports, bridges, companions, hubs, errors."""

from __future__ import annotations

import json

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
