"""Disks: backends (-blockdev, or the legacy -drive) then the frontend -device.

With the `blockdev` capability libvirt describes each image as a storage node
(`libvirt-N-storage`) and, unless it can be skipped, a format node (`libvirt-N-format`);
without it the pre-blockdev form `-drive ...,if=none,id=drive-ALIAS` is used and the
frontend refers to it with `drive=drive-ALIAS`.
"""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Disk
from ..props import Props, escape_comma
from .device import address_props, drive_bus_props, emit_device


def _boot_indexes(ctx: BuildContext) -> dict[int, int]:
    """Per-device boot index from <boot order=N>, or from <os><boot dev=...> order."""
    out: dict[int, int] = {}
    items = ctx.domain.devices.items
    if any(d.info.boot_order for d in items):
        return {id(d): d.info.boot_order for d in items if d.info.boot_order}
    n = 1
    for dev in ctx.domain.os.boot_devs:
        target = None
        for d in items:
            if dev == "hd" and isinstance(d, Disk) and d.device in ("disk", "lun"):
                target = d
            elif dev == "cdrom" and isinstance(d, Disk) and d.device == "cdrom":
                target = d
            elif dev == "fd" and isinstance(d, Disk) and d.device == "floppy":
                target = d
            elif dev == "network" and d.family == "net":
                target = d
            if target is not None:
                break
        if target is not None and id(target) not in out:
            out[id(target)] = n
            n += 1
    return out


def boot_index(ctx: BuildContext, dev: object) -> int | None:
    cache = ctx.counters.get("_boot_cache")  # type: ignore[assignment]
    if cache is None:
        ctx.counters["_boot_cache"] = _boot_indexes(ctx)  # type: ignore[assignment]
        cache = ctx.counters["_boot_cache"]
    return cache.get(id(dev))  # type: ignore[union-attr]


def _storage_driver(d: Disk) -> str:
    if d.type == "block":
        return "host_device" if d.device != "cdrom" else "host_cdrom"
    if d.type == "dir":
        return "vvfat"
    if d.type == "network" and d.source is not None:
        return d.source.get("protocol", "nbd") or "nbd"
    return "file"


def _source_path(d: Disk) -> str | None:
    s = d.source
    if s is None:
        return None
    return s.get("file") or s.get("dev") or s.get("dir")


def _frontend_driver(ctx: BuildContext, d: Disk) -> str:
    if d.bus == "virtio":
        return "virtio-blk-pci"
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


def build_disks(ctx: BuildContext) -> None:
    disks = ctx.domain.devices.disks
    legacy = not ctx.has("blockdev")
    for n, d in enumerate(disks, start=1):
        src = xml_source(d.elem)
        read_only = d.readonly or d.device == "cdrom"
        drive_ref: str | None = None
        if legacy:
            drive_ref = _build_drive(ctx, d, read_only)
        elif not d.empty:
            drive_ref = _build_blockdev(ctx, d, n, read_only)
        props = Props(("driver", _frontend_driver(ctx, d)))
        if d.bus in ("ide", "sata"):
            props.update(drive_bus_props(ctx, d, d.bus))
        else:
            props.update(address_props(ctx, d))
        props.add("drive", drive_ref)
        props.add("id", d.alias)
        props.add("bootindex", boot_index(ctx, d))
        emit_device(ctx, d, props, src)


def _build_blockdev(ctx: BuildContext, d: Disk, n: int, read_only: bool) -> str:
    fmt = d.format or "raw"
    storage = Props(("driver", _storage_driver(d)))
    storage.add("filename", _source_path(d))
    storage.add("node-name", f"libvirt-{n}-storage")
    has_format_layer = fmt != "raw" or read_only
    if has_format_layer:
        storage.add("auto-read-only", True)
        storage.add("discard", "unmap")
    else:
        storage.add("read-only", read_only)
    ctx.cmd.add_json("-blockdev", storage, xml_source(d.source or d.elem))
    if not has_format_layer:
        return f"libvirt-{n}-storage"
    fmt_props = Props(("node-name", f"libvirt-{n}-format"), ("read-only", read_only),
                      ("driver", fmt), ("file", f"libvirt-{n}-storage"))
    ctx.cmd.add_json("-blockdev", fmt_props, xml_source(d.driver or d.elem))
    return f"libvirt-{n}-format"


def _build_drive(ctx: BuildContext, d: Disk, read_only: bool) -> str:
    parts: list[str] = []
    path = _source_path(d)
    if path and not d.empty:
        parts.append(f"file={escape_comma(path)}")
        parts.append(f"format={d.format or 'raw'}")
    parts.append("if=none")
    parts.append(f"id=drive-{d.alias}")
    if read_only:
        parts.append("readonly=on")
    ctx.cmd.add("-drive", ",".join(parts), xml_source(d.source or d.elem))
    return f"drive-{d.alias}"
