"""libvirt's generic disk validation (domain_validate.c: `virDomainDiskDefValidate` and the
storage source checks it calls), in libvirt's order.

A disk's source chain is its <source> plus every <backingStore>; each layer is checked by
`_validate_source_layer` (virDomainDiskDefValidateSourceChainOne).
"""

from __future__ import annotations

from typing import Iterator

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.devices import Disk
from ..model.elem import Elem
from .values import address_type, number, size_kib

_VIRTIO_MODELS = ("virtio", "virtio-transitional", "virtio-non-transitional")
_DRIVE_BUSES = ("ide", "fdc", "scsi", "sata")
_LOCAL_TYPES = ("file", "block", "dir")
_PATH_ATTR = {"file": "file", "block": "dev", "dir": "dir"}
_AUTH_PROTOCOLS = ("iscsi", "http", "https", "ftp", "ftps", "ssh", "rbd")
_NO_AUTH_PROTOCOLS = ("nbd", "sheepdog", "gluster", "tftp", "vxhs", "nfs")
_SECRET_USAGES = ("none", "volume", "ceph", "iscsi", "tls", "vtpm")
_HARDDISK_PREFIXES = ("hd", "sd", "vd", "xvd", "ubd")
VENDOR_LEN = 8
PRODUCT_SCSI_LEN = 16
PRODUCT_ATA_SATA_LEN = 40


class SourceLayer:
    """One layer of a disk's storage chain: its type, <source>, <format> and the elements
    libvirt reads into the same virStorageSource (auth and encryption may sit on <disk>)."""

    def __init__(self, type_: str, source: Elem | None, fmt: str | None,
                 auth: Elem | None, encryption: Elem | None) -> None:
        self.type = type_
        self.source = source
        self.format = fmt
        self.auth = auth
        self.encryption = encryption

    @property
    def protocol(self) -> str | None:
        return self.source.get("protocol") if self.source is not None else None

    @property
    def path(self) -> str | None:
        attr = _PATH_ATTR.get(self.type)
        return self.source.get(attr) if attr and self.source is not None else None

    def child(self, tag: str) -> Elem | None:
        return self.source.find(tag) if self.source is not None else None


def source_chain(disk: Disk) -> Iterator[SourceLayer]:
    """The disk's source and its backing chain, top first."""
    src = disk.source
    auth = disk.elem.find("auth")
    enc = disk.elem.find("encryption")
    yield SourceLayer(disk.type, src, disk.format,
                      src.find("auth") if src is not None and src.find("auth") is not None
                      else auth,
                      src.find("encryption") if src is not None
                      and src.find("encryption") is not None else enc)
    backing = disk.elem.find("backingStore")
    while backing is not None and backing.get("type"):
        bsrc = backing.find("source")
        yield SourceLayer(backing.get("type", "file"), bsrc, backing.attr_at("type", "format"),
                          bsrc.find("auth") if bsrc is not None else None,
                          bsrc.find("encryption") if bsrc is not None else None)
        backing = backing.find("backingStore")


def is_empty(layer: SourceLayer) -> bool:
    """virStorageSourceIsEmpty: a local source without a path, a network one without a
    protocol."""
    if layer.type in _LOCAL_TYPES and not layer.path:
        return True
    return layer.type == "network" and not layer.protocol


