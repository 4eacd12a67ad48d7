"""Disks (qemu_validate.c): qemuValidateDomainDeviceDefDisk with its frontend, I/O tuning,
transient-disk and iothread checks, and the drive-address rules of
qemuValidateDomainDeviceDefAddressDrive.
"""

from __future__ import annotations

import re

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model import Domain, Elem
from ..model.address import DriveAddress
from ..model.devices import Controller, Disk
from .domain_validate_disk import is_empty, source_chain
from .qemu_net import requires_shared_memory

CONFIG = ErrorCode.CONFIG_UNSUPPORTED
INTERNAL = ErrorCode.INTERNAL_ERROR

# QEMU_BLOCK_IOTUNE_MAX: the largest throttle limit QEMU accepts
IOTUNE_MAX = 1000000000000000
# compiled on first use (re caches it), like _DISK_NAME
_SERIAL_CHARS = r"[A-Za-z0-9\-_ .+]*"
_DRIVE_BUSES = ("scsi", "ide", "fdc", "sata")
_UNEXPECTED_ADDRESS = {"scsi": "unexpected address type for scsi disk",
                       "ide": "unexpected address type for ide disk",
                       "fdc": "unexpected address type for fdc disk",
                       "sata": "unexpected address type for sata disk"}
# formats QEMU can share between writers (qemuBlockStorageSourceSupportsConcurrentAccess)
_SHAREABLE_FORMATS = (None, "raw")


def iothread_ids(domain: Domain) -> set[int]:
    """The iothreads the domain defines: <iothreadids>, topped up to <iothreads> N."""
    ids: set[int] = set()
    if domain.iothreadids is not None:
        for e in domain.iothreadids.findall("iothread"):
            text = e.get("id") or ""
            if text.isdigit():
                ids.add(int(text))
    nxt = 1
    while len(ids) < domain.iothreads:
        if nxt not in ids:
            ids.add(nxt)
        nxt += 1
    return ids


def validate_iothread_mapping(ctx: BuildContext, iothreads: Elem | None,
                              queues: int) -> None:
    """qemuDomainValidateIothreadMapping: each iothread once, queues mapped exactly once."""
    threads = iothreads.findall("iothread") if iothreads is not None else []
    if not threads:
        return
    mapped = bool(threads[0].findall("queue"))
    if mapped and queues == 0:
        refuse(CONFIG, "'queue' count must be configured for explicit iothread to queue "
                       "mapping")
    known = iothread_ids(ctx.domain)
    seen: set[str] = set()
    taken: set[int] = set()
    for t in threads:
        tid = t.get("id") or ""
        if tid in seen:
            refuse(CONFIG, f"duplicate mapping for iothread '{tid}'")
        seen.add(tid)
        if not tid.isdigit() or int(tid) not in known:
            refuse(CONFIG, f"iothread '{tid}' not defined in iothreadid")
        qs = t.findall("queue")
        if mapped != bool(qs):
            refuse(CONFIG, "iothread to queue mapping must be provided for all iothreads or "
                           "for none")
        for q in qs:
            qid = int(q.get("id") or 0)
            if qid >= queues:
                refuse(CONFIG, f"iothread queue '{qid}' mapping out of range")
            if qid in taken:
                refuse(CONFIG, f"iothread queue '{qid}' is already assigned")
            taken.add(qid)
    if mapped:
        for qid in range(queues):
            if qid not in taken:
                refuse(CONFIG, f"missing iothread mapping for queue '{qid}'")


def _drv(d: Disk, attr: str) -> str | None:
    return d.driver.get(attr) if d.driver is not None else None


def _int(text: str | None) -> int:
    return int(text) if text is not None and text.isdigit() else 0


def _empty(d: Disk) -> bool:
    """virStorageSourceIsEmpty of the disk's own source: a local one without the path its
    type reads (file=, dev=, dir=), a network one without a protocol."""
    return is_empty(next(source_chain(d)))


