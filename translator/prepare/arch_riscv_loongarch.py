"""RISC-V and LoongArch preparation: libvirt's defaults for their `virt` machines.

Both `virt` boards are PCI Express machines like q35 without its chipset: a pcie-root
bus (pcie.0) that only takes root ports and integrated devices, so every endpoint goes
into a pcie-root-port libvirt adds itself, and conventional PCI devices behind a
pcie-to-pci-bridge. LoongArch always has that PCIe root; RISC-V only on `virt`, where
virtio devices move to virtio-mmio transports when one of them already asks for it (or
the QEMU binary has no usable root port). libvirt adds a default memballoon on RISC-V
but not on LoongArch, and neither gets an implicit USB controller.

PCI addresses follow libvirt's two passes: a dry run over a growable copy of the buses
that adds the root ports and bridges the devices need (a bridge gets a root port of its
own, and a new domain gets one spare root port for hot-plug), then the real placement
on the final buses, controllers first. (The ARM `virt` board shares these rules; this
module keeps its own copy so the two architectures evolve independently.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..arches import LOONGARCH_ARCHES, RISCV_ARCHES
from ..context import BuildContext
from ..errors import TranslationError
from ..model import Controller, Device, Disk, Elem, GenericAddress, PciAddress
from ..model.devices import Hostdev, Input, Interface, Memballoon, Video
from .addresses import _FAMILY_ORDER, _device_connection
from .controllers import assign_expander_bus_numbers

_VIRTIO_MODELS = frozenset({"virtio", "virtio-transitional", "virtio-non-transitional"})
_USB_CAPS = {"qemu-xhci": "qemu-xhci", "nec-xhci": "nec-usb-xhci",
             "piix3-uhci": "piix3-usb-uhci", "pci-ohci": "pci-ohci"}


# --- machine facts ------------------------------------------------------------------------

def handles(ctx: BuildContext) -> bool:
    """Whether the guest architecture is one this module prepares."""
    return ctx.arch in RISCV_ARCHES or ctx.arch in LOONGARCH_ARCHES


def _is_virt_machine(machine: str) -> bool:
    return machine == "virt" or machine.startswith("virt-")


def is_riscv_virt(ctx: BuildContext) -> bool:
    return ctx.arch in RISCV_ARCHES and _is_virt_machine(ctx.machine)


def is_loongarch_virt(ctx: BuildContext) -> bool:
    return ctx.arch in LOONGARCH_ARCHES and _is_virt_machine(ctx.machine)


def is_virt(ctx: BuildContext) -> bool:
    return is_riscv_virt(ctx) or is_loongarch_virt(ctx)


def has_pcie_root(ctx: BuildContext) -> bool:
    """libvirt gives every LoongArch guest and a RISC-V `virt` guest a pcie-root."""
    return ctx.arch in LOONGARCH_ARCHES or is_riscv_virt(ctx)


# --- controllers and device models -----------------------------------------------------------

def _implicit_elem(tag: str, **attrs: str) -> Elem:
    return Elem(tag=tag, attrs=attrs, path=f"(implicit {tag})")


def _add_controller(ctx: BuildContext, type_: str, index: int, model: str | None,
                    reason: str) -> Controller:
    attrs = {"type": type_, "index": str(index)} | ({"model": model} if model else {})
    c = Controller(elem=_implicit_elem("controller", **attrs), type=type_, index=index,
                   model=model, implicit=reason)
    ctx.domain.devices.items.append(c)
    return c


def default_usb_model(ctx: BuildContext) -> str | None:
    """A USB controller written without a model: XHCI on LoongArch `virt`, otherwise the
    generic fallback (the PIIX3 UHCI, then OHCI) that RISC-V gets."""
    order = ("qemu-xhci", "nec-xhci") if is_loongarch_virt(ctx) else ("piix3-uhci", "pci-ohci")
    return next((m for m in order if ctx.has(_USB_CAPS[m])), None)


def default_scsi_model(ctx: BuildContext) -> str:
    """LoongArch `virt` defaults to virtio-scsi; elsewhere the LSI HBA QEMU offers first."""
    if is_loongarch_virt(ctx):
        return "virtio-scsi"
    if ctx.has("lsi"):
        return "lsilogic"
    return "virtio-scsi" if ctx.has("virtio-scsi-pci") else "lsilogic"


def _check_root_model(root: Controller, want: str) -> None:
    if root.model is not None and root.model != want:
        raise TranslationError(
            f"XML error: The PCI controller with index='0' must be model='{want}' for this "
            f"machine type, but model='{root.model}' was found instead")


def add_implicit_controllers(ctx: BuildContext) -> None:
    """The PCIe root bus, and the models libvirt picks for controllers written without."""
    devs = ctx.domain.devices
    if has_pcie_root(ctx):
        root = devs.controller("pci", 0)
        if root is None:
            _add_controller(ctx, "pci", 0, "pcie-root",
                            f"the {ctx.machine} machine has a PCIe root bus")
        else:
            _check_root_model(root, "pcie-root")
            root.model = root.model or "pcie-root"
    for c in devs.controllers:
        if c.type == "usb" and c.model is None:
            c.model = default_usb_model(ctx)
            if c.model is None:
                raise TranslationError(
                    "unsupported configuration: no model provided for USB controller")
        if c.type == "scsi" and c.model in (None, "auto"):
            c.model = default_scsi_model(ctx)
    _add_disk_controllers(ctx)
    _apply_device_models(ctx)


def _add_disk_controllers(ctx: BuildContext) -> None:
    """A disk on a SCSI/SATA/IDE bus without its controller gets one."""
    devs = ctx.domain.devices
    for d in devs.disks:
        ctype = d.bus if d.bus in ("ide", "sata", "scsi") else None
        if ctype is None:
            continue
        a = d.info.address
        idx = getattr(a, "controller", 0) if a is not None else 0
        if devs.controller(ctype, idx) is None:
            _add_controller(ctx, ctype, idx,
                            default_scsi_model(ctx) if ctype == "scsi" else None,
                            f"a {ctype} disk needs a {ctype} controller")


def _apply_device_models(ctx: BuildContext) -> None:
    """NICs written without a model are virtio on these `virt` boards."""
    if not is_virt(ctx):
        return
    for d in ctx.domain.devices.items:
        if isinstance(d, Interface) and d.model is None and d.type != "hostdev":
            d.model = "virtio"


def skips_default_memballoon(ctx: BuildContext) -> bool:
    """LoongArch guests get no implicit memballoon (RISC-V ones do)."""
    return ctx.arch in LOONGARCH_ARCHES


def default_cpu_model(ctx: BuildContext) -> str | None:
    """The machine's default CPU (rv64, la464), which libvirt only uses for TCG guests."""
    if ctx.domain.virt_type != "qemu":
        return None
    m = ctx.caps.find_machine(ctx.machine, ctx.domain.virt_type)
    if m is None or not m.default_cpu:
        return None
    return ctx.caps.cpu_name_for_type(m.default_cpu, ctx.domain.virt_type)


