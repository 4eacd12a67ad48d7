"""Controllers: PCI bridges and root ports, USB, SCSI, SATA, virtio-serial, ...

Branches (qemuBuildControllersCommandLine, in its type order PCI, USB, SCSI, IDE, SATA,
virtio-serial; qemuBuildControllerDevProps):
- [x] PCI: pci-bridge (chassis_nr), dmi-to-pci-bridge, pcie-root-port / ioh3420 (port,
      chassis, hotplug), switch up/downstream ports, pci/pcie-expander-bus (bus_nr, node),
      pcie-to-pci-bridge, spapr-pci-host-bridge
- [x] USB: piix3/piix4/ich9 UHCI+EHCI companions (masterbus, firstport), pci-ohci,
      nec/qemu-xhci (p2/p3), usb-ehci, none; hubs
- [x] SCSI: lsi, mptsas1068, megasas, virtio-scsi (iothread, iothread mapping, queues,
      cmd_per_lun, max_sectors, ioeventfd), spapr-vscsi, pvscsi, am53c974, dc-390
- [x] SATA (ich9-ahci), virtio-serial (max_ports, vectors), CCID
- [x] addresses by libvirt's rules (prepare/addresses.py: dry run, connect flags, controller
      list order)
"""

from __future__ import annotations

from typing import Iterable

from ..cmdline import Source, default_source, xml_source
from ..context import BuildContext
from ..model import Controller, Device, Elem, PciAddress
from ..props import Props
from .device import address_props, emit_device

USB_MODEL_DRIVER = {
    "piix3-uhci": "piix3-usb-uhci", "piix4-uhci": "piix4-usb-uhci", "ehci": "usb-ehci",
    "ich9-ehci1": "ich9-usb-ehci1", "ich9-uhci1": "ich9-usb-uhci1", "ich9-uhci2": "ich9-usb-uhci2",
    "ich9-uhci3": "ich9-usb-uhci3", "vt82c686b-uhci": "vt82c686b-usb-uhci", "pci-ohci": "pci-ohci",
    "nec-xhci": "nec-usb-xhci", "qemu-xhci": "qemu-xhci",
}

SCSI_MODEL_DRIVER = {
    "lsilogic": "lsi", "lsisas1068": "mptsas1068", "lsisas1078": "megasas",
    "virtio-scsi": "virtio-scsi-pci", "virtio-transitional": "virtio-scsi-pci-transitional",
    "virtio-non-transitional": "virtio-scsi-pci-non-transitional", "vmpvscsi": "pvscsi",
    "am53c974": "am53c974", "dc390": "dc-390", "ibmvscsi": "spapr-vscsi",
}

PCI_MODEL_DRIVER = {
    "pcie-root-port": "pcie-root-port", "pci-bridge": "pci-bridge",
    "dmi-to-pci-bridge": "i82801b11-bridge", "pcie-to-pci-bridge": "pcie-pci-bridge",
    "pcie-switch-upstream-port": "x3130-upstream", "pcie-switch-downstream-port": "xio3130-downstream",
    "pci-expander-bus": "pxb", "pcie-expander-bus": "pxb-pcie",
}


def _source_of(d: Device) -> Source:
    return default_source(d.implicit) if d.implicit else xml_source(d.elem)


def _source(c: Controller) -> Source:
    return default_source(c.implicit) if c.implicit else xml_source(c.elem)


def _target_attr(t: Elem | None, name: str) -> str | None:
    return t.get(name) if t is not None else None


