"""Network interfaces: the backend (-chardev / -add-fd, then -netdev), then the NIC -device.

Taps, vhost-net and vDPA devices are opened by libvirt and handed to QEMU as descriptors;
their numbers are host facts (see HostProfile). Interfaces of type 'hostdev' are host
devices and are built by the hostdev stage.

Branches (qemuBuildInterfaceCommandLine, qemuBuildHostNetProps, qemuBuildNicDevProps):
- [x] types: network/bridge/ethernet (tap fds, vhost-net fds, multiqueue), direct
      (macvtap fds), user (slirp: ip/ipv6 prefixes) and passt (vhost-user
      socket), vhost-user (chardev, reconnect), vdpa (fd via -add-fd), mcast/client/server/
      udp sockets, null
- [x] models: virtio (pci/ccw/device, transitional), e1000, e1000e, igb, rtl8139, vmxnet3,
      usb-net, spapr-vlan, model strings passed through
- [x] virtio options: host/guest offloads, mrg_rxbuf, event_idx, rx/tx queue sizes, rss,
      rss hash report, mtu, txmode, iommu/ats/packed, failover (teaming), rom bar/file,
      boot index, acpi-index
- [ ] interfaces answered by the virtual network driver (network hostdev pools, listen
      addresses): the harness' fake networks are not modelled
"""

from __future__ import annotations

from ..cmdline import Source, xml_source
from ..context import BuildContext
from ..model import Chardev, Elem, Interface
from ..props import Props
from .chardev import emit_chardev
from .device import address_props, emit_device, loadparm
from .disks import boot_index
from .misc import virtio_driver, virtio_options

NIC_DRIVER = {"e1000": "e1000", "e1000e": "e1000e", "rtl8139": "rtl8139", "vmxnet3": "vmxnet3",
              "ne2k_pci": "ne2k_pci", "pcnet": "pcnet", "usb-net": "usb-net"}
VIRTIO_MODELS = ("virtio", "virtio-transitional", "virtio-non-transitional")
TAP_TYPES = ("network", "bridge", "ethernet", "direct")

# <driver><host .../> and <guest .../> offload switches -> virtio-net-pci properties
_HOST_OFFLOADS = (("csum", "csum"), ("gso", "gso"), ("tso4", "host_tso4"),
                  ("tso6", "host_tso6"), ("ecn", "host_ecn"), ("ufo", "host_ufo"),
                  ("mrg_rxbuf", "mrg_rxbuf"))
_GUEST_OFFLOADS = (("csum", "guest_csum"), ("tso4", "guest_tso4"), ("tso6", "guest_tso6"),
                   ("ecn", "guest_ecn"), ("ufo", "guest_ufo"))


def default_nic_model(ctx: BuildContext) -> str:
    return "rtl8139" if ctx.is_x86 else "virtio"


def _drv(net: Interface, attr: str) -> str | None:
    return net.driver.get(attr) if net.driver is not None else None


def _is_virtio(net: Interface, ctx: BuildContext) -> bool:
    return (net.model or default_nic_model(ctx)) in VIRTIO_MODELS


def _queues(net: Interface) -> int:
    q = _drv(net, "queues")
    return int(q) if q and q.isdigit() and int(q) > 0 else 1


def _is_passt(net: Interface) -> bool:
    return net.elem.attr_at("type", "backend") == "passt"


def _tap_base(ctx: BuildContext, net: Interface) -> int:
    """Taps libvirt creates itself (ethernet) vs. those plugged into a bridge."""
    return ctx.host.tap_fd if net.type == "ethernet" else ctx.host.bridge_tap_fd


def _opened_fds(ctx: BuildContext, base: int, count: int) -> list[str]:
    """`count` descriptors the daemon opens: fixed numbers from `base` (the harness), or
    its next free ones when the profile numbers them as it goes (pretend mode)."""
    if ctx.host.daemon_fd_base is not None:
        return [str(ctx.next_daemon_fd()) for _ in range(count)]
    return [str(base + i) for i in range(count)]


def _tap_fds(ctx: BuildContext, net: Interface) -> list[str]:
    """Only virtio NICs are multiqueue; other models get a single tap queue."""
    n = _queues(net) if _is_virtio(net, ctx) else 1
    return _opened_fds(ctx, _tap_base(ctx, net), n)


def _vhost_fds(ctx: BuildContext, net: Interface) -> list[str]:
    """vhost-net descriptors: virtio NICs on a tap of a KVM domain, unless <driver
    name='qemu'> or the host has no /dev/vhost-net (then QEMU's userspace virtio)."""
    if net.type not in TAP_TYPES or not _is_virtio(net, ctx) or _drv(net, "name") == "qemu":
        return []
    if not ctx.host.vhost_net or not (ctx.is_kvm or ctx.host.vhost_net_without_kvm):
        return []
    return _opened_fds(ctx, ctx.host.vhost_fd, _queues(net))


