"""PCI and drive address assignment, in libvirt's order.

Two passes like libvirt: user-given addresses and chipset built-ins are reserved first;
then the devices that still need a slot are counted, the root ports a q35 machine needs
are added (plus one spare for hotplug on a domain that defined none), and finally every
device gets the first free compatible slot, family by family in libvirt's order.

Branches (qemuDomainAssignPCIAddresses, domain_addr.c; [x] done, [ ] not):
- [x] connect flags per device (qemuDomainDeviceCalculatePCIConnectFlags): PCIe endpoints,
      conventional PCI (transitional virtio, crypto, shmem, ehci/uhci, sata, most NICs),
      integrated devices (virtio-iommu, pvpanic), virtio as PCIe only with modern virtio
- [x] chipset reservations (PIIX3 slot 1, IDE/USB functions; q35 0x1f, ICH9 USB 0x1d/0x1a,
      ICH9 audio 0x1b), primary video slot (2 on i440fx, 1 on q35) or the next free one
- [x] dry run growing buses in device order: root ports, pcie-to-pci-bridge behind its own
      root port (dmi-to-pci-bridge + pci-bridge without it), pci-bridges on pci-root,
      one spare hot-plug root port for new PCIe domains; controllers then placed by index
- [x] controllers in libvirt's list order (insertion by type and index, USB2 companions)
- [x] ICH9 USB2 companion groups sharing a slot, multifunction on function 0
- [x] isolation groups (pseries host devices on PHBs of their own): policy/ppc_addresses.py
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from typing import Protocol

from capsdb.records import dataclass

from ..context import BuildContext
from ..disk_names import disk_index, libvirt_disk_order
from ..model import Chardev, Controller, Device, Disk, DriveAddress, PciAddress
from ..model.devices import Hostdev, Interface, Memballoon, Sound, Video
from .controllers import ICH9_FUNCTION, assign_expander_bus_numbers
from .implicit import new_pci_controller, pci_controller_insert_pos
from ..spapr_vio import assign_spapr_vio_addresses
from ..validate import allocation as alloc_errors

# models that are conventional PCI only (no PCIe interface)
PCI_ONLY_NET = {"rtl8139", "e1000", "pcnet", "ne2k_pci", "i82551", "i82557b", "i82559er"}
NON_PCI_NET = {"usb-net", "spapr-vlan", "smc91c111", "lan9118"}
PCI_ONLY_CONTROLLERS = {"lsilogic", "lsisas1068", "lsisas1078", "buslogic", "am53c974",
                        "dc390", "vmpvscsi", "ibmvscsi"}


# what each kind of PCI bus accepts when libvirt picks an address, and its slot range
BUS_ACCEPTS: dict[str, tuple[frozenset[str], int, int]] = {
    "pci-root": (frozenset({"pci", "pci-bridge", "pci-expander-bus"}), 1, 31),
    "pcie-root": (frozenset({"pcie-root-port", "integrated", "dmi-to-pci-bridge",
                             "pcie-expander-bus"}), 1, 31),
    "pcie-root-port": (frozenset({"pcie", "pcie-to-pci-bridge", "pcie-switch-upstream-port"}),
                       0, 0),
    "pcie-switch-downstream-port": (frozenset({"pcie", "pcie-to-pci-bridge",
                                               "pcie-switch-upstream-port"}), 0, 0),
    "pcie-switch-upstream-port": (frozenset({"pcie-switch-downstream-port"}), 0, 31),
    # not hot-pluggable: only bridges are placed on it automatically
    "dmi-to-pci-bridge": (frozenset({"pci-bridge"}), 0, 31),
    "pci-bridge": (frozenset({"pci", "pci-bridge"}), 1, 31),
    "pcie-to-pci-bridge": (frozenset({"pci", "pci-bridge"}), 1, 31),
    "pci-expander-bus": (frozenset({"pci", "pci-bridge"}), 0, 31),
    "pcie-expander-bus": (frozenset({"pcie-root-port", "dmi-to-pci-bridge"}), 0, 31),
}


@dataclass
class Bus:
    """A PCI bus being filled: its slot range and the functions taken."""

    index: int
    model: str
    min_slot: int
    max_slot: int
    used: dict[int, set[int]] = field(default_factory=dict)  # slot -> functions
    # no slot below this one is free (slots are only ever taken while assigning)
    _first_free: int = field(default=-1, repr=False)

    def is_free(self, slot: int) -> bool:
        return slot not in self.used

    def first_free(self) -> int | None:
        """The lowest free slot, found without rescanning the slots already taken."""
        slot = max(self._first_free, self.min_slot)
        while slot <= self.max_slot and slot in self.used:
            slot += 1
        self._first_free = slot
        return slot if slot <= self.max_slot else None

    def reserve(self, slot: int, function: int) -> None:
        self.used.setdefault(slot, set()).add(function)

    def accepts(self, kind: str) -> bool:
        spec = BUS_ACCEPTS.get(self.model)
        return spec is not None and kind in spec[0]


def _sort_disks(ctx: BuildContext) -> None:
    """Reorder disks as libvirt's parser inserts them (grouped per bus, by target index);
    other devices keep their positions."""
    items = ctx.domain.devices.items
    slots = [i for i, dev in enumerate(items) if isinstance(dev, Disk)]
    ordered = libvirt_disk_order(d for d in items if isinstance(d, Disk))
    for i, d in zip(slots, ordered):
        items[i] = d


class _ControllerList:
    """libvirt's controller list while it is built (virDomainControllerInsertPreAlloced).

    A controller only ever goes next to those of its type (a new type at the end), so the
    list is one block per type in order of first appearance; inside a block an index-less
    one goes last, else it goes before the first later-indexed one (a master before its
    companions). Blocks still in index order take an append without a scan."""

    def __init__(self) -> None:
        self.blocks: dict[str, list[Controller]] = {}
        self.ascending: dict[str, bool] = {}

    def insert(self, c: Controller, index: int) -> None:
        block = self.blocks.setdefault(c.type, [])
        ascending = self.ascending.get(c.type, True)
        if index != -1 and ascending and (not block or block[-1].index < index):
            block.append(c)
            self.ascending[c.type] = True
            return
        block.insert(self._position(block, c, index), c)
        self.ascending[c.type] = index != -1 and all(
            a.index <= b.index for a, b in zip(block, block[1:]))

    @staticmethod
    def _position(block: list[Controller], c: Controller, index: int) -> int:
        if index == -1:
            return len(block)
        at = -1
        for i in range(len(block) - 1, -1, -1):
            cur = block[i]
            if cur.index > index:
                at = i
            elif c.master_startport is None and cur.master_startport is not None and \
                    cur.index == index:
                at = i  # a master goes before its companions
            elif at == -1:
                at = i + 1
        return len(block) if at == -1 else at

    def ordered(self) -> list[Controller]:
        return [c for block in self.blocks.values() for c in block]


def sort_controllers(ctx: BuildContext) -> None:
    """Reorder controllers as libvirt's list holds them: each parsed one, then each one
    libvirt adds, is inserted among those of its type by index (one without an index in
    the XML right after the last of its type); the other devices keep their positions."""
    items = ctx.domain.devices.items
    slots = [i for i, dev in enumerate(items) if isinstance(dev, Controller)]
    ctrls = [c for c in (items[i] for i in slots) if isinstance(c, Controller)]
    listing = _ControllerList()
    for c in ctrls:
        if not c.implicit:
            listing.insert(c, c.index if c.elem.get("index") is not None else -1)
    order = listing.ordered()
    # virDomainAssignControllerIndexes: once an index-less USB2 controller (not the first
    # controller) got its index, the whole list is inserted again, indexes known
    if any(c.elem.get("index") is None and c.type == "usb" and c.model in ICH9_FUNCTION
           for c in order[1:]):
        listing = _ControllerList()
        for c in order:
            listing.insert(c, c.index)
    for c in ctrls:
        if c.implicit:
            listing.insert(c, c.index)
    for i, ctrl in zip(slots, listing.ordered()):
        items[i] = ctrl


def assign_drive_addresses(ctx: BuildContext) -> None:
    _sort_disks(ctx)
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
    assign_hostdev_scsi_addresses(ctx)


# Units libvirt tries per SCSI controller when it picks a hostdev's address (a narrow
# bus: unit 7 is the HBA's own), and the highest unit some HBA models accept.
_SCSI_NARROW_UNITS = 7
_SCSI_MAX_UNIT = {"lsisas1068": 1}


def _scsi_drive_keys(ctx: BuildContext) -> set[tuple[int, int, int, int]]:
    """The (controller, bus, target, unit) of every SCSI disk and SCSI hostdev address."""
    used = set()
    for d in ctx.domain.devices.items:
        on_scsi = (isinstance(d, Disk) and d.bus == "scsi") or \
            (isinstance(d, Hostdev) and d.type == "scsi")
        a = d.info.address
        if on_scsi and isinstance(a, DriveAddress):
            used.add((a.controller, a.bus, a.target, a.unit))
    return used


def assign_hostdev_scsi_addresses(ctx: BuildContext) -> None:
    """A SCSI hostdev without an address takes the first free unit (bus 0, target 0) of
    the first SCSI controller index with room, whether that controller exists yet or not.

    A unit is taken when a SCSI disk or hostdev sits there (the addresses in use are
    collected once and kept up to date) or the controller's model lacks it."""
    used: set[tuple[int, int, int, int]] | None = None
    for h in ctx.domain.devices.items:
        if not isinstance(h, Hostdev) or h.type != "scsi" or h.mode != "subsystem" \
                or h.info.address is not None:
            continue
        if used is None:
            used = _scsi_drive_keys(ctx)
        controller = 0
        while True:
            ctrl = ctx.domain.devices.controller("scsi", controller)
            last = _SCSI_NARROW_UNITS - 1
            if ctrl is not None:
                last = min(last, _SCSI_MAX_UNIT.get(ctrl.model or "", last))
            unit = next((u for u in range(last + 1) if (controller, 0, 0, u) not in used),
                        None)
            if unit is not None:
                break
            controller += 1
        h.info.address = DriveAddress(controller=controller, unit=unit)
        used.add((controller, 0, 0, unit))


