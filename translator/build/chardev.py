"""Character devices: serial, parallel, channels and consoles, backend then frontend.

Every chardev backend (also those of rng, smartcard, redirdev and vhost-user NICs) is
written by `chardev_backend`: the legacy `-chardev type,id=...` string, or the JSON form
when QEMU takes `-chardev` as JSON (`chardev.json`). Files are opened by libvirt itself
and handed over as fd sets (`-add-fd` first), listening UNIX sockets as pre-opened fds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..cmdline import Source, default_source, xml_source
from ..context import BuildContext
from ..model import Chardev, Elem
from ..props import Props, escape_comma, to_json
from .device import address_props, emit_device

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
    return int(rc.get("timeout") or 0)


def _socket(ctx: BuildContext, ch: Chardev) -> _Socket:
    src = _source(ch)
    get = (lambda a: src.get(a) if src is not None else None)
    if ch.type == "unix":
        mode = get("mode") or ("connect" if ch.kind == "net-client" else "bind")
        listen = mode in ("bind", "server") if ch.kind.startswith("net-") else mode == "bind"
        # libvirt binds listening sockets itself and passes the descriptor (not for vhost-user)
        fd = ctx.host.passed_fd if listen and not ch.kind.startswith("net-") else None
        return _Socket(listen=listen, path=get("path"), fd=fd, reconnect=_reconnect(src))
    listen = get("mode") == "bind"
    return _Socket(listen=listen, host=get("host") or "", port=get("service") or "",
                   telnet=ch.protocol in ("telnet", "telnets"), reconnect=_reconnect(src),
                   tls=get("tls") == "yes")


def _fdset(ctx: BuildContext, fd: int, opaque: str, source: Source) -> str:
    """Pass a libvirt-opened file as a new fd set; QEMU opens it as /dev/fdset/N."""
    n = ctx.next("fdset")
    ctx.cmd.add("-add-fd", f"set={n},fd={fd},opaque={opaque}", source)
    return f"/dev/fdset/{n}"


def _log_path(ctx: BuildContext, ch: Chardev, dev_alias: str, source: Source) -> str | None:
    if ch.log is None or not ch.log.get("file"):
        return None
    return _fdset(ctx, ctx.host.chardev_log_fd, f"{dev_alias}-log", source)


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
        file_path = _fdset(ctx, ctx.host.chardev_file_fd, f"{dev_alias}-source", source)
    log = _log_path(ctx, ch, dev_alias, source)
    sock = _socket(ctx, ch) if ch.type in ("unix", "tcp") else None
    tls_id = _tls_object(ctx, chr_id, source) if sock is not None and sock.tls else None
    if ctx.has("chardev.json"):
        return to_json(_json_backend(ctx, ch, chr_id, file_path, log, sock, tls_id))
    return _legacy_backend(ctx, ch, chr_id, file_path, log, sock, tls_id)


def _dev_kind(ch: Chardev) -> str:
    return "parallel" if ch.kind == "parallel" else "serial"


def _spice_name(ch: Chardev) -> str:
    return _SPICEVMC_NAME.get(ch.kind, "vdagent")


def _vdagent_opts(ch: Chardev) -> tuple[bool | None, bool | None]:
    src = _source(ch)
    clip = src.attr_at("copypaste", "clipboard") if src is not None else None
    mouse = src.attr_at("mode", "mouse") if src is not None else None
    return (None if clip is None else clip == "yes",
            None if mouse is None else mouse == "client")


def _reconnect_key(ctx: BuildContext, seconds: int) -> tuple[str, int]:
    if ctx.has("chardev-reconnect-miliseconds"):
        return "reconnect-ms", seconds * 1000
    return "reconnect", seconds


def _legacy_backend(ctx: BuildContext, ch: Chardev, chr_id: str, file_path: str | None,
                    log: str | None, sock: _Socket | None, tls_id: str | None) -> str:
    t = ch.type
    src = _source(ch)
    get = (lambda a: (src.get(a) if src is not None else None) or "")
    parts: list[str]
    if t == "file":
        parts = ["file", f"id={chr_id}", f"path={file_path}", "append=on"]
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
            if sock.fd is not None or t == "tcp":
                parts.append("wait=off")
        if sock.reconnect is not None and not sock.listen:
            k, v = _reconnect_key(ctx, sock.reconnect)
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
        parts = [t, f"id={chr_id}", f"name={escape_comma(get('channel'))}"]
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
        parts += [f"logfile={log}", "logappend=on"]
    return ",".join(parts)


def _inet(host: str | None, port: str | None) -> dict[str, Any]:
    return {"type": "inet", "data": {"host": host or "", "port": port or ""}}


def _json_backend(ctx: BuildContext, ch: Chardev, chr_id: str, file_path: str | None,
                  log: str | None, sock: _Socket | None, tls_id: str | None) -> dict[str, Any]:
    t = ch.type
    src = _source(ch)
    get = (lambda a: (src.get(a) if src is not None else None) or "")
    data: dict[str, Any] = {}
    qtype = t
    if t == "file":
        data = {"out": file_path, "append": True}
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
            k, v = _reconnect_key(ctx, sock.reconnect)
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
        data = {"name": get("channel")}
    elif t == "qemu-vdagent":
        clip, mouse = _vdagent_opts(ch)
        if clip is not None:
            data["clipboard"] = clip
        if mouse is not None:
            data["mouse"] = mouse
    if log:
        data["logfile"] = log
        data["logappend"] = True
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


def serial_props(ctx: BuildContext, ch: Chardev) -> Props:
    driver = ch.target_model or _SERIAL_DRIVER.get(ch.target_type or "isa-serial", "isa-serial")
    if driver == "isa-debugcon":
        return _debugcon_props(ch)
    props = Props(("driver", driver), ("chardev", f"char{ch.alias}"), ("id", ch.alias))
    if driver == "isa-serial":
        props.add("index", ch.target_port or 0)
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


def build_serials(ctx: BuildContext) -> None:
    for ch in ctx.domain.devices.chardevs("serial"):
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
    ctx.cmd.add_json("-netdev", props, src)


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
