"""qemuValidateDomainDeviceDefNetwork (qemu_validate.c): what QEMU can do with an <interface>."""

from __future__ import annotations


from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.devices import Interface

CONFIG = ErrorCode.CONFIG_UNSUPPORTED

VIRTIO_MODELS = ("virtio", "virtio-transitional", "virtio-non-transitional")
# interface types whose backend QEMU lets libvirt set an MTU on (qemuDomainNetSupportsMTU)
_MTU_TYPES = ("network", "bridge", "ethernet", "vhostuser")
# interface types that take <coalesce> (qemuValidateNetSupportsCoalesce)
_COALESCE_TYPES = ("network", "bridge")


def backend(net: Interface) -> str:
    return net.elem.attr_at("type", "backend") or "default"


def requires_shared_memory(ctx: BuildContext, name: str) -> None:
    """qemuValidateDomainDefVhostUserRequireSharedMemory: vhost-user maps all guest RAM."""
    d = ctx.domain
    access = d.memory_backing.attr_at("mode", "access") if d.memory_backing is not None \
        else None
    cells = d.numa_cells
    if not cells and access != "shared":
        refuse(CONFIG, f"'{name}' requires shared memory")
    for cell in cells:
        if cell.mem_access == "private" or (cell.mem_access is None and access != "shared"):
            refuse(CONFIG, f"'{name}' requires shared memory")


def _ip_family(address: str) -> int | None:
    import ipaddress  # only for interfaces with addresses: a costly module to load

    try:
        return ipaddress.ip_address(address).version
    except ValueError:
        return None


def _guest_ips(ctx: BuildContext, net: Interface) -> None:
    has = {4: False, 6: False}
    for ip in net.elem.findall("ip"):
        if ip.get("peer"):
            refuse(CONFIG, "Invalid attempt to set peer IP for guest")
        family = _ip_family(ip.get("address") or "")
        prefix_text = ip.get("prefix")
        prefix = int(prefix_text) if prefix_text and prefix_text.isdigit() else 0
        if family == 4:
            if has[4]:
                refuse(CONFIG, "Only one IPv4 address per interface is allowed")
            has[4] = True
            if prefix > 0 and not 4 <= prefix <= 27:
                refuse(ErrorCode.XML_ERROR, "invalid prefix, must be in range of 4-27")
        if family == 6:
            if has[6]:
                refuse(CONFIG, "Only one IPv6 address per interface is allowed")
            has[6] = True
            if prefix and prefix != 64:
                refuse(CONFIG, f"unsupported IPv6 address prefix='{prefix}' - must be 64")


def validate_net(ctx: BuildContext, net: Interface) -> None:
    """qemuValidateDomainDeviceDefNetwork."""
    e = net.elem
    if e.findall("route"):
        refuse(CONFIG, "Invalid attempt to set network interface guest-side IP route, not "
                       "supported by QEMU")
    be = backend(net)
    if net.type == "user" or (net.type == "vhostuser" and be == "passt"):
        supported = {"default": ctx.has("netdev.user"), "passt": ctx.has("netdev.stream")}
        if not supported.get(be, False):
            refuse(CONFIG, f"the '{be}' network backend is not supported with this QEMU binary")
        _guest_ips(ctx, net)
    elif e.findall("ip"):
        refuse(CONFIG, "Invalid attempt to set network interface guest-side IP address info, "
                       "not supported by QEMU")
    if net.type == "vdpa" and not ctx.has("netdev.vhost-vdpa"):
        refuse(CONFIG, "vDPA devices are not supported with this QEMU binary")
    if net.type == "vhostuser":
        src = net.source
        if (src is None or not src.get("path")) and be != "passt":
            refuse(ErrorCode.XML_ERROR, "Missing required attribute 'path' in element 'source'")
        if src is not None and src.get("mode") == "server" \
                and src.attr_at("enabled", "reconnect") == "yes":
            refuse(CONFIG, "'reconnect' attribute is not supported when source mode='server' "
                           "for <interface type='vhostuser'>")
        requires_shared_memory(ctx, "interface")
    virtio = net.model in VIRTIO_MODELS
    drv = net.driver
    if not virtio:
        if net.type in ("vdpa", "vhostuser"):
            refuse(CONFIG, f"invalid model for interface of type '{net.type}': "
                           f"'{net.model or ''}' - must be 'virtio'")
    elif drv is not None:
        for attr, message in (("rx_queue_size", "rx_queue_size has to be a power of two"),
                              ("tx_queue_size", "tx_queue_size has to be a power of two")):
            size = _int(drv.get(attr))
            if size and size & (size - 1):
                refuse(CONFIG, message)
        if drv.get("rss") == "on" and not ctx.has("virtio-net.rss"):
            refuse(CONFIG, "virtio rss is not supported with this QEMU binary")
        if drv.get("rss_hash_report") == "on" and not ctx.has("virtio-net.rss"):
            refuse(CONFIG, "virtio rss hash report is not supported with this QEMU binary")
    mtu = e.attr_at("size", "mtu")
    if mtu and mtu != "0" and not (net.type in _MTU_TYPES
                                   or (net.type == "user" and be == "passt")):
        refuse(CONFIG, f"setting MTU on interface type {net.type} is not supported yet")
    teaming = e.find("teaming")
    if teaming is not None:
        if teaming.get("type") == "persistent" and not virtio:
            refuse(CONFIG, "virtio-net teaming persistent interface must be <model "
                           f"type='virtio'/>, not '{net.model or ''}'")
        if teaming.get("type") == "transient" and net.type not in ("hostdev", "network"):
            refuse(CONFIG, "virtio-net teaming transient interface must be type='hostdev', "
                           f"not '{net.type}'")
    if e.find("coalesce") is not None and net.type not in _COALESCE_TYPES:
        refuse(CONFIG, f"coalesce settings on interface type {net.type} are not supported")


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text, 10)
    except ValueError:
        return None
