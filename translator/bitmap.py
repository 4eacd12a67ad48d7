"""libvirt's bitmap syntax ('0-3,^2,8'): CPU sets, NUMA node sets, vCPU lists.

One parser (virBitmapParse's rules: comma-separated numbers and ranges, `^n` removes a
number, blanks around items allowed) and QEMU's range formatting of the result.
"""

from __future__ import annotations

import re

_BITMAP_ITEM = re.compile(r"^\s*(\^)?\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


CPUMASK_LEN = 16384  # VIR_DOMAIN_CPUMASK_LEN: the size of every domain bitmap libvirt parses


def parse_bitmap(text: str, size: int = CPUMASK_LEN) -> set[int]:
    """libvirt's bitmap syntax ('0-3,^2,8'); `ValueError` when it is not one.

    Like virBitmapParse, every bit set or cleared must lie below `size` (numbers that do not
    fit a C int are out of it too), so the work and the set are bounded by `size`, never by
    a number in the input.
    """
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
        if top < lo or top >= size:
            raise ValueError(text)
        (off if neg else on).update(range(lo, top + 1))
    return on - off


def parse_cpuset(text: str | None) -> list[int]:
    """A bitmap the validators accepted, as a sorted list (none given: empty)."""
    if not text or not text.strip():
        return []
    return sorted(parse_bitmap(text))


def ranges(values: list[int]) -> list[str]:
    """[0,1,2,5] -> ['0-2', '5'] (QEMU's cpus= ranges)."""
    out: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        out.append(str(values[i]) if i == j else f"{values[i]}-{values[j]}")
        i = j + 1
    return out
