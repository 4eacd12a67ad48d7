"""Generic validation of a complete definition (domain_validate.c: `virDomainDefValidate`).

libvirt runs the driver's domain callback (`qemu_validate.validate_domain_def`), then each
device in `virDomainDeviceInfoIterateFlags` order through `virDomainDeviceDefValidate` (the
generic device checks, then the driver's device callback), then the generic domain checks
(`virDomainDefValidateInternal`); `validate_definition` keeps that order.
"""

from __future__ import annotations

import binascii
from collections import Counter
from typing import Callable, Hashable, Iterator, Sequence

from ..bitmap import parse_bitmap
from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.address import DriveAddress
from ..model.device import Device
from ..model.devices import Disk, Hostdev, Video
from ..model.elem import Elem
from . import numa_conf, qemu_validate
from .domain_validate_devices import validate_device
from ..disk_names import libvirt_disk_order
from .domain_validate_disk import validate_iotune
from .storage_source import validate_disk_sources
from .values import number

# libvirt's iteration order of device lists (virDomainDeviceInfoIterateFlags), then the
# devices without device info (DOMAIN_DEVICE_ITERATE_MISSING_INFO)
_ITERATION_ORDER = ("disk", "interface", "sound", "hostdev", "video", "controller",
                    "smartcard", "serial", "parallel", "channel", "console", "input",
                    "filesystem", "watchdog", "memballoon", "rng", "nvram", "hub", "shmem",
                    "tpm", "panic", "memory", "redirdev", "iommu", "vsock", "crypto", "pstore",
                    "graphics", "audio", "lease")

# cgroup CPU bandwidth limits (VIR_CGROUP_CPU_PERIOD_*/QUOTA_*), in microseconds
_PERIOD_RANGE = (1000, 1000000)
_QUOTA_RANGE = (1000, 17592186044415)
_UINT_MAX = 0xFFFFFFFF

Rule = Callable[[BuildContext], None]


def validate_definition(ctx: BuildContext, domain_rules: Sequence[Rule] = (),
                        generic_device_rules: Sequence[Rule] = (),
                        late_device_rules: Sequence[Rule] = ()) -> None:
    """virDomainDefValidate's order: driver domain checks, every device (generic checks, then
    the driver's), generic domain checks.

    The rule lists are checks validate/checks.py still writes domain-wide: `domain_rules` run
    with the driver's domain checks, `generic_device_rules` before the per-device loop (libvirt
    runs the generic device checks first), `late_device_rules` once every device passed.
    """
    for rule in domain_rules:
        rule(ctx)
    qemu_validate.validate_domain_def(ctx)
    for rule in generic_device_rules:
        rule(ctx)
    qemu_validate.validate_devices(ctx, validate_device)
    for rule in late_device_rules:
        rule(ctx)
    for disk in ctx.domain.devices.disks:  # the end of qemuValidateDomainDeviceDefDisk
        validate_disk_sources(ctx, disk)
    validate_def_internal(ctx)


def devices_in_libvirt_order(ctx: BuildContext) -> Iterator[Device]:
    """The devices in the order libvirt's device iterator visits them (by list, each list in
    document order; a hostdev <interface> is in both the interface and the hostdev list)."""
    lists: dict[str, list[Device]] = {tag: [] for tag in _ITERATION_ORDER}
    for dev in ctx.domain.devices.items:
        tag = dev.elem.tag
        if tag in lists:
            lists[tag].append(dev)
        if tag == "interface" and isinstance(dev, Hostdev):
            lists["hostdev"].append(dev)
    for tag in _ITERATION_ORDER:
        yield from lists[tag]


def validate_def_internal(ctx: BuildContext) -> None:
    """virDomainDefValidateInternal, in libvirt's order."""
    for rule in (_validate_resource, _validate_duplicate_disk_targets, _validate_hostdevs,
                 _validate_duplicate_drive_addresses, _validate_vcpu_topology,
                 _validate_aliases, _validate_iommu, _validate_lifecycle, _validate_memtune,
                 _validate_os, _validate_cputune, _validate_boot, _validate_videos,
                 _validate_blkiotune, _validate_idmap, numa_conf.validate_numa,
                 _validate_iothreads, _validate_launch_security, _validate_throttle_groups):
        rule(ctx)