def pci_connection(dev: Device, ctx: BuildContext) -> str | None:
    """How a device plugs into PCI: 'pcie', 'pci', or None when it is not a PCI device.

    A machine without a PCIe root bus has no PCIe slots: its PCIe-capable devices are
    plain PCI devices there.
    """
    kind = device_connection(dev, ctx)
    if kind == "pcie" and not pcie_root(ctx):
        return "pci"
    return kind


def pcie_root(ctx: BuildContext) -> bool:
    """Whether the root bus is PCI Express (q35, ARM virt): devices go into root ports."""
    if ctx.is_q35:
        return True
    root = ctx.domain.devices.controller("pci", 0)
    return root is not None and root.model == "pcie-root"


_TRANSITIONAL = "virtio-transitional"
# USB controllers that are conventional PCI functions, and those that are no PCI device
_USB_PCI_MODELS = frozenset({None, "ehci", "ich9-ehci1", "ich9-uhci1", "ich9-uhci2",
                             "ich9-uhci3", "vt82c686b-uhci", "piix3-uhci", "piix4-uhci",
                             "pci-ohci"})
_USB_PCIE_MODELS = frozenset({"nec-xhci", "qemu-xhci"})


def _virtio(ctx: BuildContext, model: str | None) -> str:
    """A virtio device: conventional PCI when transitional (or QEMU has no PCIe virtio),
    else a PCIe endpoint (qemuDomainFillDevicePCIConnectFlagsIterInit's virtioFlags)."""
    if model == _TRANSITIONAL or not ctx.has("virtio-pci-non-transitional"):
        return "pci"
    return "pcie"


