"""Character devices: serial, parallel, channels and consoles, backend then frontend.

Every chardev backend (also those of rng, smartcard, redirdev and vhost-user NICs) is
written by `chardev_backend`: the legacy `-chardev type,id=...` string, or the JSON form
when QEMU takes `-chardev` as JSON (`chardev.json`). Files are opened by libvirt itself
and handed over as fd sets (`-add-fd` first), listening UNIX sockets as pre-opened fds.

Branches (qemuBuildChrChardevStr / qemuBuildChardevProps and the frontends):
- [x] backends: null, vc, pty, dev (tty/parport), file (append), pipe, stdio, udp, tcp
      (telnet, server/wait, reconnect), unix (bind/connect, fd passing, reconnect),
      spicevmc, spiceport, qemu-vdagent (mouse, clipboard), dbus; logfile/logappend;
      JSON -chardev when QEMU takes it
- [x] TLS for tcp chardevs (tls-creds-x509, verify-peer, secret) when enabled
- [x] serial: isa-serial, pci-serial, usb-serial, spapr-vty, sclpconsole/sclplmconsole,
      pl011/system serial, isa-debugcon; parallel (isa-parallel); consoles (virtconsole,
      serial alias, sclp); channels (virtserialport, guestfwd, spicevmc/qemu-vdagent);
      usb-redir with filters and boot index
"""

from __future__ import annotations

from typing import Any

from capsdb.records import dataclass
from ..cmdline import Source, default_source, xml_source
from ..context import BuildContext
from ..model import Chardev, Elem, GenericAddress
import re

from ..props import Props, escape_comma, to_json
from ..spapr_vio import VIO_SERIAL, VIO_STEP, vio_reg
from .device import address_props, emit_device
from .disks import boot_index
from .misc import reconnect_key

# the spice channel a spicevmc chardev connects to, by the device using it
_SPICEVMC_NAME = {"redirdev": "usbredir", "smartcard": "smartcard"}


@dataclass
class _Socket:
    """A `unix` or `tcp` source, resolved to what QEMU is told."""

    listen: bool
    path: str | None = None
    fd: int | None = None
    host: str | None = None
    port: str | None = None
    telnet: bool | None = None
    reconnect: int | None = None     # seconds; 0 = explicitly disabled
    tls: bool = False


def _source(ch: Chardev, mode: str | None = None) -> Elem | None:
    """The chardev's <source>; with `mode`, the one in that mode (udp has two)."""
    for s in ch.sources:
        if mode is None or (s.get("mode") or "connect") == mode:
            return s
    return None


def _reconnect(src: Elem | None) -> int | None:
    rc = src.find("reconnect") if src is not None else None
    if rc is None:
        return None
    if rc.get("enabled") != "yes":
        return 0
    return int(rc.get("timeout") or 0)  # validate/ refused a zero timeout


def generated_channel_path(ctx: BuildContext, ch: Chardev, path: str | None) -> bool:
    """A virtio channel's socket path libvirt makes up itself: none given, or one a
    libvirt version generated earlier (qemuDomainChrDefDropDefaultPath), regenerated."""
    if ch.kind != "channel" or ch.target_type != "virtio":
        return False
    if not path:
        return True
    if not ch.target_name:
        return False
    host = ctx.host
    layouts = r"/(target/)?(([^/]+\.)|(domain-[^/]+/)|([0-9]+-[^/]+/))"
    tail = layouts + re.escape(ch.target_name) + "$"
    bases = (host.channel_dir, f"{host.lib_dir}/channel", f"{host.cfg_dir}/channel")
    return any(re.match("^" + re.escape(base) + tail, path) for base in bases)


def _channel_path(ctx: BuildContext, ch: Chardev) -> str:
    """The socket libvirt makes up for a virtio channel, in its per-domain channel
    directory: named after the channel, else after its virtio-serial port."""
    target_dir = ctx.host.channel_target_dir(ctx.domain.name)
    if ch.target_name:
        return f"{target_dir}/{ch.target_name}"
    addr = ch.info.address
    port = [addr.int(k, 0) if isinstance(addr, GenericAddress) else 0
            for k in ("controller", "bus", "port")]
    return f"{target_dir}/vioser-{port[0]:02d}-{port[1]:02d}-{port[2]:02d}.sock"


