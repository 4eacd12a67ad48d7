"""The single exit point for every `-device`: address properties, qemu:override, syntax.

Keeping this in one place is what makes `<qemu:override>` apply uniformly: every
device's properties pass through `emit_device`, where the override for its alias is
merged (each overridden key removed and re-added, so it moves to the end; 'remove'
deletes it) before the JSON or legacy key=value form is chosen.
"""

from __future__ import annotations

from ..cmdline import Item, Source
from ..context import BuildContext
from ..model import Device, DriveAddress, Elem, GenericAddress, PciAddress
from ..model.devices import Controller
from ..ccw import ccw_address_props
from ..props import Props


def bus_alias_for_pci(ctx: BuildContext, bus_index: int) -> str:
    """QEMU's name of PCI bus `bus_index`: its controller's bus name, else pci.N.

    The controllers do not change while the command line is built, so they are indexed
    once per domain (every PCI device asks; a q35 domain has about one root port each)."""
    buses = ctx.pci_buses
    if buses is None:
        buses = ctx.pci_buses = {}
        for c in ctx.domain.devices.controllers:
            if c.type == "pci":
                buses.setdefault(c.index, c)
    bus = buses.get(bus_index)
    if bus is None:
        return f"pci.{bus_index}"
    return ctx.policy.pci_bus_name(ctx, bus, bus.alias or f"pci.{bus_index}")


def address_props(ctx: BuildContext, dev: Device) -> Props:
    """QEMU bus/addr properties for a device's address (PCI, USB, virtio-serial, ...)."""
    p = Props()
    a = dev.info.address
    if isinstance(a, PciAddress):
        p.add("bus", bus_alias_for_pci(ctx, a.bus))
        if a.multifunction is not None:
            p.add("multifunction", a.multifunction)
        p.add("addr", a.addr_prop())
        if dev.info.acpi_index:
            p.add("acpi-index", dev.info.acpi_index)
    elif isinstance(a, GenericAddress):
        if a.type == "usb":
            bus = a.int("bus")
            ctrl = next((c for c in ctx.domain.devices.controllers
                         if c.type == "usb" and c.index == bus), None)
            p.add("bus", f"{ctrl.alias if ctrl else 'usb'}.0")
            if a.attrs.get("port"):
                p.add("port", a.attrs["port"])
        elif a.type == "virtio-serial":
            ctrl_idx = a.int("controller")
            ctrl = ctx.domain.devices.controller("virtio-serial", ctrl_idx)
            alias = ctrl.alias if ctrl and ctrl.alias else f"virtio-serial{ctrl_idx}"
            p.add("bus", f"{alias}.{a.int('bus')}")
            p.add("nr", a.int("port"))
        elif a.type == "ccid":
            p.add("bus", f"ccid{a.int('controller')}.0")
            p.add("slot", a.int("slot"))
        elif a.type == "spapr-vio":
            if a.attrs.get("reg"):
                p.add("reg", int(a.attrs["reg"], 0))
        elif a.type == "ccw":
            p.update(ccw_address_props(a))
        elif a.type == "isa":
            if "iobase" in a.attrs:
                p.add("iobase", a.attrs["iobase"])
            if "irq" in a.attrs:
                p.add("irq", a.attrs["irq"])
    return p


def loadparm(ctx: BuildContext, dev_elem: Elem) -> str | None:
    """s390 boot loader parameter of a bootable CCW device (<boot loadparm=...>)."""
    value = dev_elem.attr_at("loadparm", "boot")
    if not value or not ctx.has("virtio-ccw.loadparm"):
        return None
    return value.upper()


def apply_override(ctx: BuildContext, alias: str | None, props: Props,
                   prop_sources: dict[str, Source]) -> None:
    if alias is None:
        return
    for ov in ctx.domain.qemu.overrides:
        if ov.alias != alias:
            continue
        for prop in ov.frontend:
            src = Source("qemu", f"qemu:override/device[@alias='{alias}']/frontend/property"
                         f"[@name='{prop.name}']", prop.line)
            props.remove(prop.name)
            value = prop.value or ""
            if prop.type == "remove":
                prop_sources[prop.name] = src
                continue
            if prop.type == "string":
                props.add(prop.name, value)
            elif prop.type in ("signed", "unsigned"):
                props.add(prop.name, int(value, 10))  # a number: checked in validate/
            elif prop.type == "bool":
                props.add(prop.name, value == "true")
            prop_sources[prop.name] = src


def emit_device(ctx: BuildContext, dev: Device | None, props: Props, source: Source,
                alias: str | None = None) -> Item:
    """Append `-device` for `props`, honouring qemu:override and the JSON capability.

    The machine may adapt the device to its transport and put companion devices right
    before it (s390's zpci); they leave through here too.
    """
    if alias is None and dev is not None:
        alias = dev.alias
    ctx.policy.adapt_device(ctx, dev, props)
    for companion, companion_source in ctx.policy.companion_devices(ctx, dev, alias):
        _emit(ctx, companion, companion_source, None)
    return _emit(ctx, props, source, alias)


def _emit(ctx: BuildContext, props: Props, source: Source, alias: str | None) -> Item:
    """One -device: the qemu:override of `alias` applied, in JSON or key=value form."""
    prop_sources: dict[str, Source] = {}
    apply_override(ctx, alias, props, prop_sources)
    if ctx.has("device.json+hotplug"):
        item = ctx.cmd.add_json("-device", props, source)
    else:
        item = ctx.cmd.add("-device", props.to_keyval(first_key="driver"), source, props)
    item.prop_sources.update(prop_sources)
    return item


def controller_alias(ctx: BuildContext, type_: str, index: int) -> str:
    c: Controller | None = ctx.domain.devices.controller(type_, index)
    if c is not None and c.alias:
        return c.alias
    return f"{type_}{index}"


def drive_bus_props(ctx: BuildContext, dev: Device, kind: str) -> Props:
    """bus/unit (IDE, SATA) or bus/channel/scsi-id/lun (SCSI) for a drive address."""
    p = Props()
    a = dev.info.address
    if not isinstance(a, DriveAddress):
        return p
    if kind in ("ide", "sata"):
        alias = controller_alias(ctx, kind, a.controller)
        if kind == "sata":
            p.add("bus", f"{alias}.{a.unit}")
        else:
            p.add("bus", f"{alias}.{a.bus}")
            p.add("unit", a.unit)
    return p