# --- virtio-mmio --------------------------------------------------------------------------

def _primed_for_transport(dev: Device) -> bool:
    """Address-less virtio devices libvirt declares to be on the board's virtio transport."""
    if isinstance(dev, Disk):
        return dev.bus == "virtio"
    if isinstance(dev, Interface):
        return dev.type != "hostdev" and (dev.model or "") in _VIRTIO_MODELS
    if isinstance(dev, Video):
        return dev.model == "virtio"
    if isinstance(dev, Input):
        return dev.bus == "virtio"
    if isinstance(dev, Controller):
        return dev.type == "virtio-serial" or \
            (dev.type == "scsi" and (dev.model or "").startswith("virtio"))
    if isinstance(dev, Hostdev):
        return dev.type == "scsi_host"
    if isinstance(dev, Memballoon):
        return (dev.model or "") in _VIRTIO_MODELS
    family = dev.family
    if family in ("rng", "crypto"):
        return True
    if family == "memory":
        return dev.elem.get("model") in ("virtio-pmem", "virtio-mem")
    return False


def _is_mmio(dev: Device) -> bool:
    a = dev.info.address
    return isinstance(a, GenericAddress) and a.type == "virtio-mmio"


def uses_virtio_mmio(ctx: BuildContext) -> bool:
    """RISC-V `virt` prefers virtio-pci unless a device already uses virtio-mmio or QEMU
    lacks a PCIe root port."""
    if not is_riscv_virt(ctx) or not ctx.has("virtio-mmio"):
        return False
    root = ctx.domain.devices.controller("pci", 0)
    pcie_ok = root is not None and root.model == "pcie-root" and \
        (ctx.has("pcie-root-port") or ctx.has("ioh3420"))
    return not pcie_ok or any(_is_mmio(d) for d in ctx.domain.devices.items)


