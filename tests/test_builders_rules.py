"""Rules of libvirt's address assignment and defaults that the builders read, each written
from libvirt's source on a domain of our own (qemu_domain_address.c, domain_addr.c,
domain_conf.c, qemu_validate.c)."""

from __future__ import annotations

import re

import pytest

import capsdb
import translator


def _xml(devices: str, machine: str = "q35") -> str:
    return f"""<domain type='qemu'><name>t</name><memory>262144</memory>
      <os><type arch='x86_64' machine='{machine}'>hvm</type></os>
      <devices>{devices}</devices></domain>"""


def _args(xml: str) -> str:
    return translator.translate(xml, capsdb.get(None, "x86_64"),
                                profile="libvirt-test").render("args")


def _device(args: str, driver: str) -> str:
    found = re.search(r"-device '(\{\"driver\":\"" + re.escape(driver) + r"\"[^']*)'", args)
    assert found, driver
    return found.group(1)


_PCIE = ("<disk type='file' device='disk'><source file='/a.img'/>"
         "<target dev='vda' bus='virtio'/></disk>"
         "<interface type='user'><mac address='52:54:00:00:00:01'/>"
         "<model type='virtio'/></interface>"
         "<memballoon model='virtio'/>")


def test_q35_bridge_numbered_when_a_conventional_device_runs_out_of_slots() -> None:
    """The dry run adds buses in device order: the NIC, the default USB controller, the
    disk and the balloon each get a root port (1-4), then the ivshmem device needs a root
    port (5) and a pcie-to-pci-bridge (6); the real pass places controllers by index, so
    the bridge takes the first root port and the NIC the second."""
    args = _args(_xml(_PCIE + "<shmem name='s'><model type='ivshmem-plain'/>"
                              "<size unit='M'>4</size></shmem>"))
    assert '"driver":"pcie-pci-bridge","id":"pci.6","bus":"pci.1"' in args
    assert '"bus":"pci.6","addr":"0x1"' in _device(args, "ivshmem-plain")
    assert '"bus":"pci.2"' in _device(args, "virtio-net-pci")


def test_q35_crypto_is_a_conventional_pci_device() -> None:
    args = _args(_xml("<crypto model='virtio' type='qemu'><backend model='builtin'/>"
                      "</crypto>"))
    assert "pcie-pci-bridge" in args
    bridge = re.search(r'"driver":"pcie-pci-bridge","id":"(pci\.\d+)"', args)
    assert bridge and f'"bus":"{bridge.group(1)}"' in _device(args, "virtio-crypto-pci")


def test_q35_pcie_devices_need_no_bridge() -> None:
    assert "pcie-pci-bridge" not in _args(_xml(_PCIE))


def test_generated_mac_uses_the_harness_random_bits() -> None:
    args = _args(_xml("<interface type='user'><model type='virtio'/></interface>"))
    assert '"mac":"52:54:00:00:00:00"' in _device(args, "virtio-net-pci")


def test_console_turned_serial_is_port_zero() -> None:
    args = _args(_xml("<console type='pty'><target port='1'/></console>", machine="pc"))
    assert '"index":0' in _device(args, "isa-serial")


def test_i440fx_has_no_implicit_ide_controller() -> None:
    """Without an IDE controller, 00:01.1 is free for a user-placed device."""
    args = _args(_xml("<controller type='usb' index='3' model='piix3-uhci'>"
                      "<address type='pci' bus='0' slot='1' function='1'/></controller>",
                      machine="pc"))
    assert '"addr":"0x1.0x1"' in args


@pytest.mark.parametrize("machine,index,message", [
    ("pc", 1, "Only a single IDE controller is supported for this machine type"),
    ("q35", 0, "IDE controllers are unsupported for this QEMU binary or machine type"),
])
def test_ide_controllers(machine: str, index: int, message: str) -> None:
    xml = _xml(f"<controller type='ide' index='{index}'/>", machine=machine)
    with pytest.raises(translator.TranslationError) as exc:
        _args(xml)
    assert str(exc.value) == "unsupported configuration: " + message


def test_builtin_ide_controller_accepted() -> None:
    _args(_xml("<controller type='ide' index='0'/>", machine="pc"))


def test_default_usb_controller_added_beside_other_indexes() -> None:
    """qemuDomainDefAddDefaultDevices adds USB index 0 whenever no USB controller has it."""
    args = _args(_xml("<controller type='usb' index='2' model='piix3-uhci'/>", machine="pc"))
    assert '"id":"usb","bus":"pci.0","addr":"0x1.0x2"' in args
    assert '"id":"usb2"' in args


def test_pci_hostdev_without_source_address_is_all_zeros() -> None:
    args = _args(_xml("<hostdev mode='subsystem' type='pci'><source/></hostdev>",
                      machine="pc"))
    assert '"host":"0000:00:00.0"' in _device(args, "vfio-pci")


