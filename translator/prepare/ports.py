"""Non-PCI addresses: virtio-serial ports and USB ports.

A virtio channel/console needs a virtio-serial controller; libvirt adds one when the
domain has none and gives every port the next free number (port 0 is reserved for a
virtconsole). USB devices get the next free port of the first USB controller.
"""

from __future__ import annotations

from typing import Callable
from dataclasses import field

from capsdb.records import dataclass
from ..context import BuildContext
from ..model import Chardev, Controller, Device, Elem, GenericAddress
from ..model.devices import Disk, Generic, Input, Interface, Sound
from ..model.misc_devices import Filesystem
from ..usb import HUB_PORTS, MAX_PORT_DEPTH, controller_ports
from .implicit import insert_controller
from ..validate import allocation as alloc_errors


_VIRTIO_SERIAL_PORTS = 31  # ports of a virtio-serial controller without max_ports


def _is_virtio_port(c: Device) -> bool:
    return isinstance(c, Chardev) and c.kind in ("channel", "console") \
        and c.target_type == "virtio"


def _vserial_address(c: Device) -> GenericAddress | None:
    a = c.info.address
    return a if isinstance(a, GenericAddress) and a.type == "virtio-serial" else None


def _add_virtio_serial_controller(ctx: BuildContext, idx: int, why: str) -> None:
    insert_controller(ctx, Controller(
        elem=Elem("controller", {"type": "virtio-serial", "index": str(idx)},
                  path="(implicit controller)"),
        type="virtio-serial", index=idx, implicit=why))


def _add_virtio_serial_controllers(ctx: BuildContext, ports: list[Device]) -> None:
    """Each controller index a virtio port names (0 when none) must exist."""
    devs = ctx.domain.devices
    for ch in ports:
        a = _vserial_address(ch)
        idx = a.int("controller") if a is not None else 0
        if devs.controller("virtio-serial", idx) is None:
            _add_virtio_serial_controller(ctx, idx, "virtio channels need a virtio-serial controller")


class _FreePorts:
    """The first free port from `first` on a virtio-serial controller. Ports are only ever
    taken, so the answer never moves back: each search resumes where the last one for
    the same controller and start stopped, instead of rescanning the taken ports."""

    def __init__(self, size: dict[int, int], used: set[tuple[int, int]]) -> None:
        self.size, self.used = size, used
        self._resume: dict[tuple[int, int], int] = {}

    def first_free(self, idx: int, first: int) -> int | None:
        end = self.size.get(idx, _VIRTIO_SERIAL_PORTS)
        port = max(first, self._resume.get((idx, first), first))
        while port < end and (idx, port) in self.used:
            port += 1
        self._resume[(idx, first)] = port
        return port if port < end else None


def _reserve_written_ports(ports: list[Chardev],
                           size: dict[int, int]) -> set[tuple[int, int]]:
    """virDomainVirtioSerialAddrReserve, in libvirt's device order (channels, then
    consoles): a written port (0 means none) must exist on its controller and be free."""
    used: set[tuple[int, int]] = set()
    for ch in ports:
        a = _vserial_address(ch)
        if a is None or not a.int("port"):
            continue
        idx, port = a.int("controller"), a.int("port")
        if port >= size[idx]:
            raise alloc_errors.virtio_serial_port_missing(idx, port)
        if (idx, port) in used:
            raise alloc_errors.virtio_serial_port_occupied(port, idx)
        used.add((idx, port))
    return used


def assign_virtio_serial(ctx: BuildContext) -> None:
    """Implicit controllers, then ports: the XML's first, then consoles (which may use
    port 0), then channels. A port naming its controller takes that controller's next
    free port; any other takes the first free port of any controller and, when all are
    full, a new controller at the lowest unused index (virDomainVirtioSerialAddrNext)."""
    devs = ctx.domain.devices
    ports = [c for c in devs.items if _is_virtio_port(c)]
    if not ports:
        return
    _add_virtio_serial_controllers(ctx, ports)
    size = {c.index: c.ports or _VIRTIO_SERIAL_PORTS
            for c in devs.controllers if c.type == "virtio-serial"}
    channels = [c for c in ports if isinstance(c, Chardev) and c.kind == "channel"]
    consoles = [c for c in ports if isinstance(c, Chardev) and c.kind == "console"]
    used = _reserve_written_ports(channels + consoles, size)
    free = _FreePorts(size, used)
    order = consoles + channels
    for ch in order:
        a = _vserial_address(ch)
        if a is not None and a.int("port"):
            continue
        first = 0 if isinstance(ch, Chardev) and ch.kind == "console" else 1
        if a is not None:
            idx = a.int("controller")
            port = free.first_free(idx, first)
            if port is None:
                raise alloc_errors.no_free_port_on_virtio_serial(idx)
        else:
            idx, port = next(((i, p) for i in sorted(size)
                              if (p := free.first_free(i, first)) is not None),
                             (-1, None))
            if port is None:
                idx = next(i for i in range(len(size) + 1) if i not in size)
                _add_virtio_serial_controller(ctx, idx, "every virtio-serial port was taken")
                size[idx], port = _VIRTIO_SERIAL_PORTS, first
        used.add((idx, port))
        bus = 0  # libvirt only ever uses bus 0 of a virtio-serial controller
        ch.info.address = GenericAddress("virtio-serial", {
            "controller": str(idx), "bus": str(bus), "port": str(port)})


