"""libvirt's bitmap syntax ('0-3,^2,8'), as virBitmapParse reads CPU and node sets."""

from __future__ import annotations

import re

from ..errors import ErrorCode, refuse

_BITMAP_ITEM = re.compile(r"^\s*(\^)?\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def parse_bitmap(text: str) -> set[int]:
    """The set a bitmap names; `ValueError` when the text is not a bitmap."""
    on: set[int] = set()
    off: set[int] = set()
    if not text.strip():
        raise ValueError(text)
    for item in text.split(","):
        m = _BITMAP_ITEM.match(item)
        if m is None:
            raise ValueError(text)
        neg, lo, hi = m.group(1), int(m.group(2)), m.group(3)
        if neg and hi is not None:
            raise ValueError(text)
        top = int(hi) if hi is not None else lo
        if top < lo:
            raise ValueError(text)
        (off if neg else on).update(range(lo, top + 1))
    return on - off


def bitmap(text: str) -> set[int]:
    """`parse_bitmap`, refusing with libvirt's message when the text is not a bitmap."""
    try:
        return parse_bitmap(text)
    except ValueError:
        refuse(ErrorCode.INVALID_ARG, f"Failed to parse bitmap '{text}'")
