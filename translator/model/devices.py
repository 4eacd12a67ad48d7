"""Typed device models, one dataclass per libvirt device family.

Each class keeps the fields the builders need as typed attributes; the full `elem`
stays available for rarely used options and for provenance (source line).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from typing import Any, SupportsIndex

from capsdb.records import dataclass
from .device import Device, info_from_elem
from .elem import Elem
from .misc_devices import MISC_FACTORIES


@dataclass
class Disk(Device):
    """A <disk>: the facts the storage builders decide on."""

    family: str = "disk"
    type: str = "file"            # file, block, dir, network, volume, nvme, vhostuser
    device: str = "disk"          # disk, cdrom, floppy, lun
    bus: str | None = None
    dev: str = ""                 # target dev, e.g. vda
    source: Elem | None = None
    driver: Elem | None = None
    readonly: bool = False
    shareable: bool = False
    transient: bool = False
    serial: str | None = None
    wwn: str | None = None
    vendor: str | None = None
    product: str | None = None
    tray: str | None = None
    removable: str | None = None
    rotation_rate: int | None = None
    backing: Elem | None = None

    @property
    def format(self) -> str | None:
        return self.driver.get("type") if self.driver is not None else None

    @property
    def empty(self) -> bool:
        """A cdrom/floppy with no medium."""
        if self.source is None:
            return self.type != "network"
        return not any(self.source.get(a) for a in ("file", "dev", "dir", "name", "pool"))


@dataclass
class Controller(Device):
    """A <controller>; `index` and `model` may be filled in by prepare."""

    family: str = "controller"
    type: str = "pci"
    index: int = 0
    model: str | None = None
    ports: int | None = None
    vectors: int | None = None
    target: Elem | None = None
    driver: Elem | None = None
    master_startport: int | None = None
    bus_nr: int | None = None     # pci[e]-expander-bus: <target busNr>, else chosen by prepare
    target_index: int | None = None  # a pseries PHB's <target index>, else chosen by prepare


@dataclass
class Interface(Device):
    """An <interface> (network device)."""

    family: str = "net"
    type: str = "user"
    mac: str | None = None
    model: str | None = None
    source: Elem | None = None
    driver: Elem | None = None
    target_dev: str | None = None


@dataclass
class Hostdev(Device):
    """A host device passed through (<hostdev>, or an <interface type='hostdev'>).

    libvirt keeps hostdev-type interfaces in its hostdev list too: they get `hostdevN`
    aliases, PCI addresses with the hostdevs and are built by the hostdev stage.
    """

    family: str = "hostdev"
    mode: str = "subsystem"
    type: str = "pci"             # pci, usb, scsi, scsi_host, mdev
    source: Elem | None = None
    driver: Elem | None = None
    model: str | None = None      # mdev: vfio-pci, vfio-ccw, vfio-ap
    display: str | None = None
    ramfb: str | None = None
    failover_pair: str | None = None   # <teaming type='transient' persistent=ALIAS>
    readonly: bool = False
    shareable: bool = False
    interface: bool = False       # came from <interface type='hostdev'>

    @property
    def pci_host_address(self) -> str:
        """DDDD:BB:SS.F of the host PCI device named by <source><address> (libvirt's
        parser leaves a missing address all zeros)."""
        a = self.source.find("address") if self.source is not None else None
        if a is None:
            return "0000:00:00.0"

        def num(attr: str) -> int:
            return int(a.get(attr) or "0", 0)

        return f"{num('domain'):04x}:{num('bus'):02x}:{num('slot'):02x}.{num('function')}"

    @property
    def on_pci(self) -> bool:
        """Whether the guest sees it as a PCI device (so it needs a PCI address)."""
        if self.mode != "subsystem":
            return False
        if self.type == "mdev":
            return (self.model or "vfio-pci") == "vfio-pci"
        return self.type in ("pci", "scsi_host")


@dataclass
class Chardev(Device):
    """serial, parallel, channel and console share libvirt's chardev source model."""

    family: str = "chardev"
    kind: str = "serial"          # serial | parallel | channel | console
    type: str = "pty"             # pty, file, unix, tcp, udp, null, ...
    target_type: str | None = None
    target_port: int | None = None
    target_name: str | None = None
    target_model: str | None = None
    sources: tuple[Elem, ...] = ()
    protocol: str | None = None
    log: Elem | None = None


