"""PCI and drive address assignment, in libvirt's order.

Two passes like libvirt: user-given addresses and chipset built-ins are reserved first;
then the devices that still need a slot are counted, the root ports a q35 machine needs
are added (plus one spare for hotplug on a domain that defined none), and finally every
device gets the first free compatible slot, family by family in libvirt's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..context import BuildContext
from ..errors import TranslationError
from ..model import Controller, Device, Disk, DriveAddress, Elem, PciAddress
from ..model.devices import Interface, Memballoon, Sound, Video
from .aliases import disk_index

# models that are conventional PCI only (no PCIe interface)
PCI_ONLY_NET = {"rtl8139", "e1000", "pcnet", "ne2k_pci", "i82551", "i82557b", "i82559er"}
NON_PCI_NET = {"usb-net", "spapr-vlan", "smc91c111", "lan9118"}
PCI_ONLY_CONTROLLERS = {"lsilogic", "lsisas1068", "lsisas1078", "buslogic", "am53c974",
                        "dc390", "vmpvscsi", "ibmvscsi"}


@dataclass
class Bus:
    index: int
    model: str
    min_slot: int
    max_slot: int
    used: dict[int, set[int]] = field(default_factory=dict)  # slot -> functions

    def is_free(self, slot: int) -> bool:
        return slot not in self.used

    def reserve(self, slot: int, function: int) -> None:
        self.used.setdefault(slot, set()).add(function)

    def accepts(self, kind: str) -> bool:
        if self.model == "pcie-root":
            return kind in ("pcie-root-port", "integrated", "pcie-to-pci-bridge",
                            "dmi-to-pci-bridge")
        if self.model in ("pcie-root-port", "pcie-switch-downstream-port"):
            return kind in ("pcie", "pcie-to-pci-bridge", "pcie-switch-upstream-port")
        if self.model in ("pci-root", "pci-bridge", "pcie-to-pci-bridge"):
            return kind in ("pci", "pcie", "pci-bridge")
        return False


def assign_drive_addresses(ctx: BuildContext) -> None:
    for d in ctx.domain.devices.disks:
        if d.info.address is not None or d.bus not in ("ide", "sata", "scsi", "fdc"):
            continue
        idx = disk_index(d.dev)
        if d.bus == "ide":
            addr = DriveAddress(controller=idx // 4, bus=(idx % 4) // 2, unit=idx % 2)
        elif d.bus == "sata":
            addr = DriveAddress(controller=idx // 6, unit=idx % 6)
        elif d.bus == "fdc":
            addr = DriveAddress(controller=0, unit=idx % 2)
        else:
            addr = DriveAddress(controller=idx // 7, unit=idx % 7)
        d.info.address = addr


def pci_connection(dev: Device, ctx: BuildContext) -> str | None:
    """How a device plugs into PCI: 'pcie', 'pci', or None when it is not a PCI device."""
    if isinstance(dev, Disk):
        return "pcie" if dev.bus == "virtio" else None
    if isinstance(dev, Interface):
        model = dev.model or ("rtl8139" if not ctx.is_q35 else "e1000e")
        if dev.type == "hostdev" or model in NON_PCI_NET:
            return None
        return "pci" if model in PCI_ONLY_NET else "pcie"
    if isinstance(dev, Controller):
        if dev.type == "pci":
            return None
        if dev.type in ("ide", "fdc", "ccid", "xenbus", "isa"):
            return None
        if dev.type == "sata" and ctx.is_q35 and dev.index == 0:
            return None
        if dev.type == "usb":
            if dev.model in (None, "none", "qusb1", "qusb2") or (dev.model or "").startswith("usb-"):
                return None if dev.model in (None, "none", "qusb1", "qusb2") else None
            if dev.model in ("piix3-uhci", "piix4-uhci", "ich9-ehci1", "ich9-uhci1", "ich9-uhci2",
                             "ich9-uhci3", "vt82c686b-uhci", "pci-ohci"):
                return "pci"
            return "pcie"
        if dev.type == "scsi":
            return "pci" if dev.model in PCI_ONLY_CONTROLLERS else "pcie"
        return "pcie"
    if isinstance(dev, Sound):
        if dev.model in ("pcspk", "sb16", "usb"):
            return None
        return "pci"
    if isinstance(dev, Memballoon):
        return "pcie" if dev.model in ("virtio", "virtio-transitional",
                                       "virtio-non-transitional") else None
    if isinstance(dev, Video):
        if dev.model in ("none", "ramfb"):
            return None
        return "pci"
    fam = dev.family
    model = dev.elem.get("model")
    if fam == "rng":
        return "pcie" if (model or "virtio").startswith("virtio") else None
    if fam == "watchdog":
        return "pci" if model == "i6300esb" else None
    if fam == "filesystem":
        return "pcie" if dev.elem.get("type", "mount") == "mount" else None
    if fam == "shmem":
        return "pci"
    if fam == "input":
        return "pcie" if dev.elem.get("bus") == "virtio" else None
    if fam == "vsock":
        return "pcie"
    if fam == "hostdev":
        return "pcie" if dev.elem.get("type") == "pci" else None
    if fam == "iommu":
        return "pcie" if model == "virtio" else None
    if fam == "crypto":
        return "pcie"
    return None


_FAMILY_ORDER = ("filesystem", "net", "sound", "controller", "disk", "hostdev", "memballoon",
                 "rng", "watchdog", "video", "shmem", "input", "vsock", "iommu", "crypto")


class PciAllocator:
    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.buses: dict[int, Bus] = {}
        self.root_port_slot: int | None = None  # slot whose functions hold new root ports
        for c in ctx.domain.devices.controllers:
            if c.type == "pci":
                self.add_bus(c)

    def add_bus(self, c: Controller) -> Bus:
        model = c.model or ("pcie-root" if self.ctx.is_q35 else "pci-root")
        if model in ("pcie-root-port", "pcie-switch-downstream-port"):
            lo, hi = 0, 0
        elif model in ("pci-root", "pcie-root"):
            lo, hi = 1, 31
        else:
            lo, hi = (0 if model in ("pcie-switch-upstream-port",) else 1), 31
        bus = Bus(c.index, model, lo, hi)
        self.buses[c.index] = bus
        return bus

    def reserve(self, addr: PciAddress, owner: str) -> None:
        bus = self.buses.get(addr.bus)
        if bus is None:
            return
        if addr.function in bus.used.get(addr.slot, set()):
            raise TranslationError(
                f"Attempted double use of PCI Address {addr.domain:04x}:{addr.bus:02x}:"
                f"{addr.slot:02x}.{addr.function}")
        bus.reserve(addr.slot, addr.function)

    def find_free(self, kind: str) -> PciAddress | None:
        for idx in sorted(self.buses):
            bus = self.buses[idx]
            if not bus.accepts(kind):
                continue
            for slot in range(bus.min_slot, bus.max_slot + 1):
                if bus.is_free(slot):
                    return PciAddress(bus=idx, slot=slot)
        return None

    def take(self, kind: str) -> PciAddress | None:
        addr = self.find_free(kind)
        if addr is not None:
            self.buses[addr.bus].reserve(addr.slot, addr.function)
        return addr


def _ordered_pci_devices(ctx: BuildContext) -> list[Device]:
    devs = ctx.domain.devices.items
    out: list[Device] = []
    for fam in _FAMILY_ORDER:
        out.extend(d for d in devs if d.family == fam)
    return out


def assign_pci_addresses(ctx: BuildContext) -> None:
    if not ctx.is_x86:
        return
    devs = ctx.domain.devices
    alloc = PciAllocator(ctx)
    # user-given addresses first
    for d in devs.items:
        if isinstance(d.info.address, PciAddress):
            alloc.reserve(d.info.address, d.alias or d.family)
    # chipset built-ins
    if ctx.is_i440fx:
        root = alloc.buses.get(0)
        if root is not None:
            for fn in range(4):
                if fn not in root.used.get(1, set()):
                    root.reserve(1, fn)
        ide = devs.controller("ide", 0)
        if ide is not None and ide.info.address is None:
            ide.info.address = PciAddress(slot=1, function=1)
        usb = devs.controller("usb", 0)
        if usb is not None and usb.info.address is None and usb.model == "piix3-uhci":
            usb.info.address = PciAddress(slot=1, function=2)
    elif ctx.is_q35:
        root = alloc.buses.get(0)
        if root is not None:
            for fn in range(8):
                root.reserve(0x1F, fn)
        sata = devs.controller("sata", 0)
        if sata is not None and sata.info.address is None:
            sata.info.address = PciAddress(slot=0x1F, function=2)
    # primary video
    videos = [d for d in devs.items if isinstance(d, Video) and pci_connection(d, ctx)]
    if videos and videos[0].info.address is None:
        slot = 1 if ctx.is_q35 else 2
        root = alloc.buses.get(0)
        if root is not None and root.is_free(slot):
            root.reserve(slot, 0)
            videos[0].info.address = PciAddress(slot=slot)

    pending = [d for d in _ordered_pci_devices(ctx)
               if d.info.address is None and pci_connection(d, ctx) is not None]
    if ctx.is_q35:
        _add_root_ports(ctx, alloc, pending)
    for d in pending:
        kind = pci_connection(d, ctx) or "pci"
        if ctx.is_q35 and isinstance(d, Video):
            kind = "integrated"
        addr = alloc.take(kind)
        if addr is None and kind == "pcie":
            addr = alloc.take("integrated")
        if addr is None:
            raise TranslationError("No more available PCI slots")
        d.info.address = addr


def _add_root_ports(ctx: BuildContext, alloc: PciAllocator, pending: list[Device]) -> None:
    devs = ctx.domain.devices
    existing_ports = [c for c in devs.controllers if c.type == "pci" and c.index > 0]
    free_ports = sum(1 for b in alloc.buses.values()
                     if b.model == "pcie-root-port" and b.is_free(0))
    need = sum(1 for d in pending if pci_connection(d, ctx) == "pcie"
               and not isinstance(d, Video))
    missing = max(0, need - free_ports)
    if not existing_ports:
        missing += 1  # one spare port so the domain can hot-plug a device
    # give user-defined root ports without an address a slot first
    for c in existing_ports:
        if c.info.address is None and c.model == "pcie-root-port":
            c.info.address = _next_root_port_slot(alloc)
    next_index = max((c.index for c in devs.controllers if c.type == "pci"), default=0) + 1
    insert_at = _controller_insert_pos(ctx)
    for _ in range(missing):
        addr = _next_root_port_slot(alloc)
        c = Controller(elem=Elem("controller", {"type": "pci", "model": "pcie-root-port"},
                                 path="(implicit controller)"),
                       type="pci", index=next_index, model="pcie-root-port",
                       implicit="q35 devices are plugged into auto-added pcie-root-ports")
        c.info.address = addr
        c.info.alias = f"pci.{next_index}"
        devs.items.insert(insert_at, c)
        insert_at += 1
        alloc.add_bus(c)
        next_index += 1
    # multifunction is only claimed on a slot that really has several root ports
    ports = [c for c in devs.controllers if c.model == "pcie-root-port"
             and isinstance(c.info.address, PciAddress) and c.info.address.bus == 0]
    for c in ports:
        a = c.info.address
        assert isinstance(a, PciAddress)
        if a.function == 0 and a.multifunction and len(alloc.buses[0].used.get(a.slot, ())) < 2:
            a.multifunction = None


def _controller_insert_pos(ctx: BuildContext) -> int:
    items = ctx.domain.devices.items
    last = -1
    for i, d in enumerate(items):
        if isinstance(d, Controller) and d.type == "pci":
            last = i
    return last + 1 if last >= 0 else 0


def _next_root_port_slot(alloc: PciAllocator) -> PciAddress:
    """Root ports fill pcie.0 slot by slot, eight functions per slot."""
    root = alloc.buses[0]
    for slot in range(root.min_slot, root.max_slot + 1):
        used = root.used.get(slot)
        if used is None:
            root.reserve(slot, 0)
            alloc.root_port_slot = slot
            return PciAddress(bus=0, slot=slot, function=0, multifunction=True)
        if alloc.root_port_slot == slot and len(used) < 8:
            fn = max(used) + 1
            root.reserve(slot, fn)
            return PciAddress(bus=0, slot=slot, function=fn)
    raise TranslationError("No more available PCI slots")