def validate_disk(ctx: BuildContext, disk: Disk) -> None:
    """virDomainDiskDefValidate."""
    if not disk.dev:
        layer = next(source_chain(disk))
        src = layer.source
        if src is not None and src.get("pool") and disk.type == "volume":
            refuse(ErrorCode.NO_TARGET, "missing target information for device pool = "
                   f"'{src.get('pool')}', volume = '{src.get('volume')}'")
        path = layer.path or (src.get("name") if src is not None else None)
        refuse(ErrorCode.NO_TARGET, "missing target information for device"
               + (f" {path}" if path else ""))
    for layer in source_chain(disk):
        _validate_source_layer(layer)
    sgio = disk.elem.get("sgio")
    if sgio == "unfiltered":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "unfiltered sgio is no longer supported")
    top = next(source_chain(disk))
    if disk.device == "lun":
        _validate_lun_source(top)
    else:
        if top.child("reservations") is not None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "<reservations/> allowed only for lun devices")
        if disk.elem.get("rawio") is not None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "rawio can be used only with device='lun'")
        if sgio is not None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "sgio can be used only with device='lun'")
    validate_iotune(disk.elem.find("iotune"))
    atype = address_type(disk)
    if atype is not None and disk.bus in _DRIVE_BUSES and atype != "drive":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"Invalid address type '{atype}' for the disk "
               f"'{disk.dev}' with the bus type '{disk.bus}'")
    drv = disk.driver
    if disk.bus != "virtio":
        model = disk.elem.get("model")
        if model in _VIRTIO_MODELS:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"disk model '{model}' not supported for bus '{disk.bus}'")
        if drv is not None and number(drv.get("queues")):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "queues attribute in disk driver element is "
                   "only supported for virtio bus")
        if drv is not None and number(drv.get("queue_size")):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "queue_size attribute in disk driver is only "
                   "supported for virtio bus")
        if drv is not None and drv.get("event_idx") is not None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "disk event_idx mode supported only for "
                   "virtio bus")
        if drv is not None and drv.get("ioeventfd") is not None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "disk ioeventfd mode supported only for "
                   "virtio bus")
        check_virtio_options_absent(drv)
    if disk.type == "nvme" and number(top.source.get("namespace")
                                      if top.source is not None else None) == 0:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "NVMe namespace can't be zero")
    if disk.type == "vhostuser":
        _validate_vhostuser(disk, top)
    for layer in source_chain(disk):
        if layer.source is not None:
            check_device_seclabels(ctx, layer.source.findall("seclabel"))
    if disk.tray is not None and disk.device not in ("floppy", "cdrom"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "tray is only valid for cdrom and floppy")
    _validate_vpd(disk)
    if disk.device == "floppy" and disk.bus != "fdc":
        refuse(ErrorCode.INTERNAL_ERROR, f"Invalid bus type '{disk.bus}' for floppy disk")
    if disk.device != "floppy" and disk.bus == "fdc":
        refuse(ErrorCode.INTERNAL_ERROR, f"Invalid bus type '{disk.bus}' for disk")
    if disk.removable is not None and disk.bus != "usb" and \
            not (disk.bus == "scsi" and disk.device == "disk"):
        refuse(ErrorCode.XML_ERROR, "removable is only valid for usb or scsi disks")
    _validate_startup_policy(disk, top)
    if disk.device in ("disk", "lun") and not disk.dev.startswith(_HARDDISK_PREFIXES):
        refuse(ErrorCode.INTERNAL_ERROR, f"Invalid harddisk device name: {disk.dev}")
    if disk.device == "floppy" and not disk.dev.startswith("fd"):
        refuse(ErrorCode.INTERNAL_ERROR, f"Invalid floppy device name: {disk.dev}")
    if disk.device == "disk" and is_empty(top):
        refuse(ErrorCode.NO_SOURCE, f"missing source information for device {disk.dev}")
    if drv is not None and drv.yes("discard_no_unref"):
        if disk.format != "qcow2":
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "'discard_no_unref' only works with qcow2 disk format")
        if disk.readonly:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "'discard_no_unref' is not compatible with read-only disk")
    if drv is not None and number(drv.get("iothread")) and drv.find("iothreads") is not None:
        refuse(ErrorCode.XML_ERROR, "disk driver 'iothread' attribute can't be used together "
               "with 'iothreads' subelement")
    _validate_throttle_filters(ctx, disk)


_VIRTIO_ONLY_OPTIONS = (
    ("iommu", "iommu driver option is only supported for virtio devices"),
    ("ats", "ats driver option is only supported for virtio devices"),
    ("packed", "packed driver option is only supported for virtio devices"),
    ("page_per_vq", "page_per_vq option is only supported for virtio devices"),
)


def check_virtio_options_absent(driver: Elem | None) -> None:
    """virDomainCheckVirtioOptionsAreAbsent: virtio-only <driver> options elsewhere."""
    if driver is None:
        return
    for attr, message in _VIRTIO_ONLY_OPTIONS:
        if driver.get(attr) is not None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, message)


def check_device_seclabels(ctx: BuildContext, seclabels: list[Elem]) -> None:
    """virSecurityDeviceLabelDefValidate: a device may override a label only of a model the
    domain relabels."""
    domain_labels = ctx.domain.seclabels
    for label in seclabels:
        for dom in domain_labels:
            if dom.get("model") != label.get("model"):
                continue
            relabel = dom.yes("relabel")
            if relabel is None:
                relabel = dom.get("type", "dynamic") not in ("static", "none")
            if not relabel:
                refuse(ErrorCode.CONFIG_UNSUPPORTED, "label overrides require relabeling to be "
                       "enabled at the domain level")


