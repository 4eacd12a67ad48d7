"""PowerPC guests: pseries PHBs, spapr-vio addresses, ppc64 defaults, machine options."""

from __future__ import annotations

import json

import pytest

import capsdb
import translator


def _args(devices: str = "", *, machine: str = "pseries", arch: str = "ppc64",
          virt: str = "qemu", memory: str = "524288", extra: str = "",
          caps_del: tuple[str, ...] = ()) -> list[str]:
    xml = f"""<domain type='{virt}'><name>t</name>
      <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid><memory>{memory}</memory>
      <os><type arch='{arch}' machine='{machine}'>hvm</type></os>{extra}
      <devices>{devices}</devices></domain>"""
    caps = capsdb.get("7.1.0", "ppc64") if arch.startswith("ppc64") else capsdb.get("7.2.0", "ppc")
    return translator.translate(xml, caps, profile="libvirt-test", caps_del=caps_del).args


def _values(args: list[str], opt: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == opt]


def _devices(args: list[str]) -> list[dict[str, object]]:
    return [json.loads(v) for v in _values(args, "-device")]


def _device(args: list[str], driver: str) -> dict[str, object]:
    return next(d for d in _devices(args) if d["driver"] == driver)


def _error(devices: str = "", **kw: object) -> str:
    with pytest.raises(translator.TranslationError) as exc:
        _args(devices, **kw)  # type: ignore[arg-type]
    return str(exc.value)


NO_USB = "<controller type='usb' model='none'/><memballoon model='none'/>"


def test_pseries_defaults_cpu_usb_and_memory_alignment() -> None:
    args = _args("<memballoon model='none'/>", memory="219136")
    assert _values(args, "-cpu") == ["POWER9"]
    assert _device(args, "pci-ohci") == {"driver": "pci-ohci", "id": "usb", "bus": "pci.0",
                                         "addr": "0x1"}
    assert _values(args, "-m") == ["size=262144k"]  # rounded up to 256 MiB


def test_default_cpu_follows_machine_version_and_accelerator() -> None:
    assert _values(_args(NO_USB, machine="pseries-2.7"), "-cpu") == ["POWER7"]
    assert _values(_args(NO_USB, machine="pseries-3.1", virt="kvm"), "-cpu") == ["POWER9"]
    assert _values(_args(NO_USB, machine="g3beige"), "-cpu") == ["g3"]


def test_host_model_becomes_host_cpu_with_max_cpu_compat() -> None:
    args = _args(NO_USB, virt="kvm",
                 extra="<cpu mode='host-model'><model>power8</model></cpu>")
    assert _values(args, "-cpu") == ["host"]
    assert _values(args, "-machine")[0].endswith(",max-cpu-compat=power8")


def test_pseries_features_are_machine_capabilities() -> None:
    feats = ("<features><hpt resizing='required'><maxpagesize unit='MiB'>64</maxpagesize>"
             "</hpt><htm state='off'/><cfpc value='workaround'/></features>")
    m = _values(_args(NO_USB, extra=feats), "-machine")[0]
    assert m.startswith("pseries,usb=off,resize-hpt=required,cap-hpt-max-page-size=65536k,"
                        "cap-htm=off,cap-cfpc=workaround,dump-guest-core=off")


def test_devices_start_at_slot_one_and_default_models() -> None:
    args = _args("<interface type='user'/><controller type='scsi'/>"
                 "<tpm><backend type='emulator'/></tpm><memballoon model='none'/>")
    assert _device(args, "rtl8139")["addr"] == "0x1"
    assert _device(args, "pci-ohci")["addr"] == "0x2"
    assert _device(args, "spapr-vscsi")["reg"] == 0x2000
    assert _device(args, "tpm-spapr")["reg"] == 0x4000
    assert _values(args, "-netdev") == ["user,id=hostnet0"]  # QEMU 7.1: no JSON -netdev


def test_extra_phbs_and_their_bus_names() -> None:
    args = _args("<controller type='pci' model='pci-root'/>"
                 "<controller type='pci' model='pci-root'><alias name='ua-x'/></controller>"
                 "<interface type='user'><model type='virtio'/>"
                 "<address type='pci' bus='0x01' slot='0x02'/></interface>" + NO_USB)
    assert _device(args, "spapr-pci-host-bridge") == {
        "driver": "spapr-pci-host-bridge", "index": 1, "id": "ua-x"}
    assert _device(args, "virtio-net-pci")["bus"] == "ua-x.0"


