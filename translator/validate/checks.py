"""libvirt's refusals: the checks that make it reject a domain, with its own messages.

libvirt checks a domain in two moments, and so does this module:

* `validate_parsed` - what libvirt's XML parser itself rejects (bad values, elements that
  contradict each other); it runs before any default is filled in, so that these win over
  anything the later steps would complain about.
* `validate` - libvirt's validation of the completed definition (domain_validate.c and
  qemu_validate.c) and the checks the QEMU driver makes while preparing to start; it runs
  once the implicit devices, aliases and drive addresses are known.

Each rule is a small function that raises `TranslationError` with libvirt's message
template filled from the domain; the rules are grouped by area in libvirt's order.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator

from ..disk_names import disk_name_index, libvirt_disk_order
from ..usb import HUB_PORTS, MAX_PORT_DEPTH, controller_ports
from ..context import BuildContext
from ..errors import ErrorCode, TranslationError, UnsupportedConfigError, refuse
from ..model import Domain
from ..model.address import DriveAddress, PciAddress
from ..model.device import Device
from ..model.devices import Disk, Hostdev
from ..model.elem import Elem
from ..model.sizes import SYSTEM_PAGE_KIB
from ..namespace import known_capability
from ..spice_ports import spice_autoport_needs
from . import allocation, cpu, net, numa_conf, qemu_def, qemu_namespace
from .conf.bitmap import parse_bitmap
from .domain_validate import validate_definition
from .storage_source import validate_chain_depths
from .storage_source_conf import check_storage_parse
from .parse_extra import check_launch_security, check_override_values, check_sysinfo
from .qemu_hostdev import check_hostdev_parse, check_mdev_address

# libvirt's ceiling for any memory size, in KiB (VIR_DOMAIN_MEMORY_PARAM_UNLIMITED)
MEMORY_LIMIT_KIB = (1 << 53) - 1

Rule = Callable[[BuildContext], None]


def _unsupported(msg: str) -> UnsupportedConfigError:
    return UnsupportedConfigError(ErrorCode.CONFIG_UNSUPPORTED, msg)


def _root(ctx: BuildContext) -> Elem:
    return ctx.domain.root or Elem(tag="domain")


# -- small parsers ------------------------------------------------------------------------

# patterns compiled on first use (re caches them): few domains have what they check
_WWN = r"(0x)?[0-9a-fA-F]{16}"


def _digits(text: str) -> bool:
    """[0-9]+: one or more ASCII digits."""
    return text.isascii() and text.isdigit()


def _bitmap(text: str) -> set[int]:
    return parse_bitmap(text)


_SCALE = {"b": 1, "bytes": 1, "k": 1024, "kib": 1024, "kb": 1000, "m": 1024**2,
          "mib": 1024**2, "mb": 1000**2, "g": 1024**3, "gib": 1024**3, "gb": 1000**3,
          "t": 1024**4, "tib": 1024**4, "tb": 1000**4}


def _numa_cells(domain: Domain) -> list[Elem]:
    numa = domain.cpu.find("numa") if domain.cpu is not None else None
    return numa.findall("cell") if numa is not None else []


def _explicit_address(e: Elem) -> Elem | None:
    return e.find("address")


# -- parse-time checks --------------------------------------------------------------------

def check_loadparm(ctx: BuildContext) -> None:
    """<boot loadparm=...>: up to 8 characters of [A-Za-z0-9.] and blanks (uppercased)."""
    for dev in ctx.domain.devices.items:
        boot = dev.elem.find("boot")
        value = boot.get("loadparm") if boot is not None else None
        if value is None:
            continue
        upper = value.upper()
        if not 1 <= len(upper) <= 8:
            raise TranslationError(
                ErrorCode.INTERNAL_ERROR, f"loadparm value '{upper}' must be between 1 and 8 characters")
        if not re.fullmatch(r"[A-Z0-9. ]+", upper):
            raise TranslationError(
                ErrorCode.INTERNAL_ERROR, f"invalid loadparm value '{upper}', expecting chars in set of "
                "[a-zA-Z0-9.] and blank spaces")


def check_vcpu_cpuset(ctx: BuildContext) -> None:
    if ctx.domain.vcpu.cpuset is not None:
        _bitmap(ctx.domain.vcpu.cpuset)


def check_cputune(ctx: BuildContext) -> None:
    tune = _root(ctx).find("cputune")
    if tune is None:
        return
    _no_overlap(tune.findall("vcpusched"), "vcpusched", "vcpus")
    ids = _iothread_ids(ctx.domain)
    for sched in tune.findall("iothreadsched"):
        for tid in sorted(_bitmap(sched.get("iothreads") or "")):
            if tid not in ids:
                raise _unsupported(f"Cannot find 'iothread' : {tid}")
    _no_overlap(tune.findall("iothreadsched"), "iothreadsched", "iothreads")


def _no_overlap(scheds: list[Elem], tag: str, attr: str) -> None:
    seen: set[int] = set()
    for s in scheds:
        ids = _bitmap(s.get(attr) or "")
        if ids & seen:
            refuse(ErrorCode.XML_DETAIL, f"'{tag}' attributes '{attr}' must not overlap")
        seen |= ids


def _iothread_ids(domain: Domain) -> set[int]:
    if domain.iothreadids is not None:
        ids = {int(e.get("id", "0") or 0) for e in domain.iothreadids.findall("iothread")}
        return ids | set(range(1, domain.iothreads - len(ids) + 1)) if domain.iothreads > len(ids) \
            else ids
    return set(range(1, domain.iothreads + 1))


def check_disk_parse(ctx: BuildContext) -> None:
    """Per-disk facts libvirt's parser checks: VPD lengths, a single auth/encryption."""
    for d in ctx.domain.devices.disks:
        _check_iotune(d.elem.find("iotune"))
        if d.wwn is not None and not re.fullmatch(_WWN, d.wwn):
            raise TranslationError(ErrorCode.XML_ERROR, f"Malformed wwn: {d.wwn}")
        src = d.source
        if src is None:
            continue
        for what in ("auth", "encryption"):
            if d.elem.find(what) is not None and src.find(what) is not None:
                raise _unsupported(f"an <{what}> definition already found for disk source")


