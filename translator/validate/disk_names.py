"""libvirt's disk target names: the drive index a name stands for ('sdb' -> 1) and the order
libvirt keeps disks in (virDiskNameToIndex, virDomainDiskInsert)."""

from __future__ import annotations

import re
from typing import Iterable

from ..model.devices import Disk

_DISK_PREFIXES = ("fd", "hd", "vd", "sd", "xvd", "ubd")
_INT_MAX = (1 << 31) - 1


def disk_name_index(name: str) -> int | None:
    """The drive index libvirt derives from a target name ('sdb' -> 1), None if invalid."""
    for prefix in _DISK_PREFIXES:
        if name.startswith(prefix):
            rest = name[len(prefix):]
            break
    else:
        return None
    m = re.match(r"^([a-z]+)(\d*)$", rest)
    if m is None:
        return None
    idx = 0
    for ch in m.group(1):
        if idx > (_INT_MAX - 26) // 26:
            return None
        idx = idx * 26 + (ord(ch) - ord("a") + 1)
    return idx - 1


def libvirt_disk_order(disks: Iterable[Disk]) -> list[Disk]:
    """The order libvirt keeps disks in: each one follows the last disk on its bus with a
    lower drive index (else goes last)."""
    out: list[Disk] = []
    for disk in disks:
        idx = disk_name_index(disk.dev)
        at = -1
        for i in range(len(out) - 1, -1, -1):
            if out[i].bus != disk.bus:
                continue
            other = disk_name_index(out[i].dev)
            if other is not None and idx is not None and other > idx:
                at = i
            elif at == -1:
                at = i + 1
        out.insert(at if at >= 0 else len(out), disk)
    return out
