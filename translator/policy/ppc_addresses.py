"""PowerPC PCI addresses: pseries PCI host bridges (PHBs) and isolation groups.

Every `pci-root` controller of a pseries guest is a PHB with a `target index`; libvirt
adds PHBs (not pci-bridges) when slots run out, and keeps host devices apart from the
emulated ones (qemuDomainSetupIsolationGroups):

- a PCI host device's isolation group is its host IOMMU group plus one (a host fact,
  HostProfile.iommu_groups); every other device is in group 0;
- a bus takes the group of the first device reserved on it; the built-in PHB 0 is
  locked to group 0, so host devices never go there unless the user put them there;
- a device goes to the first bus of its own group with a free slot, else to the first
  empty unlocked bus (which takes its group), else (in the dry run) to a new PHB;
- a user-given address whose group differs from its bus' resets that bus to group 0.

As elsewhere libvirt runs twice: a dry run that only counts the buses it must add (with
a slot kept free on a pci-root machine for a future bridge), then the real pass on the
grown set of buses (qemuDomainAssignPCIAddresses).

Branches ([x] done, [ ] not):
- [x] isolation groups of PCI host devices (hostdev-type interfaces included)
- [x] synthetic groups of interfaces on hostdev-backed networks (HostProfile.drivers)
- [x] dry run growing PHBs, spare slot, user addresses beyond the last bus
- [x] target indexes of the PHBs libvirt adds
"""

from __future__ import annotations

from capsdb.records import dataclass

from ..context import BuildContext
from ..model import Controller, Device, PciAddress
from ..model.devices import Hostdev, Interface
from ..machines import is_pseries
from ..prepare.addresses import (BUS_ACCEPTS, Bus, assign_pci_root_addresses,
                                 claim_multifunction, forget_empty_pci_addresses,
                                 ordered_pci_devices, pci_connection)
from ..prepare.implicit import implicit_elem, insert_controller
from ..validate import allocation as alloc_errors
from ..validate.qemu_validate import device_order

# the built-in PHB's bus and every emulated device's isolation group
_DEFAULT_GROUP = 0
# the highest isolation group (UINT_MAX), where synthetic ones start
_MAX_ISOLATION_GROUP = 2**32 - 1
# QEMU has 32 PHBs; target index 0 is the built-in one's
_MAX_PHB_TARGET_INDEX = 31


# -- PCI host bridges ----------------------------------------------------------------------

def _phbs(ctx: BuildContext) -> list[Controller]:
    return [c for c in ctx.domain.devices.controllers
            if c.type == "pci" and c.model == "pci-root"]


def _user_target_index(c: Controller) -> int | None:
    value = c.target.get("index") if c.target is not None else None
    return int(value, 0) if value not in (None, "") else None


def phb_target_index(ctx: BuildContext, c: Controller) -> int:
    """A PHB's target index: the user's, else the built-in PHB's 0, else the lowest
    index no other PHB uses (in controller order)."""
    if c.target_index is not None:  # chosen once the PHBs are all known
        return c.target_index
    explicit = _user_target_index(c)
    if explicit is not None:
        return explicit
    if c.index == 0:
        return 0
    return _auto_target_indexes(ctx).get(id(c), c.index)


def assign_phb_target_indexes(ctx: BuildContext) -> None:
    """Record every PHB's target index once the address assignment added the last one."""
    for c in _phbs(ctx):
        c.target_index = phb_target_index(ctx, c)


def _auto_target_indexes(ctx: BuildContext) -> dict[int, int]:
    """The target index libvirt gives each PHB written without one (by id), in one pass."""
    phbs = _phbs(ctx)
    used = {t for o in phbs if (t := _user_target_index(o)) is not None} | {0}
    out: dict[int, int] = {}
    n = 1
    for o in sorted(phbs, key=lambda p: p.index):
        if o.index == 0 or _user_target_index(o) is not None:
            continue
        while n in used:
            n += 1
        if n > _MAX_PHB_TARGET_INDEX:
            raise alloc_errors.no_phb_target_index(0)
        used.add(n)
        out[id(o)] = n
    return out