def test_missing_phbs_are_added_up_to_the_highest_bus() -> None:
    args = _args("<controller type='pci' index='2' model='pci-root'/>" + NO_USB)
    assert [d["index"] for d in _devices(args)] == [1, 2]


def test_full_phb_makes_libvirt_add_another() -> None:
    scsi = "".join(f"<controller type='scsi' index='{i}' model='virtio-scsi'/>"
                   for i in range(32))
    devs = _devices(_args(scsi + NO_USB))
    assert devs[0] == {"driver": "spapr-pci-host-bridge", "index": 1, "id": "pci.1"}
    assert devs[-1]["bus"] == "pci.1.0" and devs[-1]["addr"] == "0x1"


def _hostdev(host: str, address: str = "") -> str:
    domain, bus, slot_fn = host.split(":")
    slot, fn = slot_fn.split(".")
    return (f"<hostdev mode='subsystem' type='pci'><source><address domain='0x{domain}' "
            f"bus='0x{bus}' slot='0x{slot}' function='0x{fn}'/></source>{address}</hostdev>")


def _buses(args: list[str]) -> dict[str, object]:
    return {str(d["host"]): d["bus"] for d in _devices(args) if d["driver"] == "vfio-pci"}


def test_host_devices_get_a_phb_per_iommu_group() -> None:
    # the harness' host: 0001:01:00.x in one IOMMU group, 0005:90:01.0 in another
    args = _args(_hostdev("0001:01:00.0") + _hostdev("0005:90:01.0") +
                 _hostdev("0001:01:00.1") + "<rng model='virtio'><backend model='random'>"
                 "/dev/urandom</backend></rng>" + NO_USB)
    assert _buses(args) == {"0001:01:00.0": "pci.1.0", "0005:90:01.0": "pci.2.0",
                            "0001:01:00.1": "pci.1.0"}
    assert _device(args, "virtio-rng-pci")["bus"] == "pci.0"  # emulated: the built-in PHB


def test_host_device_without_iommu_group_is_not_isolated() -> None:
    args = _args(_hostdev("0000:ff:00.0") + NO_USB)  # no such device on the harness' host
    assert _buses(args) == {"0000:ff:00.0": "pci.0"}
    assert not any(d["driver"] == "spapr-pci-host-bridge" for d in _devices(args))


def test_user_placed_host_device_gives_its_phb_its_group() -> None:
    args = _args(_hostdev("0001:01:00.0", "<address type='pci' bus='0x02' slot='0x01'/>") +
                 _hostdev("0001:01:00.1") + NO_USB)
    assert _buses(args) == {"0001:01:00.0": "pci.2.0", "0001:01:00.1": "pci.2.0"}
    # a user address of another group on a bus makes it shared (group 0) again
    args = _args(_hostdev("0001:01:00.0", "<address type='pci' bus='0x00' slot='0x01'/>") +
                 _hostdev("0001:01:00.1") + NO_USB)
    assert _buses(args) == {"0001:01:00.0": "pci.0", "0001:01:00.1": "pci.1.0"}


def test_interface_on_a_hostdev_network_gets_a_phb_of_its_own() -> None:
    # the harness' network 'hostdev' forwards to host devices: the interface is isolated
    # before libvirt knows which device it gets; a NAT network's is not
    def bus(network: str) -> object:
        devs = _devices(_args(f"<interface type='network'><source network='{network}'/>"
                              "<model type='virtio'/></interface>" + NO_USB))
        return next(d["bus"] for d in devs if d["driver"] == "virtio-net-pci")

    assert bus("hostdev") == "pci.1.0"
    assert bus("nat-network") == "pci.0"


def test_hostdev_interfaces_come_first_in_the_hostdev_list() -> None:
    iface = ("<interface type='hostdev'><source><address type='pci' domain='0x0005' "
             "bus='0x90' slot='0x01' function='0x0'/></source></interface>")
    vfio = [d for d in _devices(_args(_hostdev("0001:01:00.0") + iface + NO_USB))
            if d["driver"] == "vfio-pci"]
    assert [(d["host"], d["id"]) for d in vfio] == [("0005:90:01.0", "hostdev0"),
                                                    ("0001:01:00.0", "hostdev1")]