def _descendants(e: Elem, tag: str) -> Iterator[Elem]:
    for child in e.children:
        if child.tag == tag:
            yield child
        yield from _descendants(child, tag)


def _check_iotune(e: Elem | None) -> None:
    """A disk's <iotune> limits are unsigned numbers (its group name aside)."""
    for field in e.children if e is not None else ():
        if field.tag not in ("group_name", "group") and field.text is not None and \
                not _digits(field.text.strip()):
            raise TranslationError(ErrorCode.XML_ERROR, f"disk iotune field '{field.tag}' must be an integer")


def check_usb_port_syntax(ctx: BuildContext) -> None:
    """A USB port path is at most four dot-separated numbers."""
    for dev in ctx.domain.devices.items:
        addr = _explicit_address(dev.elem)
        if addr is None or addr.get("type") != "usb" or addr.get("port") is None:
            continue
        parts = addr.get("port", "").split(".")
        if len(parts) > MAX_PORT_DEPTH or not all(_digits(p) for p in parts):
            raise TranslationError(ErrorCode.INTERNAL_ERROR, "Cannot parse <address> 'port' attribute")


_VIRTIO_SCSI_MODELS = (None, "virtio-scsi", "virtio-transitional", "virtio-non-transitional")


def check_controller_iothread(ctx: BuildContext) -> None:
    """Only a virtio-scsi controller runs in an iothread."""
    for c in ctx.domain.devices.controllers:
        if c.driver is None or c.driver.get("iothread") is None:
            continue
        if c.type != "scsi" or c.model not in _VIRTIO_SCSI_MODELS:
            raise TranslationError(ErrorCode.XML_ERROR, "'iothread' attribute only supported for virtio scsi "
                                   "controllers")


def check_machine_max_vcpus(ctx: BuildContext) -> None:
    """The machine type's CPU limit, checked early so no step iterates a huge vCPU count
    (before defaults: a domain without a machine type gets the binary's default)."""
    virt, name = ctx.domain.virt_type, ctx.domain.os.machine
    machine = ctx.caps.find_machine(name, virt) if name else ctx.caps.default_machine(virt)
    qemu_def.check_machine_max_vcpus(ctx, machine)


