"""The QEMU driver's checks of an interface once its actual connection is known
(qemu_domain.c: `qemuDomainValidateActualNetDef`, with domain_validate.c's
`virDomainActualNetDefValidate`). libvirt runs them for each interface, hostdev ones
included, while building the network part of the command line.

A `type='network'` interface connects through whatever its network provides, which only a
running libvirt knows; its checks that depend on that type are left out.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.devices import Hostdev, Interface
from ..model.elem import Elem
from .domain_validate_net import validate_bandwidth, validate_port_options
from .values import number

_MULTIQUEUE_TYPES = ("network", "bridge", "direct", "ethernet", "vhostuser", "vdpa")
_TAP_TYPES = ("network", "bridge", "ethernet")
_VIRTIO_MODELS = ("virtio", "virtio-transitional", "virtio-non-transitional")


def validate_actual_nets(ctx: BuildContext) -> None:
    """Every <interface>, in the domain's order."""
    for dev in ctx.domain.devices.items:
        if isinstance(dev, Interface):
            _validate(dev.elem.get("type") or "user", dev.elem, dev.mac, dev.model)
        elif isinstance(dev, Hostdev) and dev.interface:
            _validate("hostdev", dev.elem, (dev.elem.attr_at("address", "mac") or "").lower(),
                      None)


def _validate(ntype: str, e: Elem, mac: str | None, model: str | None) -> None:
    mac = mac or ""
    network = ntype == "network"  # its actual type is the network's business
    vport = e.find("virtualport")
    vport_type = vport.get("type") if vport is not None else None
    if e.find("vlan") is not None and not network:
        direct_passthrough = ntype == "direct" and e.attr_at("mode", "source") == "passthrough"
        bridge_ok = ntype == "bridge" and (vport is None or vport_type == "openvswitch")
        if not (ntype == "hostdev" or direct_passthrough or bridge_ok):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"interface {mac} - vlan tag not supported for this connection type")
    bandwidth = e.find("bandwidth")
    if bandwidth is not None and ntype == "hostdev":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"interface {mac} - bandwidth settings are not "
               "supported for hostdev interfaces")
    validate_bandwidth(bandwidth)
    if not network:
        validate_port_options(mac, ntype, vport, e.attr_at("isolated", "port"))
    # the parser keeps queues for virtio NICs only, and one queue is no multiqueue
    queues = number(e.attr_at("queues", "driver")) if model in _VIRTIO_MODELS else None
    if queues and queues > 1 and ntype not in _MULTIQUEUE_TYPES:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"interface {mac} - multiqueue is not supported "
               f"for network interfaces of type {ntype}")
    if e.find("filterref") is not None and ntype in _TAP_TYPES:  # parsed for these only
        if ntype not in _TAP_TYPES:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"interface {mac} - filterref is not supported "
                   f"for network interfaces of type {ntype}")
        if vport_type not in (None, "none") and not network:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"interface {mac} - filterref is not supported "
                   f"for network interfaces with virtualport type {vport_type}")
    if e.attr_at("tap", "backend") and ntype not in _TAP_TYPES:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"interface {mac} - custom tap device path is not "
               f"supported for network interfaces of type {ntype}")
    if e.attr_at("type", "teaming") == "transient" and ntype != "hostdev" and not network:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"interface {mac} - teaming transient device must "
               f"be type='hostdev', not '{ntype}'")