def _pci_controller_props(ctx: BuildContext, c: Controller) -> Props | None:
    board = ctx.policy.pci_controller_props(ctx, c)  # e.g. a pseries PHB
    if board is not None:
        return board
    model = c.model or ""
    driver = PCI_MODEL_DRIVER.get(model)
    if driver is None:
        return None
    p = Props(("driver", _pci_model_name(c) or driver))
    t = c.target
    if model == "pcie-root-port":
        a = c.info.address
        port_s, chassis_s = _target_attr(t, "port"), _target_attr(t, "chassis")
        port = int(port_s, 0) if port_s else \
            ((a.slot << 3) + a.function if isinstance(a, PciAddress) else 0)
        chassis = int(chassis_s) if chassis_s else c.index
        p.add("port", port).add("chassis", chassis)
    elif model == "pci-bridge":
        chassis_s = _target_attr(t, "chassisNr")
        p.add("chassis_nr", int(chassis_s) if chassis_s else c.index)
        _mem_reserve(c, p)
    elif model == "pcie-switch-downstream-port":
        a = c.info.address
        slot = a.slot if isinstance(a, PciAddress) else 0  # the port number is its slot
        port_s = _target_attr(t, "port")
        p.add("port", int(port_s, 0) if port_s else slot)
        p.add("chassis", int(t.get("chassis", str(c.index))) if t is not None else c.index)
    elif model in ("pci-expander-bus", "pcie-expander-bus"):
        p.add("bus_nr", c.bus_nr if c.bus_nr is not None else 0)
    p.add("id", c.alias)
    if model in ("pci-expander-bus", "pcie-expander-bus"):
        node = t.findtext("node") if t is not None else None
        if node is not None and node.strip():
            p.add("numa_node", int(node))
    if model in ("pcie-root-port", "pcie-switch-downstream-port"):
        hotplug = t.get("hotplug") if t is not None else None
        if hotplug in ("on", "off"):
            p.add("hotplug", hotplug == "on")
        _mem_reserve(c, p)
    p.add("id", c.alias)
    p.update(address_props(ctx, c))
    return p


def _mem_reserve(c: Controller, p: Props) -> None:
    """`<target memReserve>` (KiB) becomes the bridge's mem-reserve in bytes."""
    value = c.target.get("memReserve") if c.target is not None else None
    if value:
        p.add("mem-reserve", int(value) * 1024)


def _pci_model_name(c: Controller) -> str | None:
    """`<model name='ioh3420'/>` picks the QEMU device that implements a PCI controller."""
    return c.elem.attr_at("name", "model")


def _root_bus_globals(ctx: BuildContext) -> None:
    """-global options of the root bus: 64-bit PCI hole size and ACPI root hotplug."""
    root = ctx.domain.devices.controller("pci", 0)
    if root is None or root.model not in ("pci-root", "pcie-root"):
        return
    hole = root.elem.find("pcihole64")
    if hole is not None and (hole.text or "").strip():
        host = "q35-pcihost" if root.model == "pcie-root" else "i440FX-pcihost"
        size = _kib((hole.text or "").strip(), hole.get("unit"))
        ctx.cmd.add("-global", f"{host}.pci-hole64-size={size}K", xml_source(hole))
    hotplug = root.target.get("hotplug") if root.target is not None else None
    if hotplug in ("on", "off"):
        dev = "ICH9-LPC.acpi-pci-hotplug-with-bridge-support" if root.model == "pcie-root" \
            else "PIIX4_PM.acpi-root-pci-hotplug"
        ctx.cmd.add("-global", f"{dev}={hotplug}", xml_source(root.target))


_UNIT_KIB = {"b": 1 / 1024, "bytes": 1 / 1024, "k": 1, "kib": 1, "kb": 1000 / 1024,
             "m": 1024, "mib": 1024, "mb": 1000 ** 2 / 1024, "g": 1024 ** 2, "gib": 1024 ** 2,
             "gb": 1000 ** 3 / 1024}


def _kib(value: str, unit: str | None) -> int:
    return int(int(value) * _UNIT_KIB.get((unit or "kib").lower(), 1))


def build_controllers(ctx: BuildContext) -> None:
    _root_bus_globals(ctx)
    by_type: dict[str, list[Controller]] = {}  # one pass over the controllers, not one per type
    for c in ctx.domain.devices.controllers:
        by_type.setdefault(c.type, []).append(c)
    # libvirt emits PCI controllers first (in index order), then the rest by type
    for c in sorted(by_type.get("pci", ()), key=_index):
        props = _pci_controller_props(ctx, c)
        if props is not None:
            emit_device(ctx, c, props, _source(c))
    for ctype in ("usb", "scsi", "ide", "sata", "fdc", "virtio-serial", "isa", "xenbus"):
        _emit_controllers(ctx, by_type.get(ctype, ()))


def _index(c: Controller) -> int:
    return c.index


def _build_controllers_of(ctx: BuildContext, ctype: str) -> None:
    _emit_controllers(ctx, [c for c in ctx.domain.devices.controllers if c.type == ctype])


