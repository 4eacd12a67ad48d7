"""The `native` profile (alias `system`): what `virsh domxml-to-native qemu-argv` prints
(libvirt's pretend mode: the host is not prepared, interfaces are rewritten as ethernet
taps), against the `libvirt-test` profile, which must keep the harness' pre-opened
descriptors."""

from __future__ import annotations

import json

import pytest

import capsdb
import translator
from translator.profiles import PROFILES

BASE = PROFILES["native"].daemon_fd_base
assert BASE is not None

DOMAIN = """<domain type='kvm'>
  <name>demo</name>
  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
  <memory unit='KiB'>1048576</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    {devices}
  </devices>
</domain>"""


def _args(devices: str, profile: str) -> list[str]:
    inv = translator.translate(DOMAIN.format(devices=devices), capsdb.get(), profile=profile)
    return list(inv.args)


def _values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a == option]


def _device(args: list[str], dev_id: str) -> dict[str, object]:
    for v in _values(args, "-device"):
        if v.startswith("{") and json.loads(v).get("id") == dev_id:
            return dict(json.loads(v))
    raise AssertionError(f"no -device {dev_id}")


def _netdevs(args: list[str]) -> list[dict[str, object]]:
    return [json.loads(v) for v in _values(args, "-netdev")]


def test_monitor_is_a_path_not_a_passed_fd() -> None:
    system = _values(_args("", "system"), "-chardev")
    assert system[0] == ("socket,id=charmonitor,path=/var/lib/libvirt/qemu/domain--1-demo/"
                         "monitor.sock,server=on,wait=off")
    assert _values(_args("", "libvirt-test"), "-chardev")[0] == \
        "socket,id=charmonitor,fd=1729,server=on,wait=off"


def test_environment_has_no_user() -> None:
    inv = translator.translate(DOMAIN.format(devices=""), capsdb.get(), profile="system")
    names = [name for name, _ in inv.env]
    assert names == ["LC_ALL", "PATH", "HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                     "XDG_CONFIG_HOME"]
    assert dict(inv.env)["HOME"] == "/var/lib/libvirt/qemu/domain--1-demo"


CHANNELS = """
<channel type='unix'><source mode='bind' path='/tmp/ch.sock'/>
  <target type='virtio' name='org.example.0'/></channel>
<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
"""


def test_unix_bind_channel_is_bound_by_qemu() -> None:
    system = _values(_args(CHANNELS, "system"), "-chardev")
    assert "socket,id=charchannel0,path=/tmp/ch.sock,server=on,wait=off" in system
    # a virtio channel without a path gets one in libvirt's per-domain channel directory
    assert ("socket,id=charchannel1,path=/run/libvirt/qemu/channel/-1-demo/"
            "org.qemu.guest_agent.0,server=on,wait=off") in system
    harness = _values(_args(CHANNELS, "libvirt-test"), "-chardev")
    assert "socket,id=charchannel0,fd=1729,server=on,wait=off" in harness
    assert "socket,id=charchannel1,fd=1729,server=on,wait=off" in harness


NETS = """
<interface type='bridge'>
  <mac address='52:54:00:11:22:33'/>
  <source bridge='br0'/>
  <target dev='vnet7'/>
  <model type='virtio'/>
  <driver queues='2'/>
  <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
</interface>
<interface type='user'>
  <mac address='52:54:00:44:55:66'/>
  <model type='e1000'/>
  <boot order='1'/>
</interface>
"""


def test_interfaces_become_ethernet_taps_with_daemon_fds() -> None:
    args = _args(NETS, "system")
    # only the MAC, model and script survive the rewrite: no queues, and the boot order
    # is not effective; the reference host had no vhost-net
    assert _netdevs(args) == [
        {"type": "tap", "fd": str(BASE), "id": "hostnet0"},
        {"type": "tap", "fd": str(BASE + 1), "id": "hostnet1"},
    ]
    nic0, nic1 = _device(args, "net0"), _device(args, "net1")
    assert nic0["mac"] == "52:54:00:11:22:33" and "mq" not in nic0
    assert nic1["driver"] == "e1000" and "bootindex" not in nic1
    # the rewritten interfaces lose their addresses and take the first slots still free
    # once every other device has one (the balloon kept 0x3 from the first assignment)
    assert (nic0["addr"], nic1["addr"]) == ("0x2", "0x4")
    assert _device(args, "balloon0")["addr"] == "0x3"


def test_interfaces_unchanged_for_the_harness() -> None:
    args = _args(NETS, "libvirt-test")
    assert _netdevs(args) == [
        {"type": "tap", "fds": "102:103", "vhost": True, "vhostfds": "44:45",
         "id": "hostnet0"},
        {"type": "user", "id": "hostnet1"},
    ]
    assert _device(args, "net0")["addr"] == "0x7"


def test_interface_validated_as_written() -> None:
    vhostuser = """<interface type='vhostuser'>
      <source type='unix' path='/tmp/vu.sock' mode='server'/><model type='virtio'/>
    </interface>"""
    with pytest.raises(translator.TranslationError, match="requires shared memory"):
        _args(vhostuser, "system")


SERIAL = """<serial type='file'>
  <source path='/var/log/guest,0.log' append='on'/><log file='/var/log/guest.log'/>
</serial>"""


def test_file_serial_is_opened_by_qemu() -> None:
    args = _args(SERIAL, "system")
    assert "-add-fd" not in args
    assert "file,id=charserial0,path=/var/log/guest,,0.log,append=on," \
           "logfile=/var/log/guest.log" in _values(args, "-chardev")
    harness = _args(SERIAL, "libvirt-test")
    assert _values(harness, "-add-fd") == ["set=0,fd=1750,opaque=serial0-source",
                                           "set=1,fd=1751,opaque=serial0-log"]
    assert "file,id=charserial0,path=/dev/fdset/0,append=on,logfile=/dev/fdset/1," \
           "logappend=on" in _values(harness, "-chardev")


TPM = "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>"


def test_tpm_emulator_socket_path() -> None:
    # pretend mode starts no swtpm: the TPM's chardev has no backend
    assert "null,id=chrtpm" in _values(_args(TPM, "native"), "-chardev")
    assert "socket,id=chrtpm,path=/run/libvirt/qemu/swtpm/1-demo-swtpm.sock" in \
        _values(_args(TPM, "host"), "-chardev")
    assert "socket,id=chrtpm,path=/dev/test" in _values(_args(TPM, "libvirt-test"), "-chardev")


@pytest.mark.parametrize("cid, system_cid, harness_cid", [
    ("<cid auto='yes'/>", 0, 42),
    ("<cid auto='yes' address='7'/>", 7, 42),
    ("<cid auto='no' address='5'/>", 5, 5),
])
def test_vsock_is_not_opened(cid: str, system_cid: int, harness_cid: int) -> None:
    vsock = f"<vsock model='virtio'>{cid}</vsock>"
    system = _device(_args(vsock, "system"), "vsock0")
    assert (system["vhostfd"], system["guest-cid"]) == ("-1", system_cid)
    harness = _device(_args(vsock, "libvirt-test"), "vsock0")
    assert (harness["vhostfd"], harness["guest-cid"]) == ("6789", harness_cid)