def test_dry_run_keeps_a_slot_for_a_bridge() -> None:
    # 31 devices fill the built-in PHB, but the dry run kept one slot aside: a PHB is added
    def scsi(n: int) -> str:
        return "".join(f"<controller type='scsi' index='{i}' model='virtio-scsi'/>"
                       for i in range(n))

    devs = _devices(_args(scsi(31) + NO_USB))
    assert devs[0] == {"driver": "spapr-pci-host-bridge", "index": 1, "id": "pci.1"}
    assert all(d.get("bus") == "pci.0" for d in devs[1:])
    assert len(_devices(_args(scsi(30) + NO_USB))) == 30  # 30 devices: no PHB


def test_other_ppc_boards_grow_with_pci_bridges() -> None:
    scsi = "".join(f"<controller type='scsi' index='{i}' model='virtio-scsi'/>"
                   for i in range(32))
    devs = _devices(_args(scsi + NO_USB, machine="mac99", arch="ppc"))
    assert [d["driver"] for d in devs].count("spapr-pci-host-bridge") == 0
    assert devs[0] == {"driver": "pci-bridge", "chassis_nr": 1, "id": "pci.1",
                       "bus": "pci.0", "addr": "0x1"}
    assert devs[-1]["bus"] == "pci.1"


def test_phb_target_indexes_run_out_after_31() -> None:
    def phbs(n: int) -> str:
        return "".join(f"<controller type='pci' index='{i}' model='pci-root'/>"
                       for i in range(1, n + 1))

    assert _devices(_args(phbs(31) + NO_USB))[-1]["index"] == 31
    assert _error(phbs(32) + NO_USB) == \
        "unsupported configuration: No usable target index found for 0"


def test_spapr_vio_registers_skip_user_ones() -> None:
    args = _args("<controller type='scsi' index='0'><address type='spapr-vio' "
                 "reg='0x30000000'/></controller><serial type='pty'/>" + NO_USB)
    assert _device(args, "spapr-vty")["reg"] == 0x30001000


def test_spapr_vio_clash_is_refused() -> None:
    msg = _error("<serial type='pty'><address type='spapr-vio' reg='0x4000'/></serial>"
                 "<controller type='scsi'><address type='spapr-vio' reg='0x4000'/>"
                 "</controller>" + NO_USB)
    assert msg == "XML error: spapr-vio address 0x4000 already in use"


def test_nvram_is_a_global() -> None:
    args = _args("<nvram><address type='spapr-vio' reg='0x5000'/></nvram>" + NO_USB)
    assert _values(args, "-global") == ["spapr-nvram.reg=0x5000"]


def test_phb_target_index_rules() -> None:
    assert "target index '31' out of range" in _error(
        "<controller type='pci' model='pci-root'><target index='31'/></controller>" + NO_USB)
    assert "Only the PCI controller with index 0" in _error(
        "<controller type='pci' index='1' model='pci-root'><target index='0'/></controller>"
        + NO_USB)


def test_usb_model_unavailable_is_refused() -> None:
    msg = _error("<controller type='usb'/>", caps_del=("pci-ohci",))
    assert msg == "unsupported configuration: no model provided for USB controller"


def test_ppc32_board_defaults() -> None:
    args = _args("<serial type='pty'/>", arch="ppc", machine="ppce500")
    assert _device(args, "piix3-usb-uhci")["addr"] == "0x1"
    assert _device(args, "virtio-balloon-pci")["addr"] == "0x2"
    assert _values(args, "-serial") == ["chardev:charserial0"]
    assert "-cpu" not in args  # no CPU driver for 32-bit PowerPC in libvirt


def test_graphics_add_usb_keyboard_and_mouse() -> None:
    drivers = [d["driver"] for d in _devices(_args("<graphics type='vnc'/>"))]
    assert drivers[:3] == ["pci-ohci", "usb-kbd", "usb-mouse"]


def test_floppy_and_panic_address_refusals() -> None:
    assert "do not support floppy" in _error(
        "<disk type='file' device='floppy'><source file='/f'/><target dev='fda' bus='fdc'/>"
        "</disk>" + NO_USB)
    assert "setting the panic device address is not supported" in _error(
        "<panic><address type='isa' iobase='0x505'/></panic>" + NO_USB)
