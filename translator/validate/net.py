"""libvirt's checks of an `<interface>` against its type.

They only bite when an interface keeps its own type, as on a real start (domxml-to-native
rewrites every interface as an ethernet one after parsing, so there only the parse-time
check sees the type as written). Rules, in libvirt's order:
- virNetDevBandwidthParse: a `floor` only for interfaces on a libvirt network (parse time);
- qemuValidateDomainDeviceDefNetwork: MTU, teaming and coalesce per type;
(port isolation is virDomainNetDefValidate's, in domain_validate_net.py; the checks of
the actual interface type are in actual_net.py.)
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model import Interface

_MTU_TYPES = frozenset({"network", "bridge", "ethernet", "vhostuser"})
_COALESCE_TYPES = frozenset({"network", "bridge"})
_MULTIQUEUE_TYPES = frozenset({"network", "bridge", "direct", "ethernet", "vhostuser", "vdpa"})
_TAP_PATH_TYPES = frozenset({"network", "bridge", "ethernet"})
_VIRTIO_MODELS = frozenset({"virtio", "virtio-transitional", "virtio-non-transitional"})


def _interfaces(ctx: BuildContext) -> list[Interface]:
    return [n for n in ctx.domain.devices.interfaces if n.type != "hostdev"]


def check_bandwidth_floor(ctx: BuildContext) -> None:
    """virNetDevBandwidthParse: `floor` is only allowed for type='network'."""
    for net in _interfaces(ctx):
        bw = net.elem.find("bandwidth")
        if bw is None or net.type == "network":
            continue
        if any(d.get("floor") is not None for d in (bw.find("inbound"), bw.find("outbound"))
               if d is not None):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "floor attribute is not supported for this "
                                                 "config")


def _supports_mtu(net: Interface) -> bool:
    """qemuDomainNetSupportsMTU: tap-like types, and user networking through passt."""
    if net.type == "user":
        return net.elem.attr_at("type", "backend") == "passt"
    return net.type in _MTU_TYPES


def check_interface_types(ctx: BuildContext) -> None:
    """qemuValidateDomainDeviceDefNetwork's per-type rules."""
    for net in _interfaces(ctx):
        e = net.elem
        if e.find("mtu") is not None and e.attr_at("size", "mtu") and not _supports_mtu(net):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"setting MTU on interface type {net.type} is not supported yet")
        if e.attr_at("type", "teaming") == "transient" and net.type != "network":
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "virtio-net teaming transient interface must "
                                                 f"be type='hostdev', not '{net.type}'")
        if e.find("coalesce") is not None and net.type not in _COALESCE_TYPES:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"coalesce settings on interface type {net.type} are not supported")
