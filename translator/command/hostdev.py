"""Host devices passed through to the guest: PCI (VFIO), mediated devices, USB, vhost-scsi.

Interfaces of type 'hostdev' are built here too, as libvirt keeps them in its hostdev
list; a transient teaming member names its persistent virtio partner (failover).

Branches (qemuBuildHostdevCommandLine):
- [x] PCI VFIO (host address, ROM options, display/ramfb, failover pair, acpi-index),
      mediated devices (vfio-pci/ccw/ap), USB host (bus/device or vendor/product, boot index),
      SCSI host (iSCSI or local sg, with backend), vhost-scsi (fd), zPCI extension devices
- [ ] host facts the harness mocks (PCI Express capability of the host device)
"""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import DriveAddress, Elem
from ..model.devices import Hostdev
from ..props import Props
from .device import address_props, emit_device, loadparm
from .disks import boot_index, number_nodes
from .storage_secrets import STAND_IN_SECRET, secret_object
from .storage_source import chain_list
from .misc import virtio_driver
from .net import rom_props

# <source guestReset=...> -> (guest-reset, guest-resets-all)
_GUEST_RESET = {"off": (False, False), "uninitialized": (True, False), "on": (True, True)}


def _hex(e: Elem, attr: str) -> int:
    return int(e.get(attr) or "0", 0)


def _vfio_driver(h: Hostdev) -> str:
    """A device whose display is a ramfb cannot be hot-unplugged."""
    return "vfio-pci-nohotplug" if h.ramfb == "on" else "vfio-pci"


def _display_props(p: Props, h: Hostdev) -> None:
    p.add("display", h.display)
    if h.ramfb == "on":
        p.add("ramfb", True)


def pci_props(ctx: BuildContext, h: Hostdev) -> Props:
    p = Props(("driver", _vfio_driver(h)), ("host", h.pci_host_address), ("id", h.alias))
    p.add("bootindex", boot_index(ctx, h))
    p.add("failover_pair_id", h.failover_pair)
    _display_props(p, h)
    p.update(address_props(ctx, h))
    p.update(rom_props(h.elem))
    return p


def mdev_props(ctx: BuildContext, h: Hostdev) -> Props:
    uuid = h.source.attr_at("uuid", "address") if h.source is not None else None
    p = Props(("driver", _vfio_driver(h)), ("id", h.alias),
              ("sysfsdev", f"/sys/bus/mdev/devices/{uuid}"))
    _display_props(p, h)
    p.update(address_props(ctx, h))
    return p


def s390_mdev_props(ctx: BuildContext, h: Hostdev) -> Props:
    """vfio-ccw (bootable, on a CCW address) and vfio-ap mediated devices."""
    uuid = h.source.attr_at("uuid", "address") if h.source is not None else None
    p = Props(("driver", h.model), ("id", h.alias),
              ("sysfsdev", f"/sys/bus/mdev/devices/{uuid}"))
    p.add("bootindex", boot_index(ctx, h))
    p.add("loadparm", loadparm(ctx, h.elem))
    p.update(address_props(ctx, h))
    return p


def usb_props(ctx: BuildContext, h: Hostdev) -> Props:
    a = h.source.find("address") if h.source is not None else None
    p = Props(("driver", "usb-host"))
    if a is not None and ctx.has("usb-host.hostdevice"):
        p.add("hostdevice", f"/dev/bus/usb/{_hex(a, 'bus'):03d}/{_hex(a, 'device'):03d}")
    elif a is not None:  # an older QEMU names the device by bus and address
        p.add("hostbus", _hex(a, "bus") or None).add("hostaddr", _hex(a, "device") or None)
    p.add("id", h.alias)
    p.add("bootindex", boot_index(ctx, h))
    reset = _GUEST_RESET.get(h.source.get("guestReset") or "" if h.source is not None else "")
    if reset is not None:
        p.add("guest-reset", reset[0])
        p.add("guest-resets-all", reset[1])
    p.update(address_props(ctx, h))
    return p


def _vhost_scsi_fd(ctx: BuildContext) -> int:
    """/dev/vhost-scsi, opened by the daemon while the command line is built."""
    if ctx.host.daemon_fd_base is not None:
        return ctx.next_daemon_fd()
    return ctx.host.vhost_scsi_fd


def vhost_scsi_props(ctx: BuildContext, h: Hostdev) -> Props:
    p = Props(("driver", virtio_driver(ctx, h, "vhost-scsi", h.model)))
    p.add("wwpn", h.source.get("wwpn") if h.source is not None else None)
    p.add("vhostfd", str(_vhost_scsi_fd(ctx)))
    p.add("id", h.alias)
    p.update(address_props(ctx, h))
    return p


def _scsi_node_base(ctx: BuildContext) -> int:
    """SCSI hostdev backends are numbered after every disk storage node."""
    chains = number_nodes(ctx.domain.devices.disks, ctx.has("blockjob.backing-mask-protocol"))
    return sum(len(chain_list(top)) for top in chains.values())


