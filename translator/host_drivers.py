"""What the host's storage and network drivers answer for a domain: the storage pools a
`<disk type='volume'>` is translated with, and the virtual networks an `<interface
type='network'>` or a `<listen type='network'>` is resolved against.

A profile holds these as facts of its host (HostProfile.drivers).  A real host's pools
and networks are unknown here, so its tables stay empty; libvirt's test harness answers
from fake drivers (tests/qemufakedrivers.c), whose definitions the `libvirt-test`
profile carries.
"""

from __future__ import annotations

from dataclasses import field
from typing import Mapping

from capsdb.records import dataclass


@dataclass(frozen=True)
class StoragePool:
    """The facts of a virStoragePoolDef a volume disk is translated with."""

    type: str                                  # 'dir', 'iscsi', 'logical', ...
    hosts: tuple[tuple[str, int], ...] = ()    # <source><host name port> (port 0: default)
    devices: tuple[str, ...] = ()              # <source><device path>
    initiator_iqn: str | None = None           # <source><initiator><iqn name>
    # <source><auth username><secret usage=|uuid=>: (username, 'usage' or 'uuid', value)
    auth: tuple[str, str, str] | None = None
    active: bool = True


@dataclass(frozen=True)
class Volume:
    """A volume as the storage driver describes it (virStorageVolGetInfo, GetPath)."""

    type: str      # 'file', 'block', 'dir', 'ploop', 'network', 'netdir'
    path: str


@dataclass(frozen=True)
class VirtualNetwork:
    """The facts of a virNetworkDef the qemu driver reads: its forward mode (which decides
    an interface's actual type) and its IP addresses (a display listening on the network
    listens on the first)."""

    forward: str = "none"          # none, nat, route, open, bridge, private, vepa, ...
    bridge: str | None = None
    ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class NetworkPort:
    """What the network driver plugs an interface into (virNetworkPortDef's plug)."""

    plug: str                      # 'network', 'bridge', 'direct', 'hostdev-pci', 'none'
    bridge: str | None = None
    pci_address: tuple[int, int, int, int] | None = None   # hostdev-pci: domain, bus, slot, fn
    managed: bool = False
    driver: str | None = None      # hostdev-pci: <driver name>


@dataclass(frozen=True)
class HostDrivers:
    """The storage and network drivers' answers.  `networks` None: the network driver is
    not modelled (interfaces and listens keep what the domain XML says)."""

    pools: Mapping[str, StoragePool] = field(default_factory=dict)
    # pool name -> volume name -> volume, for pools whose volumes are listed; a pool with
    # `volume_rule` answers every name by that rule instead
    volumes: Mapping[str, Mapping[str, Volume]] = field(default_factory=dict)
    networks: Mapping[str, VirtualNetwork] | None = None
    ports: Mapping[str, NetworkPort] = field(default_factory=dict)
    # libvirt's fake network driver: a network name is 'NETWORK;PORT', the definition
    # and the port it creates are looked up by the two halves
    port_named_after_network: bool = False
    # libvirt's fake storage driver: a volume 'TYPE+NAME' (TYPE 'block' when no '+') has
    # the path /some/TYPE/device/NAME
    harness_volume_names: bool = False

    def pool(self, name: str) -> StoragePool | None:
        return self.pools.get(name)

    def volume(self, pool: str, name: str) -> Volume | None:
        listed = self.volumes.get(pool, {}).get(name)
        if listed is not None or not self.harness_volume_names:
            return listed
        vtype, sep, vname = name.partition("+")
        if not sep:
            vtype, vname = "block", name
        return Volume(vtype, f"/some/{vtype}/device/{vname}")

    def network(self, name: str) -> VirtualNetwork | None:
        if self.networks is None:
            return None
        key = name.split(";", 1)[0] if self.port_named_after_network else name
        return self.networks.get(key)

    def port(self, network: str) -> NetworkPort | None:
        """The port the network creates for an interface (None: the network decides by its
        forward mode, which is not modelled beyond it)."""
        if not self.port_named_after_network or ";" not in network:
            return None
        return self.ports.get(network.split(";", 1)[1])