def _socket(ctx: BuildContext, ch: Chardev) -> _Socket:
    src = _source(ch)

    def get(a: str) -> str | None:
        return src.get(a) if src is not None else None
    if ch.type == "unix":
        if ch.kind == "vhost-user":
            # QEMU is the server or the client of the vhost-user backend, on the path itself
            return _Socket(listen=get("mode") == "server", path=get("path"),
                           reconnect=_reconnect(src))
        generated = generated_channel_path(ctx, ch, get("path"))
        listen = generated or (get("mode") or "bind") == "bind"
        path = _channel_path(ctx, ch) if generated else get("path")
        # libvirt binds listening sockets itself and passes the descriptor (not in
        # domxml-to-native's pretend mode: then QEMU binds the path)
        fd = ctx.passed_fd(ctx.host.chardev_socket_fd) if listen else None
        return _Socket(listen=listen, path=path, fd=fd, reconnect=_reconnect(src))
    listen = get("mode") == "bind"
    return _Socket(listen=listen, host=get("host") or "", port=get("service") or "",
                   telnet=ch.protocol == "telnet", reconnect=_reconnect(src),
                   tls=get("tls") == "yes")


def _fdset(ctx: BuildContext, fd: int, opaque: str, source: Source) -> str:
    """Pass a libvirt-opened file as a new fd set; QEMU opens it as /dev/fdset/N."""
    n = ctx.next("fdset")
    ctx.cmd.add("-add-fd", f"set={n},fd={fd},opaque={opaque}", source)
    return f"/dev/fdset/{n}"


def _opened_file(ctx: BuildContext, fd: int | None, path: str, opaque: str,
                 source: Source) -> str:
    """A file libvirt opens itself goes over as an fd set; when the host is not prepared
    (the profile has no descriptor for it), QEMU is given the path."""
    return path if fd is None else _fdset(ctx, fd, opaque, source)


def _append_switch(fd: int | None, elem: Elem | None) -> bool | None:
    """libvirt opens a passed file for appending itself; a bare path keeps the XML's
    append switch (absent: not written, QEMU's default)."""
    if fd is not None:
        return True
    value = elem.get("append") if elem is not None else None
    return None if value is None else value == "on"


def _log_path(ctx: BuildContext, ch: Chardev, dev_alias: str, source: Source) -> str | None:
    if ch.log is None or not ch.log.get("file"):
        return None
    return _opened_file(ctx, ctx.passed_fd(ctx.host.chardev_log_fd), ch.log.get("file") or "",
                        f"{dev_alias}-log", source)


def _tls_object(ctx: BuildContext, chr_id: str, source: Source) -> str:
    obj_id = f"obj{chr_id}_tls0"
    props = Props(("qom-type", "tls-creds-x509"), ("id", obj_id),
                  ("dir", ctx.host.chardev_tls_dir), ("endpoint", "client"),
                  ("verify-peer", True))
    ctx.cmd.add_json("-object", props, source)
    return obj_id


def chardev_backend(ctx: BuildContext, ch: Chardev, chr_id: str,
                    source: Source | None = None) -> str:
    """The `-chardev` value for `ch`; fd sets and TLS objects it needs are emitted first."""
    source = source or xml_source(ch.elem)
    dev_alias = chr_id[4:] if chr_id.startswith("char") else chr_id
    file_path = None
    if ch.type == "file":
        path = (_source(ch) or Elem("source")).get("path") or ""
        file_path = _opened_file(ctx, ctx.passed_fd(ctx.host.chardev_file_fd), path,
                                 f"{dev_alias}-source", source)
    log = _log_path(ctx, ch, dev_alias, source)
    sock = _socket(ctx, ch) if ch.type in ("unix", "tcp") else None
    tls_id = _tls_object(ctx, chr_id, source) if sock is not None and sock.tls else None
    if ctx.has("chardev.json"):
        return to_json(_json_backend(ctx, ch, chr_id, file_path, log, sock, tls_id))
    return _legacy_backend(ctx, ch, chr_id, file_path, log, sock, tls_id)


