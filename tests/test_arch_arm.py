"""ARM guests (aarch64, armv7l): virt's GIC/ACPI/CPU defaults, its PCIe topology, the
historical boards' PCI bus and USB, virtio-mmio, and ARM's refusals."""

from __future__ import annotations

import json

import pytest

import capsdb
import translator


def _args(devices: str = "", machine: str = "virt", virt: str = "qemu", arch: str = "aarch64",
          features: str = "", cpu: str = "", os_extra: str = "") -> list[str]:
    xml = f"""<domain type='{virt}'><name>t</name>
      <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid><memory>1048576</memory>
      <os><type arch='{arch}' machine='{machine}'>hvm</type>{os_extra}</os>
      <features>{features}</features>{cpu}
      <devices><emulator>/usr/bin/qemu-system-aarch64</emulator>{devices}</devices>
      </domain>"""
    return translator.translate(xml, capsdb.get("8.2.0", "aarch64"), profile="libvirt-test").args


def _values(args: list[str], opt: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == opt]


def _devices(args: list[str]) -> list[dict[str, object]]:
    return [json.loads(v) for v in _values(args, "-device") if v.startswith("{")]


def _error(**kw: str) -> str:
    with pytest.raises(translator.TranslationError) as exc:
        _args(**kw)
    return str(exc.value)


def test_virt_tcg_defaults_gic_v2_acpi_off_and_machine_cpu() -> None:
    args = _args()
    assert _values(args, "-machine") == [
        "virt,usb=off,gic-version=2,dump-guest-core=off,memory-backend=mach-virt.ram,acpi=off"]
    assert _values(args, "-cpu") == ["cortex-a15"]
    assert not any(d["driver"] == "virtio-balloon-pci" for d in _devices(args))


def test_virt_kvm_gets_gic_v3_and_no_default_cpu() -> None:
    args = _args(virt="kvm")
    assert "gic-version=3" in _values(args, "-machine")[0]
    assert _values(args, "-cpu") == []


def test_explicit_gic_ras_and_smmuv3_machine_properties() -> None:
    args = _args(features="<gic version='host'/><ras state='on'/>",
                 devices="<iommu model='smmuv3'/>")
    assert _values(args, "-machine")[0].startswith(
        "virt,usb=off,gic-version=host,iommu=smmuv3,ras=on,dump-guest-core=off")


def test_virt_devices_go_into_root_ports_with_a_bridge_for_pci_only_ones() -> None:
    devs = _devices(_args(devices="<controller type='scsi'/><interface type='user'>"
                                  "<mac address='52:54:00:09:a4:37'/></interface><video/>"
                                  "<panic/>"))
    by_id = {d.get("id"): d for d in devs}
    # the dry run asks for: a port (net), a port plus bridge (lsi), a port (video), a spare
    assert [d["driver"] for d in devs[:5]] == ["pcie-root-port"] * 2 + ["pcie-pci-bridge"] + \
        ["pcie-root-port"] * 2
    assert by_id["pci.3"]["bus"] == "pci.1"  # the bridge takes the first empty port
    assert by_id["net0"]["driver"] == "virtio-net-pci" and by_id["net0"]["bus"] == "pci.2"
    assert by_id["scsi0"]["bus"] == "pci.3"
    assert by_id["video0"]["bus"] == "pci.4"
    panic = next(d for d in devs if d["driver"] == "pvpanic-pci")
    assert (panic["bus"], panic["addr"]) == ("pcie.0", "0x2")


def test_versatilepb_root_bus_is_plain_pci_with_ohci() -> None:
    devs = _devices(_args(machine="versatilepb", virt="kvm", cpu="<cpu mode='host-passthrough'/>"))
    assert devs == [{"driver": "pci-ohci", "id": "usb", "bus": "pci", "addr": "0x1"}]


def test_user_usb_controller_model_aarch64_prefers_xhci() -> None:
    devs = _devices(_args(machine="versatilepb", devices="<controller type='usb'/>"))
    assert devs[0]["driver"] == "qemu-xhci"