@dataclass
class Graphics(Device):
    """A <graphics> display (vnc, spice, ...)."""

    family: str = "graphics"
    type: str = "vnc"


@dataclass
class Video(Device):
    """A <video> adapter with its memory sizes."""

    family: str = "video"
    model: str | None = None
    primary: bool = False
    heads: int | None = None
    vram: int | None = None
    ram: int | None = None
    vgamem: int | None = None
    vram64: int | None = None
    accel3d: bool | None = None   # <acceleration accel3d>: picks the virtio '-gl' devices
    blob: bool | None = None      # <model blob='on|off'>: virtio-gpu resource blobs

    @property
    def vhost_user(self) -> bool:
        """<driver name='vhostuser'>: rendering happens in a vhost-user-gpu helper process."""
        return self.elem.attr_at("name", "driver") == "vhostuser"


@dataclass
class Audio(Device):
    """An <audio> backend, referenced by id from sound devices and graphics."""

    family: str = "audio"
    id: int = 1
    type: str = "none"


@dataclass
class Sound(Device):
    """A <sound> device."""

    family: str = "sound"
    model: str = "ich6"


@dataclass
class Input(Device):
    """An <input> device (mouse, tablet, keyboard, passthrough, evdev)."""

    family: str = "input"
    type: str = "mouse"
    bus: str | None = None


@dataclass
class Memballoon(Device):
    """The <memballoon> device (libvirt adds a virtio one by default)."""

    family: str = "memballoon"
    model: str = "virtio"


@dataclass
class Generic(Device):
    """Any other device family (rng, watchdog, tpm, panic, hostdev, ...): typed later."""

    family: str = "generic"
    type: str | None = None
    model: str | None = None


def _int(v: str | None) -> int | None:
    return int(v, 0) if v not in (None, "") else None


# target name prefix -> the bus libvirt assumes when <target> names none
_BUS_BY_PREFIX = (("hd", "ide"), ("sd", "scsi"), ("vd", "virtio"), ("xvd", "xen"),
                  ("ubd", "uml"))


def _default_disk_bus(device: str, dev: str) -> str | None:
    if device == "floppy":
        return "fdc"
    return next((bus for prefix, bus in _BUS_BY_PREFIX if dev.startswith(prefix)), None)


def disk_from(e: Elem) -> Disk:
    t = e.find("target")
    device = e.get("device", "disk") or "disk"
    dev = (t.get("dev") if t is not None else "") or ""
    return Disk(
        elem=e, info=info_from_elem(e),
        type=e.get("type", "file") or "file",
        device=device,
        bus=(t.get("bus") if t is not None else None) or _default_disk_bus(device, dev),
        dev=(t.get("dev") if t is not None else "") or "",
        source=e.find("source"),
        driver=e.find("driver"),
        readonly=e.find("readonly") is not None,
        shareable=e.find("shareable") is not None,
        transient=e.find("transient") is not None,
        serial=e.findtext("serial"),
        wwn=e.findtext("wwn"),
        vendor=e.findtext("vendor"),
        product=e.findtext("product"),
        tray=t.get("tray") if t is not None else None,
        removable=t.get("removable") if t is not None else None,
        rotation_rate=_int(t.get("rotation_rate")) if t is not None else None,
        backing=e.find("backingStore"),
    )