def _dev_kind(ch: Chardev) -> str:
    return "parallel" if ch.kind == "parallel" else "serial"


def _channel_name(ch: Chardev) -> str:
    """spiceport/dbus channel; a D-Bus USB redirection has a well-known default name."""
    src = _source(ch)
    name = src.get("channel") if src is not None else None
    if not name and ch.type == "dbus" and ch.kind == "redirdev":
        return "org.qemu.usbredir"
    return name or ""


def _spice_name(ch: Chardev) -> str:
    return _SPICEVMC_NAME.get(ch.kind, "vdagent")


def _vdagent_opts(ch: Chardev) -> tuple[bool | None, bool | None]:
    src = _source(ch)
    clip = src.attr_at("copypaste", "clipboard") if src is not None else None
    mouse = src.attr_at("mode", "mouse") if src is not None else None
    return (None if clip is None else clip == "yes",
            None if mouse is None else mouse == "client")


def _legacy_backend(ctx: BuildContext, ch: Chardev, chr_id: str, file_path: str | None,
                    log: str | None, sock: _Socket | None, tls_id: str | None) -> str:
    t = ch.type
    src = _source(ch)

    def get(a: str) -> str:
        return (src.get(a) if src is not None else None) or ""
    parts: list[str]
    if t == "file":
        parts = ["file", f"id={chr_id}", f"path={escape_comma(file_path or '')}"]
        parts += _switch_part("append", _append_switch(ctx.host.chardev_file_fd, src))
    elif t in ("pipe", "dev"):
        parts = [_dev_kind(ch) if t == "dev" else "pipe", f"id={chr_id}",
                 f"path={escape_comma(get('path'))}"]
    elif sock is not None:
        parts = ["socket", f"id={chr_id}"]
        if t == "unix":
            parts.append(f"fd={sock.fd}" if sock.fd is not None
                         else f"path={escape_comma(sock.path or '')}")
        else:
            parts += [f"host={sock.host}", f"port={sock.port}"]
            if sock.telnet:
                parts.append("telnet=on")
        if sock.listen:
            parts.append("server=on")
            # only a vhost-user backend's socket makes QEMU wait for its peer
            if sock.fd is not None or t == "tcp" or ch.kind != "vhost-user":
                parts.append("wait=off")
        if sock.reconnect is not None and not sock.listen:
            k, v = reconnect_key(ctx, sock.reconnect)
            parts.append(f"{k}={v}")
        if tls_id:
            parts.append(f"tls-creds={tls_id}")
    elif t == "udp":
        remote = _source(ch, "connect")
        local = _source(ch, "bind")
        parts = ["udp", f"id={chr_id}",
                 f"host={(remote.get('host') if remote is not None else '') or ''}",
                 f"port={(remote.get('service') if remote is not None else '') or ''}",
                 f"localaddr={(local.get('host') if local is not None else '') or ''}",
                 f"localport={(local.get('service') if local is not None else '') or '0'}"]
    elif t == "spicevmc":
        parts = ["spicevmc", f"id={chr_id}", f"name={_spice_name(ch)}"]
    elif t in ("spiceport", "dbus"):
        parts = [t, f"id={chr_id}", f"name={escape_comma(_channel_name(ch))}"]
    elif t == "qemu-vdagent":
        parts = ["qemu-vdagent", f"id={chr_id}", "name=vdagent"]
        clip, mouse = _vdagent_opts(ch)
        if clip is not None:
            parts.append(f"clipboard={'on' if clip else 'off'}")
        if mouse is not None:
            parts.append(f"mouse={'on' if mouse else 'off'}")
    else:  # pty, null, vc, stdio
        parts = [t, f"id={chr_id}"]
    if log:
        parts.append(f"logfile={escape_comma(log)}")
        parts += _switch_part("logappend", _append_switch(ctx.host.chardev_log_fd, ch.log))
    return ",".join(parts)


