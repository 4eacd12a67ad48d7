"""Network interfaces (-netdev and the NIC -device) and host device passthrough."""

from __future__ import annotations

import json

import pytest

import capsdb
import translator


def _args(body: str, machine: str = "pc", extra: str = "",
          usb: str = "<controller type='usb' model='none'/>") -> list[str]:
    xml = f"""<domain type='qemu'><name>t</name><memory>131072</memory><vcpu>1</vcpu>{extra}
      <os><type arch='x86_64' machine='{machine}'>hvm</type></os>
      <devices>{usb}{body}<memballoon model='none'/>
      </devices></domain>"""
    return translator.translate(xml, capsdb.get(), profile="libvirt-test").args


def _values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == option]


def _json(args: list[str], option: str) -> list[dict[str, object]]:
    return [json.loads(v) for v in _values(args, option)]


def test_user_network_with_addresses() -> None:
    args = _args("<interface type='user'><mac address='52:54:00:AA:BB:CC'/>"
                 "<ip address='172.17.2.0' family='ipv4' prefix='24'/>"
                 "<ip address='2001:db8::' family='ipv6' prefix='64'/>"
                 "<model type='e1000'/></interface>")
    assert _json(args, "-netdev") == [{"type": "user", "net": "172.17.2.0/24",
                                       "ipv6-prefix": "2001:db8::", "ipv6-prefixlen": 64,
                                       "id": "hostnet0"}]
    nic = _json(args, "-device")[0]
    assert nic["driver"] == "e1000" and nic["mac"] == "52:54:00:aa:bb:cc"


def test_user_network_with_passt_backend_is_a_stream_to_passts_socket() -> None:
    """qemuBuildHostNetProps: the passt backend of a user interface connects a stream netdev
    to the socket of the passt process (no slirp, the <ip> elements go to passt)."""
    args = _args("<interface type='user'><backend type='passt'/>"
                 "<ip address='172.17.2.4' family='ipv4' prefix='24'/></interface>")
    assert _json(args, "-netdev") == [{
        "type": "stream",
        "addr": {"type": "unix", "path": "/var/run/libvirt/qemu/passt/-1-t-net0.socket"},
        "server": False, "reconnect-ms": 5000, "id": "hostnet0"}]


def test_ethernet_multiqueue_vhost() -> None:
    args = _args("<interface type='ethernet'><mac address='52:54:00:00:00:01'/>"
                 "<model type='virtio'/><driver name='vhost' queues='3' ioeventfd='on'/>"
                 "</interface>")
    assert _json(args, "-netdev") == [{"type": "tap", "fds": "3:4:5", "vhost": True,
                                       "vhostfds": "44:45:46", "id": "hostnet0"}]
    nic = _json(args, "-device")[0]
    assert list(nic)[:5] == ["driver", "ioeventfd", "mq", "vectors", "netdev"]
    assert nic["vectors"] == 8


def test_non_virtio_tap_has_no_vhost_and_one_queue() -> None:
    args = _args("<interface type='bridge'><source bridge='br0'/><model type='e1000'/>"
                 "<driver queues='4'/></interface>")
    assert _json(args, "-netdev") == [{"type": "tap", "fd": "102", "id": "hostnet0"}]


def test_socket_backends() -> None:
    args = _args("<interface type='udp'><source address='10.0.0.1' port='5555'>"
                 "<local address='10.0.0.2' port='5556'/></source></interface>"
                 "<interface type='server'><source port='2015'/></interface>")
    nd = _json(args, "-netdev")
    assert nd[0] == {"type": "socket", "udp": "10.0.0.1:5555", "localaddr": "10.0.0.2:5556",
                     "id": "hostnet0"}
    assert nd[1] == {"type": "socket", "listen": ":2015", "id": "hostnet1"}


def test_vhostuser_chardev_then_netdev() -> None:
    args = _args("<interface type='vhostuser'><source type='unix' path='/tmp/v.sock' "
                 "mode='server'/><driver queues='2'/></interface>",
                 extra="<memoryBacking><access mode='shared'/></memoryBacking>")
    i = args.index("-chardev", args.index("-mon"))
    assert args[i + 1] == "socket,id=charnet0,path=/tmp/v.sock,server=on"
    assert _json(args, "-netdev")[0] == {"type": "vhost-user", "chardev": "charnet0",
                                         "queues": 2, "id": "hostnet0"}
    assert _json(args, "-device")[0]["driver"] == "virtio-net-pci"


def test_vdpa_is_passed_as_fdset() -> None:
    args = _args("<interface type='vdpa'><source dev='/dev/vhost-vdpa-0'/></interface>")
    assert _values(args, "-add-fd") == ["set=0,fd=1732,opaque=net0-vdpa"]
    assert _json(args, "-netdev")[0]["vhostdev"] == "/dev/fdset/0"


def test_nic_rom_and_offloads_order() -> None:
    args = _args("<interface type='ethernet'><model type='virtio'/>"
                 "<driver><host csum='off'/><guest tso4='off'/></driver>"
                 "<mtu size='9000'/><rom bar='off' file='/x.bin'/></interface>")
    nic = _json(args, "-device")[0]
    keys = list(nic)
    assert keys[1:4] == ["csum", "guest_tso4", "host_mtu"]
    assert keys[-2:] == ["rombar", "romfile"] and nic["rombar"] == 0


def test_pci_and_usb_hostdevs() -> None:
    args = _args("<hostdev mode='subsystem' type='usb'><source guestReset='off'>"
                 "<address bus='14' device='6'/></source></hostdev>"
                 "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
                 "<address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source>"
                 "<rom bar='on'/></hostdev>", usb="")  # a USB hostdev needs a USB bus
    devs = {d["driver"]: d for d in _json(args, "-device")}
    usb = devs["usb-host"]
    assert usb["hostdevice"] == "/dev/bus/usb/014/006"
    assert usb["guest-reset"] is False and usb["guest-resets-all"] is False
    assert devs["vfio-pci"]["host"] == "0000:06:12.5"
    assert devs["vfio-pci"]["rombar"] == 1


def test_hostdev_interface_is_a_vfio_device() -> None:
    args = _args("<interface type='hostdev' managed='yes'><mac address='00:11:22:33:44:55'/>"
                 "<source><address type='pci' domain='0x0000' bus='0x03' slot='0x07' "
                 "function='0x1'/></source></interface>")
    assert _values(args, "-netdev") == []
    vfio = _json(args, "-device")[0]
    assert vfio["driver"] == "vfio-pci" and vfio["id"] == "hostdev0"


def test_missing_mac_is_derived_and_stable() -> None:
    body = "<interface type='user'><model type='e1000'/></interface>"
    mac = _json(_args(body), "-device")[0]["mac"]
    assert isinstance(mac, str) and mac.startswith("52:54:00:") and len(mac) == 17
    assert _json(_args(body), "-device")[0]["mac"] == mac


@pytest.mark.parametrize("body", [
    "<interface type='vhostuser'><source type='unix' path='/s' mode='client'/></interface>",
    "<interface type='user'><model type='virtio'/><driver rx_queue_size='500'/></interface>",
    "<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/></source>"
    "</hostdev><hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/>"
    "</source></hostdev>",
])
def test_refused_configurations(body: str) -> None:
    with pytest.raises(translator.TranslationError):
        _args(body)