def _new_phb(ctx: BuildContext, index: int, reason: str) -> Controller:
    c = Controller(elem=implicit_elem("controller", type="pci", index=str(index),
                                       model="pci-root"),
                   type="pci", index=index, model="pci-root", implicit=reason)
    c.info.alias = f"pci.{index}"
    insert_controller(ctx, c)
    return c


def _fill_missing_buses(ctx: BuildContext) -> None:
    """Every PCI bus index below the highest one must exist: pseries adds PHBs, also up
    to the bus of a user-given device address."""
    devs = ctx.domain.devices
    pci = {c.index for c in devs.controllers if c.type == "pci"}
    top = max([max(pci, default=0)] + [d.info.address.bus for d in devs.items
                                       if isinstance(d.info.address, PciAddress)])
    for idx in range(1, top + 1):
        if idx not in pci:
            _new_phb(ctx, idx, "every PCI bus index up to the highest one used must exist")


# -- isolation groups ------------------------------------------------------------------------

def isolation_groups(ctx: BuildContext) -> dict[int, int]:
    """qemuDomainFillDeviceIsolationGroup on pseries, by device id: a PCI host device is
    in its IOMMU group plus one (0 stays the emulated devices' group); one whose group the
    host cannot tell is not isolated. An interface on a network of host devices (whose
    device is only known at start) gets a synthetic group of its own, counted down from
    the highest one (nets come first in libvirt's walk)."""
    if not is_pseries(ctx):
        return {}
    out: dict[int, int] = {}
    synthetic = _MAX_ISOLATION_GROUP
    for d in ctx.domain.devices.items:
        if isinstance(d, Interface) and d.type == "network" and _hostdev_network(ctx, d):
            out[id(d)] = synthetic
            synthetic -= 1
    for d in ctx.domain.devices.items:
        if isinstance(d, Hostdev) and d.mode == "subsystem" and d.type == "pci":
            group = ctx.host.iommu_group(d.pci_host_address)
            if group is not None:
                out[id(d)] = group + 1
    return out


def _hostdev_network(ctx: BuildContext, iface: Interface) -> bool:
    """virDomainNetResolveActualType: the network's forward mode is hostdev."""
    name = iface.source.get("network") if iface.source is not None else None
    network = ctx.host.drivers.network(name or "")
    return network is not None and network.forward == "hostdev"


@dataclass
class _GroupedBus(Bus):
    """A bus with the isolation group its first device gave it."""

    group: int = _DEFAULT_GROUP
    locked: bool = False  # the group never changes (the built-in PHB)
    taken: int = 0        # functions reserved in the bus' slot range

    def empty(self) -> bool:
        return self.taken == 0

    def reserve(self, slot: int, function: int) -> None:
        if self.min_slot <= slot <= self.max_slot:
            self.taken += 1
        super().reserve(slot, function)


