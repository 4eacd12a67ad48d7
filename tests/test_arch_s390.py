"""s390x guests: CCW device numbers, zPCI, default CPU, machine options, refusals."""

from __future__ import annotations

import json

import pytest

import capsdb
import translator
from tests.test_validate import _refusal, _translate, _xml


def _args(devices: str = "", virt: str = "qemu", extra: str = "", version: str = "10.0",
          machine: str = "s390-ccw-virtio") -> list[str]:
    xml = f"""<domain type='{virt}'><name>t</name>
      <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid><memory>131072</memory>
      <os><type arch='s390x' machine='{machine}'>hvm</type></os>{extra}
      <devices>{devices}</devices></domain>"""
    return translator.translate(xml, capsdb.get(version, "s390x"), profile="libvirt-test").args


def _values(args: list[str], opt: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == opt]


def _devices(args: list[str]) -> list[dict[str, object]]:
    return [json.loads(v) for v in _values(args, "-device")]


def _error(**kw: str) -> str:
    with pytest.raises(translator.TranslationError) as exc:
        _args(**kw)
    return str(exc.value)


DISK = ("<disk type='block' device='disk'><source dev='/dev/sd{0}'/>"
        "<target dev='vd{0}' bus='virtio'/>{1}</disk>")


def test_virtio_devices_get_ccw_numbers_in_walk_order() -> None:
    devs = _devices(_args(DISK.format("a", "") + DISK.format("b", "")))
    by_id = {d["id"]: d for d in devs}
    assert by_id["virtio-disk0"]["driver"] == "virtio-blk-ccw"
    assert by_id["virtio-disk0"]["devno"] == "fe.0.0000"
    assert by_id["virtio-disk1"]["devno"] == "fe.0.0001"
    assert by_id["balloon0"] == {"driver": "virtio-balloon-ccw", "id": "balloon0",
                                 "devno": "fe.0.0002"}


def test_user_devno_is_reserved_before_automatic_numbering() -> None:
    user = "<address type='ccw' cssid='0xfe' ssid='0x0' devno='0x0000'/>"
    devs = {d["id"]: d for d in _devices(_args(DISK.format("a", "") + DISK.format("b", user)))}
    assert devs["virtio-disk1"]["devno"] == "fe.0.0000"
    assert devs["virtio-disk0"]["devno"] == "fe.0.0001"


def test_duplicate_devno_is_refused() -> None:
    user = "<address type='ccw' cssid='0xfe' ssid='0x0' devno='0x0003'/>"
    msg = _error(devices=DISK.format("a", user) + DISK.format("b", user))
    assert msg == "XML error: The CCW devno 'fe.0.0003' is in use already"


def test_controllers_use_the_ccw_transport() -> None:
    devs = _devices(_args("<controller type='virtio-serial'/><controller type='scsi'/>"))
    drivers = [d["driver"] for d in devs]
    assert "virtio-serial-ccw" in drivers and "virtio-scsi-ccw" in drivers


def test_pci_hostdev_gets_slot_and_zpci_device_first() -> None:
    hostdev = ("<hostdev mode='subsystem' type='pci'><source>"
               "<address domain='0' bus='0' slot='0' function='0'/></source></hostdev>")
    devs = _devices(_args(hostdev))
    zpci = devs.index({"driver": "zpci", "uid": 1, "fid": 0, "target": "hostdev0",
                       "id": "zpci1"})
    assert devs[zpci + 1]["driver"] == "vfio-pci"
    assert devs[zpci + 1]["bus"] == "pci.0" and devs[zpci + 1]["addr"] == "0x1"


def test_zpci_ids_given_in_xml_are_reserved_first() -> None:
    def hd(n: int, zpci: str) -> str:
        return (f"<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='0' "
                f"slot='{n}' function='0'/></source><address type='pci'>{zpci}</address>"
                "</hostdev>")
    devs = _devices(_args(hd(0, "") + hd(1, "<zpci uid='0x0001' fid='0x0'/>")))
    zpci = [d for d in devs if d["driver"] == "zpci"]
    assert [(z["uid"], z["fid"], z["target"]) for z in zpci] == [(2, 1, "hostdev0"),
                                                                (1, 0, "hostdev1")]


def test_zpci_uid_zero_is_refused() -> None:
    hostdev = ("<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='0' "
               "slot='0' function='0'/></source><address type='pci'><zpci uid='0x0'/>"
               "</address></hostdev>")
    assert _error(devices=hostdev) == ("XML error: Invalid PCI address uid='0x0000', "
                                       "must be > 0x0000 and <= 0xffff")


def test_default_cpu_under_tcg_is_qemu() -> None:
    assert _values(_args(), "-cpu") == ["qemu"]


def test_keywrap_goes_on_the_machine_aes_first() -> None:
    kw = "<keywrap><cipher name='dea' state='off'/><cipher name='aes' state='on'/></keywrap>"
    m = _values(_args(extra=kw), "-machine")[0]
    assert m.startswith("s390-ccw-virtio,usb=off,aes-key-wrap=on,dea-key-wrap=off,"
                        "dump-guest-core=off")


