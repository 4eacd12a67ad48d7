"""Reading a size the parse-time checks already accepted (a number and libvirt's unit).

The checks (validate/conf) refuse a bad number or unit with libvirt's message before any
model exists, so reading here never fails on a checked document.
"""

from __future__ import annotations

from .elem import Elem

_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6}

# the host's base page size in KiB: a <page> of that size means no huge pages at all
SYSTEM_PAGE_KIB = 4


def unit_or_none(unit: str | None, default: int) -> int | None:
    """How many bytes one `unit` is (virScaleInteger's table): `default` when there is none,
    None for a unit libvirt does not know."""
    if not unit:
        return default
    low = unit.lower()
    if low in ("b", "byte", "bytes"):
        return 1
    if len(low) == 1 or low[1:] == "ib":
        base = 1024
    elif low[1:] == "b":
        base = 1000
    else:
        return None
    power = _POWERS.get(low[0])
    return None if power is None else base ** power


def unit_bytes(unit: str | None, default: int) -> int:
    """`unit_or_none` for a unit the parse-time checks accepted."""
    return unit_or_none(unit, default) or 1


def scaled_kib(e: Elem | None, default_unit: str = "kib") -> int | None:
    """A checked size element (<memory unit='GiB'>) in KiB, rounded up; None when absent."""
    if e is None or e.text is None:
        return None
    size = int(e.text.strip()) * unit_bytes(e.get("unit") or default_unit, 1024)
    return -(-size // 1024)


__all__ = ["scaled_kib", "unit_bytes", "unit_or_none"]
