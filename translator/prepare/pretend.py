"""libvirt's pretend mode: what `virsh domxml-to-native qemu-argv` does differently.

domxml-to-native prepares the domain (defaults, aliases, addresses, master key) but never
the host: no socket is bound, no file opened and no helper started before the command
line is built, so those places print paths (or libvirt's "no descriptor" value, -1)
instead of passed descriptors. Before preparing, it also rewrites every network
interface as a plain `ethernet` one, since it cannot plug taps into bridges or networks;
only the MAC, the model and the script survive (the boot order too, without effect), and
the interface gets a fresh alias and PCI address. Taps and vhost-net devices are still
opened while the command line is built, by the daemon, so their numbers are whatever the
daemon's next free descriptors are (see `BuildContext.next_daemon_fd`).
"""

from __future__ import annotations

from dataclasses import replace

from ..context import BuildContext
from ..model import Elem, Interface
from ..model.device import DeviceInfo

# all that survives of an interface libvirt rewrites (qemuConnectDomainXMLToNative)
_KEPT_CHILDREN = frozenset({"mac", "model", "script"})


def _ethernet_elem(e: Elem) -> Elem:
    """The interface element as libvirt sees it after the rewrite (for builders that read
    the XML directly): a new `ethernet` interface with the old MAC, model and script."""
    children = tuple(c for c in e.children if c.tag in _KEPT_CHILDREN)
    return replace(e, attrs={"type": "ethernet"}, children=children)


def _as_ethernet(net: Interface, index: int) -> Interface:
    """The new interface keeps the parsed boot order, but its effective boot index was
    computed while parsing the old one, so QEMU is given none; everything else (driver
    tuning, ACPI index, ROM, addresses) is gone."""
    elem = _ethernet_elem(net.elem)
    info = DeviceInfo(alias=f"net{index}", address=None)
    return replace(net, elem=elem, info=info, type="ethernet", source=None, target_dev=None,
                   driver=None)


def rewrite_interfaces(ctx: BuildContext) -> bool:
    """Turn every interface into an unconnected `ethernet` one, as domxml-to-native does
    after parsing; True when some interface lost its PCI address and needs a new one.

    Interfaces of type 'hostdev' are modelled as host devices here and are left alone.
    """
    if not ctx.host.nets_as_ethernet:
        return False
    items = ctx.domain.devices.items
    index = 0
    readdress = False
    for pos, dev in enumerate(items):
        if not isinstance(dev, Interface):
            continue
        readdress = readdress or dev.info.address is not None
        items[pos] = _as_ethernet(dev, index)
        index += 1
    return readdress
