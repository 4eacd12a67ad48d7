"""s390x preparation: CCW device numbers, the s390 PCI bus (zPCI) and s390 defaults.

An s390-ccw-virtio guest has no PCI bus by default; its virtio devices sit on the
channel subsystem and get a CCW device number (`fe.0.0000` upward, libvirt's automatic
channel subsystem id 0xfe) unless the user gave one. Devices that are PCI anyway (PCI
hostdevs, USB controllers, devices written with a PCI address) go on the pci-root bus,
and each one also carries a zPCI identity (uid from 1, fid from 0).
"""

from __future__ import annotations

from ..arches import S390_ARCHES
from ..cmdline import Source
from ..context import BuildContext
from ..machines import is_s390_ccw
from ..model import Controller, Device, Disk, Elem, GenericAddress, PciAddress
from ..model.devices import Hostdev, Input, Interface, Memballoon, Video
from ..model.misc_devices import Vsock
from ..prepare import addresses as pci
from ..ccw import MAX_DEVNO, MAX_ZPCI_FID, MAX_ZPCI_UID, ccw_devno_string, ccw_key, \
    is_complete as _is_complete
from ..props import Props
from ..validate import allocation as alloc_errors
from ..validate.arch import check_ccw_addresses, check_zpci_ids
from . import s390_command as command
from .base import MachinePolicy

AUTO_CSSID = 0xFE

VIRTIO_NET_MODELS = frozenset({"virtio", "virtio-transitional", "virtio-non-transitional"})

# libvirt's device walk order (virDomainDeviceInfoIterate): it decides who gets the
# lower automatic device numbers
_WALK_ORDER = ("disk", "net", "sound", "hostdev", "video", "controller", "smartcard",
               "chardev", "input", "filesystem", "watchdog", "memballoon", "rng", "nvram",
               "hub", "shmem", "tpm", "panic", "memory", "redirdev", "vsock", "iommu",
               "crypto")


def is_s390(ctx: BuildContext) -> bool:
    return ctx.arch in S390_ARCHES


def walk(ctx: BuildContext) -> list[Device]:
    """Devices in libvirt's iteration order (per family, document order inside)."""
    items = ctx.domain.devices.items
    rank = {f: i for i, f in enumerate(_WALK_ORDER)}
    return sorted(items, key=lambda d: rank.get(d.family, len(rank)))


# --- CCW ------------------------------------------------------------------------------

def _ccw(dev: Device) -> GenericAddress | None:
    a = dev.info.address
    return a if isinstance(a, GenericAddress) and a.type == "ccw" else None


def _wants_ccw(ctx: BuildContext, dev: Device) -> bool:
    """Address-less devices libvirt puts on the channel subsystem (virtio ones, vfio-ccw)."""
    if isinstance(dev, Disk):
        return dev.bus == "virtio"
    if isinstance(dev, Interface):
        return (dev.model or "virtio") in VIRTIO_NET_MODELS and dev.type != "hostdev"
    if isinstance(dev, Video):
        return dev.model == "virtio"
    if isinstance(dev, Input):
        return dev.bus == "virtio"
    if isinstance(dev, Controller):
        return dev.type in ("virtio-serial", "scsi")
    if isinstance(dev, Hostdev):
        if dev.mode == "subsystem" and dev.type == "scsi_host":
            return True
        return dev.type == "mdev" and dev.model == "vfio-ccw" and ctx.has("vfio-ccw")
    if isinstance(dev, Memballoon):
        return dev.model != "none"
    if dev.family in ("rng", "crypto", "filesystem"):
        return True
    if isinstance(dev, Vsock) or dev.family == "vsock":
        return True
    if dev.family == "memory":
        return dev.elem.get("model") in ("virtio-pmem", "virtio-mem")
    return False