def _iothreads(ctx: BuildContext, d: Disk) -> None:
    """qemuValidateDomainDeviceDefDiskIOThreads."""
    iothread = _int(_drv(d, "iothread"))
    mapping = d.driver.find("iothreads") if d.driver is not None else None
    if iothread == 0 and mapping is None:
        return
    if d.bus != "virtio":
        refuse(CONFIG, f"IOThreads not available for bus {d.bus} target {d.dev}")
    if mapping is not None and not ctx.has("virtio-blk.iothread-mapping"):
        refuse(CONFIG, f"IOThread mapping for disk '{d.dev}' is not available with this QEMU "
                       "binary")
    validate_iothread_mapping(ctx, mapping, _int(_drv(d, "queues")))
    if iothread and iothread not in iothread_ids(ctx.domain):
        refuse(CONFIG, f"Disk iothread '{iothread}' not defined in iothreadid")


def _frontend(ctx: BuildContext, d: Disk) -> None:
    """qemuValidateDomainDeviceDefDiskFrontend."""
    geo = d.elem.find("geometry")
    if geo is not None and all(_int(geo.get(a)) > 0 for a in ("cyls", "heads", "secs")):
        if d.bus in ("usb", "sd"):
            refuse(CONFIG, f"CHS geometry can not be set for '{d.bus}' bus")
        if geo.get("trans") not in (None, "default") and d.bus != "ide":
            refuse(CONFIG, f"CHS translation mode can only be set for 'ide' bus not '{d.bus}'")
    if d.serial and d.bus == "sd":
        refuse(INTERNAL, f"Serial property not supported for drive bus '{d.bus}'")
    if d.device == "cdrom" and d.bus in ("virtio", "sd"):
        refuse(CONFIG, f"disk type of '{d.dev}' does not support ejectable media")
    cor = _drv(d, "copy_on_read") == "on"
    if cor:
        if d.readonly:
            refuse(CONFIG, f"copy_on_read is not compatible with read-only disk '{d.dev}'")
        if d.device in ("cdrom", "floppy"):
            refuse(CONFIG, f"copy_on_read is not supported with removable disk '{d.dev}'")
    if d.wwn and d.bus not in ("ide", "scsi"):
        refuse(CONFIG, "Only ide and scsi disk support wwn")
    if d.vendor and d.bus != "scsi":
        refuse(CONFIG, "Only scsi disk supports 'vendor'")
    if d.product and d.bus not in ("ide", "sata", "scsi"):
        refuse(CONFIG, "Only ide, sata and scsi disk supports 'product'")
    if d.device == "lun":
        _lun(ctx, d, cor)
    if d.rotation_rate:
        if d.bus not in ("scsi", "ide", "sata"):
            refuse(INTERNAL, "rotation rate is only valid for SCSI/IDE/SATA bus")
        if d.device != "disk":
            refuse(INTERNAL, "rotation rate is only valid for disk device")
        if not ctx.has("rotation-rate"):
            refuse(INTERNAL, "rotation rate is not supported with this QEMU")
    _bus_address(ctx, d)
    if d.readonly and d.device == "disk" and d.bus == "ide":
        refuse(CONFIG, "readonly ide disks are not supported")
    if d.readonly and d.device == "disk" and d.bus == "sata":
        refuse(CONFIG, "readonly sata disks are not supported")
    io, cache = _drv(d, "io"), _drv(d, "cache")
    if io == "native" and cache not in ("directsync", "none"):
        refuse(CONFIG, "io='native' needs either no disk cache or directsync cache mode")
    if io == "io_uring" and not ctx.has("aio.io_uring"):
        refuse(CONFIG, "io uring is not supported by this QEMU binary")
    if d.serial and d.bus == "scsi" and d.device == "lun":
        refuse(CONFIG, "scsi-block 'lun' devices do not support the serial property")
    if d.serial and not re.fullmatch(_SERIAL_CHARS, d.serial):
        refuse(INTERNAL, f"driver serial '{d.serial}' contains unsafe characters")
    _iothreads(ctx, d)


def _lun(ctx: BuildContext, d: Disk, cor: bool) -> None:
    if d.bus == "scsi":
        if not ctx.has("scsi-block"):
            refuse(CONFIG, "This QEMU doesn't support scsi-block for lun passthrough")
    elif d.bus == "virtio":
        if not ctx.has("virtio-blk-pci.scsi"):
            refuse(CONFIG, "This QEMU doesn't support SCSI emulation with 'virtio-blk' device")
    else:
        refuse(CONFIG, f"disk device='lun' is not supported for bus='{d.bus}'")
    if cor:
        refuse(CONFIG, f"copy_on_read is not compatible with 'lun' disk '{d.dev}'")
    if d.wwn:
        refuse(CONFIG, "Setting wwn is not supported for lun device")
    if d.vendor or d.product:
        refuse(CONFIG, "Setting vendor or product is not supported for lun device")