def device_connection(dev: Device, ctx: BuildContext) -> str | None:
    """qemuDomainDeviceCalculatePCIConnectFlags: 'pcie', 'pci' (conventional),
    'integrated' (root bus only) or None for a device without a PCI address."""
    elem_model = dev.elem.get("model")
    if isinstance(dev, Disk):
        return _virtio(ctx, elem_model) if dev.bus == "virtio" else None
    if isinstance(dev, Interface):
        model = dev.model or ("rtl8139" if ctx.is_x86 else "virtio")  # libvirt's default NIC
        if dev.type == "hostdev" or model == "usb-net":
            return None
        if model in ("virtio", "virtio-non-transitional", _TRANSITIONAL):
            return _virtio(ctx, model)
        if model in NON_PCI_NET:
            return None
        return "pcie" if model in ("e1000e", "igb") else "pci"
    if isinstance(dev, Controller):
        return _controller_connection(dev, ctx)
    if isinstance(dev, Sound):
        if dev.model == "virtio":
            return _virtio(ctx, None)
        return "pci" if dev.model in ("es1370", "ac97", "ich6", "ich9") else None
    if isinstance(dev, Memballoon):
        return _virtio(ctx, dev.model) if dev.model in ("virtio", "virtio-transitional",
                                                        "virtio-non-transitional") else None
    if isinstance(dev, Video):
        if dev.model in ("none", "ramfb", "gop", None):
            return None
        if dev.model == "virtio":
            return _virtio(ctx, None)
        return "pcie" if dev.model == "bochs" else "pci"
    fam = dev.family
    if fam == "rng":
        return _virtio(ctx, elem_model) if (elem_model or "virtio").startswith("virtio") \
            else None
    if fam == "watchdog":
        return "pci" if elem_model == "i6300esb" else None
    if fam == "filesystem":
        driver = dev.elem.attr_at("type", "driver")
        if driver in ("mtp", "loop", "nbd", "ploop"):
            return None
        return _virtio(ctx, elem_model)
    if fam == "shmem":
        return "pci"
    if fam == "input":
        return _virtio(ctx, elem_model) if dev.elem.get("bus") == "virtio" else None
    if fam == "vsock":
        return _virtio(ctx, elem_model)
    if fam == "memory":
        return _virtio(ctx, None) if elem_model in ("virtio-pmem", "virtio-mem") else None
    if fam == "hostdev":
        if not getattr(dev, "on_pci", dev.elem.get("type") == "pci"):
            return None
        if getattr(dev, "type", None) == "scsi_host":
            return _virtio(ctx, elem_model)
        return "pcie"
    if fam == "iommu":  # virtio-iommu must be an integrated device of the root bus
        return "integrated" if elem_model == "virtio" else None
    if fam == "crypto":
        return "pci"
    if isinstance(dev, Chardev) and dev.kind == "serial" and dev.target_type == "pci-serial":
        return "pci"
    if fam == "panic" and getattr(dev, "model", None) == "pvpanic":
        return "integrated" if pcie_root(ctx) else "pci"  # pvpanic-pci
    return None


