"""Graphical consoles: -vnc, -spice, -display (sdl, egl-headless, dbus) and their env.

Branches (qemuBuildGraphicsCommandLine):
- [x] VNC: listen address/socket/network/none, autoport, websocket, password, TLS
      (tls-creds-x509, verify) and SASL when qemu.conf enables them, share policy, keymap,
      power control, audiodev
- [x] SPICE: port/tls-port, listen, channels and default mode, compression settings,
      streaming, clipboard, file transfer, mouse mode, GL (rendernode), seamless migration
- [x] SDL (gl, env), egl-headless (rendernode), dbus (p2p, address, gl)
- [ ] RDP (needs the qemu-rdp helper process)
"""

from __future__ import annotations

from ..cmdline import Source, xml_source
from ..context import BuildContext
from ..model import Device, Elem
from ..props import escape_comma
from .display_common import (DEFAULT_RENDER_NODE, DEFAULT_STATE_DIR, audiodev_id, host_fact)

VNC_PORT_MIN = 5900
# Listen address libvirt uses when the XML gives none (qemu.conf vnc_listen/spice_listen).
DEFAULT_LISTEN = "127.0.0.1"
# Ports the host's port allocator hands out first (as libvirt's test harness does).
FIRST_WEBSOCKET_PORT = 5700
FIRST_SPICE_PORT = 5901
SPICE_X509_DIR = "/etc/pki/libvirt-spice"


def _listen(g: Elem) -> tuple[str, str | None]:
    """(listen type, address-or-socket) of a display, as libvirt normalizes it."""
    first = g.find("listen")
    if first is not None:
        kind = first.get("type") or "address"
        if kind == "address":
            return kind, first.get("address") or g.get("listen")
        if kind == "socket":
            return kind, first.get("socket")
        return kind, None
    if g.get("listen"):
        return "address", g.get("listen")
    return "", None


def _render_node(ctx: BuildContext, gl: Elem | None) -> str:
    node = gl.get("rendernode") if gl is not None else None
    return node or str(host_fact(ctx, "drm_render_node", DEFAULT_RENDER_NODE))


def _gl_on(g: Elem) -> Elem | None:
    gl = g.find("gl")
    return gl if gl is not None and gl.get("enable") == "yes" else None


def _bracket(addr: str) -> str:
    return f"[{addr}]" if ":" in addr else addr


# -- VNC ----------------------------------------------------------------------------------
def _vnc_generated_socket(ctx: BuildContext, path: str | None) -> bool:
    """A socket path libvirt generated for an earlier run is dropped, not reused."""
    return path is not None and path.startswith(f"{ctx.host.lib_dir}/domain-")


def vnc_arg(ctx: BuildContext, g: Device) -> str:
    e = g.elem
    kind, where = _listen(e)
    socket = e.get("socket")
    if kind == "" and socket and not _vnc_generated_socket(ctx, socket):
        kind, where = "socket", socket
    if kind == "socket":
        path = where or f"{ctx.domain_dir}/vnc.sock"
        parts = [f"vnc=unix:{escape_comma(path)}"]
    elif kind == "none":
        parts = ["none"]
    else:
        port = e.get("port")
        if e.get("autoport") == "yes" or port in (None, "", "-1"):
            display = 0
        else:
            display = int(port) - VNC_PORT_MIN
        parts = [f"{_bracket(escape_comma(where or DEFAULT_LISTEN))}:{display}"]
        ws = e.get("websocket")
        if ws:
            parts.append(f"websocket={FIRST_WEBSOCKET_PORT if ws == '-1' else ws}")
    if e.get("sharePolicy"):
        parts.append(f"share={e.get('sharePolicy')}")
    if e.get("passwd") is not None:
        parts.append("password=on")
    if e.get("powerControl") == "yes":
        parts.append("power-control=on")
    audio = audiodev_id(ctx, g)
    if audio:
        parts.append(f"audiodev={audio}")
    return ",".join(parts)


# -- SPICE --------------------------------------------------------------------------------
def _spice_listen(ctx: BuildContext, e: Elem) -> list[str]:
    kind, where = _listen(e)
    port = int(e.get("port") or 0)
    tls_port = int(e.get("tlsPort") or 0)
    if e.get("autoport") == "yes" and port <= 0 and kind != "socket":
        port = FIRST_SPICE_PORT
    if kind == "":
        kind = "address" if (port > 0 or tls_port > 0) else "none"
    if kind == "socket":
        path = where or f"{ctx.domain_dir}/spice.sock"
        return ["unix=on", f"addr={escape_comma(path)}"]
    parts: list[str] = []
    if kind in ("address", "network"):
        if port > 0:
            parts.append(f"port={port}")
        if tls_port > 0:
            parts.append(f"tls-port={tls_port}")
        if port > 0 or tls_port > 0:
            parts.append(f"addr={escape_comma(where or DEFAULT_LISTEN)}")
    if not parts:
        parts.append("port=0")  # QEMU needs a port: 0 means no TCP listener
    return parts