def controller_from(e: Elem) -> Controller:
    return Controller(
        elem=e, info=info_from_elem(e),
        type=e.get("type", "pci") or "pci",
        index=int(e.get("index", "0") or 0),
        model=e.get("model"),
        ports=_int(e.get("ports")),
        vectors=_int(e.get("vectors")),
        target=e.find("target"),
        driver=e.find("driver"),
        master_startport=_int(e.attr_at("startport", "master")),
        bus_nr=_int(e.attr_at("busNr", "target")),
    )


def interface_from(e: Elem) -> Interface | Hostdev:
    if e.get("type") == "hostdev":
        return hostdev_from(e)
    return Interface(
        elem=e, info=info_from_elem(e),
        type=e.get("type", "user") or "user",
        mac=(e.attr_at("address", "mac") or "").lower() or None,  # libvirt prints it lowercase
        # vhost-user and vDPA only work with virtio NICs, libvirt's default for them
        model=e.attr_at("type", "model") or
        ("virtio" if e.get("type") in ("vhostuser", "vdpa") else None),
        source=e.find("source"),
        driver=e.find("driver"),
        target_dev=e.attr_at("dev", "target"),
    )


def hostdev_from(e: Elem) -> Hostdev:
    is_iface = e.tag == "interface"
    src = e.find("source")
    return Hostdev(
        elem=e, info=info_from_elem(e),
        mode=e.get("mode", "subsystem") or "subsystem",
        type=("pci" if src is None or src.attr_at("type", "address") in (None, "pci")
              else src.attr_at("type", "address") or "pci") if is_iface
        else e.get("type", "pci") or "pci",
        source=src,
        driver=e.find("driver"),
        model=e.get("model"),
        display=e.get("display"),
        ramfb=e.get("ramfb"),
        failover_pair=e.attr_at("persistent", "teaming"),
        readonly=e.find("readonly") is not None,
        shareable=e.find("shareable") is not None,
        interface=is_iface,
    )


def chardev_from(e: Elem) -> Chardev:
    t = e.find("target")
    port = t.get("port") if t is not None else None
    return Chardev(
        elem=e, info=info_from_elem(e),
        kind=e.tag,
        type=e.get("type", "pty") or "pty",
        target_type=t.get("type") if t is not None else None,
        target_port=_int(port),
        target_name=t.get("name") if t is not None else None,
        target_model=t.attr_at("name", "model") if t is not None else None,
        sources=tuple(e.findall("source")),
        protocol=e.attr_at("type", "protocol"),
        log=e.find("log"),
    )


def video_from(e: Elem) -> Video:
    m = e.find("model")

    def g(a: str) -> int | None:
        return _int(m.get(a)) if m is not None else None

    return Video(
        elem=e, info=info_from_elem(e),
        model=m.get("type") if m is not None else None,
        primary=(m is not None and m.get("primary") == "yes"),
        heads=g("heads"), vram=g("vram"), ram=g("ram"), vgamem=g("vgamem"), vram64=g("vram64"),
        accel3d=m.attr_at("accel3d", "acceleration") == "yes" if m is not None else None,
        blob=m.yes("blob") if m is not None else None,
    )


DEVICE_FACTORIES = {
    "disk": disk_from,
    "controller": controller_from,
    "interface": interface_from,
    "hostdev": hostdev_from,
    "serial": chardev_from,
    "parallel": chardev_from,
    "channel": chardev_from,
    "console": chardev_from,
    "graphics": lambda e: Graphics(elem=e, info=info_from_elem(e), type=e.get("type", "vnc") or "vnc"),
    "video": video_from,
    "audio": lambda e: Audio(elem=e, info=info_from_elem(e), id=int(e.get("id", "1") or 1),
                             type=e.get("type", "none") or "none"),
    "sound": lambda e: Sound(elem=e, info=info_from_elem(e), model=e.get("model", "ich6") or "ich6"),
    "input": lambda e: Input(elem=e, info=info_from_elem(e), type=e.get("type", "mouse") or "mouse",
                             bus=e.get("bus")),
    "memballoon": lambda e: Memballoon(elem=e, info=info_from_elem(e),
                                       model=e.get("model", "virtio") or "virtio"),
}
DEVICE_FACTORIES.update(MISC_FACTORIES)  # tpm, watchdog, rng, filesystem, smartcard, ...


