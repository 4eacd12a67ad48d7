"""Parse refusals of interfaces' virtual ports, coalesce settings and port forwards, and of
TPM backends (virDomainNetDefParseXML, virDomainNetDefCoalesceParseXML,
virDomainNetPortForwardDefParseXML and virDomainTPMDefParseXML in domain_conf.c).
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .device_rules import CHR_TYPES
from .numbers import number
from .rules import _ip_version
from .xmlprop import UINT_MAX, is_uuid

XML, UNSUPPORTED = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED

# the interface types whose parser reads a <virtualport>
VIRTUALPORT_TYPES = ("network", "bridge", "direct", "hostdev")


def interface_virtualport(e: Elem, chain: list[Elem]) -> None:
    kind = e.get("type") or "user"
    if e.find("virtualport") is not None and kind not in VIRTUALPORT_TYPES:
        refuse(UNSUPPORTED, f"<virtualport> element unsupported for <interface type='{kind}'>")


def interface_coalesce(e: Elem, chain: list[Elem]) -> None:
    """The receive frames to coalesce (of the first <coalesce>): an unsigned number that
    fits 32 bits."""
    frames = e.attr_at("max", "rx", "frames") if chain[-1].find("coalesce") is e else None
    if not frames:
        return
    value = number(frames, "ullp")
    if value is None:
        refuse(ErrorCode.XML_DETAIL, f"cannot parse value '{frames}' for coalesce parameter")
    elif value > UINT_MAX:
        refuse(ErrorCode.OVERFLOW, f"value '{value}' is too big for coalesce parameter, "
               f"maximum is '{UINT_MAX}'")


def port_forward(e: Elem, chain: list[Elem]) -> None:
    """A port forward's address is an IP address (its protocol was read before)."""
    address = e.get("address")
    if address is not None and _ip_version(address) is None:
        refuse(XML, f"Invalid address '{address}' in <portForward>")


def tpm_backend_source(e: Elem, chain: list[Elem]) -> None:
    """An emulator's secret is a UUID and its state source has a path; an external TPM's
    source is a character device type."""
    kind = e.get("type")
    source = e.find("source")
    if kind == "emulator":
        secret = e.attr_at("secret", "encryption")
        if secret is not None and not is_uuid(secret):
            refuse(ErrorCode.INTERNAL_ERROR, f"Unable to parse secret uuid '{secret}'")
        if source is not None and source.get("path") is None:
            refuse(XML, "missing TPM source path")
    elif kind == "external" and source is not None:
        stype = source.get("type")
        if stype and stype not in CHR_TYPES:
            refuse(UNSUPPORTED, f"unknown backend source type '{stype}' for external TPM")


NIC_TPM_RULES = {
    ("devices", "interface"): (interface_virtualport,),
    ("devices", "interface", "coalesce"): (interface_coalesce,),
    ("devices", "interface", "portForward"): (port_forward,),
    ("devices", "tpm", "backend"): (tpm_backend_source,),
}