def _validate_resource(ctx: BuildContext) -> None:
    """virDomainDefResourceValidate: the Fibre Channel application id."""
    res = ctx.domain.resource
    appid = res.attr_at("appid", "fibrechannel") if res is not None else None
    if appid is None:
        return
    if not appid.isprintable() or not appid.isascii():
        refuse(ErrorCode.XML_ERROR, "Fibre Channel 'appid' is not a printable string")
    if not 1 <= len(appid) <= 128:
        refuse(ErrorCode.INVALID_ARG,
               "Fibre Channel 'appid' string length must be between [1, 128]")


def _disk_source_name(d: Disk) -> str:
    src = d.source
    for attr in ("file", "dev", "dir", "name", "volume"):
        if src is not None and src.get(attr):
            return src.get(attr) or ""
    return "<null>"


def _validate_duplicate_disk_targets(ctx: BuildContext) -> None:
    """virDomainDefDuplicateDiskInfoValidate: every disk target is unique (libvirt names
    the first disk that has a later twin, and that twin; found in one pass)."""
    disks = libvirt_disk_order(ctx.domain.devices.disks)
    first = _first_repeat([d.dev for d in disks])
    if first is not None:
        a, b = disks[first[0]], disks[first[1]]
        refuse(ErrorCode.XML_ERROR, f"target '{a.dev}' duplicated for disk sources "
               f"'{_disk_source_name(a)}' and '{_disk_source_name(b)}'")


def _first_repeat(keys: Sequence[Hashable]) -> tuple[int, int] | None:
    """(i, j): the first position whose key comes again later, and where it next comes
    (what a pairwise scan in order meets first, without its quadratic cost)."""
    seen: dict[Hashable, int] = {}
    best: tuple[int, int] | None = None
    for j, key in enumerate(keys):
        i = seen.get(key)
        if i is None:
            seen[key] = j
        elif best is None or i < best[0]:
            best = (i, j)
    return best


def _hostdev_key(h: Hostdev) -> tuple[str, ...] | None:
    """What makes two host devices the same one (virDomainHostdevMatch)."""
    src = h.source
    if src is None:
        return None
    if h.mode != "subsystem":
        what = src.findtext("block") or src.findtext("char") or src.findtext("interface")
        return (h.mode, h.type, what or "")
    if h.type == "pci":
        a = src.find("address")
        if a is None:
            return None
        return ("pci", *(str(number(a.get(k)) or 0) for k in ("domain", "bus", "slot",
                                                                "function")))
    if h.type == "usb":
        a = src.find("address")
        vendor, product = src.attr_at("id", "vendor"), src.attr_at("id", "product")
        if a is not None:
            return ("usb-addr", str(number(a.get("bus"))), str(number(a.get("device"))))
        return ("usb-id", str(number(vendor)), str(number(product)))
    if h.type == "scsi":
        if src.get("protocol") == "iscsi":
            return ("iscsi", src.get("name") or "", src.attr_at("name", "host") or "")
        a = src.find("address")
        return ("scsi", src.attr_at("name", "adapter") or "",
                *(str(number(a.get(k))) for k in ("bus", "target", "unit"))) \
            if a is not None else None
    if h.type == "scsi_host":
        return ("scsi_host", src.get("protocol") or "", src.get("wwpn") or "")
    if h.type == "mdev":
        return ("mdev", src.attr_at("uuid", "address") or "")
    return None


def _validate_hostdevs(ctx: BuildContext) -> None:
    """virDomainDefHostdevValidate: no host device twice, one vGPU with ramfb."""
    hostdevs = [d for d in ctx.domain.devices.items if isinstance(d, Hostdev)]
    keys = [_hostdev_key(h) for h in hostdevs]
    later = Counter(keys)  # how often each key still comes, from the current one on
    ramfb = False
    for h, key in zip(hostdevs, keys):
        later[key] -= 1
        if key is not None and later[key]:
            refuse(ErrorCode.XML_ERROR,
                   "Hostdev already exists in the domain configuration")
        if h.mode == "subsystem" and h.type in ("mdev", "pci") and h.ramfb == "on":
            if ramfb:
                refuse(ErrorCode.CONFIG_UNSUPPORTED,
                       "Only one vgpu device can have 'ramfb' enabled")
            ramfb = True


def _drive(dev: Device) -> DriveAddress | None:
    a = dev.info.address
    return a if isinstance(a, DriveAddress) else None