def assign_virtio_mmio(ctx: BuildContext) -> None:
    if not uses_virtio_mmio(ctx):
        return
    for d in ctx.domain.devices.items:
        if d.info.address is None and _primed_for_transport(d):
            d.info.address = GenericAddress("virtio-mmio", {})


# --- PCI(e) addresses ---------------------------------------------------------------------

# What each bus takes when libvirt picks an address, and its slot range. An endpoint
# is 'pcie' or 'pci' (conventional); 'integrated' devices sit on the root bus itself.
_BUS_SPEC: dict[str, tuple[frozenset[str], int, int]] = {
    "pcie-root": (frozenset({"pcie-root-port", "integrated", "dmi-to-pci-bridge",
                             "pcie-expander-bus"}), 1, 31),
    "pcie-root-port": (frozenset({"pcie", "pcie-to-pci-bridge",
                                  "pcie-switch-upstream-port"}), 0, 0),
    "pcie-switch-downstream-port": (frozenset({"pcie", "pcie-to-pci-bridge",
                                               "pcie-switch-upstream-port"}), 0, 0),
    "pcie-switch-upstream-port": (frozenset({"pcie-switch-downstream-port"}), 0, 31),
    "dmi-to-pci-bridge": (frozenset({"pci-bridge"}), 0, 31),
    "pci-bridge": (frozenset({"pci", "pci-bridge"}), 1, 31),
    "pcie-to-pci-bridge": (frozenset({"pci", "pci-bridge"}), 1, 31),
    "pcie-expander-bus": (frozenset({"pcie-root-port", "dmi-to-pci-bridge"}), 0, 31),
    "pci-expander-bus": (frozenset({"pci", "pci-bridge"}), 0, 31),
}
# a root port added for a bridge takes only that bridge (never the hot-plug spare)
_BRIDGE_ONLY = frozenset({"pcie-to-pci-bridge"})
# kinds whose functions share one slot of the root bus (multifunction root ports)
_AGGREGATE = frozenset({"pcie-root-port"})


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

    def copy(self) -> "_Bus":
        return _Bus(self.index, self.model, self.accepts, self.min_slot, self.max_slot,
                    {s: set(f) for s, f in self.used.items()}, set(self.aggregate))

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
            raise TranslationError(
                f"XML error: Attempted double use of PCI Address {a.domain:04x}:{a.bus:02x}:"
                f"{a.slot:02x}.{a.function}")
        bus.reserve(a.slot, a.function, kind)

    def take(self, kind: str) -> PciAddress:
        for idx in sorted(self.buses):
            found = self.buses[idx].free_function(kind)
            if found is not None:
                self.buses[idx].reserve(found[0], found[1], kind)
                return PciAddress(bus=idx, slot=found[0], function=found[1])
        if not self.dry_run:
            raise TranslationError("No more available PCI slots")
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
            raise TranslationError(
                f"internal error: a PCI slot is needed to connect a PCI controller "
                f"model='{kind}', but none is available, and it cannot be automatically added")
        raise TranslationError("internal error: Cannot automatically add a new PCI bus for "
                               "a device with connect flags")


def pci_kind(ctx: BuildContext, dev: Device) -> str | None:
    """How a device plugs into this PCIe machine, in libvirt's terms: a PCIe or
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
    kind = _device_connection(dev, ctx)
    return kind


def _wanted(ctx: BuildContext, dev: Device) -> bool:
    return dev.info.address is None and pci_kind(ctx, dev) is not None


def _ordered_devices(ctx: BuildContext) -> list[Device]:
    """PCI controllers by index, then the other families in libvirt's order."""
    items = ctx.domain.devices.items
    ctrls = sorted((c for c in ctx.domain.devices.controllers if c.type == "pci"),
                   key=lambda c: c.index)
    out: list[Device] = list(ctrls)
    for fam in _FAMILY_ORDER:
        out.extend(d for d in items if d.family == fam and
                   not (isinstance(d, Controller) and d.type == "pci"))
    return out


