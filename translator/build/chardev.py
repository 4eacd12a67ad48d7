"""Character devices: serial, parallel, channels and consoles, backend then frontend."""

from __future__ import annotations

from ..cmdline import default_source, xml_source
from ..context import BuildContext
from ..model import Chardev
from ..props import Props, escape_comma
from .device import address_props, emit_device


def chardev_backend(ctx: BuildContext, ch: Chardev, chr_id: str) -> str:
    """The legacy `-chardev` option string for a chardev source."""
    src = ch.sources[0] if ch.sources else None
    t = ch.type
    if t == "pty":
        return f"pty,id={chr_id}"
    if t in ("null", "vc", "stdio", "spicevmc"):
        return f"{t},id={chr_id}"
    if t in ("file", "pipe", "dev"):
        path = escape_comma(src.get("path", "") if src else "")
        kind = {"dev": "serial" if ch.kind != "parallel" else "parallel"}.get(t, t)
        out = f"{kind},id={chr_id},path={path}"
        if t == "file" and src is not None and src.get("append"):
            out += f",append={'on' if src.get('append') == 'on' else 'off'}"
        return out
    if t == "unix":
        mode = src.get("mode", "connect") if src else "connect"
        path = src.get("path") if src else None
        if mode == "bind":
            return f"socket,id={chr_id},fd={ctx.host.passed_fd},server=on,wait=off"
        return f"socket,id={chr_id},path={escape_comma(path or '')}"
    if t == "tcp":
        mode = src.get("mode", "connect") if src else "connect"
        host = src.get("host", "") if src else ""
        port = src.get("service", "") if src else ""
        out = f"socket,id={chr_id},host={host},port={port}"
        if ch.protocol == "telnet":
            out += ",telnet=on"
        if mode == "bind":
            out += ",server=on,wait=off"
        return out
    return f"{t},id={chr_id}"


def _emit(ctx: BuildContext, ch: Chardev, props: Props) -> None:
    src = default_source(ch.implicit) if ch.implicit else xml_source(ch.elem)
    ctx.cmd.add("-chardev", chardev_backend(ctx, ch, f"char{ch.alias}"), src)
    emit_device(ctx, ch, props, src)


def build_serials(ctx: BuildContext) -> None:
    for ch in ctx.domain.devices.chardevs("serial"):
        target = ch.target_type or "isa-serial"
        driver = {"isa-serial": "isa-serial", "usb-serial": "usb-serial",
                  "pci-serial": "pci-serial"}.get(target, "isa-serial")
        if ch.target_model:
            driver = ch.target_model
        props = Props(("driver", driver), ("chardev", f"char{ch.alias}"), ("id", ch.alias))
        if driver == "isa-serial":
            props.add("index", ch.target_port or 0)
        props.update(address_props(ctx, ch))
        _emit(ctx, ch, props)


def build_parallels(ctx: BuildContext) -> None:
    for ch in ctx.domain.devices.chardevs("parallel"):
        props = Props(("driver", "isa-parallel"), ("chardev", f"char{ch.alias}"), ("id", ch.alias))
        _emit(ctx, ch, props)


def build_channels(ctx: BuildContext) -> None:
    for ch in ctx.domain.devices.chardevs("channel"):
        if ch.target_type == "virtio":
            props = Props(("driver", "virtserialport"))
            props.update(address_props(ctx, ch))
            props.add("chardev", f"char{ch.alias}")
            props.add("id", ch.alias)
            props.add("name", ch.target_name)
            _emit(ctx, ch, props)


def build_consoles(ctx: BuildContext) -> None:
    for ch in ctx.domain.devices.chardevs("console"):
        if ch.target_type == "virtio":
            props = Props(("driver", "virtconsole"))
            props.update(address_props(ctx, ch))
            props.add("chardev", f"char{ch.alias}")
            props.add("id", ch.alias)
            _emit(ctx, ch, props)
