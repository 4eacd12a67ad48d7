"""A network disk's source and hosts (virDomainDiskSourceNetworkParse and
virDomainStorageNetworkParseHost in domain_conf.c).

Every protocol but NBD names its image; a TCP or RDMA host has a name and no socket, a
UNIX one a socket, and a disk's host may not be a passed file descriptor. `<knownHosts>` and
`<identity>` are SSH's: libvirt reads them (with their required attributes) only for that
protocol, so NFS's `<identity user= group=>` has no `username`.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .xmlprop import required

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


def _is_ssh(chain: list[Elem]) -> bool:
    return bool(chain) and chain[-1].get("protocol") == "ssh"


def ssh_known_hosts(e: Elem, chain: list[Elem]) -> None:
    if _is_ssh(chain):
        required(e, "path")


def ssh_identity(e: Elem, chain: list[Elem]) -> None:
    """An SSH identity names its user and a key file or an agent socket to authenticate with."""
    if not _is_ssh(chain):
        return
    required(e, "username")
    if e.get("keyfile") is None and e.get("agentsock") is None:
        refuse(XML, f"element '{e.tag}' requires either 'keyfile' or 'agentsock' attribute")


STORAGE_NETWORK_RULES = {
    ("disk[network]", "source"): (network_source,),
    ("disk[network]", "source", "host"): (network_host,),
    ("disk[network]", "source", "knownHosts"): (ssh_known_hosts,),
    ("disk[network]", "source", "identity"): (ssh_identity,),
}