def _controller_connection(c: Controller, ctx: BuildContext) -> str | None:
    if c.type in ("pci", "fdc", "ccid", "xenbus", "isa"):
        return None
    if c.type in ("ide", "sata"):
        # the chipset's own first IDE / SATA controller has its fixed slot
        return None if c.index == 0 and (c.type == "ide" or ctx.is_q35) else "pci"
    if c.type == "usb":
        if c.model in _USB_PCIE_MODELS:
            return "pcie"
        return "pci" if c.model in _USB_PCI_MODELS else None
    if c.type == "scsi":
        if c.model in ("ibmvscsi", "ncr53c90", None, "auto"):  # ibmvscsi: spapr-vio
            return None
        if c.model in ("virtio-scsi", "virtio-non-transitional", _TRANSITIONAL):
            return _virtio(ctx, c.model)
        return "pci"
    if c.type == "virtio-serial":
        return _virtio(ctx, c.model)
    return "pcie"


# qemuDomainAssignDevicePCISlots' order (PCI controllers come first, apart)
FAMILY_ORDER = ("filesystem", "net", "sound", "controller", "disk", "hostdev", "memballoon",
                 "rng", "watchdog", "video", "shmem", "input", "chardev", "iommu", "vsock",
                 "memory", "crypto", "panic")


