"""A network disk's source and hosts (virDomainDiskSourceNetworkParse and
virDomainStorageNetworkParseHost in domain_conf.c).

Every protocol but NBD names its image; a TCP or RDMA host has a name and no socket, a
UNIX one a socket, and a disk's host may not be a passed file descriptor.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem

XML = ErrorCode.XML_ERROR


def network_source(e: Elem, chain: list[Elem]) -> None:
    if e.get("name") is None and e.get("protocol") != "nbd":
        refuse(XML, "missing name for disk source")


def network_host(e: Elem, chain: list[Elem]) -> None:
    transport = e.get("transport") or "tcp"
    socket = e.get("socket")
    if transport == "unix":
        if socket is None:
            refuse(XML, "missing socket for unix transport")
    elif transport in ("tcp", "rdma"):
        if socket is not None:
            refuse(XML, f"transport '{transport}' does not support socket attribute")
        if e.get("name") is None:
            refuse(XML, "missing name for host")
    elif transport == "fd":
        refuse(XML, "transport 'fd' is now allowed")


STORAGE_NETWORK_RULES = {
    ("disk[network]", "source"): (network_source,),
    ("disk[network]", "source", "host"): (network_host,),
}