@pytest.mark.parametrize("fmt,driver", [("raw", "host_cdrom"), ("qcow2", "host_device")])
def test_host_cdrom_only_for_raw_media(fmt: str, driver: str) -> None:
    args = _args(_xml(f"<disk type='block' device='cdrom'><driver name='qemu' type='{fmt}'/>"
                      "<source dev='/dev/cdrom'/><target dev='hdc' bus='ide'/></disk>",
                      machine="pc"))
    assert f'"driver":"{driver}","filename":"/dev/cdrom"' in args


def test_controllers_ordered_as_libvirt_inserts_them() -> None:
    """A controller without an index in the XML goes right after the last one of its type
    (its index, the lowest free one, comes later); an added one goes among those of its
    type by index. PCI slots follow that list."""
    args = _args(_xml("<controller type='scsi' index='0' model='lsilogic'/>"
                      "<controller type='usb' index='3' model='pci-ohci'/>"
                      "<controller type='usb' model='pci-ohci'/>", machine="pc"))
    order = re.findall(r'"id":"(usb\d*|scsi\d*)","bus":"pci.0","addr":"(0x[0-9a-f.x]+)"', args)
    assert sorted(order, key=lambda o: o[1]) == [("scsi0", "0x2"), ("usb3", "0x3"),
                                                 ("usb", "0x4")]


def test_boot_dev_list_last_position_wins() -> None:
    """qemuProcessPrepareDeviceBootorder: a kind listed twice is worth its last position."""
    args = _args(_xml("<disk type='file' device='disk'><source file='/a.img'/>"
                      "<target dev='vda' bus='virtio'/></disk>", machine="pc")
                 .replace("</os>", "<boot dev='hd'/><boot dev='hd'/></os>"))
    assert '"bootindex":2' in _device(args, "virtio-blk-pci")


def test_ssh_user_from_identity() -> None:
    args = _args(_xml("<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
                      "<source protocol='ssh' name='t.img'><host name='h' port='22'/>"
                      "<identity username='me' keyfile='/k'/></source>"
                      "<target dev='vda' bus='virtio'/></disk>", machine="pc"))
    assert '"driver":"ssh","path":"t.img","server":{"host":"h","port":"22"},"user":"me"' in args


def test_primary_video_takes_next_slot_when_its_own_is_used() -> None:
    """Slot 2 is the i440fx primary video's; when taken, the video gets the next free slot
    before any other device."""
    args = _args(_xml("<disk type='file' device='disk'><source file='/a.img'/>"
                      "<target dev='vda' bus='virtio'/></disk>"
                      "<memballoon model='virtio'><address type='pci' bus='0' slot='2'/>"
                      "</memballoon><video><model type='vga'/></video>", machine="pc"))
    assert '"addr":"0x3"' in _device(args, "VGA")
    assert '"addr":"0x4"' in _device(args, "virtio-blk-pci")


@pytest.mark.parametrize("abi_update,fmt,template,name", [
    (True, "raw", "/t/VARS.raw", "g_VARS.raw"), (False, "raw", "/t/VARS.raw", "g_VARS.fd"),
    (True, "raw", "/t/VARS.fd", "g_VARS.fd"), (True, "qcow2", "/t/VARS.raw", "g_VARS.qcow2"),
])
def test_default_nvram_extension(abi_update: bool, fmt: str, template: str, name: str) -> None:
    """qemuFirmwareEnsureNVRAM: a new definition's raw varstore follows a .raw template."""
    from types import SimpleNamespace

    from translator.prepare.firmware import _default_nvram
    ctx = SimpleNamespace(abi_update=abi_update, host=SimpleNamespace(nvram_dir="/n"),
                          domain=SimpleNamespace(name="g"))
    assert _default_nvram(ctx, fmt, template) == f"/n/{name}"  # type: ignore[arg-type]


def test_piix3_controllers_take_slot_1_whatever_non_pci_address() -> None:
    args = _args(_xml("<controller type='usb' index='0' model='piix3-uhci'>"
                      "<address type='spapr-vio'/></controller>", machine="pc"))
    assert '"id":"usb","bus":"pci.0","addr":"0x1.0x2"' in args


def test_piix3_usb_slot_double_use() -> None:
    xml = _xml("<controller type='usb' index='0' model='piix3-uhci'/>"
               "<memballoon model='virtio'><address type='pci' bus='0' slot='1' function='2'/>"
               "</memballoon>", machine="pc")
    with pytest.raises(translator.TranslationError) as exc:
        _args(xml)
    assert str(exc.value) == "XML error: Attempted double use of PCI Address 0000:00:01.2"


def test_controller_on_spapr_vio_gets_a_reg() -> None:
    """qemuDomainAssignSpaprVIOAddresses gives every controller on spapr-vio a `reg`
    (0x2000 first), whatever its type."""
    args = _args(_xml("<controller type='pci' index='1' model='pcie-root-port'>"
                      "<address type='spapr-vio'/></controller>"))
    assert '"id":"pci.1","reg":8192' in args
