"""Device addresses, as libvirt's `<address type=...>` describes them."""

from __future__ import annotations

from dataclasses import field

from capsdb.records import dataclass
from .elem import Elem


def _int(v: str | None, default: int = 0) -> int:
    if v is None or v == "":
        return default
    return int(v, 0)


@dataclass
class PciAddress:
    """A PCI address (<address type='pci'>), plus s390's zPCI identity."""

    domain: int = 0
    bus: int = 0
    slot: int = 0
    function: int = 0
    multifunction: bool | None = None
    type: str = "pci"
    # s390 zPCI extension (<zpci uid= fid=>): None until given or assigned
    zpci_uid: int | None = None
    zpci_fid: int | None = None

    def key(self) -> tuple[int, int, int, int]:
        return (self.domain, self.bus, self.slot, self.function)

    @property
    def unset(self) -> bool:
        """virPCIDeviceAddressIsEmpty: domain, bus and slot all 0, whatever the function,
        is no address at all (virDeviceInfoPCIAddressIsPresent): libvirt picks one."""
        return not (self.domain or self.bus or self.slot)

    def addr_prop(self) -> str:
        """QEMU's `addr` value: '0xS' or '0xS.0xF'."""
        if self.function:
            return f"0x{self.slot:x}.0x{self.function:x}"
        return f"0x{self.slot:x}"


@dataclass
class DriveAddress:
    """A disk's controller/bus/target/unit address (<address type='drive'>)."""

    controller: int = 0
    bus: int = 0
    target: int = 0
    unit: int = 0
    type: str = "drive"


@dataclass
class GenericAddress:
    """Every other address type (usb, virtio-serial, ccid, isa, dimm, ccw, ...)."""

    type: str
    attrs: dict[str, str] = field(default_factory=dict)

    def int(self, name: str, default: int = 0) -> int:
        return _int(self.attrs.get(name), default)


Address = PciAddress | DriveAddress | GenericAddress


def address_from_elem(e: Elem | None) -> Address | None:
    if e is None:
        return None
    t = e.get("type")
    if t == "pci":
        mf = e.get("multifunction")
        zpci = e.find("zpci")
        uid = zpci.get("uid") if zpci is not None else None
        fid = zpci.get("fid") if zpci is not None else None
        return PciAddress(
            domain=_int(e.get("domain")), bus=_int(e.get("bus")), slot=_int(e.get("slot")),
            function=_int(e.get("function")),
            multifunction=None if mf is None else mf == "on",
            zpci_uid=None if uid is None else _int(uid),
            zpci_fid=None if fid is None else _int(fid),
        )
    if t == "drive":
        return DriveAddress(
            controller=_int(e.get("controller")), bus=_int(e.get("bus")),
            target=_int(e.get("target")), unit=_int(e.get("unit")),
        )
    if t is None:
        return None
    return GenericAddress(type=t, attrs={k: v for k, v in e.attrs.items() if k != "type"})
