"""Disks: backends (-blockdev, or the legacy -drive) then the frontend -device.

With the `blockdev` capability libvirt describes each image as a storage node
(`libvirt-N-storage`) and, unless it can be skipped, a format node (`libvirt-N-format`);
without it the pre-blockdev form `-drive ...,if=none,id=drive-ALIAS` is used and the
frontend refers to it with `drive=drive-ALIAS`.

Branches (qemuBuildDisksCommandLine, qemuBuildDiskDeviceProps):
- [x] backends: -blockdev chain (storage_source.py) or legacy -drive (storage_drive.py),
      copy-on-read and throttle filter nodes, managed/unmanaged pr-manager
- [x] frontends: ide-hd/ide-cd, scsi-hd/cd/block/generic, virtio-blk (pci/ccw/device,
      transitional), usb-storage, floppy (isa-fdc globals / q35 isa-fdc device)
- [x] options: serial, wwn, vendor/product, geometry, logical/physical block size,
      rotation rate, removable, write-cache, discard, detect-zeroes, error policies,
      iothread, queues, queue size,
      scsi device_id, bootindex (per-device order or <os><boot>)
- [x] vhost-user-blk (chardev)
- [ ] virtio-blk iothread-vq-mapping for disks (<iothreads> mapping)
- [ ] vDPA disks (need the descriptor the harness passes)
"""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Disk, DriveAddress, Elem
from ..model.devices import Hostdev
from ..props import Props, escape_comma
from .device import address_props, drive_bus_props, emit_device, loadparm
from .misc import reconnect_key, virtio_driver
from .storage_drive import build_drive, drive_alias
from .throttle import disk_filters, emit_filters
# build_managed_pr is re-exported: STAGES runs it as disks.build_managed_pr
from .storage_secrets import build_managed_pr as build_managed_pr
from .storage_secrets import emit_unmanaged_pr, pr_manager_alias
from .storage_source import CACHE_MODES, HostStorage, Src, chain_list, disk_chain, storage_props


def _boot_indexes(ctx: BuildContext) -> dict[int, int]:
    """Per-device boot index from <boot order=N>, or from the <os><boot dev=...> list
    (qemuProcessPrepareDeviceBootorder): each kind is worth the position of its last
    entry, given to the first disk of that kind and to the first NIC."""
    items = ctx.domain.devices.items
    if any(d.info.boot_order for d in items):
        return {id(d): d.info.boot_order for d in items if d.info.boot_order}
    position = {dev: n for n, dev in enumerate(ctx.domain.os.boot_devs, start=1)}
    by_device = {"disk": "hd", "lun": "hd", "cdrom": "cdrom", "floppy": "fd"}
    out: dict[int, int] = {}
    for d in ctx.domain.devices.disks:
        kind = by_device.get(d.device)
        if kind in position:
            out[id(d)] = position.pop(kind)
    if "network" in position:
        nic = next((d for d in items if d.family == "net" or
                    (isinstance(d, Hostdev) and d.interface)), None)
        if nic is not None:
            out[id(nic)] = position["network"]
    return out


def boot_index(ctx: BuildContext, dev: object) -> int | None:
    if ctx.boot_indexes is None:
        ctx.boot_indexes = _boot_indexes(ctx)
    return ctx.boot_indexes.get(id(dev))


# -- driver attributes ---------------------------------------------------------------------

def _drv(d: Disk, name: str) -> str | None:
    return d.driver.get(name) if d.driver is not None else None


def _detect_zeroes(d: Disk) -> str | None:
    """'unmap' only makes sense with discard=unmap; QEMU otherwise gets 'on'."""
    dz = _drv(d, "detect_zeroes")
    if dz == "unmap" and _drv(d, "discard") != "unmap":
        return "on"
    return dz if dz and dz != "off" else dz


def _cache_mode(d: Disk) -> str | None:
    """The cache mode; shareable disks default to 'none' (no host page cache)."""
    mode = _drv(d, "cache")
    if (not mode or mode == "default") and d.shareable:
        return "none"
    return mode


