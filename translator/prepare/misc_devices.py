"""libvirt's post-parse defaults for the smaller device families.

The default memballoon, q35's built-in iTCO watchdog, the CCID controller a smartcard
needs and the smartcards' CCID slots are facts libvirt fills into the domain before it
builds the command line; they live here so that builders only read them.
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import Controller, Elem, GenericAddress, Memballoon
from ..model.misc_devices import Iommu, Panic, Smartcard, Watchdog
from ..validate.qemu_def import MAX_VCPUS_WITHOUT_EIM
from .implicit import implicit_elem


def add_default_memballoon(ctx: BuildContext) -> None:
    """libvirt gives every QEMU domain a virtio balloon unless one (or 'none') is defined."""
    if not ctx.policy.adds_default_memballoon(ctx):
        return
    items = ctx.domain.devices.items
    if not any(isinstance(d, Memballoon) for d in items):
        items.append(Memballoon(elem=implicit_elem("memballoon", model="virtio"),
                                model="virtio", implicit="libvirt adds a virtio memballoon"))


def add_q35_itco_watchdog(ctx: BuildContext) -> None:
    """The ICH9 chipset of q35 machines always has an iTCO watchdog."""
    items = ctx.domain.devices.items
    if ctx.is_q35 and not any(isinstance(d, Watchdog) and d.model == "itco" for d in items):
        items.append(Watchdog(elem=implicit_elem("watchdog", model="itco", action="reset"),
                              model="itco", action="reset",
                              implicit="q35's ICH9 chipset has a built-in iTCO watchdog"))


def default_panic_models(ctx: BuildContext) -> None:
    """A panic device without a model gets the machine's (the ISA pvpanic on x86)."""
    for p in ctx.domain.devices.items:
        if isinstance(p, Panic) and p.model is None:
            p.model = ctx.policy.default_panic_model(ctx)


def add_smartcard_controllers(ctx: BuildContext) -> None:
    """Each smartcard sits in a CCID slot; libvirt adds the CCID controllers they need."""
    devs = ctx.domain.devices
    cards = [d for d in devs.items if isinstance(d, Smartcard)]
    if not cards:
        return
    used: set[tuple[int, int]] = set()
    for c in cards:
        a = c.info.address
        if isinstance(a, GenericAddress) and a.type == "ccid":
            used.add((a.int("controller"), a.int("slot")))
    for c in cards:
        a = c.info.address
        if not (isinstance(a, GenericAddress) and a.type == "ccid"):
            slot = 0
            while (0, slot) in used:
                slot += 1
            used.add((0, slot))
            c.info.address = GenericAddress("ccid", {"controller": "0", "slot": str(slot)})
    for ctrl_idx in sorted({idx for idx, _ in used}):
        if devs.controller("ccid", ctrl_idx) is None:
            _insert_controller(ctx, Controller(
                elem=implicit_elem("controller", type="ccid", index=str(ctrl_idx)),
                type="ccid", index=ctrl_idx, implicit="a smartcard needs a CCID controller"))


def _insert_controller(ctx: BuildContext, c: Controller) -> None:
    items = ctx.domain.devices.items
    last = max((i for i, d in enumerate(items) if isinstance(d, Controller)), default=-1)
    items.insert(last + 1, c)


def _with_child(e: Elem, tag: str, **attrs: str) -> Elem:
    """A copy of `e` whose child `tag` has `attrs` filled in where they are missing."""
    old = e.find(tag)
    merged = dict(attrs, **(old.attrs if old is not None else {}))
    child = Elem(tag=tag, attrs=merged, children=old.children if old is not None else (),
                 line=old.line if old is not None else e.line, path=f"{e.path}/{tag}")
    kids = tuple(c for c in e.children if c.tag != tag) + (child,)
    return Elem(tag=e.tag, attrs=dict(e.attrs), children=kids, text=e.text, line=e.line,
                path=e.path)


def add_eim_iommu(ctx: BuildContext) -> None:
    """q35 guests with more than 255 vCPUs get an intel IOMMU with interrupt remapping and
    EIM, and the split (QEMU) IOAPIC that remapping requires."""
    if not (ctx.is_q35 and ctx.domain.vcpu.count > MAX_VCPUS_WITHOUT_EIM):
        return
    items = ctx.domain.devices.items
    iommu = next((d for d in items if isinstance(d, Iommu)), None)
    if iommu is None:
        iommu = Iommu(elem=implicit_elem("iommu", model="intel"), model="intel",
                      implicit="more than 255 vCPUs need an IOMMU with EIM")
        items.append(iommu)
    if iommu.model != "intel":
        return
    iommu.elem = _with_child(iommu.elem, "driver", intremap="on", eim="on")
    features = ctx.domain.features or implicit_elem("features")
    if features.find("ioapic") is None:
        ctx.domain.features = _with_child(features, "ioapic", driver="qemu")


def apply_misc_defaults(ctx: BuildContext) -> None:
    add_eim_iommu(ctx)
    add_smartcard_controllers(ctx)
    default_panic_models(ctx)
    add_default_memballoon(ctx)
