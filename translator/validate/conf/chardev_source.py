"""The host side of a character device as libvirt reads it (virDomainChrSourceDefParseXML
and its per-type helpers in domain_conf.c).

What a <source> says depends on the character device's type: a file's source may append, a
TCP or UNIX socket's has a mode and may reconnect, a TCP one may ask for TLS; a <protocol> is
read only for TCP. Besides serial ports, consoles, channels and parallel ports, the same
parser reads a passthrough smartcard's, a USB redirection's, an EGD RNG backend's and an
external TPM backend's host side (their type comes from another attribute). Reads of a
running domain's state ('tlsFromConfig') are not made: libvirt parses definitions inactive.
"""

from __future__ import annotations

from ...model.elem import Elem
from . import enums as E
from .schema import Hook
from .xmlprop import prop_enum, prop_on_off, prop_uint, prop_yes_no

_CHARDEVS = ("serial", "parallel", "console", "channel")


def chardev_type(holder: Elem, chain: list[Elem]) -> str | None:
    """The character device type whose host side `holder` describes (None: it is not read
    as a character device)."""
    tag = holder.tag
    if tag in _CHARDEVS:
        return holder.get("type") or "pty"
    if tag == "smartcard":
        return holder.get("type") if holder.get("mode") == "passthrough" else None
    if tag == "redirdev":
        return holder.get("type")
    parent = chain[-1].tag if chain else ""
    if tag == "backend" and parent == "rng" and holder.get("model") == "egd":
        return holder.get("type")
    if tag == "backend" and parent == "tpm" and holder.get("type") == "external":
        return holder.attr_at("type", "source")
    return None


def _first_source(source: Elem, holder: Elem, kind: str) -> bool:
    """Whether libvirt reads this <source> (the first; a UDP device reads two)."""
    return any(s is source for s in holder.findall("source")[:2 if kind == "udp" else 1])


def chr_source(e: Elem, chain: list[Elem]) -> None:
    """The <source> reads of the device's type."""
    kind = chardev_type(chain[-1], chain[:-1])
    if kind is None or not _first_source(e, chain[-1], kind):
        return
    if kind == "file":
        prop_on_off(e, "append")
    elif kind in ("unix", "udp", "tcp"):
        prop_enum(e, "mode", E.CHR_SOURCE_MODE)
        if kind == "tcp":
            prop_yes_no(e, "tls")


def reconnect(e: Elem, chain: list[Elem]) -> dict[str, str] | None:
    """virDomainChrSourceReconnectDefParseXML (TCP and UNIX sockets, vhost-user disks and
    interfaces): an enabled reconnect has a timeout (written canonically)."""
    source, holder = chain[-1], chain[-2]
    if holder.tag in ("disk", "interface"):
        if holder.get("type") != "vhostuser":
            return None
    else:
        kind = chardev_type(holder, chain[:-2])
        if kind not in ("tcp", "unix") or not _first_source(source, holder, kind):
            return None
    if source.find("reconnect") is not e or not prop_yes_no(e, "enabled"):
        return None
    return {"timeout": str(prop_uint(e, "timeout", required_=True))}


def chr_protocol(e: Elem, chain: list[Elem]) -> None:
    """virDomainChrSourceDefParseProtocol: only a TCP device reads its protocol."""
    if chardev_type(chain[-1], chain[:-1]) == "tcp":
        prop_enum(e, "type", E.CHR_PROTOCOL)


def chr_log(e: Elem, chain: list[Elem]) -> None:
    """virDomainChrSourceDefParseLog: whether the log file is appended to."""
    if chardev_type(chain[-1], chain[:-1]) is not None:
        prop_on_off(e, "append")


_HOLDERS = (*_CHARDEVS, "smartcard", "redirdev", "backend")
CHARDEV_SOURCE_RULES: dict[tuple[str, ...], tuple[Hook, ...]] = {
    **{(h, "source"): (chr_source,) for h in _HOLDERS},
    **{(h, "source", "reconnect"): (reconnect,) for h in (*_HOLDERS, "disk", "interface")},
    **{(h, "protocol"): (chr_protocol,) for h in _HOLDERS},
    **{(h, "log"): (chr_log,) for h in _HOLDERS},
}