def _cache_props(d: Disk) -> Props | None:
    mode = CACHE_MODES.get(_cache_mode(d) or "")
    if mode is None:
        return None
    return Props(("direct", mode[0]), ("no-flush", mode[1]))


def _hotplugged_later(d: Disk) -> bool:
    """Transient disks sharing their backing image are attached over QMP after start."""
    t = d.elem.find("transient")
    return t is not None and t.get("shareBacking") == "yes"


# -- node numbering ------------------------------------------------------------------------

def number_nodes(disks: list[Disk], raw_without_format: bool = True,
                 host: HostStorage = HostStorage()) -> dict[int, Src]:
    """libvirt numbers storage sources from the last disk backwards, each chain top-down."""
    chains: dict[int, Src] = {}
    n = 0
    for d in reversed(disks):
        if d.bus == "sd" or _hotplugged_later(d):
            continue
        top = disk_chain(d, raw_without_format, host)
        if top is None:
            continue
        for src in chain_list(top):
            n += 1
            src.index = n
            if d.device == "floppy":
                src.extra["floppy"] = True
        # throttle filter nodes take the numbers right after their disk's images
        filters = list(range(n + 1, n + 1 + len(disk_filters(d))))
        n += len(filters)
        top.extra["filters"] = filters
        chains[id(d)] = top
    return chains


# -- -blockdev -----------------------------------------------------------------------------

def _common_tail(p: Props, d: Disk, src: Src, effective: bool, top: bool) -> None:
    """node-name, then read-only (the node the guest sees) or auto-read-only, then cache."""
    if effective:
        p.add("read-only", src.readonly)
        if top:
            p.add("discard", _drv(d, "discard"))
            p.add("detect-zeroes", _detect_zeroes(d))
    else:
        p.add("auto-read-only", True)
        p.add("discard", "unmap")
    p.add("cache", _cache_props(d))


def _emit_secrets(ctx: BuildContext, d: Disk, src: Src) -> dict[str, str]:
    """Secret (and TLS) objects a source needs, emitted before its nodes; returns their ids."""
    from .storage_secrets import emit_source_secrets
    return emit_source_secrets(ctx, d, src)


def vdpa_disk_fd(ctx: BuildContext, src_elem: Elem | None) -> int | None:
    """The descriptor of a vhost-vdpa disk's device: one the caller opened for it, else
    the one libvirt opens when it prepares the host's storage (None: not prepared)."""
    dev = src_elem.get("dev") if src_elem is not None else None
    if dev is not None and dev in ctx.vdpa_fds:
        return ctx.vdpa_fds[dev]
    return ctx.passed_fd(ctx.host.vdpa_disk_fd)


def _pass_vdpa_fd(ctx: BuildContext, src: Src) -> None:
    """qemuFDPassTransferCommand: the opened vhost-vdpa device goes to QEMU as a new fd
    set, which the storage node opens as /dev/fdset/N."""
    fd = vdpa_disk_fd(ctx, src.elem)
    n = ctx.next("fdset")
    ctx.cmd.add("-add-fd", f"set={n},fd={fd},opaque={src.storage_name}-vdpa",
                xml_source(src.elem))
    src.extra["fdset"] = f"/dev/fdset/{n}"


def _emit_source(ctx: BuildContext, d: Disk, src: Src, top: bool) -> None:
    emit_unmanaged_pr(ctx, src, src.storage_name)
    ids = _emit_secrets(ctx, d, src)
    if src.type == "vhostvdpa":
        _pass_vdpa_fd(ctx, src)
    has_slice = src.slice is not None
    fmt_layer = src.needs_format_layer or src.type == "dir"
    p = storage_props(src, ids)
    if src.type in ("file", "block") and _drv(d, "io"):
        p.add("aio", _drv(d, "io"))
    p.add("pr-manager", pr_manager_alias(src, src.storage_name))
    p.add("node-name", src.storage_name)
    _common_tail(p, d, src, not (fmt_layer or has_slice), top)
    ctx.cmd.add_json("-blockdev", p, xml_source(src.elem or d.elem))
    if has_slice:
        assert src.slice is not None
        sp = Props(("driver", "raw"), ("file", src.storage_name),
                   ("offset", int(src.slice.get("offset", "0"))),
                   ("size", int(src.slice.get("size", "0"))),
                   ("node-name", src.slice_name))
        _common_tail(sp, d, src, not fmt_layer, top)
        ctx.cmd.add_json("-blockdev", sp, xml_source(src.slice))
    if fmt_layer:
        ctx.cmd.add_json("-blockdev", _format_props(d, src, ids, top),
                         xml_source(d.driver or d.elem))


