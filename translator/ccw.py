"""CCW addresses (s390's channel subsystem): how libvirt reads and prints them.

A CCW address is `cssid.ssid.devno`; libvirt reads each part as a C unsigned number
(0x hex, leading-0 octal) and QEMU takes them as one `devno` string in hex.
"""

from __future__ import annotations

from .model import GenericAddress
from .props import Props
from .strtol import scan

CCW_KEYS = ("cssid", "ssid", "devno")

# s390 address limits (virDomainDeviceCCWAddressIsValid, virZPCIDeviceAddressIsValid)
MAX_CSSID = 0xFE
MAX_SSID = 3
MAX_DEVNO = 0xFFFF
MAX_ZPCI_UID = 0xFFFF
MAX_ZPCI_FID = 0xFFFFFFFF


def c_uint(text: str) -> int:
    """An unsigned number as libvirt reads it (base 0: 0x hex, leading-0 octal). The parser
    refused any other text (validate/conf's address[ccw] readers), so one here is a bug."""
    n = scan(text, 0)
    if not n.converted or n.rest or n.negative or n.overflow:
        raise ValueError(f"not an unsigned number: {text!r}")
    return n.value


def ccw_key(a: GenericAddress) -> tuple[int, int, int]:
    return (c_uint(a.attrs.get("cssid") or "0"), c_uint(a.attrs.get("ssid") or "0"),
            c_uint(a.attrs.get("devno") or "0"))


def is_complete(a: GenericAddress) -> bool:
    """All three parts given (libvirt assigns the address otherwise)."""
    return all(a.attrs.get(k) not in (None, "") for k in CCW_KEYS)


def ccw_devno_string(a: GenericAddress) -> str:
    """QEMU's `devno` value: 'cssid.ssid.devno' in hex, devno on four digits."""
    cssid, ssid, devno = ccw_key(a)
    return f"{cssid:x}.{ssid:x}.{devno:04x}"


def ccw_address_props(a: GenericAddress) -> Props:
    """The -device property of a complete CCW address."""
    p = Props()
    if is_complete(a):
        p.add("devno", ccw_devno_string(a))
    return p
