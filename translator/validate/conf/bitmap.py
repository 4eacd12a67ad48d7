"""libvirt's refusal of a malformed bitmap (virBitmapParse), for the parse-time checks."""

from __future__ import annotations

from ...bitmap import CPUMASK_LEN, bitmap_or_none
from ...errors import ErrorCode, refuse


def parse_bitmap(text: str, limit: int = CPUMASK_LEN) -> set[int]:
    """libvirt's bitmap, refused with its message ("Failed to parse bitmap ...")."""
    bits = bitmap_or_none(text, limit)
    if bits is None:
        refuse(ErrorCode.INVALID_ARG, f"Failed to parse bitmap '{text}'")
    return bits


__all__ = ["CPUMASK_LEN", "bitmap_or_none", "parse_bitmap"]
