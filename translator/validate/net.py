"""libvirt's checks of an `<interface>` against its type.

virNetDevBandwidthParse: a `floor` only for interfaces on a libvirt network (parse time).
(qemuValidateDomainDeviceDefNetwork lives in qemu_net.py, the actual-type checks of
qemuDomainValidateActualNetDef in qemu_prepare.py.)
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
