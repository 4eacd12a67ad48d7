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
from ..props import Props
from ..spice_ports import listen_of as _listen, spice_listen
from .display_common import audiodev_id

VNC_PORT_MIN = 5900
# the ports libvirt's pretend mode fills in instead of allocating (qemuProcess*AllocatePorts)
PRETEND_VNC_PORT = 5900
VNC_TLS_ALIAS = "vnc-tls-creds0"


def _render_node(ctx: BuildContext, gl: Elem | None) -> str:
    node = gl.get("rendernode") if gl is not None else None
    return node or ctx.host.drm_render_node


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
    """-vnc's value; qemu.conf decides the default listen address (or a socket), a global
    password, TLS and SASL (qemuBuildGraphicsVNCCommandLine)."""
    e = g.elem
    conf = ctx.host.qemu_conf
    kind, where = _listen(e)
    socket = e.get("socket")
    if kind == "" and socket and not _vnc_generated_socket(ctx, socket):
        kind, where = "socket", socket
    if kind in ("", "address") and not where and conf.vnc_auto_unix_socket:
        kind, where = "socket", None
    if kind == "socket":
        path = where or f"{ctx.domain_dir}/vnc.sock"
        parts = [f"vnc=unix:{escape_comma(path)}"]
    elif kind == "none":
        parts = ["none"]
    else:
        port = e.get("port")
        if e.get("autoport") == "yes" or port in (None, "", "-1"):
            first = conf.remote_display_port_min if ctx.host.allocates_display_ports \
                else PRETEND_VNC_PORT
            display = first - VNC_PORT_MIN
        else:
            display = int(port) - VNC_PORT_MIN
        parts = [f"{_bracket(escape_comma(where or conf.vnc_listen))}:{display}"]
        ws = e.get("websocket")
        if ws == "-1" and ctx.host.allocates_display_ports:
            ws = str(conf.remote_websocket_port_min)  # pretend mode leaves -1 as it is
        if ws:
            parts.append(f"websocket={ws}")
    if e.get("sharePolicy"):
        parts.append(f"share={e.get('sharePolicy')}")
    if e.get("passwd") is not None or conf.vnc_password:
        parts.append("password=on")
    if conf.vnc_tls:
        parts.append(f"tls-creds={VNC_TLS_ALIAS}")
    if conf.vnc_sasl:
        parts.append("sasl=on")
    if e.get("powerControl") == "yes":
        parts.append("power-control=on")
    audio = audiodev_id(ctx, g)
    if audio:
        parts.append(f"audiodev={audio}")
    return ",".join(parts)


# -- SPICE --------------------------------------------------------------------------------
def _spice_listen(ctx: BuildContext, e: Elem) -> tuple[list[str], bool]:
    """The listen options, and whether a TLS connection is available."""
    kind, where, port, tls_port = spice_listen(ctx, e)
    if kind == "socket":
        path = where or f"{ctx.domain_dir}/spice.sock"
        return ["unix=on", f"addr={escape_comma(path)}"], False
    parts: list[str] = []
    if kind in ("address", "network"):
        if port > 0:
            parts.append(f"port={port}")
        if tls_port > 0:
            parts.append(f"tls-port={tls_port}")
        if port > 0 or tls_port > 0:
            parts.append(f"addr={escape_comma(where or ctx.host.qemu_conf.spice_listen)}")
        return parts, tls_port > 0
    return ["port=0"], False  # QEMU needs a port: 0 means no TCP listener


_SPICE_COMPRESSION = (("image", "compression", "image-compression"),
                      ("jpeg", "compression", "jpeg-wan-compression"),
                      ("zlib", "compression", "zlib-glz-wan-compression"),
                      ("playback", "compression", "playback-compression"),
                      ("streaming", "mode", "streaming-video"))


def spice_arg(ctx: BuildContext, g: Device) -> str:
    """-spice's value; qemu.conf decides the default listen address, a global password
    (else `disable-ticketing=on`), TLS and SASL (qemuBuildGraphicsSPICECommandLine)."""
    e = g.elem
    conf = ctx.host.qemu_conf
    parts, has_secure = _spice_listen(ctx, e)
    if conf.spice_sasl:
        parts.append("sasl=on")
    mouse = e.attr_at("mode", "mouse")
    if mouse in ("server", "client"):
        parts.append(f"agent-mouse={'off' if mouse == 'server' else 'on'}")
    if e.get("passwd") is None and not conf.spice_password:
        parts.append("disable-ticketing=on")
    if has_secure:
        parts.append(f"x509-dir={escape_comma(conf.spice_tls_x509_cert_dir)}")
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
        default = (f"unix:path={ctx.host.run_dir}/dbus/"
                   f"{ctx.host.short_domain_name(ctx.domain.name)}-dbus.sock")
        parts.append(f"addr={escape_comma(e.get('address') or default)}")
    gl = _gl_on(e)
    if gl is not None:
        parts.append("gl=on")
        parts.append(f"rendernode={escape_comma(_render_node(ctx, gl))}")
    audio = audiodev_id(ctx, g, fallback_to_first=False)
    if audio:
        parts.append(f"audiodev={audio}")
    return ",".join(parts)


def _vnc_tls_and_sasl(ctx: BuildContext, src: Source) -> None:
    """qemu.conf's vnc_tls adds the server's TLS credentials object before -vnc;
    vnc_sasl_dir goes to QEMU's environment."""
    conf = ctx.host.qemu_conf
    if conf.vnc_tls:
        props = Props(("qom-type", "tls-creds-x509"), ("id", VNC_TLS_ALIAS),
                      ("dir", conf.vnc_tls_x509_cert_dir), ("endpoint", "server"),
                      ("verify-peer", conf.vnc_tls_x509_verify))
        ctx.cmd.add_json("-object", props, src)
    if conf.vnc_sasl and conf.vnc_sasl_dir:
        ctx.cmd.setenv("SASL_CONF_PATH", conf.vnc_sasl_dir, src)


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
            _vnc_tls_and_sasl(ctx, src)
            ctx.cmd.add("-vnc", vnc_arg(ctx, g), src)
            _keymap(ctx, e, src)
        elif kind == "spice":
            conf = ctx.host.qemu_conf
            if conf.spice_sasl and conf.spice_sasl_dir:
                ctx.cmd.setenv("SASL_CONF_PATH", conf.spice_sasl_dir, src)
            ctx.cmd.add("-spice", spice_arg(ctx, g), src)
            _keymap(ctx, e, src)
        elif kind == "sdl":
            _build_sdl(ctx, g, src)
        elif kind == "egl-headless":
            node = escape_comma(_render_node(ctx, e.find("gl")))
            ctx.cmd.add("-display", f"egl-headless,rendernode={node}", src)
        elif kind == "dbus":
            ctx.cmd.add("-display", dbus_arg(ctx, g), src)
