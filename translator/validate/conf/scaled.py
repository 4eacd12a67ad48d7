"""libvirt's scaled sizes (`virParseScaledValue`, `virScaleInteger`, `virDomainParseMemory`).

A size is an unsigned decimal number and an optional unit ('KiB', 'M', 'GB', 'bytes', ...);
memory sizes are kept in KiB, rounded up, and may not reach libvirt's ceiling.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.sizes import unit_or_none
from .xmlprop import LLONG_MAX, ULLONG_MAX, to_uint

def unit_scale(unit: str | None, default: int) -> int:
    """virScaleInteger's multiplier for `unit` (None/'' = `default`), refused when unknown."""
    scale = unit_or_none(unit, default)
    if scale is None:
        refuse(ErrorCode.INVALID_ARG, f"unknown suffix '{unit}'")
    return scale


def scaled_value(text: str, unit: str | None, where: str, *, default_scale: int = 1,
                 maximum: int = ULLONG_MAX) -> int:
    """virParseScaledValue: `text` (at `where`, as libvirt names it) times its unit, in bytes."""
    value = to_uint(text, 10, ULLONG_MAX)
    if value is None:
        refuse(ErrorCode.XML_ERROR, f"Invalid value '{text}' for element or attribute '{where}'")
    scale = unit_scale(unit, default_scale)
    if value and value > maximum // scale:
        refuse(ErrorCode.OVERFLOW, f"value too large: {value}{unit or ''}")
    return value * scale


def memory_kib(text: str, unit: str | None, where: str) -> int:
    """virDomainParseMemory: a memory size in KiB (rounded up), below libvirt's ceiling."""
    size = scaled_value(text, unit, where, default_scale=1024, maximum=LLONG_MAX)
    kib = -(-size // 1024)
    if kib >= -(-LLONG_MAX // 1024):
        refuse(ErrorCode.OVERFLOW, "size value too large")
    return kib


__all__ = ["memory_kib", "scaled_value", "unit_scale"]
