"""Character devices: backends (legacy and JSON), serial/console rules, channels, redirdev."""

from __future__ import annotations

import json

import pytest

import capsdb
import translator


def _args(body: str, caps_add: tuple[str, ...] = (), usb: bool = False) -> list[str]:
    no_usb = "" if usb else "<controller type='usb' model='none'/>"
    xml = f"""<domain type='qemu'><name>t</name><memory>131072</memory><vcpu>1</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type></os>
      <devices>{no_usb}{body}<memballoon model='none'/>
      </devices></domain>"""
    return translator.translate(xml, capsdb.get(), profile="libvirt-test",
                                caps_add=list(caps_add)).args


def _values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == option]


def _chardevs(args: list[str]) -> list[str]:
    return [v for v in _values(args, "-chardev") if "charmonitor" not in v]


def test_file_serial_with_log_uses_fdsets() -> None:
    args = _args("<serial type='file'><source path='/tmp/s.log'/>"
                 "<log file='/tmp/l.log' append='off'/><target port='0'/></serial>")
    assert _values(args, "-add-fd") == ["set=0,fd=1750,opaque=serial0-source",
                                        "set=1,fd=1751,opaque=serial0-log"]
    assert _chardevs(args) == ["file,id=charserial0,path=/dev/fdset/0,append=on,"
                               "logfile=/dev/fdset/1,logappend=on"]


def test_socket_sources() -> None:
    args = _args("<serial type='tcp'><source mode='bind' host='127.0.0.1' service='9999'/>"
                 "<protocol type='telnet'/></serial>"
                 "<serial type='unix'><source mode='connect' path='/tmp/s'>"
                 "<reconnect enabled='yes' timeout='10'/></source></serial>"
                 "<serial type='udp'><source mode='connect' service='9999'/></serial>")
    assert _chardevs(args) == [
        "socket,id=charserial0,host=127.0.0.1,port=9999,telnet=on,server=on,wait=off",
        "socket,id=charserial1,path=/tmp/s,reconnect-ms=10000",
        "udp,id=charserial2,host=,port=9999,localaddr=,localport=0",
    ]


def test_serial_ports_follow_the_highest_explicit_one() -> None:
    args = _args("<serial type='pty'/><serial type='null'><target port='0'/></serial>")
    devs = [json.loads(v) for v in _values(args, "-device")]
    assert [(d["id"], d["index"]) for d in devs] == [("serial0", 1), ("serial1", 0)]


def test_console_alone_becomes_the_first_serial() -> None:
    args = _args("<console type='pty'><target type='serial' port='0'/></console>")
    assert _chardevs(args) == ["pty,id=charserial0"]
    assert json.loads(_values(args, "-device")[0])["driver"] == "isa-serial"


def test_json_backends() -> None:
    args = _args("<channel type='unix'><source mode='connect' path='/p'/>"
                 "<target type='virtio' name='a'/></channel>"
                 "<channel type='qemu-vdagent'><source><clipboard copypaste='yes'/>"
                 "<mouse mode='server'/></source><target type='virtio' name='b'/></channel>",
                 caps_add=("chardev.json",))
    backends = [json.loads(v) for v in _chardevs(args)]
    assert backends[0]["backend"] == {"type": "socket", "data": {
        "addr": {"type": "unix", "data": {"path": "/p"}}, "server": False}}
    assert backends[1]["backend"] == {"type": "qemu-vdagent",
                                      "data": {"clipboard": True, "mouse": False}}


def test_guestfwd_channel_is_a_user_netdev() -> None:
    args = _args("<channel type='pipe'><source path='/tmp/fwd'/>"
                 "<target type='guestfwd' address='10.0.2.1' port='4600'/></channel>")
    assert _chardevs(args) == ["pipe,id=charchannel0,path=/tmp/fwd"]
    assert json.loads(_values(args, "-netdev")[0]) == {
        "type": "user", "guestfwd": [{"str": "tcp:10.0.2.1:4600-chardev:charchannel0"}],
        "id": "channel0"}


def test_guestfwd_netdev_without_netdev_json_is_key_value() -> None:
    """QEMU before 7.2: the legacy -netdev form, the guestfwd array as repeated keys."""
    xml = ("<domain type='qemu'><name>t</name><memory>131072</memory><os><type "
           "arch='x86_64' machine='pc'>hvm</type></os><devices><channel type='pipe'><source "
           "path='/tmp/fwd'/><target type='guestfwd' address='10.0.2.1' port='4600'/>"
           "</channel></devices></domain>")
    args = translator.translate(xml, capsdb.get("6.2"), profile="libvirt-test").args
    assert _values(args, "-netdev") == [
        "user,guestfwd=tcp:10.0.2.1:4600-chardev:charchannel0,id=channel0"]


def test_virtio_console_has_no_port_address() -> None:
    args = _args("<console type='pty'><target type='virtio'/></console>")
    con = [json.loads(v) for v in _values(args, "-device") if "virtconsole" in v][0]
    assert con == {"driver": "virtconsole", "chardev": "charconsole0", "id": "console0"}


def test_usb_redirection_with_filter() -> None:
    args = _args("<controller type='usb' model='ich9-ehci1'/>"
                 "<graphics type='spice' autoport='yes'/><redirdev bus='usb' type='spicevmc'/>"
                 "<redirfilter><usbdev class='0x08' vendor='0x15E1' product='0x2007' "
                 "version='1.10' allow='yes'/><usbdev allow='no'/></redirfilter>", usb=True)
    assert "spicevmc,id=charredir0,name=usbredir" in _chardevs(args)
    redir = [json.loads(v) for v in _values(args, "-device") if "usb-redir" in v][0]
    assert redir["filter"] == "0x08:0x15E1:0x2007:0x0110:1|-1:-1:-1:-1:0"


@pytest.mark.parametrize("body", [
    "<serial type='unix'><target type='pci-serial'/></serial>",
    "<serial type='tcp'><source mode='connect' host='h' service='1'/><protocol type='tls'/>"
    "</serial>",
    "<serial type='tcp'><source mode='bind' host='h' service='1'><reconnect enabled='yes' "
    "timeout='5'/></source></serial>",
    "<serial type='tcp'><source mode='connect' host='h' service='1'><reconnect enabled='yes' "
    "timeout='0'/></source></serial>",
])
def test_refused_chardevs(body: str) -> None:
    with pytest.raises(translator.TranslationError):
        _args(body)


def test_first_serial_port_is_also_console_zero() -> None:
    # virDomainDefAddConsoleCompat: a stub console 0 aliases serial 0, so the virtio
    # console written first is console 1
    args = _args("<serial type='pty'/><console type='pty'><target type='virtio'/></console>")
    assert "pty,id=charconsole1" in _chardevs(args)
    args = _args("<console type='pty'><target type='virtio'/></console>")
    assert "pty,id=charconsole0" in _chardevs(args)  # no serial port: no stub