def device_from(e: Elem) -> Device:
    factory = DEVICE_FACTORIES.get(e.tag)
    if factory is not None:
        return factory(e)
    return Generic(elem=e, info=info_from_elem(e), family=e.tag, type=e.get("type"),
                   model=e.get("model"))


def nets_before_hostdevs(items: list[Device]) -> None:
    """Move every <hostdev> after the last <interface>, keeping both orders.

    libvirt parses the interfaces before the host devices and enters a hostdev-type
    interface in its hostdev list as it goes: such interfaces come first in that list
    (their aliases, PCI slots and command-line order) whatever the document order.
    """
    slots = [i for i, d in enumerate(items) if isinstance(d, (Interface, Hostdev))]
    ordered = sorted((items[i] for i in slots),
                     key=lambda d: isinstance(d, Hostdev) and not d.interface)
    for i, d in zip(slots, ordered):
        items[i] = d


class DeviceList(list[Device]):
    """The device list, counting its changes so that views of it can be cached: the
    controllers are looked up once per device, which must not cost a scan each time."""

    version = 0

    def _changed(self) -> None:
        self.version += 1

    def append(self, d: Device) -> None:
        super().append(d)
        self._changed()

    def insert(self, i: SupportsIndex, d: Device) -> None:
        super().insert(i, d)
        self._changed()

    def extend(self, ds: Iterable[Device]) -> None:
        super().extend(ds)
        self._changed()

    def remove(self, d: Device) -> None:
        super().remove(d)
        self._changed()

    def pop(self, i: SupportsIndex = -1) -> Device:
        self._changed()
        return super().pop(i)

    def clear(self) -> None:
        super().clear()
        self._changed()

    def sort(self, *args: Any, **kwargs: Any) -> None:
        super().sort(*args, **kwargs)
        self._changed()

    def reverse(self) -> None:
        super().reverse()
        self._changed()

    def __setitem__(self, i: Any, v: Any) -> None:
        super().__setitem__(i, v)
        self._changed()

    def __delitem__(self, i: Any) -> None:
        super().__delitem__(i)
        self._changed()

    def __iadd__(self, ds: Iterable[Device]) -> DeviceList:  # type: ignore[override,misc]
        self._changed()
        super().__iadd__(ds)
        return self


@dataclass
class Devices:
    """The <devices> list, in document order, with typed views per family."""

    emulator: str | None = None
    items: list[Device] = field(default_factory=DeviceList)
    _controllers: tuple[int, list[Controller]] | None = field(default=None, repr=False,
                                                               compare=False)

    def of(self, family: str) -> list[Device]:
        return [d for d in self.items if d.family == family]

    @property
    def disks(self) -> list[Disk]:
        return [d for d in self.items if isinstance(d, Disk)]

    @property
    def controllers(self) -> list[Controller]:
        return list(self._controller_view())

    def _controller_view(self) -> list[Controller]:
        """The controllers, scanned again only after the device list changed."""
        items = self.items
        version = items.version if isinstance(items, DeviceList) else None
        if version is None or self._controllers is None or self._controllers[0] != version:
            found = [d for d in items if isinstance(d, Controller)]
            if version is None:
                return found
            self._controllers = (version, found)
        return self._controllers[1]

    @property
    def interfaces(self) -> list[Interface]:
        return [d for d in self.items if isinstance(d, Interface)]

    def chardevs(self, kind: str) -> list[Chardev]:
        return [d for d in self.items if isinstance(d, Chardev) and d.kind == kind]

    def controller(self, type_: str, index: int = 0) -> Controller | None:
        for c in self._controller_view():
            if c.type == type_ and c.index == index:
                return c
        return None