class PciAllocator:
    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.buses: dict[int, Bus] = {}
        self.root_port_slots: set[int] = set()  # pcie.0 slots holding only root ports
        # dry run: a conventional PCI device that finds no slot gets a new pci-bridge
        self.grow = False
        # bus indexes in order, and per kind of device the position before which every
        # bus that takes it is full: each device costs a step, not a scan of all buses
        self._order: list[int] = []
        self._full_before: dict[str, int] = {}
        for c in ctx.domain.devices.controllers:
            if c.type == "pci":
                self.add_bus(c)

    def note_root_ports(self) -> None:
        """Remember the root bus slots whose functions are all root ports."""
        others: set[int] = set()
        ports: set[int] = set()
        for d in self.ctx.domain.devices.items:
            a = d.info.address
            if isinstance(a, PciAddress) and a.bus == 0:
                is_port = isinstance(d, Controller) and d.model == "pcie-root-port"
                (ports if is_port else others).add(a.slot)
        self.root_port_slots = ports - others

    def add_bus(self, c: Controller) -> Bus:
        model = c.model or ("pcie-root" if self.ctx.is_q35 else "pci-root")
        _, lo, hi = BUS_ACCEPTS.get(model, (frozenset(), 1, 31))
        bus = Bus(c.index, model, lo, hi)
        self.buses[c.index] = bus
        return bus

    def reserve(self, addr: PciAddress, owner: str) -> None:
        bus = self.buses.get(addr.bus)
        if bus is None:
            return
        if addr.function in bus.used.get(addr.slot, set()):
            raise alloc_errors.pci_address_in_use(addr)
        bus.reserve(addr.slot, addr.function)

    def reserve_given(self) -> None:
        """Reserve the addresses the user wrote (a serial console shares its port's)."""
        for d in self.ctx.domain.devices.items:
            if isinstance(d.info.address, PciAddress) and not _shares_serial(d):
                self.reserve(d.info.address, d.alias or d.family)

    def _bus_order(self) -> list[int]:
        if len(self._order) != len(self.buses):
            order = sorted(self.buses)
            if order[:len(self._order)] != self._order:
                self._full_before.clear()  # a bus came before others: look again
            self._order = order  # buses added after the others leave the places valid
        return self._order

    def find_free(self, kind: str) -> PciAddress | None:
        """The first free slot, in bus order, of a bus that takes a device of `kind`."""
        order = self._bus_order()
        for pos in range(self._full_before.get(kind, 0), len(order)):
            bus = self.buses[order[pos]]
            if not bus.accepts(kind):
                continue
            slot = bus.first_free()
            if slot is not None:
                self._full_before[kind] = pos
                return PciAddress(bus=order[pos], slot=slot)
        self._full_before[kind] = len(order)
        return None

    def clone(self) -> "PciAllocator":
        """An independent copy for libvirt's dry run (bus usage copied, ctx shared)."""
        other = PciAllocator.__new__(PciAllocator)
        other.ctx = self.ctx
        other.buses = {i: Bus(b.index, b.model, b.min_slot, b.max_slot,
                              {s: set(f) for s, f in b.used.items()})
                       for i, b in self.buses.items()}
        other.root_port_slots = set(self.root_port_slots)
        other.grow = self.grow
        other._order = []
        other._full_before = {}
        return other

    def add_bridge_bus(self) -> Bus:
        """Dry run: one more pci-bridge bus, numbered after the highest bus."""
        index = max(self.buses, default=0) + 1
        _, lo, hi = BUS_ACCEPTS["pci-bridge"]
        bus = Bus(index, "pci-bridge", lo, hi)
        self.buses[index] = bus
        return bus

    def take(self, kind: str) -> PciAddress | None:
        addr = self.find_free(kind)
        if addr is None and self.grow and kind == "pci" and not pcie_root(self.ctx):
            bus = self.add_bridge_bus()
            addr = PciAddress(bus=bus.index, slot=bus.min_slot)
        if addr is not None:
            self.buses[addr.bus].reserve(addr.slot, addr.function)
        return addr


_FAMILY_RANK = {fam: i for i, fam in enumerate(FAMILY_ORDER)}


def ordered_pci_devices(ctx: BuildContext) -> list[Device]:
    """The devices of FAMILY_ORDER's families, family by family, each in list order
    (one pass over the devices)."""
    groups: list[list[Device]] = [[] for _ in FAMILY_ORDER]
    for d in ctx.domain.devices.items:
        rank = _FAMILY_RANK.get(d.family)
        if rank is not None:
            groups[rank].append(d)
    return [d for group in groups for d in group]


