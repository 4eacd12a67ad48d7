"""Small readers shared by the validators: libvirt's view of a value in the domain XML.

libvirt validates its parsed structures, where an absent attribute is 0, NULL or ABSENT;
these helpers give the validators the same view of the `Elem` trees without repeating
the conversions (a value that does not parse is left to the parse-time checks).
"""

from __future__ import annotations

import re

from ..model.device import Device
from ..model.elem import Elem

# libvirt's size units (virScaleInteger): powers of 1024, the SI ones powers of 1000
SCALE = {"b": 1, "bytes": 1, "k": 1024, "kib": 1024, "kb": 1000, "m": 1024**2,
         "mib": 1024**2, "mb": 1000**2, "g": 1024**3, "gib": 1024**3, "gb": 1000**3,
         "t": 1024**4, "tib": 1024**4, "tb": 1000**4, "p": 1024**5, "pib": 1024**5,
         "pb": 1000**5, "e": 1024**6, "eib": 1024**6, "eb": 1000**6}

_UNSIGNED = r"\s*(0[xX][0-9a-fA-F]+|[0-9]+)\s*"  # compiled on first use (re caches it)


def number(text: str | None) -> int | None:
    """An integer as libvirt's number parsers read it (decimal or 0x-hex); None if absent
    or not a number (the parse-time checks refuse the latter)."""
    if text is None:
        return None
    text = text.strip()
    if text.isascii() and text.isdigit() and (text[0] != "0" or len(text) == 1):
        return int(text)  # the common case, read without the pattern
    neg = text.startswith("-")
    m = re.fullmatch(_UNSIGNED, text[1:] if neg else text)
    if m is None:
        return None
    value = int(m.group(1), 0)
    return -value if neg else value


def size_kib(e: Elem | None, default_unit: str = "KiB") -> int | None:
    """A scaled size element (<size unit='MiB'>2</size>) in KiB, rounded up like libvirt."""
    size = size_bytes(e, default_unit)
    return None if size is None else -(-size // 1024)


def size_bytes(e: Elem | None, default_unit: str = "B") -> int | None:
    """A scaled size element in bytes."""
    if e is None:
        return None
    value = number(e.text)
    scale = SCALE.get((e.get("unit") or default_unit).lower())
    if value is None or scale is None:
        return None
    return value * scale


def address_type(dev: Device) -> str | None:
    """The type of the <address> the domain XML gives the device (None: no address)."""
    addr = dev.elem.find("address")
    return (addr.get("type") or None) if addr is not None else None


def tristate(e: Elem | None, attr: str) -> bool | None:
    """libvirt's on/off and yes/no attributes: None when absent."""
    return e.yes(attr) if e is not None else None


def is_pow2(value: int) -> bool:
    """VIR_IS_POW2: a power of two (0 included, as libvirt's macro has it)."""
    return value & (value - 1) == 0