def _validate_source_layer(layer: SourceLayer) -> None:
    """virDomainDiskDefValidateSourceChainOne."""
    if layer.type == "network" and layer.protocol == "sheepdog":
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "'sheepdog' protocol is no longer supported by any hypervisor driver")
    if layer.type == "network" and layer.auth is not None:
        if layer.protocol in _NO_AUTH_PROTOCOLS:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"authentication is not supported for protocol '{layer.protocol}'")
        secret = layer.auth.find("secret")
        usage = secret.get("type") if secret is not None else None
        if usage not in _SECRET_USAGES:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"unknown secret type '{usage or '<null>'}'")
        if (layer.protocol == "iscsi" and usage != "iscsi") or \
                (layer.protocol == "rbd" and usage != "ceph"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"invalid secret type '{usage}'")
    enc = layer.encryption
    if enc is not None and enc.get("format") == "luks" and \
            enc.attr_at("name", "cipher") is not None:
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "supplying <cipher> for domain disk definition is unnecessary")
    store = layer.child("dataStore")
    if store is not None:
        if layer.format != "qcow2":
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "<dataStore> feature available only with qcow2 images")
        if (store.attr_at("type", "format") or "raw") != "raw":
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "only 'raw' images supported as <dataStore>")
        inner = store.find("source")
        if inner is not None and (inner.find("dataStore") is not None
                                  or store.find("backingStore") is not None):
            refuse(ErrorCode.XML_ERROR, "The <source> of <dataStore> can't have another "
                   "nested <dataStore> or <backingStore> element")
        if inner is not None and inner.find("slices") is not None:
            refuse(ErrorCode.XML_ERROR, "slices are not supported for <dataStore>")
    if layer.type != "network" and layer.protocol != "rbd":
        if layer.child("snapshot") is not None:
            refuse(ErrorCode.XML_ERROR,
                   "<snapshot> element is currently supported only with 'rbd' disks")
        if layer.child("config") is not None:
            refuse(ErrorCode.XML_ERROR,
                   "<config> element is currently supported only with 'rbd' disks")


def _validate_lun_source(top: SourceLayer) -> None:
    """virDomainDiskDefSourceLUNValidate."""
    if top.type == "network":
        if top.protocol != "iscsi":
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"disk device='lun' is not supported for protocol='{top.protocol}'")
    elif top.type not in ("block", "volume"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "disk device='lun' is only valid for block type disk source")
    if top.format not in (None, "raw"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "disk device 'lun' must use 'raw' format")
    slices = top.child("slices")
    if slices is not None and any(s.get("type") == "storage" for s in slices.findall("slice")):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "disk device 'lun' doesn't support storage slice")
    if top.encryption is not None and top.encryption.get("format") not in (None, "default"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "disk device 'lun' doesn't support encryption")


_IOTUNE_PAIRS = (
    ("total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
     "total and read/write bytes_sec cannot be set at the same time"),
    ("total_iops_sec", "read_iops_sec", "write_iops_sec",
     "total and read/write iops_sec cannot be set at the same time"),
    ("total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max",
     "total and read/write bytes_sec_max cannot be set at the same time"),
    ("total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max",
     "total and read/write iops_sec_max cannot be set at the same time"),
)


def validate_iotune(iotune: Elem | None) -> None:
    """virDomainDiskIoTuneValidate: a total limit excludes the read/write ones."""
    if iotune is None:
        return

    def value(tag: str) -> int:
        return number(iotune.findtext(tag)) or 0

    for total, read, write, message in _IOTUNE_PAIRS:
        if value(total) and (value(read) or value(write)):
            refuse(ErrorCode.XML_ERROR, message)


def iotune_has_any(iotune: Elem | None) -> bool:
    """virDomainBlockIoTuneInfoHasAny (or a group name): any limit set."""
    if iotune is None:
        return False
    return any(c.tag == "group_name" or number(c.text) for c in iotune.children)


_VHOSTUSER_DRIVER_ATTRS = (
    ("cache", "cache is not supported with vhostuser disk"),
    ("error_policy", "error_policy is not supported with vhostuser disk"),
    ("rerror_policy", "error_policy is not supported with vhostuser disk"),
    ("io", "io is not supported with vhostuser disk"),
    ("ioeventfd", "ioeventfd is not supported with vhostuser disk"),
    ("copy_on_read", "copy_on_read is not supported with vhostuser disk"),
    ("discard", "discard is not supported with vhostuser disk"),
    ("iothread", "iothread is not supported with vhostuser disk"),
    ("detect_zeroes", "detect_zeroes is not supported with vhostuser disk"),
)