def _emit_controllers(ctx: BuildContext, ctrls: Iterable[Controller]) -> None:
    """Controllers of one type, in index order."""
    for c in sorted(ctrls, key=_index):
        props = controller_props(ctx, c)
        if props is not None:
            emit_device(ctx, c, props, _source(c))


def build_ccid_controllers(ctx: BuildContext) -> None:
    """USB CCID controllers come after the hubs they may sit behind."""
    _build_controllers_of(ctx, "ccid")


def build_hubs(ctx: BuildContext) -> None:
    """USB hubs (`<hub type='usb'>`), each on its USB port."""
    for hub in ctx.domain.devices.of("hub"):
        if hub.elem.get("type", "usb") != "usb":
            continue
        p = Props(("driver", "usb-hub"), ("id", hub.alias))
        p.update(address_props(ctx, hub))
        emit_device(ctx, hub, p, _source_of(hub))


def controller_props(ctx: BuildContext, c: Controller) -> Props | None:
    if c.type == "usb":
        if c.model in (None, "none"):
            return None
        driver = USB_MODEL_DRIVER.get(c.model)
        if driver is None:
            return None
        p = Props(("driver", driver))
        if c.model in ("qemu-xhci", "nec-xhci") and c.ports:
            p.add("p2", c.ports).add("p3", c.ports)
        if c.master_startport is not None:
            master = next((m for m in ctx.domain.devices.controllers
                           if m.type == "usb" and m.index == c.index and m.master_startport is None), None)
            p.add("masterbus", f"{master.alias if master else 'usb'}.0")
            p.add("firstport", c.master_startport)
        else:
            p.add("id", c.alias)  # a companion shares its master's bus and has no id
        p.update(address_props(ctx, c))
        return p
    if c.type == "scsi":
        from .misc import transitional_suffix

        driver = SCSI_MODEL_DRIVER.get(c.model or "lsilogic")
        if driver is not None and (c.model or "").startswith("virtio"):
            driver = "virtio-scsi-pci" + transitional_suffix(ctx, c.model)
        if driver is None:
            return None
        p = Props(("driver", driver))
        if (c.model or "").startswith("virtio"):
            _virtio_scsi_props(c, p)
        else:
            p.add("id", c.alias)
        p.update(address_props(ctx, c))
        return p
    if c.type == "sata":
        if ctx.is_q35 and c.index == 0:
            return None
        p = Props(("driver", "ahci"), ("id", c.alias))
        p.update(address_props(ctx, c))
        return p
    if c.type == "virtio-serial":
        from .misc import transitional_suffix, virtio_options

        driver = "virtio-serial-pci" + transitional_suffix(ctx, c.model)
        if getattr(c.info.address, "type", None) == "virtio-mmio":
            driver = "virtio-serial-device"  # ARM boards' virtio-mmio transport

        p = Props(("driver", driver))
        p.update(virtio_options(c.elem))
        p.add("id", c.alias)
        if c.ports:
            p.add("max_ports", c.ports)
        if c.vectors:
            p.add("vectors", c.vectors)
        p.update(address_props(ctx, c))
        return p
    if c.type == "ccid":
        p = Props(("driver", "usb-ccid"), ("id", c.alias))
        p.update(address_props(ctx, c))
        return p
    return None


def _virtio_scsi_props(c: Controller, p: Props) -> None:
    """virtio-scsi tuning from <driver>: iothread first, then the queue settings."""
    from .misc import virtio_options

    drv = c.driver
    if drv is not None and drv.get("iothread"):
        p.add("iothread", f"iothread{drv.get('iothread')}")
    p.update(virtio_options(c.elem))
    p.add("id", c.alias)
    if drv is None:
        return
    for attr, prop in (("queues", "num_queues"), ("cmd_per_lun", "cmd_per_lun"),
                       ("max_sectors", "max_sectors")):
        if drv.get(attr):
            p.add(prop, int(drv.get(attr) or 0))
    if drv.get("ioeventfd"):
        p.add("ioeventfd", drv.get("ioeventfd") == "on")
    threads = drv.find("iothreads")
    if threads is not None:
        mapping = []
        for t in threads.findall("iothread"):
            entry: dict[str, object] = {"iothread": f"iothread{t.get('id')}"}
            queues = [int(q.get("id") or 0) for q in t.findall("queue")]
            if queues:
                entry["vqs"] = queues
            mapping.append(entry)
        p.add("iothread-vq-mapping", mapping)