def check_memory_device_parse(ctx: BuildContext) -> None:
    """A memory device's guest node is a number and its host nodemask a bitmap."""
    for dev in ctx.domain.devices.of("memory"):
        mask = dev.elem.at("source", "nodemask")
        if mask is not None and mask.text is not None:
            _bitmap(mask.text)


def check_pci_controller_index(ctx: BuildContext) -> None:
    """PCI buses are numbered 0..255; checked early so that no step adds buses up to it."""
    for c in ctx.domain.devices.controllers:
        if c.type == "pci" and c.index > 255:
            raise _unsupported(f"PCI controller index {c.index} too high, maximum is 255")


def check_shmem_parse(ctx: BuildContext) -> None:
    for dev in ctx.domain.devices.of("shmem"):
        if dev.elem.find("msi") is not None and dev.elem.find("server") is None:
            raise TranslationError(ErrorCode.XML_ERROR, "msi option is only supported with a server")


PARSE_RULES: tuple[Rule, ...] = (
    check_vcpu_cpuset, check_cputune, *cpu.PARSE_RULES, numa_conf.check_numatune_parse,
    check_disk_parse, check_storage_parse,
    check_loadparm, check_usb_port_syntax,
    check_controller_iothread, check_shmem_parse, check_pci_controller_index,
    check_machine_max_vcpus, check_memory_device_parse,
    check_hostdev_parse, check_sysinfo,
    check_launch_security, check_override_values, check_mdev_address,
    net.check_bandwidth_floor,
)


# -- domain-wide validation ---------------------------------------------------------------

