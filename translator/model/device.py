"""What every device has: libvirt's virDomainDeviceInfo (alias, address, boot order)."""

from __future__ import annotations

from dataclasses import field

from capsdb.records import dataclass
from .address import Address, address_from_elem
from .elem import Elem

USER_ALIAS_PREFIX = "ua-"


@dataclass
class DeviceInfo:
    """libvirt's per-device info: alias, address, boot order, ACPI index, ROM."""

    alias: str | None = None
    address: Address | None = None
    boot_order: int | None = None
    acpi_index: int | None = None
    rom: Elem | None = None

    @property
    def user_alias(self) -> bool:
        return bool(self.alias and self.alias.startswith(USER_ALIAS_PREFIX))


# the children of a device element its info is read from
_INFO_TAGS = frozenset({"alias", "boot", "acpi", "address", "rom"})


def info_from_elem(e: Elem) -> DeviceInfo:
    """A device's info from its children (the first of each tag), read in one pass: every
    device of every domain comes through here."""
    found: dict[str, Elem] = {}
    for c in e.children:
        if c.tag in _INFO_TAGS and c.tag not in found:
            found[c.tag] = c
    alias_e, boot_e, acpi_e = found.get("alias"), found.get("boot"), found.get("acpi")
    alias = alias_e.get("name") if alias_e is not None else None
    if alias is not None and not alias.startswith(USER_ALIAS_PREFIX):
        alias = None  # libvirt only keeps user-chosen aliases ("ua-" prefix) from input
    boot = boot_e.get("order") if boot_e is not None else None
    acpi = acpi_e.get("index") if acpi_e is not None else None
    return DeviceInfo(
        alias=alias,
        address=address_from_elem(found.get("address")),
        boot_order=int(boot) if boot else None,
        acpi_index=int(acpi) if acpi else None,
        rom=found.get("rom"),
    )


@dataclass
class Device:
    """Base of every device: the XML it came from plus its device info.

    `implicit` names the libvirt default that added the device when it was not in the
    input (used to explain where an item came from).
    """

    elem: Elem
    info: DeviceInfo = field(default_factory=DeviceInfo)
    implicit: str | None = None

    family: str = "device"

    @property
    def alias(self) -> str | None:
        return self.info.alias

    @property
    def address(self) -> Address | None:
        return self.info.address