def fill_missing_buses(ctx: BuildContext, up_to_addresses: bool | None = None) -> None:
    """A bus index used by a higher controller but never defined gets a default bridge.

    On a pci-root machine (and where the policy says so, `up_to_addresses`) a device
    address on a bus beyond the last controller also makes libvirt add buses up to it.
    """
    devs = ctx.domain.devices
    pci = {c.index for c in devs.controllers if c.type == "pci"}
    if not pci:
        return
    top = max(pci)
    if up_to_addresses is None:
        up_to_addresses = not pcie_root(ctx)
    if up_to_addresses:
        top = max([top + 1] + [d.info.address.bus + 1 for d in devs.items
                               if isinstance(d.info.address, PciAddress)])
    model = "pcie-root-port" if pcie_root(ctx) else "pci-bridge"
    for idx in range(1, top):
        if idx not in pci:
            new_pci_controller(ctx, idx, model,
                               "every PCI bus index below the highest one must exist")


def _shares_serial(d: Device) -> bool:
    """A serial console is the first serial port itself, with that port's address."""
    return isinstance(d, Chardev) and d.kind == "console" and d.target_type in (None, "serial")


def ich9_address(bus: int, slot: int, c: Controller) -> PciAddress:
    fn = ICH9_FUNCTION[c.model or ""]
    return PciAddress(bus=bus, slot=slot, function=fn, multifunction=True if fn == 0 else None)


def assign_pci_addresses(ctx: BuildContext) -> None:
    """The machine's address assignment (PCI, CCW, MMIO), then spapr-vio registers."""
    sort_controllers(ctx)
    ctx.policy.assign_addresses(ctx)
    assign_spapr_vio_addresses(ctx)


def forget_empty_pci_addresses(ctx: BuildContext) -> None:
    """`<address type='pci'/>` (all zeros, no zPCI ids) asks libvirt to pick the slot
    (virDeviceInfoPCIAddressIsWanted)."""
    for d in ctx.domain.devices.items:
        a = d.info.address
        if isinstance(a, PciAddress) and (a.domain, a.bus, a.slot, a.function) == (0, 0, 0, 0) \
                and a.zpci_uid is None and a.zpci_fid is None:
            d.info.address = None


def assign_pci_root_addresses(
        ctx: BuildContext,
        reserve_builtin: Callable[[BuildContext, PciAllocator], None] | None = None) -> None:
    """libvirt's PCI pass on a machine with a PCI (or q35's PCIe) root bus: the user's
    addresses first, then the machine's built-in functions (`reserve_builtin`), the
    bridges a pci-root machine needs, and every device in libvirt's family order."""
    forget_empty_pci_addresses(ctx)
    fill_missing_buses(ctx)
    alloc = PciAllocator(ctx)
    alloc.reserve_given()  # user-given addresses first
    alloc.note_root_ports()
    if reserve_builtin is not None:
        reserve_builtin(ctx, alloc)
    if not pcie_root(ctx) and alloc.buses:
        add_bridges_needed(ctx, alloc)
    place_devices(ctx, alloc)
    claim_multifunction(ctx, alloc.buses)
    assign_expander_bus_numbers(ctx)


def add_bridges_needed(ctx: BuildContext, alloc: PciAllocator) -> None:
    """libvirt's dry run on a pci-root machine: how many pci-bridges the devices need.

    One slot is kept free for a future bridge, every device is placed on a copy of
    the buses (a device finding no slot opens a new bridge bus), then each new bridge
    needs a slot of its own. The bridges found are added as controllers; the real
    pass then places them first.
    """
    dry = alloc.clone()
    dry.grow = True
    if any(b.accepts("pci") and any(b.is_free(s) for s in range(b.min_slot, b.max_slot + 1))
           for b in dry.buses.values()):
        dry.take("pci")  # the spare slot
    saved = [(d, d.info.address) for d in ctx.domain.devices.items]
    try:
        place_devices(ctx, dry)
    finally:
        for d, a in saved:
            d.info.address = a
    new = sorted(i for i in dry.buses if i not in alloc.buses)
    at = pci_controller_insert_pos(ctx)  # after the last PCI controller, one after another
    for index in new:
        if dry.take("pci-bridge") is None:
            raise alloc_errors.no_slot_for_controller("pci-bridge")
        c = new_pci_controller(ctx, index, "pci-bridge",
                               "libvirt adds a pci-bridge when the PCI slots run out", at)
        at += 1
        alloc.add_bus(c)