def test_keywrap_is_refused_off_s390() -> None:
    """qemuAppendKeyWrapMachineParms: only an s390 machine has the key wrapping switches."""
    kw = "<keywrap><cipher name='aes' state='off'/></keywrap>"
    assert _refusal(_xml(head=kw)) == (
        "unsupported configuration: 'aes-key-wrap'/'dea-key-wrap' is not available on this "
        "architecture")
    _translate(_xml(head="<keywrap/>"))


def test_loadparm_on_device_or_machine_by_qemu_version() -> None:
    disk = DISK.format("a", "<boot order='1' loadparm='sys1'/>")
    new = _args(disk)
    assert any(d.get("loadparm") == "SYS1" for d in _devices(new))
    assert "loadparm" not in _values(new, "-machine")[0]
    old = _args(disk, version="9.1")
    assert _values(old, "-machine")[0].endswith(",loadparm=SYS1")


def test_launch_security_s390_pv_object() -> None:
    ls = "<launchSecurity type='s390-pv'/>"
    args = _args(extra=ls, virt="kvm")
    assert _values(args, "-machine")[0].endswith(",confidential-guest-support=lsec0")
    assert json.loads(_values(args, "-object")[-1]) == {"qom-type": "s390-pv-guest",
                                                       "id": "lsec0"}


def test_async_teardown_run_with() -> None:
    assert _values(_args(extra="<features><async-teardown/></features>"),
                   "-run-with") == ["async-teardown=on"]
    assert _values(_args(extra="<features><async-teardown enabled='no'/></features>"),
                   "-run-with") == ["async-teardown=off"]


@pytest.mark.parametrize("devices,extra,message", [
    ("<parallel type='pty'/>", "", "unsupported configuration: parallel ports are not "
     "supported"),
    ("<panic model='s390'><address type='ccw' cssid='0xfe' ssid='0' devno='5'/></panic>", "",
     "unsupported configuration: setting the panic device address is not supported for "
     "model 's390'"),
    ("", "<clock offset='utc'><timer name='tsc' present='yes'/></clock>",
     "unsupported configuration: Configuring the 'tsc' timer is not supported for "
     "virtType=qemu arch=s390x machine=s390-ccw-virtio guests"),
])
def test_s390_refusals(devices: str, extra: str, message: str) -> None:
    assert _error(devices=devices, extra=extra) == message


def test_devno_numbers_are_read_like_libvirt_base_zero() -> None:
    octal = "<address type='ccw' cssid='0xfe' ssid='0' devno='010'/>"  # octal 8
    devs = {d["id"]: d for d in _devices(_args(DISK.format("a", octal)))}
    assert devs["virtio-disk0"]["devno"] == "fe.0.0008"


def test_partial_ccw_address_is_refused() -> None:
    partial = "<address type='ccw' cssid='0xfe' devno='0x1'/>"
    assert _error(devices=DISK.format("a", partial)) == (
        "internal error: Invalid partial specification for virtio ccw address")


def test_virtio_disk_with_pci_address_is_a_zpci_device() -> None:
    pci = ("<address type='pci' domain='0' bus='0' slot='0x8' function='0'>"
           "<zpci uid='0x19' fid='0x1f'/></address>")
    devs = _devices(_args(DISK.format("a", pci)))
    i = devs.index({"driver": "zpci", "uid": 25, "fid": 31, "target": "virtio-disk0",
                    "id": "zpci25"})
    assert devs[i + 1]["driver"] == "virtio-blk-pci" and devs[i + 1]["addr"] == "0x8"
    assert "devno" not in devs[i + 1]


def test_transitional_models_keep_their_suffix_on_ccw() -> None:
    devs = _devices(_args("<memballoon model='virtio-non-transitional'/>"))
    assert devs[-1]["driver"] == "virtio-balloon-ccw-non-transitional"
    devs = _devices(_args("<memballoon model='virtio'/>"))
    assert devs[-1]["driver"] == "virtio-balloon-ccw"


def test_first_serial_port_is_console_zero() -> None:
    # libvirt lists the SCLP serial port as console 0 too: the SCLP console is console 1
    args = _args("<serial type='pty'/><console type='pty'><target type='sclp'/></console>"
                 "<memballoon model='none'/>")
    assert _devices(args)[-1] == {"driver": "sclpconsole", "chardev": "charconsole1",
                                  "id": "console1"}
    args = _args("<console type='pty'><target type='sclp'/></console>"
                 "<memballoon model='none'/>")
    assert _devices(args)[-1]["id"] == "console0"  # no serial port: no stub


def test_zpci_ids_follow_libvirts_device_order() -> None:
    # a USB controller written at the PC's PIIX3 place (00:01.2) is left unreserved: the
    # host device takes slot 1 (multifunction), and zPCI ids go in libvirt's iteration
    # order (host devices before controllers), whoever chose the slot
    devs = _devices(_args("<controller type='usb' index='0'><address type='pci' domain='0x0000'"
                          " bus='0x00' slot='0x01' function='0x2'/></controller>"
                          "<memballoon model='none'/>"
                          "<hostdev mode='subsystem' type='pci'><source/></hostdev>"))
    assert devs[-2] == {"driver": "zpci", "uid": 1, "fid": 0, "target": "hostdev0",
                        "id": "zpci1"}
    assert devs[-1]["addr"] == "0x1" and devs[-1]["multifunction"] is True
