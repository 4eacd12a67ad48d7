"""Parse refusals of interfaces' virtual ports and of TPM backends (virDomainNetDefParseXML and
virDomainTPMDefParseXML in domain_conf.c).
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .device_rules import CHR_TYPES
from .xmlprop import is_uuid

XML, UNSUPPORTED = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED

# the interface types whose parser reads a <virtualport>
VIRTUALPORT_TYPES = ("network", "bridge", "direct", "hostdev")


def interface_virtualport(e: Elem, chain: list[Elem]) -> None:
    kind = e.get("type") or "user"
    if e.find("virtualport") is not None and kind not in VIRTUALPORT_TYPES:
        refuse(UNSUPPORTED, f"<virtualport> element unsupported for <interface type='{kind}'>")


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
    ("devices", "tpm", "backend"): (tpm_backend_source,),
}