def _drive_key(a: DriveAddress) -> tuple[int, int, int, int]:
    return (a.controller, a.bus, a.target, a.unit)


def _validate_duplicate_drive_addresses(ctx: BuildContext) -> None:
    """virDomainDefDuplicateDriveAddressesValidate (its SCSI host messages print the bus
    before the controller, as libvirt's do); each check a lookup, not a scan of the rest."""
    disks = [d for d in ctx.domain.devices.disks if _drive(d) is not None]
    first = _first_repeat([(d.bus, _drive_key(_address(d))) for d in disks])
    if first is not None:
        a = disks[first[0]]
        addr = _address(a)
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "Found duplicate drive address for disk "
               f"with target name '{a.dev}' controller='{addr.controller}' "
               f"bus='{addr.bus}' target='{addr.target}' unit='{addr.unit}'")
    scsi = [h for h in ctx.domain.devices.items
            if isinstance(h, Hostdev) and h.type == "scsi" and _drive(h) is not None]
    if not scsi:
        return
    keys = [_drive_key(_address(h)) for h in scsi]
    later = Counter(keys)  # how often each address still comes, from the current one on
    scsi_disks = {_drive_key(_address(d)) for d in disks if d.bus == "scsi"}
    for h, key in zip(scsi, keys):
        later[key] -= 1
        addr = _address(h)
        if later[key]:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"SCSI host address controller='{addr.bus}' "
                   f"bus='{addr.controller}' target='{addr.target}' unit='{addr.unit}' in "
                   "use by another SCSI host device")
        if key in scsi_disks:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"SCSI host address controller='{addr.bus}' "
                   f"bus='{addr.controller}' target='{addr.target}' unit='{addr.unit}' in "
                   "use by another SCSI disk")


def _address(dev: Device) -> DriveAddress:
    """The drive address of a device known to have one."""
    a = _drive(dev)
    assert a is not None
    return a


def _validate_vcpu_topology(ctx: BuildContext) -> None:
    """virDomainDefGetVcpusTopology: the topology's product fits libvirt's counters."""
    topo = ctx.domain.cpu.find("topology") if ctx.domain.cpu is not None else None
    if topo is None or not number(topo.get("sockets")):
        return
    total = 1
    for attr in ("sockets", "dies", "clusters", "cores", "threads"):
        total *= number(topo.get(attr)) or 1
        if total > _UINT_MAX:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"cpu topology results in more than {_UINT_MAX} cpus")


def _validate_aliases(ctx: BuildContext) -> None:
    """virDomainDefValidateAliases: user aliases ('ua-' prefix) are unique."""
    if not any(dev.info.user_alias for dev in ctx.domain.devices.items):
        return  # the common case: nothing to compare, no need to order the devices
    seen: set[str] = set()
    visited: set[int] = set()
    serials = ctx.domain.devices.chardevs("serial")
    consoles = ctx.domain.devices.chardevs("console")
    for dev in devices_in_libvirt_order(ctx):
        alias = dev.info.alias
        if id(dev) in visited:
            continue  # the hostdev copy of a hostdev interface
        visited.add(id(dev))
        if not dev.info.user_alias or alias is None:
            continue
        if serials and consoles and dev is consoles[0] and \
                (consoles[0].target_type or "serial") == "serial":
            continue  # the console that mirrors the first serial port
        if alias in seen:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"non unique alias detected: {alias}")
        seen.add(alias)


def _validate_iommu(ctx: BuildContext) -> None:
    """virDomainDefIOMMUValidate: interrupt remapping needs the split I/O APIC."""
    iommu = next(iter(ctx.domain.devices.of("iommu")), None)
    drv = iommu.elem.find("driver") if iommu is not None else None
    if drv is None:
        return
    ioapic = ctx.domain.feature("ioapic")
    if drv.get("intremap") == "on" and (ioapic is None or ioapic.get("driver") != "qemu"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "IOMMU interrupt remapping requires split I/O APIC "
               "(ioapic driver='qemu')")
    if drv.get("eim") == "on" and drv.get("intremap") != "on":
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "IOMMU eim requires interrupt remapping to be enabled")


def _validate_lifecycle(ctx: BuildContext) -> None:
    """virDomainDefLifecycleActionValidate: core dumps only follow a crash."""
    d = ctx.domain
    for event, action in (("poweroff", d.on_poweroff), ("reboot", d.on_reboot)):
        if action in ("coredump-destroy", "coredump-restart"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"Lifecycle event '{event}' doesn't support '{action}' action")