class _SlotSet:
    """libvirt's PCI address set of a pseries guest (virDomainPCIAddressSet)."""

    def __init__(self, ctx: BuildContext, groups: dict[int, int], dry_run: bool) -> None:
        self.ctx = ctx
        self.groups = groups
        self.dry_run = dry_run
        self.buses: dict[int, _GroupedBus] = {}
        for c in ctx.domain.devices.controllers:
            if c.type == "pci":
                self._add_bus(c.index, c.model or "pci-root")
        root = self.buses.get(0)
        if root is not None:
            root.locked = True  # host devices are kept off the built-in PHB

    def _add_bus(self, index: int, model: str) -> _GroupedBus:
        _, lo, hi = BUS_ACCEPTS.get(model, (frozenset(), 1, 31))
        bus = self.buses[index] = _GroupedBus(index, model, lo, hi)
        return bus

    def group_of(self, d: Device) -> int:
        return self.groups.get(id(d), _DEFAULT_GROUP)

    def reserve(self, addr: PciAddress, group: int, from_config: bool) -> None:
        """virDomainPCIAddressReserveAddrInternal: the first device sets an empty bus'
        group; a user's address of another group makes the bus group 0."""
        bus = self.buses.get(addr.bus)
        if bus is None:
            return
        if addr.function in bus.used.get(addr.slot, set()):
            raise alloc_errors.pci_address_in_use(addr)
        if bus.empty() and not bus.locked:
            bus.group = group
        elif bus.group != group and from_config:
            bus.group = _DEFAULT_GROUP
        bus.reserve(addr.slot, addr.function)

    def reserve_given(self) -> None:
        """The addresses the user wrote, in libvirt's device iteration order."""
        for d in device_order(self.ctx.domain.devices.items):
            if isinstance(d.info.address, PciAddress):
                self.reserve(d.info.address, self.group_of(d), from_config=True)

    def fully_reserved(self) -> bool:
        return all(b.first_free() is None for b in self.buses.values())

    def _find(self, kind: str, group: int) -> PciAddress | None:
        """virDomainPCIAddressGetNextAddr: a bus of the device's group first, then any
        empty bus whose group may still change."""
        order = sorted(self.buses)
        for idx in order:
            bus = self.buses[idx]
            if bus.group == group and bus.accepts(kind):
                slot = bus.first_free()
                if slot is not None:
                    return PciAddress(bus=idx, slot=slot)
        for idx in order:
            bus = self.buses[idx]
            if bus.empty() and not bus.locked and bus.accepts(kind):
                slot = bus.first_free()
                if slot is not None:
                    return PciAddress(bus=idx, slot=slot)
        return None

    def take(self, kind: str, group: int) -> PciAddress | None:
        """The next free slot for a device, reserved; in the dry run a conventional PCI
        device that finds none opens a new PHB (virDomainPCIAddressSetGrow)."""
        addr = self._find(kind, group)
        if addr is None and self.dry_run:
            if kind != "pci":
                raise alloc_errors.no_slot_for_controller(kind)
            index = max(self.buses, default=-1) + 1
            bus = self._add_bus(index, "pci-root")
            addr = PciAddress(bus=index, slot=bus.min_slot)
        if addr is not None:
            self.reserve(addr, group, from_config=False)
        return addr


def _pending(ctx: BuildContext) -> list[tuple[Device, str]]:
    """Devices still without a PCI address and their slot kind: PCI controllers first
    (by index), then each family in libvirt's order."""
    devs = ctx.domain.devices
    bridges = sorted((c for c in devs.controllers if c.type == "pci" and c.index > 0
                      and c.model != "pci-root" and c.info.address is None),
                     key=lambda c: c.index)
    out: list[tuple[Device, str]] = [(c, "pci-bridge") for c in bridges]
    for d in ordered_pci_devices(ctx):
        if d.info.address is None:
            kind = pci_connection(d, ctx)
            if kind:
                out.append((d, kind))
    return out


def _dry_run(ctx: BuildContext, groups: dict[int, int],
             pending: list[tuple[Device, str]]) -> list[int]:
    """The buses libvirt's first pass had to add, in index order."""
    dry = _SlotSet(ctx, groups, dry_run=True)
    known = set(dry.buses)
    dry.reserve_given()
    if dry.buses and not dry.fully_reserved():
        dry.take("pci", _DEFAULT_GROUP)  # a slot kept for a future bridge
    for d, kind in pending:
        dry.take(kind, dry.group_of(d))
    return sorted(i for i in dry.buses if i not in known)


def assign_addresses(ctx: BuildContext) -> None:
    """PCI slots of a PowerPC guest. pseries: the first free one from slot 1 of a bus of
    the device's isolation group, new PHBs when the slots run out; the other boards grow
    like any pci-root machine (pci-bridges)."""
    if not is_pseries(ctx):
        assign_pci_root_addresses(ctx)
        return
    forget_empty_pci_addresses(ctx)
    _fill_missing_buses(ctx)
    groups = isolation_groups(ctx)
    pending = _pending(ctx)
    if pending and not any(c.type == "pci" for c in ctx.domain.devices.controllers):
        raise alloc_errors.no_pci_buses()
    for index in _dry_run(ctx, groups, pending):
        _new_phb(ctx, index, "libvirt adds a PHB when the PCI slots run out")
    slots = _SlotSet(ctx, groups, dry_run=False)
    slots.reserve_given()
    for d, kind in pending:
        addr = slots.take(kind, slots.group_of(d))
        if addr is None:
            raise alloc_errors.no_free_pci_slot()
        d.info.address = addr
    claim_multifunction(ctx, slots.buses)
    assign_phb_target_indexes(ctx)