def test_vexpress_virtio_devices_use_mmio_and_board_nic_is_legacy() -> None:
    args = _args(machine="vexpress-a9", arch="armv7l",
                 devices="<disk type='file'><source file='/a.raw'/><target dev='vda' "
                         "bus='virtio'/></disk><interface type='user'>"
                         "<mac address='52:54:00:09:a4:37'/></interface>")
    assert any(d["driver"] == "virtio-blk-device" for d in _devices(args))
    assert _values(args, "-net") == [
        "nic,macaddr=52:54:00:09:a4:37,netdev=hostnet0,model=lan9118,id=net0"]
    assert _values(args, "-cpu") == ["cortex-a9"]


def test_32bit_guest_on_aarch64_host_cpu() -> None:
    args = _args(virt="kvm", arch="armv7l", cpu="<cpu mode='host-passthrough'/>")
    assert _values(args, "-cpu") == ["host,aarch64=off"]


def test_sve_lengths_imply_sve() -> None:
    args = _args(virt="kvm", cpu="<cpu mode='host-passthrough'><feature policy='require' "
                                 "name='sve256'/></cpu>")
    assert _values(args, "-cpu") == ["host,sve256=on,sve=on"]


def test_refusals() -> None:
    assert _error(virt="kvm", cpu="<cpu mode='host-passthrough'><feature policy='disable' "
                                  "name='vmx'/></cpu>") == \
        "unsupported configuration: unknown CPU feature: vmx"
    assert _error(features="<acpi/>") == \
        "unsupported configuration: ACPI requires UEFI on this architecture"
    assert _error(machine="versatilepb", features="<gic version='2'/>").startswith(
        "unsupported configuration: The 'gic' feature is not supported")
    assert _error(devices="<panic model='pvpanic'><address type='isa' iobase='0x505'/>"
                          "</panic>") == \
        "unsupported configuration: pvpanic is supported only with PCI address type"


def test_gic_version_comes_from_qemus_gic_capabilities() -> None:
    def machine(virt: str, caps: "capsdb.Caps", arch: str = "aarch64") -> str:
        xml = f"""<domain type='{virt}'><name>t</name><memory>1048576</memory>
          <os><type arch='{arch}' machine='virt'>hvm</type></os>
          <devices><controller type='usb' model='none'/><memballoon model='none'/></devices>
          </domain>"""
        return _values(translator.translate(xml, caps, profile="libvirt-test").args,
                       "-machine")[0]

    aarch64 = capsdb.get("8.2.0", "aarch64")
    assert "gic-version=3" in machine("kvm", aarch64)   # the host kernel's GICv3
    assert "gic-version=2" in machine("qemu", aarch64)  # TCG never takes the emulated v3
    assert "gic-version=2" in machine("kvm", capsdb.Caps(  # no in-kernel GIC: v2
        version=aarch64.version, arch="aarch64", flags=aarch64.flags,
        machines=aarch64.machines, cpus=aarch64.cpus, gic=(("3", False, True),)))
    # only QEMU for aarch64 has the option: an armv7l guest gets its GICv2 silently
    assert "gic-version" not in machine("qemu", capsdb.get("8.2.0", "armv7l"), "armv7l")


def test_default_video_is_virtio_only_on_virt() -> None:
    video = "<video/><controller type='usb' model='none'/><memballoon model='none'/>"
    assert any(d["driver"] == "virtio-gpu-pci" for d in _devices(_args(video)))
    board = _devices(_args(video, machine="versatilepb", virt="kvm",
                           cpu="<cpu mode='host-passthrough'/>"))
    assert any(d["driver"] == "cirrus-vga" for d in board)


def test_virtio_device_without_any_bus_is_refused() -> None:
    # realview has no PCI bus libvirt manages and no virtio-mmio: the balloon gets no address
    assert _error(devices="<memballoon model='virtio'/>", machine="realview-pbx-a9",
                  virt="kvm", cpu="<cpu mode='host-passthrough'/>") == \
        "internal error: Unexpected enum value 0 for virDomainDeviceAddressType"
    assert _args("<memballoon model='none'/>", machine="realview-pbx-a9", virt="kvm",
                 cpu="<cpu mode='host-passthrough'/>")