def _validate_vhostuser(disk: Disk, top: SourceLayer) -> None:
    """virDomainDiskVhostUserValidate: a vhost-user disk is a virtio socket, nothing more."""
    def no(message: str) -> None:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, message)

    if disk.bus != "virtio":
        no("vhostuser disk supports only virtio bus")
    if disk.elem.get("snapshot") not in (None, "no"):
        no("only snapshot=no is supported with vhostuser disk")
    drv = disk.driver
    for attr, message in _VHOSTUSER_DRIVER_ATTRS:
        if drv is not None and drv.get(attr) not in (None, "default"):
            no(message)
    if drv is not None and (size_kib(drv.at("metadata_cache", "max_size"), "B") or 0) > 0:
        no("metadata_cache is not supported with vhostuser disk")
    if iotune_has_any(disk.elem.find("iotune")):
        no("iotune is not supported with vhostuser disk")
    if disk.elem.attr_at("type", "backingStore"):
        no("backingStore is not supported with vhostuser disk")
    checks = (
        (top.encryption is not None, "encryption is not supported with vhostuser disk"),
        (disk.readonly, "readonly is not supported with vhostuser disk"),
        (disk.shareable, "shareable is not supported with vhostuser disk"),
        (disk.transient, "transient is not supported with vhostuser disk"),
        (disk.serial is not None, "serial is not supported with vhostuser disk"),
        (disk.wwn is not None, "wwn is not supported with vhostuser disk"),
        (disk.vendor is not None, "vendor is not supported with vhostuser disk"),
        (disk.product is not None, "product is not supported with vhostuser disk"),
        (top.auth is not None, "auth is not supported with vhostuser disk"),
    )
    for present, message in checks:
        if present:
            no(message)
    geometry = disk.elem.find("geometry")
    if geometry is not None and (any(number(geometry.get(a)) for a in ("cyls", "heads", "secs"))
                                 or geometry.get("trans") not in (None, "default")):
        no("geometry is not supported with vhostuser disk")
    blockio = disk.elem.find("blockio")
    if blockio is not None and any(number(blockio.get(a)) for a in (
            "logical_block_size", "physical_block_size", "discard_granularity")):
        no("blockio is not supported with vhostuser disk")


def _validate_vpd(disk: Disk) -> None:
    """Vendor and product strings: printable, 8 and 16 (SCSI) or 40 characters."""
    if disk.vendor is not None:
        if not disk.vendor.isprintable():
            refuse(ErrorCode.XML_ERROR, "disk vendor is not printable string")
        if len(disk.vendor) > VENDOR_LEN:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"disk vendor is more than {VENDOR_LEN} characters")
    if disk.product is not None:
        limit = PRODUCT_SCSI_LEN if disk.bus == "scsi" else PRODUCT_ATA_SATA_LEN
        if not disk.product.isprintable():
            refuse(ErrorCode.XML_ERROR, "disk product is not printable string")
        if len(disk.product) > limit:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"disk product is more than {limit} characters")


def _validate_startup_policy(disk: Disk, top: SourceLayer) -> None:
    """virDomainDiskDefValidateStartupPolicy."""
    policy = top.source.get("startupPolicy") if top.source is not None else None
    if policy in (None, "default"):
        return
    if top.type != "volume" and top.type not in _LOCAL_TYPES:
        refuse(ErrorCode.XML_ERROR, f"disk startupPolicy '{policy}' is not allowed for disk of "
               f"'{top.type}' type")
    if disk.device not in ("cdrom", "floppy") and policy == "requisite":
        refuse(ErrorCode.XML_ERROR,
               "disk startupPolicy 'requisite' is allowed only for cdrom or floppy")


def _validate_throttle_filters(ctx: BuildContext, disk: Disk) -> None:
    filters = disk.elem.find("throttlefilters")
    names = [f.get("group") for f in filters.findall("throttlefilter")] \
        if filters is not None else []
    if not names:
        return
    if iotune_has_any(disk.elem.find("iotune")):
        refuse(ErrorCode.OPERATION_UNSUPPORTED, "block 'throttlefilters' can't be used together "
               f"with 'iotune' for disk '{disk.dev}'")
    if disk.device == "cdrom":
        refuse(ErrorCode.OPERATION_UNSUPPORTED,
               "cdrom device with throttle filters isn't supported")
    groups = ctx.domain.throttlegroups
    known = {g.findtext("group_name") for g in groups.findall("throttlegroup")} \
        if groups is not None else set()
    for name in names:
        if name not in known:
            refuse(ErrorCode.XML_ERROR, f"throttle group '{name}' not found")