def _bus_address(ctx: BuildContext, d: Disk) -> None:
    """Each bus's address type, and what usb/virtio disks need of QEMU."""
    addr = d.elem.find("address")
    atype = addr.get("type") if addr is not None else None
    if d.bus in _DRIVE_BUSES and atype not in (None, "drive"):
        refuse(INTERNAL, _UNEXPECTED_ADDRESS[d.bus or ""])
    if d.bus == "virtio" and _int(_drv(d, "queue_size")) > 0 \
            and not ctx.has("virtio-blk.queue-size"):
        refuse(CONFIG, "queue-size property isn't supported by this QEMU binary")
    if d.bus == "usb":
        if not ctx.has("usb-storage"):
            refuse(CONFIG, "This QEMU doesn't support '-device usb-storage'")
        if _empty(d):
            refuse(CONFIG, "'usb' disk must not be empty")
        if atype not in (None, "usb"):
            refuse(INTERNAL, "unexpected address type for usb disk")


_IOTUNE_LIMITS = ("total_bytes_sec", "read_bytes_sec", "write_bytes_sec", "total_iops_sec",
                  "read_iops_sec", "write_iops_sec", "total_bytes_sec_max",
                  "read_bytes_sec_max", "write_bytes_sec_max", "total_iops_sec_max",
                  "read_iops_sec_max", "write_iops_sec_max", "size_iops_sec")


def _iotune_values(iotune: Elem | None) -> dict[str, str]:
    if iotune is None:
        return {}
    return {c.tag: (c.text or "").strip() for c in iotune.children if c.tag != "group_name"}


def _blkdeviotune(ctx: BuildContext, d: Disk) -> None:
    """qemuValidateDomainDeviceDefDiskBlkdeviotune."""
    iotune = d.elem.find("iotune")
    if iotune is None:
        return
    group = iotune.findtext("group_name")
    values = _iotune_values(iotune)
    settings = {k: v for k, v in values.items() if v not in ("", "0")}
    if group and not settings:
        refuse(CONFIG, "group_name can be configured only together with settings")
    if d.bus == "sd" and settings:
        refuse(CONFIG, "<iotune> is not supported with bus='sd'")
    if group:
        for other in ctx.domain.devices.disks:
            o_tune = other.elem.find("iotune")
            if other is d or other.dev == d.dev or o_tune is None \
                    or o_tune.findtext("group_name") != group:
                continue
            if _iotune_values(o_tune) != values:
                refuse(CONFIG, f"different iotunes for disks {d.dev} and {other.dev}")
    for name in _IOTUNE_LIMITS:
        if _int(values.get(name)) > IOTUNE_MAX:
            refuse(ErrorCode.ARGUMENT_UNSUPPORTED, "block I/O throttle limit must be no more "
                                                   f"than {IOTUNE_MAX} using QEMU")


def _reboot_allowed(ctx: BuildContext) -> bool:
    """qemuProcessRebootAllowed: on_reboot, on_poweroff and on_crash do not destroy."""
    d = ctx.domain
    return d.on_reboot != "destroy" and d.on_poweroff != "destroy" \
        and d.on_crash not in ("destroy",)


def _transient(ctx: BuildContext, d: Disk) -> None:
    """qemuValidateDomainDeviceDefDiskTransient."""
    transient = d.elem.find("transient")
    if transient is None:
        return
    if _empty(d):
        refuse(CONFIG, f"transient disk '{d.dev}' must not be empty")
    if d.readonly:
        refuse(CONFIG, f"transient disk '{d.dev}' must not be read-only")
    if d.type != "file":
        refuse(CONFIG, f"transient disk supported only with 'file' type ({d.dev})")
    if d.device != "disk":
        refuse(CONFIG, f"transient disk supported only with 'disk' device ({d.dev})")
    if transient.get("shareBacking") == "yes":
        if not ctx.has("set-action") and not _reboot_allowed(ctx):
            refuse(CONFIG, "transient disk backing image sharing with destroy action of "
                           "lifecycle isn't supported by this QEMU binary")
        if d.bus not in ("usb", "virtio", "scsi"):
            refuse(CONFIG, f"disk bus '{d.bus}' doesn't support transiend disk backing image "
                           "sharing")


