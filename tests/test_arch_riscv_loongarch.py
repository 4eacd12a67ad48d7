"""RISC-V and LoongArch `virt` guests: PCIe topology, virtio-mmio, defaults, -machine, -cpu."""

from __future__ import annotations

import json

import pytest

import capsdb
import translator

_VERSIONS = {"riscv64": "9.1.0", "loongarch64": "8.2.0"}


def _args(arch: str, devices: str = "", virt: str = "qemu", features: str = "",
          machine: str = "virt") -> list[str]:
    xml = f"""<domain type='{virt}'><name>t</name>
      <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid><memory>131072</memory>
      <os><type arch='{arch}' machine='{machine}'>hvm</type></os>{features}
      <devices>{devices}</devices></domain>"""
    return translator.translate(xml, capsdb.get(_VERSIONS[arch], arch),
                                profile="libvirt-test").args


def _values(args: list[str], opt: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == opt]


def _devices(args: list[str]) -> list[dict[str, object]]:
    return [json.loads(v) for v in _values(args, "-device") if v.startswith("{")]


def _by_id(args: list[str]) -> dict[str, dict[str, object]]:
    return {str(d.get("id")): d for d in _devices(args)}


NET = "<interface type='user'><mac address='52:54:00:09:a4:37'/></interface>"


def test_riscv_balloon_goes_into_a_root_port_and_a_spare_is_added() -> None:
    devs = _by_id(_args("riscv64"))
    assert devs["pci.1"] == {"driver": "pcie-root-port", "port": 8, "chassis": 1,
                             "id": "pci.1", "bus": "pcie.0", "multifunction": True,
                             "addr": "0x1"}
    assert devs["pci.2"]["addr"] == "0x1.0x1"
    assert devs["balloon0"]["bus"] == "pci.1"
    assert "pci.3" not in devs


def test_loongarch_has_no_default_balloon_and_no_root_ports() -> None:
    devs = _by_id(_args("loongarch64"))
    assert "balloon0" not in devs
    assert not any(d["driver"] == "pcie-root-port" for d in devs.values())


def test_conventional_pci_device_gets_a_bridge_in_its_own_root_port() -> None:
    devs = _by_id(_args("riscv64", "<controller type='scsi' model='lsilogic'/>" + NET
                        + "<memballoon model='none'/>"))
    # net -> pci.1; lsi -> bridge pci.3 whose bridge-only port is pci.2; spare pci.4
    assert devs["pci.3"]["driver"] == "pcie-pci-bridge"
    assert devs["pci.3"]["bus"] == "pci.1"
    assert devs["scsi0"]["bus"] == "pci.3" and devs["scsi0"]["addr"] == "0x1"
    assert devs["net0"]["driver"] == "virtio-net-pci" and devs["net0"]["bus"] == "pci.2"
    assert devs["pci.4"]["driver"] == "pcie-root-port"


def test_default_controller_models_differ_by_architecture() -> None:
    ctrls = "<controller type='usb'/><controller type='scsi'/><memballoon model='none'/>"
    rv = {d["driver"] for d in _devices(_args("riscv64", ctrls))}
    la = {d["driver"] for d in _devices(_args("loongarch64", ctrls))}
    assert {"piix3-usb-uhci", "lsi"} <= rv
    assert {"qemu-xhci", "virtio-scsi-pci"} <= la


def test_virtio_video_is_a_pcie_endpoint() -> None:
    devs = _by_id(_args("loongarch64", "<video/>"))
    assert devs["video0"]["driver"] == "virtio-vga"
    assert str(devs["video0"]["bus"]).startswith("pci.")


def test_one_virtio_mmio_device_moves_all_virtio_devices_to_mmio() -> None:
    devices = ("<disk type='file' device='disk'><source file='/a.qcow2'/>"
               "<target dev='vda' bus='virtio'/><address type='virtio-mmio'/></disk>" + NET)
    drivers = {d["driver"] for d in _devices(_args("riscv64", devices))}
    assert {"virtio-blk-device", "virtio-net-device", "virtio-balloon-device"} <= drivers
    assert not any(str(d).endswith("-pci") or d == "pcie-root-port" for d in drivers)


def test_machine_acpi_and_aia_properties() -> None:
    machine = _values(_args("riscv64", features="<features><acpi/><aia value='aplic-imsic'/>"
                                                "</features>"), "-machine")[0]
    assert machine.split(",")[2] == "aia=aplic-imsic"
    assert machine.endswith(",acpi=on")
    assert _values(_args("loongarch64"), "-machine")[0].endswith(",acpi=off")


def test_tcg_guest_gets_the_machine_default_cpu() -> None:
    assert _values(_args("riscv64"), "-cpu") == ["rv64"]
    assert _values(_args("loongarch64"), "-cpu") == ["la464"]


def test_kvm_guest_has_no_default_cpu() -> None:
    assert _values(_args("loongarch64", virt="kvm"), "-cpu") == []


def test_non_virt_riscv_board_has_no_pci() -> None:
    args = _args("riscv64", "<memballoon model='none'/>", machine="spike")
    assert not any(d["driver"] == "pcie-root-port" for d in _devices(args))


def test_wrong_root_controller_model_is_refused() -> None:
    with pytest.raises(translator.TranslationError, match="must be model='pcie-root'"):
        _args("loongarch64", "<controller type='pci' index='0' model='pci-root'/>")


def test_tpm_tis_is_the_sysbus_device() -> None:
    devs = _devices(_args("riscv64", "<tpm><backend type='emulator'/></tpm>"))
    assert any(d["driver"] == "tpm-tis-device" for d in devs)