def _bus_set(ctx: BuildContext) -> dict[int, _Bus]:
    return {c.index: _Bus.of(c.index, c.model or "pcie-root-port")
            for c in ctx.domain.devices.controllers if c.type == "pci"}


def _reserve_given(ctx: BuildContext, alloc: _Allocator) -> None:
    for d in ctx.domain.devices.items:
        if isinstance(d.info.address, PciAddress):
            alloc.reserve(d.info.address, pci_kind(ctx, d))


def _fill_missing_buses(ctx: BuildContext) -> None:
    """Every PCI bus index below the highest one must exist: libvirt fills the gaps with
    pcie-root-ports."""
    devs = ctx.domain.devices
    have = {c.index for c in devs.controllers if c.type == "pci"}
    for idx in range(1, max(have, default=0)):
        if idx not in have:
            _insert_pci_controller(ctx, idx, "pcie-root-port",
                                   "every PCI bus index below the highest one must exist")


def _insert_pci_controller(ctx: BuildContext, index: int, model: str,
                           reason: str) -> Controller:
    """A new PCI controller, kept in index order among the PCI controllers."""
    items = ctx.domain.devices.items
    c = Controller(elem=Elem("controller", {"type": "pci", "model": model},
                             path="(implicit controller)"),
                   type="pci", index=index, model=model, implicit=reason)
    c.info.alias = f"pci.{index}"
    pos = None
    last = -1
    for i, d in enumerate(items):
        if isinstance(d, Controller) and d.type == "pci":
            if d.index > index and pos is None:
                pos = i
            last = i
    items.insert(pos if pos is not None else (last + 1 if last >= 0 else 0), c)
    return c


_REASON = {
    "pcie-root-port": "PCIe devices are plugged into auto-added pcie-root-ports",
    "pcie-to-pci-bridge": "conventional PCI devices need a pcie-to-pci-bridge",
}


def _dry_run(ctx: BuildContext) -> None:
    """libvirt's first pass: find (and add) the PCI controllers the devices need."""
    devs = ctx.domain.devices
    max_idx = max((c.index for c in devs.controllers if c.type == "pci"), default=-1)
    dry = _Allocator(_bus_set(ctx), dry_run=True, bridge_cap=ctx.has("pcie-pci-bridge"))
    _reserve_given(ctx, dry)
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
            _insert_pci_controller(ctx, i, bus.model,
                                   _REASON.get(bus.model, f"libvirt adds a {bus.model}"))
            dry.take(bus.model)  # the new controller needs a slot too (may grow again)
        i += 1


def _real_pass(ctx: BuildContext) -> _Allocator:
    alloc = _Allocator(_bus_set(ctx), dry_run=False, bridge_cap=ctx.has("pcie-pci-bridge"))
    _reserve_given(ctx, alloc)
    for d in _ordered_devices(ctx):
        if _wanted(ctx, d):
            kind = pci_kind(ctx, d)
            assert kind is not None
            d.info.address = alloc.take(kind)
    return alloc


def _claim_multifunction(ctx: BuildContext, alloc: _Allocator) -> None:
    """Function 0 of a slot that holds several functions is marked multifunction."""
    for d in ctx.domain.devices.items:
        a = d.info.address
        if not isinstance(a, PciAddress) or a.function != 0 or a.multifunction is not None:
            continue
        bus = alloc.buses.get(a.bus)
        if bus is not None and len(bus.used.get(a.slot, ())) > 1:
            a.multifunction = True


def assign_addresses(ctx: BuildContext) -> None:
    """virtio-mmio priming, then libvirt's two PCI passes on a PCIe root machine."""
    assign_virtio_mmio(ctx)
    if ctx.domain.devices.controller("pci", 0) is None:
        return
    _fill_missing_buses(ctx)
    _dry_run(ctx)
    alloc = _real_pass(ctx)
    _claim_multifunction(ctx, alloc)
    assign_expander_bus_numbers(ctx)
