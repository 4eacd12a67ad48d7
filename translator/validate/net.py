"""libvirt's checks of an `<interface>` against its type.

They only bite when an interface keeps its own type, as on a real start (domxml-to-native
rewrites every interface as an ethernet one after parsing, so there only the parse-time
check sees the type as written). Rules, in libvirt's order:
- virNetDevBandwidthParse: a `floor` only for interfaces on a libvirt network (parse time);
- qemuValidateDomainDeviceDefNetwork: MTU, teaming and coalesce per type;
- virDomainActualNetDefValidate: port isolation only on a Linux bridge;
- qemuDomainValidateActualNetDef (when the command line is built): multiqueue and a custom
  tap device only for tap-like types.
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
    """qemuValidateDomainDeviceDefNetwork's per-type rules, then port isolation."""
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
        if e.attr_at("isolated", "port") == "yes" and net.type not in ("network", "bridge"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"interface {net.mac} - <port isolated='yes'/> is not supported for "
                   f"network interfaces with type='{net.type}'")


def check_actual_interfaces(ctx: BuildContext) -> None:
    """qemuDomainValidateActualNetDef: what the interface's actual type cannot do."""
    for net in _interfaces(ctx):
        # libvirt reads <driver queues> of virtio models only
        queues = net.elem.attr_at("queues", "driver") if net.model in _VIRTIO_MODELS else None
        if queues and queues.isdigit() and int(queues) > 0 \
                and net.type not in _MULTIQUEUE_TYPES:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"interface {net.mac} - multiqueue is not supported for network "
                   f"interfaces of type {net.type}")
        if net.elem.attr_at("tap", "backend") and net.type not in _TAP_PATH_TYPES:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"interface {net.mac} - custom tap device path is not supported for "
                   f"network interfaces of type {net.type}")
