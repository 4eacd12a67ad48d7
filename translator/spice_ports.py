"""A SPICE display's listen, ports and connections, shared by the SPICE builder (which
fills them in) and validation (which refuses a TLS port qemu.conf does not allow, and
channels no connection can carry): qemuProcessSPICEAllocatePorts and the connection
rules of qemuBuildGraphicsSPICECommandLine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Elem
from .profiles import QemuConf

if TYPE_CHECKING:
    from .context import BuildContext

# the ports libvirt's pretend mode fills in instead of allocating (qemuProcess*AllocatePorts)
PRETEND_SPICE_PORT = 5901
PRETEND_SPICE_TLS_PORT = 5902


def listen_of(g: Elem) -> tuple[str, str | None]:
    """(listen type, address-or-socket) of a display, as libvirt normalizes it ('' when
    the display has no listen at all)."""
    first = g.find("listen")
    if first is not None:
        kind = first.get("type") or "address"
        if kind == "address":
            return kind, first.get("address") or g.get("listen")
        if kind == "socket":
            return kind, first.get("socket")
        if kind == "network":  # the network's address, once prepare resolved it
            return kind, first.get("address")
        return kind, None
    if g.get("listen"):
        return "address", g.get("listen")
    return "", None


def spice_ports(ctx: "BuildContext", e: Elem) -> tuple[int, int]:
    """The SPICE port and TLS port QEMU gets: the XML's, or for autoport the first free
    ones of the host's range (pretend mode: libvirt's fixed stand-ins)."""
    port = int(e.get("port") or 0)
    tls_port = int(e.get("tlsPort") or 0)
    kind, _ = listen_of(e)
    if kind not in ("", "address", "network"):
        return port, tls_port
    need_plain, need_tls = spice_autoport_needs(e, ctx.host.qemu_conf)
    if ctx.host.allocates_display_ports:
        free = ctx.host.qemu_conf.remote_display_port_min
        if need_plain or port == -1:
            port, free = free, free + 1
        if need_tls or tls_port == -1:
            tls_port = free
    else:
        if need_plain or port == -1:
            port = PRETEND_SPICE_PORT
        if need_tls or tls_port == -1:
            tls_port = PRETEND_SPICE_TLS_PORT
    return port, tls_port


def spice_listen(ctx: "BuildContext", e: Elem) -> tuple[str, str | None, int, int]:
    """(listen type, address or socket, port, TLS port) libvirt builds SPICE with: a display
    without a listen listens on an address when it has a port (else on nothing), and
    qemu.conf's spice_auto_unix_socket turns an address listen without an address into a
    socket."""
    kind, where = listen_of(e)
    port, tls_port = spice_ports(ctx, e)
    if kind == "":
        kind = "address" if (port > 0 or tls_port > 0) else "none"
    if kind == "address" and not where and ctx.host.qemu_conf.spice_auto_unix_socket:
        kind = "socket"
    return kind, where, port, tls_port


def spice_connections(ctx: "BuildContext", e: Elem) -> tuple[bool, bool]:
    """(plaintext, TLS): the connections a SPICE display offers, which its channels and
    default mode must find (qemuBuildGraphicsSPICECommandLine's hasInsecure/hasSecure)."""
    kind, _, port, tls_port = spice_listen(ctx, e)
    if kind in ("address", "network"):
        return port > 0, tls_port > 0
    return kind in ("socket", "none"), False


def spice_autoport_needs(e: Elem, conf: QemuConf) -> tuple[bool, bool]:
    """(plain port, TLS port) an autoport SPICE display needs: from the channel modes,
    the default mode and, for mode 'any', qemu.conf's spice_tls."""
    if e.get("autoport") != "yes":
        return False, False
    modes = [ch.get("mode") for ch in e.findall("channel")]
    default = e.get("defaultMode") or "any"
    tls_on = conf.spice_tls_for(_int(e.get("tlsPort")))
    need_tls = "secure" in modes or default == "secure" or (default == "any" and tls_on)
    need_plain = "insecure" in modes or default in ("insecure", "any")
    return need_plain, need_tls


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
