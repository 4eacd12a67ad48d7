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


def info_from_elem(e: Elem) -> DeviceInfo:
    alias = e.attr_at("name", "alias")
    if alias is not None and not alias.startswith(USER_ALIAS_PREFIX):
        alias = None  # libvirt only keeps user-chosen aliases ("ua-" prefix) from input
    boot = e.attr_at("order", "boot")
    acpi = e.attr_at("index", "acpi")
    return DeviceInfo(
        alias=alias,
        address=address_from_elem(e.find("address")),
        boot_order=int(boot) if boot else None,
        acpi_index=int(acpi) if acpi else None,
        rom=e.find("rom"),
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