def _format_props(d: Disk, src: Src, ids: dict[str, str], top: bool) -> Props:
    p = Props(("node-name", src.format_name), ("read-only", src.readonly))
    p.add("cache", _cache_props(d))
    if top:
        p.add("discard", _drv(d, "discard"))
        p.add("detect-zeroes", _detect_zeroes(d))
    enc = src.qemu_encryption
    if enc is not None and src.format in ("raw", "luks"):
        p.add("driver", "luks")
        p.add("key-secret", ids.get("encryption"))
    else:
        p.add("driver", src.format)
        if enc is not None:
            p.add("encrypt", Props(("format", "luks"), ("key-secret", ids.get("encryption"))))
        if src.format == "qcow2":
            if top and _drv(d, "discard_no_unref") == "on":
                p.add("discard-no-unref", True)
            size = _metadata_cache_bytes(d.driver if top else
                                         (src.owner.find("format") if src.owner else None))
            p.add("cache-size", size)
    p.add("file", src.below_format)
    if src.backing is not None:
        p.add("backing", src.backing.top_name)
    elif src.terminated and src.format not in ("raw", "luks"):
        p["backing"] = None  # JSON null: libvirt's explicit end of the backing chain
    return p


def _metadata_cache_bytes(e: Elem | None) -> int | None:
    if e is None:
        return None
    mc = e.at("metadata_cache", "max_size")
    if mc is None or mc.text is None:
        return None
    unit = (mc.get("unit") or "bytes").lower()
    mult = {"b": 1, "bytes": 1, "kib": 1024, "k": 1024, "mib": 1024 ** 2, "m": 1024 ** 2,
            "gib": 1024 ** 3, "g": 1024 ** 3, "kb": 1000, "mb": 1000 ** 2}.get(unit, 1)
    return int(mc.text) * mult


def _build_blockdev(ctx: BuildContext, d: Disk, top: Src) -> str:
    chain = chain_list(top)
    for src in reversed(chain):
        _emit_source(ctx, d, src, src is top)
    node = top.top_name
    if _drv(d, "copy_on_read") == "on":
        cor = f"libvirt-CoR-{d.dev}"
        ctx.cmd.add_json("-blockdev", Props(("driver", "copy-on-read"), ("node-name", cor),
                                            ("file", node), ("discard", "unmap")),
                         xml_source(d.driver))
        node = cor
    filters = top.extra.get("filters", [])  # set by disk_chains: the filters' node numbers
    assert isinstance(filters, list)
    return emit_filters(ctx, d, filters, node)


# -- the frontend --------------------------------------------------------------------------

def _scsi_controller_model(ctx: BuildContext, d: Disk) -> str | None:
    a = d.info.address
    idx = a.controller if isinstance(a, DriveAddress) else 0
    c = ctx.domain.devices.controller("scsi", idx)
    return c.model if c is not None else None


def _frontend_driver(ctx: BuildContext, d: Disk) -> str:
    if d.bus == "virtio":
        base = "vhost-user-blk" if d.type == "vhostuser" else "virtio-blk"
        return virtio_driver(ctx, d, base, d.elem.get("model"))
    if d.bus in ("ide", "sata"):
        return "ide-cd" if d.device == "cdrom" else "ide-hd"
    if d.bus == "scsi":
        if d.device == "cdrom":
            return "scsi-cd"
        if d.device == "lun":
            return "scsi-block"
        return "scsi-hd"
    if d.bus == "usb":
        return "usb-storage"
    if d.bus == "fdc":
        return "floppy"
    return "virtio-blk-pci"


