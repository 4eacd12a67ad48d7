"""The QEMU driver's checks of a disk's storage source (qemu_domain.c:
`qemuDomainValidateStorageSource`), run for every layer of the chain as
`qemuValidateDomainDeviceDefDisk` does."""

from __future__ import annotations

from capsdb import flags

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.devices import Disk
from .domain_validate_disk import SourceLayer, is_empty, source_chain
from .storage_source_conf import check_cookies
from .values import number, size_kib

_HTTP = ("http", "https")
_HTTP_FTP = ("http", "https", "ftp", "ftps")


def validate_disk_sources(ctx: BuildContext, disk: Disk) -> None:
    """qemuDomainValidateStorageSource for the disk's source and each backing layer."""
    for depth, layer in enumerate(source_chain(disk)):
        if depth == 0 and layer.format is None and layer.type != "volume":
            layer.format = "raw"  # qemuDomainDeviceDiskDefPostParse's default format
        validate_storage_source(ctx, layer, disk.readonly if depth == 0 else True,
                                disk if depth == 0 else None)


CHAIN_MAX_DEPTH = 200  # QEMU_DOMAIN_STORAGE_SOURCE_CHAIN_MAX_DEPTH


def validate_chain_depths(ctx: BuildContext) -> None:
    """qemuDomainStorageSourceValidateDepth, when libvirt determines each disk's chain at
    start: at most 200 layers (an empty source counts none)."""
    for disk in ctx.domain.devices.disks:
        layers = sum(1 for layer in source_chain(disk) if not is_empty(layer))
        if layers > CHAIN_MAX_DEPTH:
            refuse(ErrorCode.OPERATION_UNSUPPORTED, "backing chains more than 200 layers deep "
                   f"are not supported for disk '{disk.dev}'")


def validate_storage_source(ctx: BuildContext, layer: SourceLayer, readonly: bool,
                            disk: Disk | None = None) -> None:
    """qemuDomainValidateStorageSource."""
    fmt, ltype, proto = layer.format, layer.type, layer.protocol
    net = ltype == "network"
    if fmt == "cow":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "'cow' storage format is not supported")
    if fmt == "dir":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "'directory' storage format is not directly "
               "supported by QEMU, use 'dir' disk type instead")
    if fmt == "iso":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "storage format 'iso' is not directly supported "
               "by QEMU, use 'raw' instead")
    if fmt == "fat" and ltype not in ("volume", "dir"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "storage format 'fat' is supported only with 'dir' storage type")
    if ltype == "dir":
        if fmt not in (None, "none", "fat"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "storage type 'dir' requires use of storage format 'fat'")
        if not readonly:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "virtual FAT storage can't be accessed in read-write mode")
    if layer.child("reservations") is not None and not ctx.has(flags.PR_MANAGER_HELPER):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "reservations not supported with this QEMU binary")
    ssl = layer.child("ssl")
    if ssl is not None and ssl.get("verify") is not None and \
            not (net and proto in ("https", "ftps")):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "ssl verification is supported only with HTTPS/FTPS protocol")
    cookies = layer.child("cookies")
    if cookies is not None and cookies.findall("cookie"):
        if not (net and proto in _HTTP):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "http cookies are supported only with HTTP(S) protocol")
        check_cookies(cookies)
    readahead = layer.child("readahead")
    if readahead is not None and (number(readahead.get("size")) or 0) > 0 and \
            not (net and proto in _HTTP_FTP):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "readahead is supported only with HTTP(S)/FTP(s) protocols")
    timeout = layer.child("timeout")
    if timeout is not None and (number(timeout.get("seconds")) or 0) > 0 and \
            not (net and proto in _HTTP_FTP):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "timeout is supported only with HTTP(S)/FTP(s) protocols")
    reconnect = layer.child("reconnect")
    if reconnect is not None and (number(reconnect.get("delay")) or 0) > 0 and \
            not (net and proto == "nbd"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "reconnect delay is supported only with NBD "
               "protocol")
    if layer.source is not None and layer.source.get("query") and not (net and proto in _HTTP):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "query is supported only with HTTP(S) protocols")
    if net and proto == "tftp":
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "'tftp' protocol is not supported with this QEMU binary")
    if net and proto == "nfs":
        hosts = layer.source.findall("host") if layer.source is not None else []
        if len(hosts) != 1:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "'nfs' protocol requires the usage of exactly one host")
        if hosts[0].get("transport") not in (None, "tcp"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "'nfs' host must use TCP protocol")
        if number(hosts[0].get("port")):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "port cannot be specified in 'nfs' protocol host")
    if disk is not None and disk.driver is not None and \
            (size_kib(disk.driver.at("metadata_cache", "max_size"), "B") or 0) > 0 and \
            fmt != "qcow2":
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "metadata cache max size control is supported only with qcow2 images")
    _validate_encryption(ctx, layer)
    tls_host = layer.source.get("tlsHostname") if layer.source is not None else None
    if tls_host:
        if not (net and proto == "nbd"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "'tlsHostname' field is supported only with NBD disks")
        if not ctx.has(flags.BLOCKDEV_NBD_TLS_HOSTNAME):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "'tlsHostname' field is not supported by this QEMU")


def _validate_encryption(ctx: BuildContext, layer: SourceLayer) -> None:
    enc = layer.encryption
    if enc is None:
        return
    fmt = enc.get("format")
    if fmt in (None, "default", "qcow"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "old qcow/qcow2 encryption is not supported")
    secrets = enc.findall("secret")
    if (enc.get("engine") or "qemu") == "qemu":
        if fmt == "luks" and layer.format not in ("qcow2", "raw", None):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "encryption is supported only with 'raw' and 'qcow2' image format")
        if fmt in ("luks2", "luks-any"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"'{fmt}' is currently not supported by the qemu encryption engine")
        if len(secrets) > 1:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "qemu encryption engine expects only a single secret")
        return
    if enc.get("engine") == "librbd":
        if not ctx.has(flags.RBD_ENCRYPTION):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "librbd encryption is not supported by this QEMU binary")
        if layer.type != "network" and layer.protocol != "rbd":
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "librbd encryption is supported only with RBD backed disks")
        if len(secrets) > 1 and not ctx.has(flags.RBD_ENCRYPTION_LAYERING):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "librbd encryption layering is not supported by this QEMU binary")
        if fmt == "luks-any" and not ctx.has(flags.RBD_ENCRYPTION_LUKS_ANY):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "luks-any encryption is not supported by this QEMU binary")