def place_devices(ctx: BuildContext, alloc: PciAllocator) -> None:
    """Give PCI controllers, then every other device family, their slots."""
    _assign_pci_controllers(ctx, alloc)
    # each device's kind of slot, worked out once: adding buses does not change it
    pending = [(d, kind) for d in ordered_pci_devices(ctx) if d.info.address is None
               for kind in (pci_connection(d, ctx),) if kind is not None]
    if pending and not alloc.buses:
        raise alloc_errors.no_pci_buses()
    if pcie_root(ctx):
        _add_root_ports(ctx, alloc, pending)
    for d, kind in pending:
        if d.info.address is not None:
            continue
        if isinstance(d, Controller) and d.type == "usb" and d.model in ICH9_FUNCTION:
            d.info.address = _ich9_group_address(ctx, alloc, d, kind)
            continue
        addr = alloc.take(kind)
        if addr is None and kind == "pcie":
            addr = alloc.take("integrated")
        if addr is None:
            raise alloc_errors.no_free_pci_slot()
        d.info.address = addr


def _ich9_group_address(ctx: BuildContext, alloc: PciAllocator, c: Controller,
                        kind: str) -> PciAddress:
    """ICH9 USB controllers of one index share a slot, one function per model."""
    for o in ctx.domain.devices.controllers:
        a = o.info.address
        if o is not c and o.type == "usb" and o.index == c.index and \
                o.model in ICH9_FUNCTION and isinstance(a, PciAddress):
            addr = ich9_address(a.bus, a.slot, c)
            alloc.reserve(addr, c.alias or "usb")
            return addr
    free = alloc.find_free(kind)
    if free is None:
        raise alloc_errors.no_free_pci_slot()
    addr = ich9_address(free.bus, free.slot, c)
    alloc.buses[addr.bus].reserve(addr.slot, addr.function)
    return addr


def _assign_pci_controllers(ctx: BuildContext, alloc: PciAllocator) -> None:
    """PCI controllers are placed first, in index order, each on a bus that takes it."""
    ctrls = sorted((c for c in ctx.domain.devices.controllers
                    if c.type == "pci" and c.index > 0 and c.info.address is None),
                   key=lambda c: c.index)
    for c in ctrls:
        model = c.model or ""
        if model == "pcie-root-port":
            addr = _next_root_port_slot(alloc)
            if addr is None:
                raise alloc_errors.no_slot_for_controller(model)
            c.info.address = addr
            continue
        root = alloc.buses.get(0)
        if model == "dmi-to-pci-bridge" and root is not None and root.is_free(0x1E):
            root.reserve(0x1E, 0)
            c.info.address = PciAddress(slot=0x1E)
            continue
        kind = "pci-bridge" if model == "pci-bridge" else model
        addr = alloc.take(kind)
        if addr is None and model == "pci-bridge" and pcie_root(ctx):
            addr = alloc.take("pci")
        if addr is None:
            raise alloc_errors.no_slot_for_controller(model)
        c.info.address = addr


class _SlotUse(Protocol):
    used: dict[int, set[int]]  # slot -> functions taken


def claim_multifunction(ctx: BuildContext, buses: Mapping[int, _SlotUse]) -> None:
    """Function 0 of a slot that holds several functions is marked multifunction, also
    when the other function is a device libvirt left unreserved (virDomainPCIAddressSetAllMulti
    looks at the devices' addresses)."""
    shared = {(a.domain, a.bus, a.slot) for d in ctx.domain.devices.items
              if isinstance(a := d.info.address, PciAddress) and a.function != 0}
    for d in ctx.domain.devices.items:
        a = d.info.address
        if not isinstance(a, PciAddress) or a.function != 0 or a.multifunction is not None:
            continue
        bus = buses.get(a.bus)
        if (bus is not None and len(bus.used.get(a.slot, ())) > 1) or \
                (a.domain, a.bus, a.slot) in shared:
            a.multifunction = True