def _bus_props(ctx: BuildContext, d: Disk, driver: str) -> Props:
    a = d.info.address
    if d.bus in ("ide", "sata"):
        return drive_bus_props(ctx, d, d.bus)
    if d.bus == "fdc":
        return Props(("unit", a.unit if isinstance(a, DriveAddress) else 0))
    if d.bus == "scsi" and isinstance(a, DriveAddress):
        c = ctx.domain.devices.controller("scsi", a.controller)
        alias = c.alias if c is not None and c.alias else f"scsi{a.controller}"
        p = Props(("bus", f"{alias}.0"))
        if _scsi_controller_model(ctx, d) == "lsilogic":
            p.add("scsi-id", a.unit)
        else:
            p.add("channel", a.bus)
            p.add("scsi-id", a.target)
            p.add("lun", a.unit)
        if driver in ("scsi-hd", "scsi-cd"):
            p.add("device_id", d.serial or f"drive-{d.alias}")
        return p
    p = _virtio_props(ctx, d) if d.bus == "virtio" else Props()
    p.update(address_props(ctx, d))
    return p


def _virtio_props(ctx: BuildContext, d: Disk) -> Props:
    """The common virtio options first, then virtio-blk's own, all before the address
    (qemuBuildDiskDeviceProps)."""
    p = Props()
    for attr, key in (("iommu", "iommu_platform"), ("ats", "ats"), ("packed", "packed"),
                      ("page_per_vq", "page-per-vq")):
        v = _drv(d, attr)
        if v in ("on", "off"):
            p.add(key, v == "on")
    p.add("iothread", _drv(d, "iothread") and f"iothread{_drv(d, 'iothread')}")
    for attr in ("ioeventfd", "event_idx"):
        v = _drv(d, attr)
        if v in ("on", "off"):
            p.add(attr, v == "on")
    if d.type != "vhostuser" and ctx.has("virtio-blk-pci.scsi"):
        # a LUN's SG_IO passthrough; any other disk turns it off where QEMU has it on
        if d.device == "lun":
            p.add("scsi", True)
        elif not ctx.has("virtio-blk-pci.scsi.default.disabled"):
            p.add("scsi", False)
    q = _drv(d, "queues")
    p.add("num-queues", int(q) if q else None)
    qs = _drv(d, "queue_size")
    p.add("queue-size", int(qs) if qs else None)
    return p


def _device_props(ctx: BuildContext, d: Disk, drive_ref: str | None) -> Props:
    driver = _frontend_driver(ctx, d)
    props = Props(("driver", driver))
    props.update(_bus_props(ctx, d, driver))
    if d.shareable:
        props.add("share-rw", True)
    props.add("drive", drive_ref)
    props.add("id", d.alias)
    if d.device != "floppy":
        props.add("bootindex", boot_index(ctx, d))
        props.add("loadparm", loadparm(ctx, d.elem))  # s390: follows bootindex
    blockio = d.elem.find("blockio")
    if blockio is not None:
        for attr, key in (("logical_block_size", "logical_block_size"),
                          ("physical_block_size", "physical_block_size"),
                          ("discard_granularity", "discard_granularity")):
            v = blockio.get(attr)
            props.add(key, int(v) if v else None)
    if d.wwn and driver in ("scsi-hd", "scsi-cd", "scsi-block", "ide-hd", "ide-cd"):
        props.add("wwn", int(d.wwn, 16))
    props.add("rotation_rate", d.rotation_rate)
    props.add("vendor", d.vendor)
    props.add("product", d.product)
    if driver == "usb-storage":
        props.add("removable", d.removable == "on")
    elif d.removable == "on":
        props.add("removable", True)
    cache = CACHE_MODES.get(_cache_mode(d) or "")
    if cache is not None and d.device != "lun":
        props.add("write-cache", "on" if cache[2] else "off")
    geo = d.elem.find("geometry")
    if geo is not None:
        for k in ("cyls", "heads", "secs"):
            v = geo.get(k)
            props.add(k, int(v) if v else None)
        props.add("bios-chs-trans", geo.get("trans"))
    if d.serial and driver not in ("scsi-block",):
        props.add("serial", d.serial.replace("\\", "\\\\").replace(" ", "\\ "))
    werror, rerror = _error_policies(d)
    props.add("werror", werror)
    props.add("rerror", rerror)
    return props