def _validate_memtune(ctx: BuildContext) -> None:
    """virDomainDefMemtuneValidate: huge page nodesets are disjoint, one default size, and
    name existing guest NUMA nodes."""
    backing = ctx.domain.memory_backing
    huge = backing.find("hugepages") if backing is not None else None
    if huge is None:
        return
    ncells = numa_conf.cell_count(ctx.domain)
    pages: list[tuple[int, set[int] | None]] = []
    for page in huge.findall("page"):
        size = number(page.get("size")) or 0
        scale = {"k": 1, "kib": 1, "m": 1024, "mib": 1024, "g": 1024**2, "gib": 1024**2}.get(
            (page.get("unit") or "KiB").lower(), 1)
        nodeset = page.get("nodeset")
        try:
            nodes = parse_bitmap(nodeset) if nodeset is not None else None
        except ValueError:
            nodes = None
        if nodes is not None and not ncells and 0 in nodes:
            nodes = None  # without guest NUMA, node 0 is the whole guest (post-parse)
        pages.append((size * scale, nodes))
    for i, (size, nodes) in enumerate(pages):
        for other_size, other_nodes in pages[:i]:
            if nodes is not None and other_nodes is not None and nodes & other_nodes:
                refuse(ErrorCode.XML_DETAIL, f"nodeset attribute of hugepages of sizes {size} "
                       f"and {other_size} intersect")
            if nodes is None and other_nodes is None:
                refuse(ErrorCode.XML_DETAIL,
                       f"two master hugepages detected: {size} and {other_size}")
        if nodes is not None:
            beyond = [n for n in sorted(nodes) if n > ncells - 1]
            if beyond:
                refuse(ErrorCode.XML_DETAIL, f"hugepages: node {beyond[0]} not found")


def _validate_os(ctx: BuildContext) -> None:
    """virDomainDefOSValidate: firmware autoselection, loader and NVRAM combinations (the
    parser makes a loader definition for an <nvram> alone too, so either counts)."""
    os_ = ctx.domain.os
    loader = os_.loader
    firmware = os_.firmware
    fw_el = os_.elem.find("firmware") if os_.elem is not None else None
    feature_elems = fw_el.findall("feature") if fw_el is not None else []
    if not firmware and not ctx.abi_update:
        feature_elems = []  # the parser ignores them then (a migration compatibility kludge)
    features = {f.get("name"): f.yes("enabled") for f in feature_elems}
    nvram = os_.nvram
    has_loader = loader is not None or nvram is not None
    if firmware:
        if features.get("enrolled-keys") is True and features.get("secure-boot") is False:
            refuse(ErrorCode.XML_DETAIL, "firmware feature 'enrolled-keys' cannot be enabled "
                   "when firmware feature 'secure-boot' is disabled")
        if not has_loader:
            return
        if nvram is not None and firmware != "efi":
            refuse(ErrorCode.XML_DETAIL, f"firmware type '{firmware}' does not support nvram")
    else:
        if feature_elems:
            refuse(ErrorCode.XML_DETAIL, "cannot use feature-based firmware autoselection when "
                   "firmware autoselection is disabled")
        if not has_loader:
            return
        if loader is None or not (loader.text or "").strip():
            refuse(ErrorCode.XML_DETAIL,
                   "no loader path specified and firmware auto selection disabled")
    stateless = loader.get("stateless") if loader is not None else None
    if stateless == "yes":
        if nvram is not None and nvram.get("template") is not None:
            refuse(ErrorCode.XML_DETAIL,
                   "NVRAM template is not permitted when loader is stateless")
        if nvram is not None:
            refuse(ErrorCode.XML_DETAIL, "NVRAM is not permitted when loader is stateless")
    elif stateless == "no":
        if not firmware:
            if loader is None or loader.get("type") != "pflash":
                refuse(ErrorCode.XML_DETAIL, "Only pflash loader type permits NVRAM")
        elif firmware != "efi":
            refuse(ErrorCode.XML_DETAIL, "Only EFI firmware permits NVRAM")
    if os_.elem is not None and os_.elem.find("shim") is not None and not os_.kernel:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "shim only allowed with kernel option")