def _fd_props(p: Props, key: str, fds: list[str]) -> None:
    """One descriptor as `fd`, several (multiqueue) as colon-joined `fds`."""
    if len(fds) == 1:
        p.add(key, fds[0])
    elif fds:
        p.add(f"{key}s", ":".join(fds))


def _src_attr(net: Interface, attr: str, child: str | None = None) -> str | None:
    e = net.source
    if e is not None and child is not None:
        e = e.find(child)
    return e.get(attr) if e is not None else None


def _user_props(p: Props, net: Interface) -> None:
    """slirp's guest network from <ip> elements."""
    for ip in net.elem.findall("ip"):
        addr = ip.get("address")
        if not addr:
            continue
        if ip.get("family") == "ipv6" or ":" in addr:
            p.add("ipv6-prefix", addr)
            p.add("ipv6-prefixlen", int(ip.get("prefix") or 64))
        else:
            p.add("net", f"{addr}/{ip.get('prefix') or 24}")


# libvirt's fixed reconnect timeout (seconds) towards the passt process it starts
PASST_RECONNECT_SECONDS = 5


def passt_socket_path(ctx: BuildContext, net: Interface) -> str:
    """The unix socket of the passt process libvirt runs for `net` (qemuPasstCreateSocketPath)."""
    return f"{ctx.host.passt_dir}/{ctx.host.short_domain_name(ctx.domain.name)}-{net.alias}.socket"


def _passt_stream_props(ctx: BuildContext, p: Props, net: Interface) -> None:
    """A user interface with the passt backend is a stream netdev connecting to passt's
    socket (qemuPasstAddNetProps); the reconnect key follows the netdev stream capabilities."""
    p.add("type", "stream")
    p.add("addr", {"type": "unix", "path": passt_socket_path(ctx, net)})
    p.add("server", False)
    if ctx.has("netdev.stream.reconnect"):
        if ctx.has("netdev-stream-reconnect-miliseconds"):
            p.add("reconnect-ms", PASST_RECONNECT_SECONDS * 1000)
        else:
            p.add("reconnect", PASST_RECONNECT_SECONDS)


def netdev_props(ctx: BuildContext, net: Interface, vhostfds: list[str],
                 vdpa_path: str | None = None, tapfds: list[str] | None = None) -> Props:
    p = Props()
    t = net.type
    if t in TAP_TYPES:
        p.add("type", "tap")
        _fd_props(p, "fd", tapfds if tapfds is not None else _tap_fds(ctx, net))
    elif t in ("client", "server", "mcast", "udp"):
        p.add("type", "socket")
        addr = _src_attr(net, "address") or ""
        port = _src_attr(net, "port") or ""
        key = {"client": "connect", "server": "listen", "mcast": "mcast", "udp": "udp"}[t]
        p.add(key, f"{addr}:{port}")
        if t == "udp":
            p.add("localaddr", f"{_src_attr(net, 'address', 'local') or ''}:"
                               f"{_src_attr(net, 'port', 'local') or ''}")
        elif t == "mcast" and _src_attr(net, "address", "local"):
            p.add("localaddr", _src_attr(net, "address", "local"))
    elif t == "vhostuser":
        p.add("type", "vhost-user")
        p.add("chardev", f"char{net.alias}")
        if _queues(net) > 1:
            p.add("queues", _queues(net))
    elif t == "vdpa":
        p.add("type", "vhost-vdpa")
        p.add("vhostdev", vdpa_path)
        if _queues(net) > 1:
            p.add("queues", _queues(net))
    elif t == "null":
        p.add("type", "null")
    elif t == "user" and _is_passt(net):
        _passt_stream_props(ctx, p, net)
    else:  # user, internal
        p.add("type", "user")
        _user_props(p, net)
    if vhostfds:
        p.add("vhost", True)
        _fd_props(p, "vhostfd", vhostfds)
    p.add("sndbuf", _sndbuf(net))
    p.add("id", f"host{net.alias}")
    return p


def _sndbuf(net: Interface) -> int | None:
    tune = net.elem.find("tune")
    text = tune.findtext("sndbuf") if tune is not None else None
    return int(text) if text and text.strip().isdigit() else None


def _onoff(v: str | None) -> bool | None:
    return None if v is None else v in ("on", "yes")