def _switch_part(key: str, value: bool | None) -> list[str]:
    return [] if value is None else [f"{key}={'on' if value else 'off'}"]


def _inet(host: str | None, port: str | None) -> dict[str, Any]:
    return {"type": "inet", "data": {"host": host or "", "port": port or ""}}


def _json_backend(ctx: BuildContext, ch: Chardev, chr_id: str, file_path: str | None,
                  log: str | None, sock: _Socket | None, tls_id: str | None) -> dict[str, Any]:
    t = ch.type
    src = _source(ch)

    def get(a: str) -> str:
        return (src.get(a) if src is not None else None) or ""
    data: dict[str, Any] = {}
    qtype = t
    if t == "file":
        data = {"out": file_path}
        append = _append_switch(ctx.host.chardev_file_fd, src)
        if append is not None:
            data["append"] = append
    elif t in ("pipe", "dev"):
        qtype = _dev_kind(ch) if t == "dev" else "pipe"
        data = {"device": get("path")}
    elif sock is not None:
        qtype = "socket"
        if sock.fd is not None:
            data["addr"] = {"type": "fd", "data": {"str": str(sock.fd)}}
        elif t == "unix":
            data["addr"] = {"type": "unix", "data": {"path": sock.path or ""}}
        else:
            data["addr"] = _inet(sock.host, sock.port)
        if t == "tcp":
            data["telnet"] = bool(sock.telnet)
        data["server"] = sock.listen
        if sock.listen:
            data["wait"] = False
        if sock.reconnect is not None and not sock.listen:
            k, v = reconnect_key(ctx, sock.reconnect)
            data[k] = v
        if tls_id:
            data["tls-creds"] = tls_id
    elif t == "udp":
        remote = _source(ch, "connect")
        local = _source(ch, "bind")
        data["remote"] = _inet(remote.get("host") if remote is not None else None,
                               remote.get("service") if remote is not None else None)
        if local is not None:
            data["local"] = _inet(local.get("host"), local.get("service"))
    elif t == "spicevmc":
        data = {"type": _spice_name(ch)}
    elif t == "spiceport":
        data = {"fqdn": get("channel")}
    elif t == "dbus":
        data = {"name": _channel_name(ch)}
    elif t == "qemu-vdagent":
        clip, mouse = _vdagent_opts(ch)
        if clip is not None:
            data["clipboard"] = clip
        if mouse is not None:
            data["mouse"] = mouse
    if log:
        data["logfile"] = log
        logappend = _append_switch(ctx.host.chardev_log_fd, ch.log)
        if logappend is not None:
            data["logappend"] = logappend
    return {"id": chr_id, "backend": {"type": qtype, "data": data}}


def _src(ch: Chardev) -> Source:
    return default_source(ch.implicit) if ch.implicit else xml_source(ch.elem)


def emit_chardev(ctx: BuildContext, ch: Chardev, chr_id: str, source: Source) -> None:
    ctx.cmd.add("-chardev", chardev_backend(ctx, ch, chr_id, source), source)


def _emit(ctx: BuildContext, ch: Chardev, props: Props) -> None:
    src = _src(ch)
    emit_chardev(ctx, ch, f"char{ch.alias}", src)
    emit_device(ctx, ch, props, src)


# -- serial ------------------------------------------------------------------------------

_SERIAL_DRIVER = {"isa-serial": "isa-serial", "usb-serial": "usb-serial",
                  "pci-serial": "pci-serial", "isa-debug": "isa-debugcon",
                  "spapr-vio-serial": "spapr-vty", "system-serial": "pl011",
                  "sclp-serial": "sclpconsole"}


# serial models that are part of the machine itself: QEMU connects them with -serial
_BUILTIN_SERIAL = ("pl011", "16550a")