def _error_policies(d: Disk) -> tuple[str | None, str | None]:
    w = _drv(d, "error_policy")
    r = _drv(d, "rerror_policy")
    w = "enospc" if w == "enospace" else w
    if r is None and w != "enospc":
        r = w
    return w, r


# -- floppy controller ---------------------------------------------------------------------

def _build_floppy_controller(ctx: BuildContext, legacy: bool = False) -> None:
    """Floppy boot order lives on the controller: -global on i440fx, -device isa-fdc on q35.

    Before -blockdev the floppies had no -device of their own: the controller also named
    each unit's drive (`driveA=drive-ALIAS`), so it came after the -drive options.
    """
    floppies = [d for d in ctx.domain.devices.disks if d.bus == "fdc"]
    if not floppies:
        return
    units: dict[str, Disk] = {}
    for d in floppies:
        a = d.info.address
        units["B" if isinstance(a, DriveAddress) and a.unit else "A"] = d
    props = Props(("driver", "isa-fdc"))
    for unit in "AB":
        fd = units.get(unit)
        if fd is None:
            continue
        if legacy:
            props.add(f"drive{unit}", drive_alias(fd))
        props.add(f"bootindex{unit}", boot_index(ctx, fd))
    src = xml_source(floppies[0].elem)
    if ctx.is_q35:
        emit_device(ctx, None, props, src)
        return
    for k, v in props.items():
        if k != "driver":
            ctx.cmd.add("-global", f"isa-fdc.{k}={v}", src)


def _move_to_end(props: Props, keys: tuple[str, ...]) -> None:
    for k in keys:
        if k in props:
            v = props[k]
            props.remove(k)
            props.add(k, v)


def _build_vhost_user_chardev(ctx: BuildContext, d: Disk) -> str:
    """A vhost-user disk talks to its backend over a socket chardev named chr-vu-ALIAS."""
    chr_id = f"chr-vu-{d.alias}"
    s = d.source
    parts = [f"socket,id={chr_id}"]
    if s is not None and s.get("path"):
        parts.append(f"path={escape_comma(s.get('path') or '')}")
    rec = s.find("reconnect") if s is not None else None
    if rec is not None and rec.get("enabled") == "yes" and rec.get("timeout"):
        key, value = reconnect_key(ctx, int(rec.get("timeout") or 0))
        parts.append(f"{key}={value}")
    ctx.cmd.add("-chardev", ",".join(parts), xml_source(s or d.elem))
    return chr_id


def build_disks(ctx: BuildContext) -> None:
    disks = ctx.domain.devices.disks
    legacy = not ctx.has("blockdev")
    if not legacy:
        _build_floppy_controller(ctx)
    raw_plain = ctx.has("blockjob.backing-mask-protocol")
    host = HostStorage(ctx.host.probes_images, ctx.host.cdrom_devices)
    chains = number_nodes(disks, raw_plain, host)
    for d in disks:
        src = xml_source(d.elem)
        if d.bus == "sd":
            build_drive(ctx, d, disk_chain(d, raw_plain, host), _cache_mode(d),
                        _detect_zeroes(d))
            continue
        if _hotplugged_later(d):
            continue
        drive_ref: str | None = None
        top = chains.get(id(d))
        if d.type == "vhostuser":
            props = _device_props(ctx, d, None)
            props.remove("id")
            props.add("chardev", _build_vhost_user_chardev(ctx, d))
            props.add("id", d.alias)
            _move_to_end(props, ("bootindex",))
            emit_device(ctx, d, props, src)
            continue
        if legacy:
            drive_ref = build_drive(ctx, d, top, _cache_mode(d), _detect_zeroes(d))
            if d.bus == "fdc":
                continue  # the controller's driveA/driveB attach it
        elif top is not None:
            drive_ref = _build_blockdev(ctx, d, top)
        emit_device(ctx, d, _device_props(ctx, d, drive_ref), src)
    if legacy:
        _build_floppy_controller(ctx, legacy=True)