def assign_ccw_addresses(ctx: BuildContext) -> None:
    """Prime address-less CCW devices, reserve the given numbers, then number the rest."""
    for d in ctx.domain.devices.items:
        if d.info.address is None and _wants_ccw(ctx, d):
            d.info.address = GenericAddress("ccw", {})
        elif isinstance(d, Hostdev) and d.type == "mdev" and d.model == "vfio-ap":
            d.info.address = None  # an AP matrix device has no address at all
    used: set[tuple[int, int, int]] = set()
    for d in walk(ctx):
        a = _ccw(d)
        if a is None or not _is_complete(a):
            continue
        key = ccw_key(a)
        if key in used:
            raise alloc_errors.ccw_devno_in_use(ccw_devno_string(a))
        used.add(key)
    nxt = (AUTO_CSSID, 0, 0)
    for d in walk(ctx):
        a = _ccw(d)
        if a is None or _is_complete(a):
            continue
        while nxt in used:
            nxt = _increment(nxt)
        used.add(nxt)
        a.attrs.update(cssid=hex(nxt[0]), ssid=hex(nxt[1]), devno=f"0x{nxt[2]:04x}")


def _increment(addr: tuple[int, int, int]) -> tuple[int, int, int]:
    cssid, ssid, devno = addr
    if devno >= MAX_DEVNO:
        raise alloc_errors.no_free_ccw_devno()
    return cssid, ssid, devno + 1


# --- PCI and zPCI -----------------------------------------------------------------------

def _empty_pci(a: PciAddress) -> bool:
    """`<address type='pci'/>` (maybe with only <zpci>) asks libvirt to pick the slot."""
    return (a.domain, a.bus, a.slot, a.function) == (0, 0, 0, 0)


def assign_pci_addresses(ctx: BuildContext) -> None:
    """Slots on the s390 pci-root bus with the generic allocator, then zPCI ids."""
    devs = ctx.domain.devices.items
    pending_zpci: dict[int, tuple[int | None, int | None]] = {}
    explicit = [d for d in devs if isinstance(d.info.address, PciAddress)
                and not _empty_pci(d.info.address)]
    for d in devs:
        a = d.info.address
        if isinstance(a, PciAddress) and _empty_pci(a):
            pending_zpci[id(d)] = (a.zpci_uid, a.zpci_fid)
            d.info.address = None
    needs_pci = explicit or pending_zpci or any(
        d.info.address is None and pci.pci_connection(d, ctx) is not None for d in devs)
    if not needs_pci or ctx.domain.devices.controller("pci", 0) is None:
        return
    _place_pci(ctx)
    for d in ctx.domain.devices.items:
        ids = pending_zpci.get(id(d))
        if ids is not None and isinstance(d.info.address, PciAddress):
            d.info.address.zpci_uid, d.info.address.zpci_fid = ids
    _assign_zpci_ids(ctx)


def _piix3_function(d: Device) -> bool:
    """qemuDomainCollectPCIAddress leaves a PC's built-in functions unreserved: the first
    IDE controller at 00:01.1 and a default (PIIX3) first USB controller at 00:01.2."""
    a = d.info.address
    if not isinstance(d, Controller) or d.index != 0 or not isinstance(a, PciAddress) or \
            (a.domain, a.bus, a.slot) != (0, 0, 1):
        return False
    return (d.type == "ide" and a.function == 1) or \
        (d.type == "usb" and d.model in (None, "piix3-uhci") and a.function == 2)


def _place_pci(ctx: BuildContext) -> None:
    """The generic pci-root allocation (no chipset slots are reserved on s390)."""
    pci.fill_missing_buses(ctx)
    alloc = pci.PciAllocator(ctx)
    for d in ctx.domain.devices.items:
        if isinstance(d.info.address, PciAddress) and not _piix3_function(d):
            alloc.reserve(d.info.address, d.alias or d.family)
    if alloc.buses:
        pci.add_bridges_needed(ctx, alloc)
    pci.place_devices(ctx, alloc)
    pci.claim_multifunction(ctx, alloc.buses)