def default_serial_target(ctx: BuildContext) -> str:
    """libvirt's serial target type when the XML gives none, by machine."""
    return ctx.policy.default_serial_target(ctx)


def serial_driver(ctx: BuildContext, ch: Chardev) -> str:
    target = ch.target_type or default_serial_target(ctx)
    if target == "isa-serial" and not ctx.is_x86:
        target = default_serial_target(ctx)  # libvirt rewrites it for machines without ISA
    if ch.target_model:
        return ch.target_model
    if target == "system-serial":
        return ctx.policy.system_serial_model(ctx)
    return _SERIAL_DRIVER.get(target, "isa-serial")


def _spapr_regs(ctx: BuildContext) -> dict[int, int]:
    """spapr-vio `reg` of each VIO serial: its address (pseries assigns one to each),
    else the next free from the vty default."""
    serials = ctx.domain.devices.chardevs("serial")
    used = {reg for c in serials if (reg := vio_reg(c)) is not None}
    out: dict[int, int] = {}
    reg = VIO_SERIAL
    for c in serials:
        given = vio_reg(c)
        if given is not None:
            out[id(c)] = given
            continue
        while reg in used:
            reg += VIO_STEP
        out[id(c)] = reg
        used.add(reg)
    return out


def serial_props(ctx: BuildContext, ch: Chardev) -> Props:
    driver = serial_driver(ctx, ch)
    if driver == "isa-debugcon":
        return _debugcon_props(ch)
    props = Props(("driver", driver), ("chardev", f"char{ch.alias}"), ("id", ch.alias))
    if driver == "isa-serial":
        props.add("index", ch.target_port or 0)
    elif driver == "spapr-vty":
        props.add("reg", _spapr_regs(ctx)[id(ch)])
        return props
    props.update(address_props(ctx, ch))
    return props


def _debugcon_props(ch: Chardev) -> Props:
    """isa-debugcon takes its I/O port as a number, not libvirt's hex string."""
    props = Props(("driver", "isa-debugcon"), ("chardev", f"char{ch.alias}"), ("id", ch.alias))
    a = ch.info.address
    iobase = getattr(a, "attrs", {}).get("iobase") if a is not None else None
    if iobase:
        props.add("iobase", int(iobase, 0))
    return props


def _untyped_platform_serial(ctx: BuildContext, ch: Chardev) -> bool:
    """A serial port left without a target type (a non-x86 machine with no default, e.g.
    PowerPC boards) is one the machine provides itself: QEMU wires it with -serial."""
    return not ctx.is_x86 and ch.target_type in (None, "isa-serial") \
        and not ch.target_model and default_serial_target(ctx) == "isa-serial"


def build_serials(ctx: BuildContext) -> None:
    for ch in ctx.domain.devices.chardevs("serial"):
        if serial_driver(ctx, ch) in _BUILTIN_SERIAL or _untyped_platform_serial(ctx, ch):
            src = _src(ch)
            emit_chardev(ctx, ch, f"char{ch.alias}", src)
            ctx.cmd.add("-serial", f"chardev:char{ch.alias}", src)
            continue
        _emit(ctx, ch, serial_props(ctx, ch))


def build_parallels(ctx: BuildContext) -> None:
    for ch in ctx.domain.devices.chardevs("parallel"):
        props = Props(("driver", "isa-parallel"), ("chardev", f"char{ch.alias}"), ("id", ch.alias))
        props.update(address_props(ctx, ch))
        _emit(ctx, ch, props)


# -- channels ----------------------------------------------------------------------------