_SPICE_COMPRESSION = (("image", "compression", "image-compression"),
                      ("jpeg", "compression", "jpeg-wan-compression"),
                      ("zlib", "compression", "zlib-glz-wan-compression"),
                      ("playback", "compression", "playback-compression"),
                      ("streaming", "mode", "streaming-video"))


def spice_arg(ctx: BuildContext, g: Device) -> str:
    e = g.elem
    parts = _spice_listen(ctx, e)
    mouse = e.attr_at("mode", "mouse")
    if mouse in ("server", "client"):
        parts.append(f"agent-mouse={'off' if mouse == 'server' else 'on'}")
    if int(e.get("tlsPort") or 0) > 0:
        parts.append(f"x509-dir={SPICE_X509_DIR}")
    default_mode = e.get("defaultMode")
    if default_mode == "secure":
        parts.append("tls-channel=default")
    elif default_mode == "insecure":
        parts.append("plaintext-channel=default")
    for ch in e.findall("channel"):
        mode = ch.get("mode")
        if mode == "secure":
            parts.append(f"tls-channel={ch.get('name')}")
        elif mode == "insecure":
            parts.append(f"plaintext-channel={ch.get('name')}")
    for tag, attr, prop in _SPICE_COMPRESSION:
        value = e.attr_at(attr, tag)
        if value:
            parts.append(f"{prop}={value}")
    if e.attr_at("copypaste", "clipboard") == "no":
        parts.append("disable-copy-paste=on")
    if e.attr_at("enable", "filetransfer") == "no":
        parts.append("disable-agent-file-xfer=on")
    gl = _gl_on(e)
    if gl is not None:
        parts.append("gl=on")
        parts.append(f"rendernode={escape_comma(_render_node(ctx, gl))}")
    parts.append("seamless-migration=on")
    return ",".join(parts)


# -- -display backends ----------------------------------------------------------------------
def _build_sdl(ctx: BuildContext, g: Device, src: Source) -> None:
    e = g.elem
    if e.get("xauth"):
        ctx.cmd.setenv("XAUTHORITY", e.get("xauth"), src)
    if e.get("display"):
        ctx.cmd.setenv("DISPLAY", e.get("display"), src)
    if e.get("fullscreen") == "yes":
        ctx.cmd.add("-full-screen", source=src)
    ctx.cmd.add("-display", "sdl,gl=on" if _gl_on(e) is not None else "sdl", src)


def dbus_arg(ctx: BuildContext, g: Device) -> str:
    e = g.elem
    parts = ["dbus"]
    if e.get("p2p") == "yes":
        parts.append("p2p=on")
    else:
        state = host_fact(ctx, "state_dir", DEFAULT_STATE_DIR)
        default = f"unix:path={state}/dbus/-1-{ctx.domain.name}-dbus.sock"
        parts.append(f"addr={escape_comma(e.get('address') or default)}")
    gl = _gl_on(e)
    if gl is not None:
        parts.append("gl=on")
        parts.append(f"rendernode={escape_comma(_render_node(ctx, gl))}")
    audio = audiodev_id(ctx, g, fallback_to_first=False)
    if audio:
        parts.append(f"audiodev={audio}")
    return ",".join(parts)


def _keymap(ctx: BuildContext, e: Elem, src: Source) -> None:
    """VNC and SPICE pass their keyboard layout as a separate global -k option."""
    if e.get("keymap"):
        ctx.cmd.add("-k", e.get("keymap"), src)


def build_graphics(ctx: BuildContext) -> None:
    for g in ctx.domain.devices.of("graphics"):
        e = g.elem
        kind = e.get("type")
        src = xml_source(e)
        if kind == "vnc":
            ctx.cmd.add("-vnc", vnc_arg(ctx, g), src)
            _keymap(ctx, e, src)
        elif kind == "spice":
            ctx.cmd.add("-spice", spice_arg(ctx, g), src)
            _keymap(ctx, e, src)
        elif kind == "sdl":
            _build_sdl(ctx, g, src)
        elif kind == "egl-headless":
            node = escape_comma(_render_node(ctx, e.find("gl")))
            ctx.cmd.add("-display", f"egl-headless,rendernode={node}", src)
        elif kind == "dbus":
            ctx.cmd.add("-display", dbus_arg(ctx, g), src)