def _dry_run_growth(ctx: BuildContext, alloc: PciAllocator,
                    pending: list[tuple[Device, str]]) -> list[str]:
    """libvirt's first pass on a PCIe root machine: the models of the buses it adds, in the
    order the devices (in placement order) ran out of slots.

    A PCIe endpoint without a free root port adds one; a conventional one adds a
    pci-bridge when some bus takes one, else a root port (kept for the bridge) and a
    pcie-to-pci-bridge (or, without that QEMU device, a dmi-to-pci-bridge and a
    pci-bridge). A new domain that had to grow keeps one root port free for hot-plug.
    """
    dry = alloc.clone()
    added: list[str] = []

    def new_bus(model: str) -> Bus:
        index = max(dry.buses, default=0) + 1
        _, lo, hi = BUS_ACCEPTS[model]
        dry.buses[index] = bus = Bus(index, model, lo, hi)
        added.append(model)
        return bus

    def take(kind: str) -> None:
        if dry.take(kind) is not None:
            return
        if kind == "pcie":
            new_bus("pcie-root-port").reserve(0, 0)
        elif kind == "pci":
            if any(b.accepts("pci-bridge") for b in dry.buses.values()):
                bridge = new_bus("pci-bridge")
            elif ctx.has("pcie-pci-bridge"):
                new_bus("pcie-root-port").reserve(0, 0)  # held for the bridge
                bridge = new_bus("pcie-to-pci-bridge")
            else:
                new_bus("dmi-to-pci-bridge")
                bridge = new_bus("pci-bridge")
            bridge.reserve(bridge.min_slot, 0)

    ich9_groups: set[int] = set()
    for d, kind in pending:
        if isinstance(d, Controller) and d.type == "usb" and d.model in ICH9_FUNCTION:
            if d.index in ich9_groups:
                continue
            ich9_groups.add(d.index)
        take(kind)
    max_idx = max((c.index for c in ctx.domain.devices.controllers if c.type == "pci"),
                  default=-1)
    if max_idx <= 0 and added:
        take("pcie")
    return added


def _add_root_ports(ctx: BuildContext, alloc: PciAllocator,
                    pending: list[tuple[Device, str]]) -> None:
    """Add the controllers libvirt's dry run found missing, numbered in the order it added
    them; they get their slots in the real pass, PCI controllers first by index."""
    devs = ctx.domain.devices
    next_index = max((c.index for c in devs.controllers if c.type == "pci"), default=0) + 1
    at = pci_controller_insert_pos(ctx)  # after every existing PCI controller
    for offset, model in enumerate(_dry_run_growth(ctx, alloc, pending)):
        c = new_pci_controller(ctx, next_index + offset, model,
                               IMPLICIT_REASON.get(model, f"libvirt adds a {model}"),
                               at + offset)
        alloc.add_bus(c)
    _assign_pci_controllers(ctx, alloc)


IMPLICIT_REASON = {
    "pcie-root-port": "q35 devices are plugged into auto-added pcie-root-ports",
    "pcie-to-pci-bridge": "conventional PCI devices on q35 need a pcie-to-pci-bridge",
}


def _next_root_port_slot(alloc: PciAllocator) -> PciAddress | None:
    """Root ports share slots: the first slot that is empty or holds only root ports of a
    root bus that takes them (a pci-root takes none); None when there is none."""
    root = alloc.buses[0]
    slots = range(root.min_slot, root.max_slot + 1) if root.accepts("pcie-root-port") else ()
    for slot in slots:
        used = root.used.get(slot)
        if used is None:
            root.reserve(slot, 0)
            alloc.root_port_slots.add(slot)
            return PciAddress(bus=0, slot=slot, function=0)
        if slot in alloc.root_port_slots and len(used) < 8:
            fn = min(f for f in range(8) if f not in used)
            root.reserve(slot, fn)
            return PciAddress(bus=0, slot=slot, function=fn)
    return None
