"""The shared PCIe topology of the chipset-less `virt` boards (prepare/pcie_topology.py)
and the shared implicit-controller helpers (prepare/defaults.py)."""

from __future__ import annotations

import pytest

import capsdb
import translator
from translator.errors import TranslationError

_ARCHES = ("aarch64", "riscv64", "loongarch64")


def _domain(arch: str, devices: str, machine: str = "virt") -> str:
    return (f"<domain type='qemu'><name>d</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809"
            f"</uuid><memory>219136</memory><vcpu>1</vcpu><os><type arch='{arch}' "
            f"machine='{machine}'>hvm</type></os><devices>{devices}"
            f"<memballoon model='none'/></devices></domain>")


def _pci_devices(arch: str, devices: str) -> list[str]:
    inv = translator.translate(_domain(arch, devices), capsdb.get(None, arch),
                               profile="libvirt-test")
    return [line for line in inv.render("args").splitlines()
            if '"driver":"pcie-' in line or '"driver":"rtl8139"' in line]


_DISK_AND_PCI_NIC = ("<disk type='file' device='disk'><source file='/a.img'/>"
                     "<target dev='vda' bus='virtio'/></disk>"
                     "<interface type='user'><model type='rtl8139'/></interface>")


@pytest.mark.parametrize("arch", _ARCHES)
def test_conventional_pci_device_gets_bridge_in_its_own_root_port(arch: str) -> None:
    lines = _pci_devices(arch, _DISK_AND_PCI_NIC)
    assert '"driver":"pcie-pci-bridge","id":"pci.2","bus":"pci.1"' in lines[1]
    assert '"bus":"pci.2","addr":"0x1"' in lines[-1]  # the NIC sits behind the bridge
    # the disk's root port plus one spare for hot-plug
    assert sum('"driver":"pcie-root-port"' in line for line in lines) == 3


def test_every_virt_board_builds_the_same_topology() -> None:
    tops = [_pci_devices(arch, _DISK_AND_PCI_NIC) for arch in _ARCHES]
    assert tops[0] == tops[1] == tops[2]


@pytest.mark.parametrize("arch", _ARCHES)
def test_wrong_root_model_is_refused(arch: str) -> None:
    xml = _domain(arch, "<controller type='pci' index='0' model='pci-root'/>")
    with pytest.raises(TranslationError, match="must be model='pcie-root'"):
        translator.translate(xml, capsdb.get(None, arch), profile="libvirt-test")


def test_scsi_disk_gets_its_controller_with_the_arch_default_model() -> None:
    disk = ("<disk type='file' device='disk'><source file='/a.img'/>"
            "<target dev='sda' bus='scsi'/></disk>")
    inv = translator.translate(_domain("loongarch64", disk), capsdb.get(None, "loongarch64"),
                               profile="libvirt-test")
    assert '"driver":"virtio-scsi-pci","id":"scsi0"' in inv.render("args")