def _guestfwd(ctx: BuildContext, ch: Chardev) -> None:
    """A guestfwd channel is a slirp netdev forwarding a guest address to the chardev."""
    src = _src(ch)
    chr_id = f"char{ch.alias}"
    emit_chardev(ctx, ch, chr_id, src)
    t = ch.elem.find("target")
    addr = t.get("address") if t is not None else ""
    port = t.get("port") if t is not None else ""
    props = Props(("type", "user"),
                  ("guestfwd", [{"str": f"tcp:{addr}:{port}-chardev:{chr_id}"}]),
                  ("id", ch.alias))
    if ctx.has("netdev.json"):
        ctx.cmd.add_json("-netdev", props, src)
    else:  # QEMU before 7.2 only takes the legacy key=value form of -netdev
        ctx.cmd.add("-netdev", props.to_keyval(first_key="type"), src, props)


def build_channels(ctx: BuildContext) -> None:
    for ch in ctx.domain.devices.chardevs("channel"):
        if ch.target_type == "guestfwd":
            _guestfwd(ctx, ch)
        elif ch.target_type == "virtio":
            props = Props(("driver", "virtserialport"))
            props.update(address_props(ctx, ch))
            props.add("chardev", f"char{ch.alias}")
            props.add("id", ch.alias)
            name = ch.target_name
            if name is None and ch.type == "spicevmc":
                name = "com.redhat.spice.0"
            props.add("name", name)
            _emit(ctx, ch, props)


# -- consoles ----------------------------------------------------------------------------

def build_consoles(ctx: BuildContext) -> None:
    for ch in ctx.domain.devices.chardevs("console"):
        if ch.target_type == "virtio":
            # libvirt leaves the virtio-serial port of a console to QEMU
            props = Props(("driver", "virtconsole"))
            props.add("chardev", f"char{ch.alias}")
            props.add("id", ch.alias)
            _emit(ctx, ch, props)
        elif ch.target_type in ("sclp", "sclplm"):  # s390 SCLP line-mode / ASCII consoles
            props = Props(("driver", f"{ch.target_type}console"),
                          ("chardev", f"char{ch.alias}"), ("id", ch.alias))
            _emit(ctx, ch, props)


# -- USB redirection ----------------------------------------------------------------------

def _usb_filter_num(v: str | None, width: int) -> str:
    if v in (None, "", "-1"):
        return "-1"
    return f"0x{int(v, 0):0{width}X}"  # checked and written in decimal at parse time


def _usb_filter_version(v: str | None) -> str:
    """'1.10' -> 0x0110: the BCD version as major and minor bytes; a one-digit minor is
    the tens digit (libvirt normalizes '9.4' to '9.40', i.e. 0x0940)."""
    if v in (None, "", "-1"):
        return "-1"
    major, _, minor = v.partition(".")
    minor = minor.ljust(2, "0")
    return f"0x{int(major, 16):02X}{int(minor, 16):02X}"


def usb_redir_filter(ctx: BuildContext) -> str | None:
    """The domain's <redirfilter> in usb-redir's 'class:vendor:product:version:allow|...'."""
    flt = next((d.elem for d in ctx.domain.devices.items if d.family == "redirfilter"), None)
    if flt is None or not ctx.has("usb-redir.filter"):
        return None
    rules = [":".join((_usb_filter_num(u.get("class"), 2), _usb_filter_num(u.get("vendor"), 4),
                       _usb_filter_num(u.get("product"), 4), _usb_filter_version(u.get("version")),
                       "1" if u.get("allow") == "yes" else "0"))
             for u in flt.findall("usbdev")]
    return "|".join(rules) or None


def build_redirdevs(ctx: BuildContext) -> None:
    for d in (d for d in ctx.domain.devices.items if d.family == "redirdev"):
        e = d.elem
        ch = Chardev(elem=e, info=d.info, kind="redirdev", type=e.get("type") or "pty",
                     sources=tuple(e.findall("source")), protocol=e.attr_at("type", "protocol"))
        src = xml_source(e)
        chr_id = f"char{d.alias}"
        emit_chardev(ctx, ch, chr_id, src)
        props = Props(("driver", "usb-redir"), ("chardev", chr_id), ("id", d.alias))
        props.add("filter", usb_redir_filter(ctx))
        props.add("bootindex", boot_index(ctx, d))
        props.update(address_props(ctx, d))
        emit_device(ctx, d, props, src)
