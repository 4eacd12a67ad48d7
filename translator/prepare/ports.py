"""Non-PCI addresses: virtio-serial ports and USB ports.

A virtio channel/console needs a virtio-serial controller; libvirt adds one when the
domain has none and gives every port the next free number (port 0 is reserved for a
virtconsole). USB devices get the next free port of the first USB controller.
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import Chardev, Controller, Elem, GenericAddress
from ..model.devices import Disk, Input


def assign_virtio_serial(ctx: BuildContext) -> None:
    devs = ctx.domain.devices
    needs = [c for c in devs.items if isinstance(c, Chardev)
             and ((c.kind == "channel" and c.target_type == "virtio")
                  or (c.kind == "console" and c.target_type == "virtio"))]
    if not needs:
        return
    if not any(c.type == "virtio-serial" for c in devs.controllers):
        ctrl = Controller(elem=Elem("controller", {"type": "virtio-serial", "index": "0"},
                                    path="(implicit controller)"),
                          type="virtio-serial", index=0,
                          implicit="virtio channels need a virtio-serial controller")
        # libvirt keeps controllers grouped by type; place it after the last controller
        last = max((i for i, d in enumerate(devs.items) if isinstance(d, Controller)), default=-1)
        devs.items.insert(last + 1, ctrl)
    used: set[tuple[int, int, int]] = set()
    for c in needs:
        a = c.info.address
        if isinstance(a, GenericAddress) and a.type == "virtio-serial" and "port" in a.attrs:
            used.add((a.int("controller"), a.int("bus"), a.int("port")))
    for c in needs:
        a = c.info.address
        if isinstance(a, GenericAddress) and a.type == "virtio-serial" and "port" in a.attrs:
            continue
        ctrl_idx = a.int("controller") if isinstance(a, GenericAddress) else 0
        bus = a.int("bus") if isinstance(a, GenericAddress) else 0
        port = 0 if c.kind == "console" else 1
        while (ctrl_idx, bus, port) in used:
            port += 1
        used.add((ctrl_idx, bus, port))
        c.info.address = GenericAddress("virtio-serial", {
            "controller": str(ctrl_idx), "bus": str(bus), "port": str(port)})


def _usb_devices(ctx: BuildContext) -> list:  # type: ignore[type-arg]
    out = []
    for d in ctx.domain.devices.items:
        if isinstance(d, Input) and d.bus == "usb":
            out.append(d)
        elif isinstance(d, Disk) and d.bus == "usb":
            out.append(d)
        elif isinstance(d, Controller) and d.type == "ccid":
            out.append(d)
        elif d.family in ("hub", "redirdev") or (d.family == "sound" and d.elem.get("model") == "usb"):
            out.append(d)
        elif d.family == "hostdev" and d.elem.get("type") == "usb":
            out.append(d)
    return out


def assign_usb_ports(ctx: BuildContext) -> None:
    usb = [c for c in ctx.domain.devices.controllers if c.type == "usb" and c.model != "none"]
    if not usb:
        return
    used: set[tuple[int, str]] = set()
    # hubs are given their ports before the devices that may plug into them
    devices = sorted(_usb_devices(ctx), key=lambda d: d.family != "hub")
    for d in devices:
        a = d.info.address
        if isinstance(a, GenericAddress) and a.type == "usb" and a.attrs.get("port"):
            used.add((a.int("bus"), a.attrs["port"]))
    for d in devices:
        a = d.info.address
        if isinstance(a, GenericAddress) and a.type == "usb" and a.attrs.get("port"):
            continue
        bus = 0
        port = 1
        while (bus, str(port)) in used:
            port += 1
        used.add((bus, str(port)))
        d.info.address = GenericAddress("usb", {"bus": str(bus), "port": str(port)})