def check_memory(ctx: BuildContext) -> None:
    d = ctx.domain
    cells = _numa_cells(d)
    for pos, cell in enumerate(cells):
        kib = _kib(cell)
        if kib is not None and -(-kib // 1024) * 1024 > MEMORY_LIMIT_KIB:
            raise _unsupported(f"memory size of NUMA node '{pos}' overflowed after alignment")


def _kib(cell: Elem) -> int | None:
    mem = cell.get("memory")
    if mem is None:
        return None
    scale = _SCALE.get((cell.get("unit") or "KiB").lower(), 1024)
    return -(-int(mem) * scale // 1024)


# the host's base page size: asking for it means no huge pages at all


def check_hugetlbfs_mounts(ctx: BuildContext) -> None:
    """Every huge page size asked for needs a hugetlbfs mount of that size on the host."""
    backing = ctx.domain.memory_backing
    huge = backing.find("hugepages") if backing is not None else None
    mounted = {size for size, _ in ctx.host.hugepage_mounts}
    for page in huge.findall("page") if huge is not None else []:
        kib = _page_kib(page)
        if kib != SYSTEM_PAGE_KIB and kib not in mounted:
            raise TranslationError(ErrorCode.INTERNAL_ERROR, f"Unable to find any usable hugetlbfs mount for "
                                   f"{kib} KiB")


def _page_kib(page: Elem) -> int:
    scale = _SCALE.get((page.get("unit") or "KiB").lower(), 1024)
    return int(page.get("size", "0") or 0) * scale // 1024




def check_host_numa_nodes(ctx: BuildContext) -> None:
    """<numatune> may only name the host's NUMA nodes (when the profile knows them)."""
    nodes = ctx.host.host_numa_nodes
    tune = ctx.domain.numatune
    if nodes is None or tune is None:
        return
    mem = tune.find("memory")
    auto = mem is not None and mem.get("placement") == "auto"
    for e in [None if auto else mem, *tune.findall("memnode")]:
        nodeset = e.get("nodeset") if e is not None else None
        for node in sorted(_bitmap(nodeset)) if nodeset else []:
            if node >= nodes:
                raise _unsupported(f"NUMA node {node} is unavailable")


DOMAIN_RULES: tuple[Rule, ...] = (
    check_memory,
)


# -- devices ------------------------------------------------------------------------------

_DRIVE_BUSES = ("ide", "fdc", "scsi", "sata")
_UNSUPPORTED_FORMATS = {
    "cow": "'cow' storage format is not supported",
    "dir": "'directory' storage format is not directly supported by QEMU, use 'dir' disk type "
           "instead",
    "iso": "storage format 'iso' is not directly supported by QEMU, use 'raw' instead",
}


def check_disk_targets(ctx: BuildContext) -> None:
    """virDomainDiskDefAssignAddress (post-parse): a disk without an address needs a target
    name that gives its index."""
    for d in ctx.domain.devices.disks:
        if d.dev and _explicit_address(d.elem) is None and disk_name_index(d.dev) is None:
            raise TranslationError(ErrorCode.XML_ERROR, f"Unknown disk name '{d.dev}' and no address specified")


def _disk_source(d: Disk) -> str:
    src = d.source
    if src is None:
        return "<null>"
    for attr in ("file", "dev", "dir", "name", "volume"):
        if src.get(attr):
            return src.get(attr) or ""
    return "<null>"


def check_disk_source(ctx: BuildContext) -> None:
    """qemuBlockStorageSourceGetISCSIProps: an iSCSI source has one host (the other source
    refusals are the storage source validation's, validate/storage_source.py)."""
    for d in ctx.domain.devices.disks:
        src = d.source
        if d.type == "network" and src is not None and src.get("protocol") == "iscsi" \
                and len(src.findall("host")) != 1:
            raise TranslationError(ErrorCode.INTERNAL_ERROR, "iSCSI protocol accepts only one host")


def check_drive_address_conflicts(ctx: BuildContext) -> None:
    """A disk's drive address may not be a SCSI host device's (virDomainDiskDefAssignAddress)."""
    devs = ctx.domain.devices
    disks = [d for d in devs.disks if isinstance(d.info.address, DriveAddress)]
    scsi_hostdevs = [h for h in devs.items if isinstance(h, Hostdev) and h.type == "scsi"
                     and isinstance(h.info.address, DriveAddress)]
    for a in disks:
        for h in scsi_hostdevs if a.bus == "scsi" else []:
            if _key(h) == _key(a):
                raise _unsupported(f"using disk target name '{a.dev}' conflicts with SCSI host "
                                   f"device address {_drive_text(h.info.address)[:-1]}")


def _key(dev: Disk | Hostdev) -> tuple[int, int, int, int]:
    a = dev.info.address
    assert isinstance(a, DriveAddress)
    return (a.controller, a.bus, a.target, a.unit)


def _drive_text(a: object) -> str:
    assert isinstance(a, DriveAddress)
    return f"controller='{a.controller}' bus='{a.bus}' target='{a.target}' unit='{a.unit}'"




def check_spice_tls_allocation(ctx: BuildContext) -> None:
    """qemuProcessSPICEAllocatePorts: a real start allocates the TLS port an autoport
    display needs, which qemu.conf's spice_tls must allow (pretend mode does not check)."""
    if not ctx.host.allocates_display_ports:
        return
    conf = ctx.host.qemu_conf
    for g in ctx.domain.devices.of("graphics"):
        e = g.elem
        listen = e.find("listen")
        kind = (listen.get("type") or "address") if listen is not None else "address"
        if e.get("type") != "spice" or kind not in ("address", "network"):
            continue
        _, need_tls = spice_autoport_needs(e, conf)
        tls_port = _int_or_zero(e.get("tlsPort"))
        if (need_tls or tls_port == -1) and not conf.spice_tls_for(tls_port):
            raise _unsupported("Auto allocation of spice TLS port requested but spice TLS is "
                               "disabled in qemu.conf")


def _int_or_zero(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def check_iommu(ctx: BuildContext) -> None:
    for dev in ctx.domain.devices.of("iommu"):
        if (dev.elem.get("model") or "intel") != "virtio":
            continue
        addr = _explicit_address(dev.elem)
        a = dev.info.address
        if isinstance(a, PciAddress) and addr is not None and a.bus != 0:
            raise TranslationError(ErrorCode.XML_ERROR, f"The device at PCI address {_pci_text(a)} needs to be "
                                   "an integrated device (bus=0)")


def _pci_text(a: PciAddress) -> str:
    return f"{a.domain:04x}:{a.bus:02x}:{a.slot:02x}.{a.function:x}"


# Controllers that can only be plugged into a root bus (what each one requires).
_ROOT_ONLY = {"pci-expander-bus": "pci-root", "pcie-expander-bus": "pcie-root",
              "dmi-to-pci-bridge": "pcie-root"}


def check_controller_placement(ctx: BuildContext) -> None:
    """Expander buses and the DMI bridge plug into the root bus only."""
    devs = ctx.domain.devices
    for c in devs.controllers:
        a = c.info.address
        if c.model not in _ROOT_ONLY or not isinstance(a, PciAddress) or a.bus == 0:
            continue
        parent = devs.controller("pci", a.bus)
        if parent is not None and parent.model != _ROOT_ONLY[c.model]:
            raise TranslationError(
                ErrorCode.XML_ERROR, f"The device at PCI address {_pci_text(a)} cannot be plugged into the PCI "
                f"controller with index='{a.bus}'. It requires a controller that accepts a "
                f"{c.model}.")




def check_usb_addresses(ctx: BuildContext) -> None:
    """Explicit USB addresses need their bus, every hub on the path and a port in range."""
    devs = ctx.domain.devices
    # companion controllers (<master startport>) share their master's bus and ports
    buses = {c.index: c for c in devs.controllers if c.type == "usb" and c.model != "none"
             and c.master_startport is None}
    hubs: dict[tuple[int, tuple[int, ...]], int] = {}
    for dev in sorted(_usb_addressed(devs.items), key=lambda d: d.family != "hub"):
        addr = _explicit_address(dev.elem)
        assert addr is not None
        bus = int(addr.get("bus", "0") or 0)
        ctrl = buses.get(bus)
        if ctrl is None:
            raise allocation.usb_bus_without_controller(bus)
        port = addr.get("port")
        if not port:
            continue
        path = tuple(int(p) for p in port.split("."))
        for depth in range(1, len(path)):
            if (bus, path[:depth]) not in hubs:
                raise allocation.no_usb_hub_at(path[depth - 1], bus, port)
        limit = hubs[(bus, path[:-1])] if len(path) > 1 else controller_ports(ctrl)
        if limit is not None and path[-1] > limit:
            raise allocation.usb_port_not_present(port, bus)
        if dev.family == "hub":
            hubs[(bus, path)] = HUB_PORTS


def _usb_addressed(items: Iterable[Device]) -> Iterator[Device]:
    for dev in items:
        addr = _explicit_address(dev.elem)
        if addr is not None and addr.get("type") == "usb":
            yield dev


# generic per-device checks still written domain-wide (virDomainDeviceDefValidate, address
# assignment): libvirt runs them for each device before the driver's
DEVICE_RULES: tuple[Rule, ...] = (
    check_disk_targets, check_disk_source, check_controller_placement,
    check_iommu, check_usb_addresses,
)
# what is checked once every device passed the per-device checks
LATE_DEVICE_RULES: tuple[Rule, ...] = (check_drive_address_conflicts, check_spice_tls_allocation)

# what the QEMU driver refuses after validation, while preparing the host and building the
# command line (qemuBuildNumaCommandLine's host nodes, qemuGetDomainHupageMemPath)
PREPARE_RULES: tuple[Rule, ...] = (check_host_numa_nodes, check_hugetlbfs_mounts)


def validate_parsed(ctx: BuildContext) -> None:
    """What libvirt's XML parser refuses, before any default is filled in."""
    for rule in PARSE_RULES:
        rule(ctx)


def validate(ctx: BuildContext) -> None:
    """libvirt's validation of the completed definition (before PCI addresses are assigned:
    the checks here read user-given PCI addresses only)."""
    validate_definition(ctx, DOMAIN_RULES, DEVICE_RULES, LATE_DEVICE_RULES)
    qemu_namespace.check_capability_names(
        [t.name for t in (*ctx.domain.qemu.caps_add, *ctx.domain.qemu.caps_del)],
        known_capability)  # qemuProcessPrepareQEMUCaps, when the process is prepared
    for rule in (*cpu.START_RULES, validate_chain_depths, *PREPARE_RULES):
        rule(ctx)


__all__ = ["validate_parsed", "validate", "parse_bitmap", "disk_name_index",
           "libvirt_disk_order"]
