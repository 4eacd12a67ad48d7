"""Disk target names as libvirt reads them: the drive index of 'sdb', and the disk order.

`disk_name_index` is virDiskNameToIndex; `libvirt_disk_order` is the order
virDomainDiskInsert keeps while parsing (the order of -device and of drive addresses).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Disk

DISK_PREFIXES = ("fd", "hd", "vd", "sd", "xvd", "ubd")
_INT_MAX = (1 << 31) - 1
_SUFFIX = re.compile(r"^([a-z]+)(\d*)$")


def disk_name_index(name: str) -> int | None:
    """The drive index libvirt derives from a target name ('sdb' -> 1), None if invalid."""
    for prefix in DISK_PREFIXES:
        if name.startswith(prefix):
            rest = name[len(prefix):]
            break
    else:
        return None
    m = _SUFFIX.match(rest)
    if m is None:
        return None
    idx = 0
    for ch in m.group(1):
        if idx > (_INT_MAX - 26) // 26:
            return None
        idx = idx * 26 + (ord(ch) - ord("a") + 1)
    return idx - 1


def disk_index(name: str) -> int:
    """The drive index of a target name, 0 for a name libvirt cannot read."""
    idx = disk_name_index(name)
    return 0 if idx is None else idx


def libvirt_disk_order(disks: Iterable[Disk]) -> list[Disk]:
    """The order libvirt keeps disks in (virDomainDiskInsert).

    Each disk goes before the first disk of its bus with a higher drive index, else right
    after the last disk of its bus, else last. So the buses stay in the order they first
    appear, each one's disks together and sorted by index: n log n, not insertion by
    insertion. A bus with an unreadable name among its disks keeps libvirt's scan.
    """
    groups: dict[str | None, list[Disk]] = {}
    keys: dict[str | None, list[int]] = {}
    for disk in disks:
        group = groups.setdefault(disk.bus, [])
        idx = disk_name_index(disk.dev)
        bus_keys = keys.get(disk.bus)
        if idx is not None and bus_keys is not None and len(bus_keys) == len(group):
            at = bisect_right(bus_keys, idx)  # every name on this bus is readable
            bus_keys.insert(at, idx)
            group.insert(at, disk)
            continue
        if not group and idx is not None:
            keys[disk.bus] = [idx]
            group.append(disk)
            continue
        keys.pop(disk.bus, None)
        group.insert(_scan_position(group, idx), disk)
    return [d for group in groups.values() for d in group]


def _scan_position(group: list[Disk], idx: int | None) -> int:
    """Before the first disk with a higher readable index, else at the end."""
    if idx is not None:
        for i, other in enumerate(group):
            other_idx = disk_name_index(other.dev)
            if other_idx is not None and other_idx > idx:
                return i
    return len(group)