def _virtio_nic_props(ctx: BuildContext, net: Interface, queues: int) -> Props:
    p = Props(("driver", virtio_driver(ctx, net, "virtio-net", net.model)))
    p.update(virtio_options(net.elem))
    tx = {"iothread": "bh", "timer": "timer"}.get(_drv(net, "txmode") or "")
    p.add("tx", tx)
    p.tristate("ioeventfd", _onoff(_drv(net, "ioeventfd")))
    p.tristate("event_idx", _onoff(_drv(net, "event_idx")))
    for child, table in (("host", _HOST_OFFLOADS), ("guest", _GUEST_OFFLOADS)):
        e = net.driver.find(child) if net.driver is not None else None
        for attr, key in table:
            p.tristate(key, _onoff(e.get(attr)) if e is not None else None)
    if queues > 1:
        p.add("mq", True)
        a = net.info.address
        if getattr(a, "type", "pci") != "ccw":
            p.add("vectors", 2 * queues + 2)
    p.int_nz("rx_queue_size", _int(_drv(net, "rx_queue_size")))
    p.int_nz("tx_queue_size", _int(_drv(net, "tx_queue_size")))
    p.tristate("rss", _onoff(_drv(net, "rss")))
    p.tristate("hash", _onoff(_drv(net, "rss_hash_report")))
    p.int_nz("host_mtu", _int(net.elem.attr_at("size", "mtu")))
    if net.elem.attr_at("type", "teaming") == "persistent":
        p.add("failover", True)
    return p


def _int(v: str | None) -> int | None:
    return int(v, 0) if v else None


def derived_mac(ctx: BuildContext, net: Interface) -> str:
    """libvirt picks a random 52:54:00 (QEMU OUI) address for a NIC without one; we derive
    it from the domain name and NIC alias so that the output stays reproducible (or take
    the host profile's fixed one)."""
    if ctx.host.generated_mac_tail is not None:
        return "52:54:00:" + ctx.host.generated_mac_tail
    tail = ctx.host.uuid_for(f"{ctx.domain.name}/{net.alias}").replace("-", "")[:6]
    return "52:54:00:" + ":".join(tail[i:i + 2] for i in range(0, 6, 2))


def rom_props(dev_elem: Elem) -> Props:
    """rombar/romfile from <rom>; enabled='no' means an empty romfile."""
    p = Props()
    rom = dev_elem.find("rom")
    if rom is None:
        return p
    bar = rom.get("bar")
    if bar is not None:
        p.add("rombar", 1 if bar == "on" else 0)
    if rom.get("enabled") == "no":
        p.add("romfile", "")
    elif rom.get("file") is not None:
        p.add("romfile", rom.get("file"))
    return p


def nic_props(ctx: BuildContext, net: Interface, queues: int) -> Props:
    model = net.model or default_nic_model(ctx)
    if model in VIRTIO_MODELS:
        p = _virtio_nic_props(ctx, net, queues)
    else:
        p = Props(("driver", NIC_DRIVER.get(model, model)))
    p.add("netdev", f"host{net.alias}")
    p.add("id", net.alias)
    p.add("mac", net.mac or derived_mac(ctx, net))
    p.add("bootindex", boot_index(ctx, net))
    p.add("loadparm", loadparm(ctx, net.elem))
    p.update(address_props(ctx, net))
    p.update(rom_props(net.elem))
    return p


def _vhostuser_chardev(ctx: BuildContext, net: Interface, source: Source) -> None:
    if _is_passt(net):
        src = Elem("source", {"type": "unix", "path": passt_socket_path(ctx, net),
                              "mode": "client"},
                   (Elem("reconnect", {"enabled": "yes",
                                       "timeout": str(PASST_RECONNECT_SECONDS)}),))
    else:
        src = net.source or Elem("source")
    ch = Chardev(elem=net.elem, kind="vhost-user", type="unix", sources=(src,))
    emit_chardev(ctx, ch, f"char{net.alias}", source)


def build_network(ctx: BuildContext) -> None:
    for net in ctx.domain.devices.interfaces:
        _build_one(ctx, net)


def _build_one(ctx: BuildContext, net: Interface) -> None:
    src = xml_source(net.elem)
    vdpa_path = None
    if net.type == "vhostuser":
        _vhostuser_chardev(ctx, net, src)
    elif net.type == "vdpa":
        n = ctx.next("fdset")
        fd = ctx.passed_fd(ctx.host.vdpa_fd)
        ctx.cmd.add("-add-fd", f"set={n},fd={fd},opaque={net.alias}-vdpa", src)
        vdpa_path = f"/dev/fdset/{n}"
    # libvirt opens an interface's taps before its vhost-net devices
    tapfds = _tap_fds(ctx, net) if net.type in TAP_TYPES else None
    vhostfds = _vhost_fds(ctx, net)
    netdev = netdev_props(ctx, net, vhostfds, vdpa_path, tapfds)
    if ctx.has("netdev.json"):
        ctx.cmd.add_json("-netdev", netdev, src)
    else:  # QEMU before 7.2 only takes the legacy key=value form of -netdev
        ctx.cmd.add("-netdev", netdev.to_keyval(first_key="type"), src, netdev)
    # multiqueue follows <driver queues>, whether or not vhost-net serves the queues
    queues = _queues(net)
    if ctx.policy.emit_board_nic(ctx, net, src):  # an on-board chip: -net nic
        return
    emit_device(ctx, net, nic_props(ctx, net, queues), src)