def _is_usb_hub(d: Device) -> bool:
    return d.family == "hub" and (d.elem.get("type") or "usb") == "usb"


def usb_devices(ctx: BuildContext) -> list[Device]:
    """The devices that plug into a USB port, in the order libvirt visits them:
    hubs, host devices, disks, NICs, CCID controllers, inputs, serial ports, sound
    cards, redirected devices, MTP filesystems."""
    groups: list[list[Device]] = [[] for _ in range(_USB_GROUP_COUNT)]
    for d in ctx.domain.devices.items:  # one pass: only a device's own family can match
        for group, plugs_into_usb in _USB_GROUPS.get(d.family, ()):
            if plugs_into_usb(d):
                groups[group].append(d)
    return [d for group in groups for d in group]


# per device family, (its place in libvirt's visiting order, whether a device of it is a
# USB device)
_USB_GROUPS: dict[str, tuple[tuple[int, Callable[[Device], bool]], ...]] = {
    "hub": ((0, _is_usb_hub),),
    "hostdev": ((1, lambda d: d.elem.get("type") == "usb" and d.elem.tag == "hostdev"),),
    "disk": ((2, lambda d: isinstance(d, Disk) and d.bus == "usb"),),
    "net": ((3, lambda d: isinstance(d, Interface) and d.model == "usb-net"),),
    "controller": ((4, lambda d: isinstance(d, Controller) and d.type == "ccid"),),
    "input": ((5, lambda d: isinstance(d, Input) and d.bus == "usb"),),
    "chardev": ((6, lambda d: isinstance(d, Chardev) and d.kind == "serial"
                 and d.target_type == "usb-serial" and not d.implicit),),
    "sound": ((7, lambda d: isinstance(d, Sound) and d.model == "usb"),),
    "redirdev": ((8, lambda d: (d.elem.get("bus") or "usb") == "usb"),),
    "filesystem": ((9, lambda d: isinstance(d, Filesystem) and d.fsdriver == "mtp"),),
}
_USB_GROUP_COUNT = 10


@dataclass
class _Hub:
    """A USB hub or controller root hub: which ports are taken, and hubs behind them."""

    nports: int
    used: set[int] = field(default_factory=set)          # 1-based ports in use
    children: dict[int, "_Hub"] = field(default_factory=dict)

    def free_path(self, depth: int = 0) -> list[int] | None:
        """The first free port here, else (depth first, by port) one behind a child hub."""
        for port in range(1, self.nports + 1):
            if port not in self.used:
                return [port]
        if depth >= MAX_PORT_DEPTH - 1:
            return None
        for port in sorted(self.children):
            sub = self.children[port].free_path(depth + 1)
            if sub is not None:
                return [port] + sub
        return None


def _usb_port(d: Device) -> tuple[int, list[int]] | None:
    """(bus, port path) of a device whose USB address names a port, else None."""
    a = d.info.address
    if not (isinstance(a, GenericAddress) and a.type == "usb" and a.attrs.get("port")):
        return None
    # at most MAX_PORT_DEPTH numbers: the parser refused anything else (check_usb_port_syntax)
    path = [int(p) for p in a.attrs["port"].split(".")]
    if path[0] == 0:
        return None  # virDomainUSBAddressPortIsValid: a first port 0 means "none given"
    while len(path) > 1 and path[-1] == 0:
        path.pop()  # virDomainUSBAddressGetLastIdx: trailing zeros are not levels
    return a.int("bus"), path


def _find_port(buses: dict[int, _Hub], bus: int, path: list[int]) -> tuple[_Hub, int]:
    """The hub that holds the last port of `path` (libvirt's wording on failure)."""
    text = ".".join(map(str, path))
    hub = buses.get(bus)
    if hub is None:
        raise alloc_errors.missing_usb_bus(bus)
    for port in path[:-1]:
        if port > hub.nports:
            raise alloc_errors.usb_port_out_of_range(port, bus, text)
        child = hub.children.get(port)
        if child is None:
            raise alloc_errors.no_usb_hub_at(port, bus, text)
        hub = child
    if path[-1] > hub.nports:
        raise alloc_errors.usb_port_not_present(text, bus)
    return hub, path[-1]