def _assign_zpci_ids(ctx: BuildContext) -> None:
    """Every PCI device gets a zPCI uid (from 1) and fid (from 0) not given elsewhere
    (qemuDomainAssignPCIAddressExtension): the ids written in the XML are reserved
    first, then the devices take the free ones in libvirt's iteration order (the dry run
    keeps none of the ids it hands out)."""
    on_pci = [d for d in walk(ctx) if isinstance(d.info.address, PciAddress)
              and not (isinstance(d, Controller) and d.type == "pci" and d.index == 0)]
    pci_addrs = [a for d in on_pci if isinstance(a := d.info.address, PciAddress)]
    uids = {a.zpci_uid for a in pci_addrs if a.zpci_uid is not None}
    fids = {a.zpci_fid for a in pci_addrs if a.zpci_fid is not None}
    for a in pci_addrs:
        if a.zpci_uid is None:
            a.zpci_uid = _first_free(uids, 1, MAX_ZPCI_UID, "uid")
        if a.zpci_fid is None:
            a.zpci_fid = _first_free(fids, 0, MAX_ZPCI_FID, "fid")


def _first_free(used: set[int], lo: int, hi: int, name: str) -> int:
    n = lo
    while n in used:
        if n == hi:
            raise alloc_errors.no_free_zpci_id(name)
        n += 1
    used.add(n)
    return n


# --- entry points ----------------------------------------------------------------------

def assign_addresses(ctx: BuildContext) -> None:
    """libvirt's s390 address pass: CCW numbers first, then PCI slots and zPCI ids."""
    check_zpci_ids(ctx)  # libvirt's parser checks, made here as before
    check_ccw_addresses(ctx)
    if is_s390_ccw(ctx):
        assign_ccw_addresses(ctx)
    assign_pci_addresses(ctx)


def add_implicit_controllers(ctx: BuildContext) -> None:
    """An s390-ccw-virtio machine whose QEMU has zPCI has a pci-root bus; SCSI
    controllers default to virtio-scsi (there is no LSI HBA on s390)."""
    devs = ctx.domain.devices
    if is_s390_ccw(ctx) and ctx.has("zpci") and devs.controller("pci", 0) is None:
        c = Controller(elem=Elem("controller", {"type": "pci", "index": "0",
                                                "model": "pci-root"},
                                 path="(implicit controller)"),
                       type="pci", index=0, model="pci-root",
                       implicit="s390-ccw-virtio machines with zPCI have a PCI root bus")
        devs.items.append(c)
    for c in devs.controllers:
        if c.type == "pci" and c.index == 0 and c.model is None:
            c.model = "pci-root"
        if c.type == "scsi" and c.model in (None, "auto"):
            c.model = ctx.policy.default_scsi_model(ctx)


class S390Policy(MachinePolicy):
    """s390x: the channel subsystem (CCW addresses, virtio-*-ccw), zPCI, virtio-scsi."""

    name = "s390"

    def add_implicit_controllers(self, ctx: BuildContext) -> None:
        add_implicit_controllers(ctx)

    def default_scsi_model(self, ctx: BuildContext) -> str:
        return "virtio-scsi"  # there is no LSI HBA on s390

    def default_video_model(self, ctx: BuildContext) -> str:
        return "virtio" if ctx.arch == "s390x" else super().default_video_model(ctx)

    def default_serial_target(self, ctx: BuildContext) -> str:
        return "sclp-serial" if ctx.arch == "s390x" else "isa-serial"

    def assign_addresses(self, ctx: BuildContext) -> None:
        assign_addresses(ctx)

    def default_panic_model(self, ctx: BuildContext) -> str | None:
        return "s390"

    def virtio_on_ccw(self, ctx: BuildContext) -> bool:
        return ctx.arch == "s390x"

    def machine_board_props(self, ctx: BuildContext) -> list[str]:
        return command.keywrap_machine_parts(ctx)

    def machine_tail_props(self, ctx: BuildContext) -> list[str]:
        return command.loadparm_machine_parts(ctx)

    def default_cpu(self, ctx: BuildContext) -> tuple[str | None, list[str]]:
        return command.s390_cpu(ctx)

    def adapt_device(self, ctx: BuildContext, dev: Device | None, props: Props) -> None:
        command.ccw_transport(dev, props)

    def companion_devices(self, ctx: BuildContext, dev: Device | None,
                          alias: str | None) -> list[tuple[Props, Source]]:
        return command.zpci_companion(ctx, dev, alias)


def policy_for(ctx: BuildContext) -> MachinePolicy:
    return S390Policy()
