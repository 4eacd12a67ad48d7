"""What the host's drivers turn a domain's references into before the command is built
(qemuProcessPrepareDomain): `<interface type='network'>` ports handed out as host devices,
`<listen type='network'>` addresses, and `<disk type='volume'>` sources
(virDomainDiskTranslateSourcePool).  The answers come from the profile's HostDrivers;
what its tables do not know is left as the domain XML says."""

from __future__ import annotations

from dataclasses import replace

from ..context import BuildContext
from ..host_lookup import listen_network_address, may_drop, volume_source
from ..model import Disk, Elem, Interface
from ..model.devices import Hostdev


def allocate_network_hostdevs(ctx: BuildContext) -> None:
    """virDomainNetAllocateActualDevice for networks that plug a host PCI device: the
    interface becomes that host device (libvirt then keeps it with the hostdevs, named
    hostdevN), with the interface's own teaming and PCI address."""
    drivers = ctx.host.drivers
    items = ctx.domain.devices.items
    for pos, dev in enumerate(items):
        if not isinstance(dev, Interface) or dev.type != "network" or dev.source is None:
            continue
        port = drivers.port(dev.source.get("network") or "")
        if port is None or port.plug != "hostdev-pci" or port.pci_address is None:
            continue
        domain, bus, slot, function = port.pci_address
        address = Elem("address", {"type": "pci", "domain": f"0x{domain:04x}",
                                   "bus": f"0x{bus:02x}", "slot": f"0x{slot:02x}",
                                   "function": f"0x{function:x}"})
        items[pos] = Hostdev(
            elem=dev.elem, info=dev.info, type="pci",
            source=Elem("source", children=(address,)),
            driver=Elem("driver", {"name": port.driver}) if port.driver else None,
            failover_pair=dev.elem.attr_at("persistent", "teaming"), interface=True)


def resolve_listen_networks(ctx: BuildContext) -> None:
    """qemuProcessGraphicsSetupNetworkAddress: a display listening on a virtual network
    listens on the network's first IP address."""
    for dev in ctx.domain.devices.of("graphics"):
        first = dev.elem.find("listen")
        if first is None or first.get("type") != "network" or first.get("address"):
            continue
        address = listen_network_address(ctx.host.drivers, first)
        if address is None:
            continue
        resolved = replace(first, attrs={**first.attrs, "address": address})
        children = tuple(resolved if c is first else c for c in dev.elem.children)
        dev.elem = replace(dev.elem, children=children)


def translate_volumes(ctx: BuildContext) -> None:
    """qemuProcessPrepareDomainStorage: each volume disk, last first, becomes the file,
    block device or iSCSI LUN its pool says; one whose pool or volume cannot be used is
    dropped when its startupPolicy allows (an optional cdrom or floppy keeps its drive,
    empty), else left for validate to refuse."""
    items = ctx.domain.devices.items
    for d in reversed(ctx.domain.devices.disks):
        if d.type != "volume" or d.source is None:
            continue
        result = volume_source(ctx.host.drivers, d)
        if isinstance(result, Disk):
            d.type, d.source = result.type, result.source
            # the source's authentication is the pool's now, never the disk's own
            d.elem = replace(d.elem, children=tuple(c for c in d.elem.children
                                                    if c.tag != "auth"))
        elif may_drop(d, ctx.start_new):
            if d.device in ("cdrom", "floppy"):
                d.source = None
            else:
                items.remove(d)


