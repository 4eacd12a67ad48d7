"""Reading a size the parse-time checks already accepted (a number and libvirt's unit).

The checks (validate/conf) refuse a bad number or unit with libvirt's message before any
model exists, so reading here never fails on a checked document.
"""

from __future__ import annotations

from .elem import Elem

_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6}


def unit_bytes(unit: str | None, default: int) -> int:
    """How many bytes one `unit` is (virScaleInteger's table); `default` when there is none."""
    if not unit:
        return default
    low = unit.lower()
    if low in ("b", "byte", "bytes"):
        return 1
    base = 1000 if low[1:] == "b" else 1024
    return base ** _POWERS.get(low[0], 0)


def scaled_kib(e: Elem | None, default_unit: str = "kib") -> int | None:
    """A checked size element (<memory unit='GiB'>) in KiB, rounded up; None when absent."""
    if e is None or e.text is None:
        return None
    size = int(e.text.strip()) * unit_bytes(e.get("unit") or default_unit, 1024)
    return -(-size // 1024)


__all__ = ["scaled_kib", "unit_bytes"]
