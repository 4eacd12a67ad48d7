"""Parse refusals of <graphics> beyond its typed reads (virDomainGraphicsListenDefParseXML and
virDomainGraphicsAuthDefParseXML in domain_conf.c).
"""

from __future__ import annotations

import re

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .xmlprop import INT_MAX, INT_MIN

XML, UNSUPPORTED = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED

# the graphics types whose password libvirt reads with its validity and connected policy
_AUTH_TYPES = ("vnc", "rdp", "spice")
CONNECTED = ("fail", "disconnect", "keep")  # virDomainGraphicsAuthConnected above 'default'
_INT = r"(\s*[+-]?[0-9]+)"
_VALID_TO = re.compile(rf"{_INT}-{_INT}-{_INT}T{_INT}:{_INT}:{_INT}")


def listen(e: Elem, chain: list[Elem]) -> None:
    """A <listen>'s network and socket attributes belong to its type; the first socket
    listen agrees with the graphics' old 'socket' attribute."""
    graphics = chain[-1]
    kind = e.get("type")
    socket = e.get("socket")
    compat = graphics.get("socket")
    if kind == "socket" and graphics.find("listen") is e and socket and compat and \
            socket != compat:
        refuse(UNSUPPORTED, f"graphics 'socket' attribute '{compat}' must match 'socket' "
                            f"attribute of first listen element (found '{socket}')")
    if e.get("network") and kind != "network":
        refuse(XML, "'network' attribute is valid only for listen type 'network'")
    if socket and kind != "socket":
        refuse(XML, "'socket' attribute is valid only for listen type 'socket'")


def auth(e: Elem, chain: list[Elem]) -> None:
    """A password's expiry time and what happens to connected clients when it changes
    (read only when a password is given)."""
    kind = e.get("type")
    if kind not in _AUTH_TYPES or e.get("passwd") is None:
        return
    valid_to = e.get("passwdValidTo")
    if valid_to is not None and not _valid_time(valid_to):
        refuse(ErrorCode.INTERNAL_ERROR, f"cannot parse password validity time '{valid_to}', "
                                         "expect YYYY-MM-DDTHH:MM:SS")
    connected = e.get("connected")
    if connected is not None:
        if connected not in CONNECTED:
            refuse(UNSUPPORTED, f"unknown connected value {connected}")
        if kind == "vnc" and connected != "keep":
            refuse(UNSUPPORTED, "VNC supports connected='keep' only")


def _valid_time(text: str) -> bool:
    """YYYY-MM-DDTHH:MM:SS, each field an int as virStrToLong_i reads it."""
    m = _VALID_TO.fullmatch(text)
    return m is not None and all(INT_MIN <= int(part) <= INT_MAX for part in m.groups())


GRAPHICS_RULES = {
    ("devices", "graphics"): (auth,),
    ("devices", "graphics", "listen"): (listen,),
}
