"""PCI(e) topology of the chipset-less `virt` boards (ARM, RISC-V, LoongArch).

Their root bus is a bare pcie-root (pcie.0) that only takes root ports and integrated
devices, so every endpoint goes into a pcie-root-port libvirt adds itself and
conventional PCI devices sit behind a pcie-to-pci-bridge. Addresses follow libvirt's
two passes: a dry run over a growable copy of the buses that adds the root ports and
bridges the devices need (a bridge gets a root port of its own, and a new domain gets
one spare root port for hot-plug), then the real placement on the final buses,
controllers first.

The boards may instead carry their virtio devices on virtio-mmio transports; which
devices move there is each architecture's decision, the priming itself lives here.
Imported by the `virt` boards' policies only: an x86 domain never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field

from capsdb.records import dataclass
from ..context import BuildContext
from ..model import Controller, Device, Disk, GenericAddress, PciAddress
from ..model.devices import Input, Interface, Memballoon, Video
from .addresses import BUS_ACCEPTS, FAMILY_ORDER, claim_multifunction, device_connection
from .implicit import new_pci_controller
from .controllers import assign_expander_bus_numbers
from ..validate import allocation as alloc_errors

VIRTIO_MODELS = frozenset({"virtio", "virtio-transitional", "virtio-non-transitional"})

# What each bus takes when libvirt picks an address, and its slot range: the PC table
# without the conventional root bus, which a PCIe root machine never has. An endpoint
# is 'pcie' or 'pci' (conventional); 'integrated' devices sit on the root bus itself.
_BUS_SPEC = {model: spec for model, spec in BUS_ACCEPTS.items() if model != "pci-root"}
# a root port added for a bridge takes only that bridge (never the hot-plug spare)
_BRIDGE_ONLY = frozenset({"pcie-to-pci-bridge"})
# kinds whose functions share one slot of the root bus (multifunction root ports)
_AGGREGATE = frozenset({"pcie-root-port"})


# --- virtio-mmio -------------------------------------------------------------

def pcie_usable(ctx: BuildContext) -> bool:
    """Whether virtio devices can go on PCIe: a pcie-root and a root port QEMU has."""
    root = ctx.domain.devices.controller("pci", 0)
    return root is not None and root.model == "pcie-root" and \
        (ctx.has("pcie-root-port") or ctx.has("ioh3420"))


def has_mmio_device(ctx: BuildContext) -> bool:
    """Whether some device already asks for a virtio-mmio transport."""
    return any(isinstance(d.info.address, GenericAddress)
               and d.info.address.type == "virtio-mmio" for d in ctx.domain.devices.items)


def common_virtio_transport(dev: Device) -> bool | None:
    """The virtio-mmio priming rule every board shares for disks, NICs, video and input;
    None for the other devices, which each architecture decides on."""
    if isinstance(dev, Disk):
        return dev.bus == "virtio"
    if isinstance(dev, Interface):
        return dev.type != "hostdev" and (dev.model or "") in VIRTIO_MODELS
    if isinstance(dev, Video):
        return dev.model == "virtio"
    if isinstance(dev, Input):
        return dev.bus == "virtio"
    return None


def prime_virtio_mmio(ctx: BuildContext, wants: Callable[[Device], bool]) -> None:
    """Put the address-less devices `wants` picks on virtio-mmio transports."""
    for d in ctx.domain.devices.items:
        if d.info.address is None and wants(d):
            d.info.address = GenericAddress("virtio-mmio", {})


# --- the dry-run buses --------------------------------------------------------------------

@dataclass
class _Bus:
    """A PCI bus of the dry run: which devices it accepts and the slots taken."""

    index: int
    model: str
    accepts: frozenset[str]
    min_slot: int
    max_slot: int
    used: dict[int, set[int]] = field(default_factory=dict)  # slot -> functions
    aggregate: set[int] = field(default_factory=set)           # slots shared by functions

    @classmethod
    def of(cls, index: int, model: str, accepts: frozenset[str] | None = None) -> "_Bus":
        spec, lo, hi = _BUS_SPEC.get(model, (frozenset(), 0, -1))
        return cls(index, model, accepts if accepts is not None else spec, lo, hi)

    def free_function(self, kind: str) -> tuple[int, int] | None:
        """The first empty slot, or a free function of a slot shared by its kind."""
        if kind not in self.accepts:
            return None
        for slot in range(self.min_slot, self.max_slot + 1):
            used = self.used.get(slot)
            if not used:
                return slot, 0
            if kind in _AGGREGATE and slot in self.aggregate and len(used) < 8:
                return slot, min(f for f in range(8) if f not in used)
        return None

    def reserve(self, slot: int, function: int, kind: str | None) -> None:
        if not self.used.get(slot) and kind in _AGGREGATE:
            self.aggregate.add(slot)
        self.used.setdefault(slot, set()).add(function)


class _Allocator:
    """A set of PCI buses; a dry-run one grows new buses for devices that find no slot."""

    def __init__(self, buses: dict[int, _Bus], dry_run: bool, bridge_cap: bool) -> None:
        self.buses = buses
        self.dry_run = dry_run
        self.bridge_cap = bridge_cap  # QEMU has pcie-pci-bridge (else dmi-to-pci-bridge)

    def reserve(self, a: PciAddress, kind: str | None) -> None:
        bus = self.buses.get(a.bus)
        if bus is None:
            return
        if a.function in bus.used.get(a.slot, set()):
            raise alloc_errors.pci_address_in_use(a)
        bus.reserve(a.slot, a.function, kind)

    def take(self, kind: str) -> PciAddress:
        for idx in sorted(self.buses):
            found = self.buses[idx].free_function(kind)
            if found is not None:
                self.buses[idx].reserve(found[0], found[1], kind)
                return PciAddress(bus=idx, slot=found[0], function=found[1])
        if not self.dry_run:
            raise alloc_errors.no_free_pci_slot()
        bus = self._grow(kind)
        slot, fn = bus.min_slot, 0
        bus.reserve(slot, fn, kind)
        return PciAddress(bus=bus.index, slot=slot, function=fn)

    def _new_bus(self, model: str, accepts: frozenset[str] | None = None) -> _Bus:
        bus = _Bus.of(max(self.buses, default=-1) + 1, model, accepts)
        self.buses[bus.index] = bus
        return bus

    def _grow(self, kind: str) -> _Bus:
        """The bus (or buses) libvirt adds so that a device of `kind` finds a slot."""
        if kind == "pci":
            if any("pci-bridge" in b.accepts for b in self.buses.values()):
                return self._new_bus("pci-bridge")
            if self.bridge_cap:
                self._new_bus("pcie-root-port", _BRIDGE_ONLY)
                return self._new_bus("pcie-to-pci-bridge")
            self._new_bus("dmi-to-pci-bridge")
            return self._new_bus("pci-bridge")
        if kind in ("pcie", "pcie-switch-upstream-port"):
            return self._new_bus("pcie-root-port")
        if kind in _BUS_SPEC:
            raise alloc_errors.no_slot_for_controller(kind)
        raise alloc_errors.cannot_add_pci_bus()


# --- what plugs where ---------------------------------------------------------------------

def pci_kind(ctx: BuildContext, dev: Device) -> str | None:
    """How a device plugs into a PCIe root machine, in libvirt's terms: a PCIe or
    conventional endpoint, an integrated device, a PCI controller of its model, or None.

    virtio devices are PCIe endpoints (QEMU has modern virtio), except their transitional
    models, which only work in conventional slots.
    """
    if isinstance(dev, Controller) and dev.type == "pci":
        return None if dev.model in (None, "pci-root", "pcie-root") else dev.model
    model = dev.elem.get("model")
    if isinstance(dev, Video):
        if dev.model in ("virtio", "bochs"):
            return "pcie"
        return None if dev.model in (None, "none", "ramfb") else "pci"
    if isinstance(dev, Disk):
        return None if dev.bus != "virtio" else \
            ("pci" if model == "virtio-transitional" else "pcie")
    if isinstance(dev, Interface) and dev.model in ("e1000e", "igb"):
        return "pcie"
    if isinstance(dev, (Interface, Memballoon)) and dev.model == "virtio-transitional":
        return "pci"
    if isinstance(dev, Controller) and dev.model == "virtio-transitional":
        return "pci"
    if isinstance(dev, Controller) and dev.type == "usb" and dev.model == "qemu-xhci":
        return "pcie"
    if dev.family in ("rng", "vsock", "input", "filesystem") and model == "virtio-transitional":
        return "pci"
    return device_connection(dev, ctx)


def _wanted(ctx: BuildContext, dev: Device) -> bool:
    return dev.info.address is None and pci_kind(ctx, dev) is not None


def _ordered_devices(ctx: BuildContext) -> list[Device]:
    """PCI controllers by index, then the other families in libvirt's order."""
    items = ctx.domain.devices.items
    ctrls = sorted((c for c in ctx.domain.devices.controllers if c.type == "pci"),
                   key=lambda c: c.index)
    out: list[Device] = list(ctrls)
    for fam in FAMILY_ORDER:
        out.extend(d for d in items if d.family == fam and
                   not (isinstance(d, Controller) and d.type == "pci"))
    return out