_DISK_NAME = r"(fd|hd|vd|sd|xvd|ubd)([a-z]+)([0-9]*)"


def validate_disk(ctx: BuildContext, d: Disk) -> None:
    """qemuValidateDomainDeviceDefDisk."""
    _frontend(ctx, d)
    _blkdeviotune(ctx, d)
    _transient(ctx, d)
    if d.shareable and not d.readonly and d.format not in _SHAREABLE_FORMATS:
        refuse(CONFIG, f"shared access for disk '{d.dev}' requires use of supported storage "
                       "format")
    name = _drv(d, "name")
    if name and name != "qemu":
        refuse(CONFIG, f"unsupported driver name '{name}' for disk '{d.dev}'")
    parsed = re.fullmatch(_DISK_NAME, d.dev)
    if parsed is None:
        refuse(CONFIG, f"invalid disk target '{d.dev}'")
    if parsed.group(3) not in ("", "0"):
        refuse(CONFIG, f"invalid disk target '{d.dev}', partitions can't appear in disk "
                       "targets")
    if _drv(d, "discard_no_unref") is not None and not ctx.has("qcow2-discard-no-unref"):
        refuse(CONFIG, "'discard_no_unref' is not supported by this QEMU binary")
    enc = d.source.find("encryption") if d.source is not None else None
    if d.bus == "sd" and enc is not None and len(enc.findall("secret")) > 1:
        refuse(CONFIG, f"sd card '{d.dev}' does not support multiple encryption secrets")
    if d.type == "vhostuser":
        if not ctx.has("vhost-user-blk"):
            refuse(CONFIG, "vhostuser disk is not supported with this QEMU binary")
        requires_shared_memory(ctx, "vhostuser")
    if d.type == "vhostvdpa":
        if not ctx.has("virtio-blk-vhost-vdpa"):
            refuse(CONFIG, "vhostvdpa disk is not supported with this QEMU binary")
        requires_shared_memory(ctx, "vhostvdpa")
        if _drv(d, "cache") not in ("directsync", "none"):
            refuse(CONFIG, "disk type 'vhostvdpa' requires cache mode 'directsync' or 'none'")


# -- drive addresses (qemuValidateDomainDeviceDefAddressDrive) ------------------------------

def _scsi_controller(ctx: BuildContext, index: int) -> Controller | None:
    return ctx.domain.devices.controller("scsi", index)


def validate_drive_address(ctx: BuildContext, bus: str, a: DriveAddress) -> None:
    """The limits of each drive bus on controller/bus/target/unit."""
    if bus == "scsi":
        if a.bus != 0:
            refuse(INTERNAL, "SCSI controller only supports 1 bus")
        ctrl = _scsi_controller(ctx, a.controller)
        if ctrl is not None:
            if ctrl.model == "lsilogic":
                if a.target != 0:
                    refuse(CONFIG, "target must be 0 for controller model 'lsilogic'")
            elif not ctx.has("scsi-disk.channel"):
                if a.target > 7:
                    refuse(CONFIG, "This QEMU doesn't support target greater than 7")
                if a.bus != 0 and a.unit != 0:
                    refuse(CONFIG, "This QEMU only supports both bus and unit equal to 0")
    elif bus == "ide":
        if a.controller != 0:
            refuse(INTERNAL, "Only 1 IDE controller is supported")
        if a.target != 0:
            refuse(CONFIG, "target must be 0 for ide controller")
    elif bus == "fdc":
        if a.controller != 0:
            refuse(INTERNAL, "Only 1 fdc controller is supported")
        if a.bus != 0:
            refuse(INTERNAL, "Only 1 fdc bus is supported")
        if a.target != 0:
            refuse(CONFIG, "target must be 0 for controller fdc")
    elif bus == "sata":
        if a.bus != 0:
            refuse(CONFIG, "bus must be 0 for sata controller")
        if a.target != 0:
            refuse(CONFIG, "target must be 0 for sata controller")