def _validate_cputune(ctx: BuildContext) -> None:
    """virDomainDefCputuneValidate: periods and quotas within the cgroup limits."""
    root = ctx.domain.root
    tune = root.find("cputune") if root is not None else None
    if tune is None:
        return
    for kind, (low, high) in (("period", _PERIOD_RANGE), ("quota", _QUOTA_RANGE)):
        for prefix in ("", "global_", "emulator_", "iothread_"):
            name = prefix + kind
            value = number(tune.findtext(name))
            if value is not None and value > 0 and not low <= value <= high:
                refuse(ErrorCode.CONFIG_UNSUPPORTED,
                       f"Value of cputune '{name}' must be in range [{low}, {high}]")


def _validate_boot(ctx: BuildContext) -> None:
    """virDomainDefBootValidate: the boot menu timeout and the BIOS reboot timeout."""
    menu = ctx.domain.os.bootmenu
    timeout = number(menu.get("timeout")) if menu is not None else None
    if timeout is not None and timeout > 65535:
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "invalid value for boot menu timeout, must be in range [0,65535]")
    bios = ctx.domain.os.bios
    delay = number(bios.get("rebootTimeout")) if bios is not None else None
    if delay is not None and not -1 <= delay <= 65535:
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "invalid value for rebootTimeout, must be in range [-1,65535]")


def _validate_videos(ctx: BuildContext) -> None:
    """virDomainDefVideoValidate: one primary video device."""
    videos = [v for v in ctx.domain.devices.items if isinstance(v, Video)]
    if sum(v.primary for v in videos) > 1:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "Only one primary video device is supported")


def _validate_blkiotune(ctx: BuildContext) -> None:
    """virDomainDefTunablesValidate: each blkio device path once."""
    root = ctx.domain.root
    tune = root.find("blkiotune") if root is not None else None
    seen: set[str] = set()
    for dev in tune.findall("device") if tune is not None else []:
        path = (dev.findtext("path") or "").strip()
        if path in seen:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"duplicate blkio device path '{path}'")
        seen.add(path)


def _validate_idmap(ctx: BuildContext) -> None:
    """virDomainDefIdMapValidate: container user and group maps come together and map root."""
    root = ctx.domain.root
    idmap = root.find("idmap") if root is not None else None
    if idmap is None:
        return
    uids, gids = idmap.findall("uid"), idmap.findall("gid")
    if bool(uids) != bool(gids):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "uid and gid should be mapped both")
    if (uids and number(uids[0].get("start")) != 0) or \
            (gids and number(gids[0].get("start")) != 0):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "You must map the root user of container")


def _check_thread_pool(e: Elem) -> None:
    low, high = number(e.get("thread_pool_min")), number(e.get("thread_pool_max"))
    if high == 0:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "thread_pool_max must be a positive integer")
    if low is not None and high is not None and low > high:
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "thread_pool_min must be smaller or equal to thread_pool_max")


def _validate_iothreads(ctx: BuildContext) -> None:
    """virDomainDefValidateIOThreads: thread pool bounds of each iothread."""
    ids = ctx.domain.iothreadids
    for thread in ids.findall("iothread") if ids is not None else []:
        _check_thread_pool(thread)
    root = ctx.domain.root
    default = root.find("defaultiothread") if root is not None else None
    if default is not None:
        _check_thread_pool(default)


_SNP_LENGTHS = (("guestVisibleWorkarounds", 16), ("idBlock", 96), ("idAuth", 4096),
                ("hostData", 32))


def _validate_launch_security(ctx: BuildContext) -> None:
    """virDomainDefLaunchSecurityValidate: SEV-SNP blobs decode to their fixed sizes."""
    sec = ctx.domain.launch_security
    if sec is None or sec.get("type") != "sev-snp":
        return
    import base64  # only for SEV-SNP launch security

    for tag, length in _SNP_LENGTHS:
        text = sec.findtext(tag)
        if text is None:
            continue
        try:
            decoded = base64.b64decode(text.strip(), validate=False)
        except (binascii.Error, ValueError):
            continue
        if len(decoded) != length:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"Unexpected length of '{tag}', expected "
                   f"{length} got {len(decoded)}")


def _validate_throttle_groups(ctx: BuildContext) -> None:
    groups = ctx.domain.throttlegroups
    for group in groups.findall("throttlegroup") if groups is not None else []:
        validate_iotune(group)


__all__ = ["validate_definition", "devices_in_libvirt_order"]