def scsi_backend(ctx: BuildContext, h: Hostdev, node: str) -> Props | None:
    src = h.source
    if src is None:
        return None
    if src.get("protocol") == "iscsi":
        host = src.find("host")
        name = src.get("name") or ""
        target, _, lun = name.rpartition("/")
        p = Props(("driver", "iscsi"),
                  ("portal", f"{host.get('name') if host is not None else ''}:"
                             f"{(host.get('port') if host is not None else None) or '3260'}"),
                  ("target", target or name), ("lun", int(lun) if lun.isdigit() else 0),
                  ("transport", "tcp"))
        auth = src.find("auth")
        if auth is not None:
            sid = f"{node}-secret0"
            ctx.cmd.add_json("-object", secret_object(sid, STAND_IN_SECRET), xml_source(auth))
            p.add("user", auth.get("username") or "")
            p.add("password-secret", sid)
        p.add("initiator-name", src.attr_at("name", "initiator", "iqn"))
    else:
        p = Props(("driver", "host_device"), ("filename", f"/dev/{ctx.host.scsi_sg_name}"))
    p.add("node-name", node)
    p.add("read-only", h.readonly)
    return p


def scsi_props(ctx: BuildContext, h: Hostdev, node: str) -> Props:
    p = Props(("driver", "scsi-generic"), ("drive", node), ("id", h.alias))
    a = h.info.address
    if isinstance(a, DriveAddress):
        ctrl = ctx.domain.devices.controller("scsi", a.controller)
        p.add("bus", f"{ctrl.alias if ctrl and ctrl.alias else f'scsi{a.controller}'}.0")
        if ctrl is not None and ctrl.model == "lsilogic":
            p.add("scsi-id", a.unit)
        else:
            p.add("channel", a.bus)
            p.add("scsi-id", a.target)
            p.add("lun", a.unit)
    p.add("bootindex", boot_index(ctx, h))
    return p


def _build_legacy_scsi(ctx: BuildContext, h: Hostdev) -> None:
    """Without -blockdev: `-drive file=/dev/sgN,if=none,format=raw,id=drive-ALIAS`
    (an iSCSI LUN as `file.driver=iscsi,...`), secrets named after the hostdev alias."""
    from .storage_drive import flatten
    backend = scsi_backend(ctx, h, h.alias or "hostdev")
    if backend is None:
        return
    backend.remove("node-name")
    backend.remove("read-only")
    if backend.get("driver") == "host_device":
        parts = [f"file={backend.get('filename')}"]
    else:
        parts = flatten(backend, "file")
    drive = f"drive-{h.alias}"
    parts += ["if=none", "format=raw", f"id={drive}"] + (["readonly=on"] if h.readonly else [])
    src = xml_source(h.elem)
    ctx.cmd.add("-drive", ",".join(parts), src)
    emit_device(ctx, h, scsi_props(ctx, h, drive), src)


def _build_scsi(ctx: BuildContext, h: Hostdev, index: int) -> None:
    if not ctx.has("blockdev"):
        _build_legacy_scsi(ctx, h)
        return
    node = f"libvirt-{index}-backend"
    backend = scsi_backend(ctx, h, node)
    if backend is None:
        return
    src = xml_source(h.elem)
    ctx.cmd.add_json("-blockdev", backend, src)
    emit_device(ctx, h, scsi_props(ctx, h, node), src)


def hostdev_props(ctx: BuildContext, h: Hostdev) -> Props | None:
    """The -device for a subsystem hostdev, or None for kinds not built here."""
    if h.mode != "subsystem":
        return None
    if h.type == "pci":
        return pci_props(ctx, h)
    if h.type == "mdev":
        if (h.model or "vfio-pci") == "vfio-pci":
            return mdev_props(ctx, h)
        return s390_mdev_props(ctx, h)
    if h.type == "usb":
        return usb_props(ctx, h)
    if h.type == "scsi_host":
        return vhost_scsi_props(ctx, h)
    return None


def _unassigned(h: Hostdev) -> bool:
    """<address type='unassigned'/>: assigned to the host driver but not to the guest."""
    return getattr(h.info.address, "type", None) == "unassigned"


def build_hostdevs(ctx: BuildContext) -> None:
    scsi_index = None
    for h in (d for d in ctx.domain.devices.items if isinstance(d, Hostdev)):
        if _unassigned(h):
            continue
        if h.mode == "subsystem" and h.type == "scsi":
            scsi_index = (_scsi_node_base(ctx) if scsi_index is None else scsi_index) + 1
            _build_scsi(ctx, h, scsi_index)
            continue
        props = hostdev_props(ctx, h)
        if props is not None:
            emit_device(ctx, h, props, xml_source(h.elem))
