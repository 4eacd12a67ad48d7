"""Host device sources beyond their typed reads (domain_conf.c: the iSCSI, vhost-scsi and
mediated-device parts of virDomainHostdevDefParseXMLSubsys, and
virDomainHostdevDefParseXMLCaps).
"""

from __future__ import annotations

import re

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .storage_network import network_host
from .xmlprop import is_uuid

XML, UNSUPPORTED = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED

_WWN = re.compile(r"(0x)?[0-9a-fA-F]{16}")  # virValidateWWN
SECRET_USAGES = ("none", "volume", "ceph", "iscsi", "tls", "vtpm")  # virSecretUsageType
# <hostdev mode='capabilities'>: the element naming the host resource of each type
_CAPS_SOURCE = {"storage": ("block", "Missing <block> element in hostdev storage device"),
                "misc": ("char", "Missing <char> element in hostdev character device"),
                "net": ("interface", "Missing <interface> element in hostdev net device")}


def _subsystem(hostdev: Elem) -> bool:
    return (hostdev.get("mode") or "subsystem") == "subsystem"


def hostdev_source(e: Elem, chain: list[Elem]) -> None:
    """The source of an iSCSI, vhost-scsi or mediated host device; the named resource of
    a capabilities-mode one."""
    hostdev = chain[-1]
    kind = hostdev.get("type")
    if not _subsystem(hostdev):
        element, message = _CAPS_SOURCE.get(kind or "", (None, ""))
        if element is not None and not _first_text(e, element):
            refuse(XML, message)
        return
    if kind == "scsi" and e.get("protocol") == "iscsi":
        _iscsi(e)
    elif kind == "scsi_host" and e.get("protocol") == "vhost":
        wwpn = e.get("wwpn")
        if wwpn is None:
            refuse(XML, "missing vhost-scsi hostdev source wwpn")
        elif not wwpn.startswith("naa.") or not _WWN.fullmatch(wwpn[4:]):
            refuse(XML, "malformed 'wwpn' value")
    elif kind == "mdev":
        address = e.find("address")
        uuid = address.get("uuid") if address is not None else None
        if address is not None and uuid is None:
            refuse(UNSUPPORTED, "Missing 'uuid' attribute for element <address>")
        if uuid is not None and not is_uuid(uuid):
            refuse(ErrorCode.INTERNAL_ERROR, "Cannot parse uuid attribute of element <address>")


def _first_text(e: Elem, tag: str) -> str:
    child = e.find(tag)
    return (child.text or "") if child is not None else ""


def _iscsi(source: Elem) -> None:
    """virDomainHostdevSubsysSCSIiSCSIDefParseXML: a target name, exactly one host, an
    iSCSI secret."""
    if source.get("name") is None:
        refuse(XML, "missing iSCSI hostdev source path name")
    hosts = source.findall("host")
    for host in hosts:
        network_host(host, [source])
    if not hosts:
        refuse(XML, "missing the host address for the iSCSI hostdev")
    if len(hosts) > 1:
        refuse(XML, "only one source host address may be specified for the iSCSI hostdev")
    usage = source.attr_at("type", "auth", "secret")
    if usage is not None and usage not in SECRET_USAGES:
        refuse(UNSUPPORTED, f"invalid secret type {usage}")
    if usage is not None and usage != "iscsi":
        refuse(ErrorCode.INTERNAL_ERROR, f"hostdev invalid secret type '{usage}'")


HOSTDEV_RULES = {
    ("devices", "hostdev", "source"): (hostdev_source,),
}