def _new_allocator(ctx: BuildContext, dry_run: bool) -> _Allocator:
    """The domain's PCI buses with the user-given addresses reserved."""
    buses = {c.index: _Bus.of(c.index, c.model or "pcie-root-port")
             for c in ctx.domain.devices.controllers if c.type == "pci"}
    alloc = _Allocator(buses, dry_run=dry_run, bridge_cap=ctx.has("pcie-pci-bridge"))
    for d in ctx.domain.devices.items:
        if isinstance(d.info.address, PciAddress):
            alloc.reserve(d.info.address, pci_kind(ctx, d))
    return alloc


# --- the two passes -----------------------------------------------------------------------

def _dry_run(ctx: BuildContext, reasons: Mapping[str, str]) -> None:
    """libvirt's first pass: find (and add) the PCI controllers the devices need."""
    devs = ctx.domain.devices
    max_idx = max((c.index for c in devs.controllers if c.type == "pci"), default=-1)
    dry = _new_allocator(ctx, dry_run=True)
    for d in _ordered_devices(ctx):
        if _wanted(ctx, d):
            kind = pci_kind(ctx, d)
            assert kind is not None
            dry.take(kind)
    # a new domain whose buses libvirt had to grow keeps one root port free for hot-plug
    if max_idx <= 0 and len(dry.buses) > max_idx + 1:
        dry.take("pcie")
    i = 1
    while i < len(dry.buses):
        bus = dry.buses[i]
        if devs.controller("pci", i) is None:
            new_pci_controller(ctx, i, bus.model,
                               reasons.get(bus.model, f"libvirt adds a {bus.model}"))
            dry.take(bus.model)  # the new controller needs a slot too (may grow again)
        i += 1


def _real_pass(ctx: BuildContext) -> _Allocator:
    alloc = _new_allocator(ctx, dry_run=False)
    for d in _ordered_devices(ctx):
        if _wanted(ctx, d):
            kind = pci_kind(ctx, d)
            assert kind is not None
            d.info.address = alloc.take(kind)
    return alloc


# why the allocator added a controller, for --explain (the same on every `virt` board)
VIRT_REASONS: Mapping[str, str] = {
    "pcie-root-port": "PCIe devices are plugged into auto-added pcie-root-ports",
    "pcie-to-pci-bridge": "conventional PCI devices need a pcie-to-pci-bridge",
}


def assign_pcie_addresses(ctx: BuildContext, reasons: Mapping[str, str] = VIRT_REASONS) -> None:
    """Add the controllers the devices need, then give every device its slot.

    `reasons` explains, per controller model, why libvirt added one (shown by
    --explain). The caller has already filled the gaps in the bus numbering.
    """
    _dry_run(ctx, reasons)
    alloc = _real_pass(ctx)
    claim_multifunction(ctx, alloc.buses)
    assign_expander_bus_numbers(ctx)