def _reserve(buses: dict[int, _Hub], bus: int, path: list[int]) -> _Hub:
    hub, port = _find_port(buses, bus, path)
    if port in hub.used:
        text = ".".join(map(str, path))
        raise alloc_errors.duplicate_usb_address(bus, text)
    hub.used.add(port)
    return hub


def usb_root_hubs(ctx: BuildContext) -> dict[int, _Hub]:
    """One root hub per USB bus: companions (no ports of their own) share their EHCI's
    index, any other second controller on an index is refused
    (virDomainUSBAddressSetAddController)."""
    buses: dict[int, _Hub] = {}
    for c in ctx.domain.devices.controllers:
        if c.type != "usb" or c.model is None:
            continue
        n = controller_ports(c)
        if not n:
            continue
        if c.index in buses:
            raise alloc_errors.duplicate_usb_controller(c.index)
        buses[c.index] = _Hub(n)
    return buses


def _check_usb_enabled(ctx: BuildContext, devices: list[Device]) -> bool:
    """False when the domain has no USB bus; devices that need one are refused."""
    if any(c.type == "usb" and c.model != "none" for c in ctx.domain.devices.controllers):
        return True
    if devices:
        raise alloc_errors.usb_disabled_with_devices()
    return False


def _add_usb_hubs(ctx: BuildContext, devices: list[Device], buses: dict[int, _Hub]) -> None:
    """Enough 8-port hubs for every USB device when the controllers have too few ports."""
    hubs = [d for d in devices if _is_usb_hub(d)]
    available = sum(h.nports for h in buses.values()) + HUB_PORTS * len(hubs)
    if len(devices) <= available:
        return
    # each new hub takes a port itself and gives eight
    needed = -(-(len(devices) - available + 1) // (HUB_PORTS - 1))
    items = ctx.domain.devices.items
    pos = items.index(hubs[-1]) + 1 if hubs else len(items)
    for i in range(needed):
        hub = Generic(elem=Elem("hub", {"type": "usb"}, path="(implicit hub)"), family="hub",
                      type="usb", implicit="libvirt adds USB hubs when the ports run out")
        hub.info.alias = f"hub{len(hubs) + i}"
        items.insert(pos + i, hub)
        devices.insert(len(hubs) + i, hub)


def assign_usb_ports(ctx: BuildContext) -> None:
    """Reserve the USB ports the XML names, then give hubs and devices the first free
    port, searching each controller's root hub and then the hubs behind it."""
    devices = usb_devices(ctx)
    if not _check_usb_enabled(ctx, devices):
        return
    buses = usb_root_hubs(ctx)
    _add_usb_hubs(ctx, devices, buses)
    hubs = [d for d in devices if _is_usb_hub(d)]
    for hub in hubs:  # hubs with a full address first, so devices may sit behind them
        where = _usb_port(hub)
        if where is not None:
            parent, port = _find_port(buses, *where)
            if port in parent.children:
                raise alloc_errors.duplicate_usb_hub(where[0], ".".join(map(str, where[1])))
            parent.used.add(port)
            parent.children[port] = _Hub(HUB_PORTS)
    for d in devices:
        where = _usb_port(d)
        if where is not None and not _is_usb_hub(d):
            _reserve(buses, *where)
    for hub in hubs:
        if _usb_port(hub) is None:
            bus, path = _assign_usb_port(buses, hub)
            parent, port = _find_port(buses, bus, path)
            parent.children[port] = _Hub(HUB_PORTS)
    for d in devices:
        if not _is_usb_hub(d) and _usb_port(d) is None:
            _assign_usb_port(buses, d)


def _assign_usb_port(buses: dict[int, _Hub], d: Device) -> tuple[int, list[int]]:
    """The first free port of the requested bus, or of any bus; recorded on `d`."""
    a = d.info.address
    if isinstance(a, GenericAddress) and a.type == "usb" and "bus" in a.attrs:
        bus = a.int("bus")
        if bus not in buses:
            raise alloc_errors.usb_bus_without_controller(bus)
        candidates = [bus]
    else:
        candidates = sorted(buses)
    for bus in candidates:
        path = buses[bus].free_path()
        if path is not None:
            _reserve(buses, bus, path)
            d.info.address = GenericAddress("usb", {"bus": str(bus),
                                                    "port": ".".join(map(str, path))})
            return bus, path
    raise alloc_errors.no_free_usb_port()
