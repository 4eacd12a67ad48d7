"""Throttle groups (<throttlegroups>) and the disks' throttle filter nodes.

Each <throttlegroup> becomes one `-object throttle-group` (id `throttle-NAME`) that lists
every limit, unset ones as 0. A disk's <throttlefilters> stack `throttle` block nodes on
top of its image (after a copy-on-read node, if any), first filter lowest; the frontend
then reads through the last one. Filter nodes share the disks' `libvirt-N-...` counter.

Branches (qemuBuildThrottleGroupCommandLine / throttle filters):
- [x] -object throttle-group per <throttlegroup>, every limit (bytes/iops, max, length)
- [x] throttle filter nodes stacked per disk; legacy per-disk <iotune> groups
"""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Disk, Elem
from ..props import Props
from .storage_drive import IOTUNE_LENGTHS, IOTUNE_RATES


def group_id(name: str) -> str:
    return f"throttle-{name}"


def _limits(group: Elem) -> Props:
    p = Props()
    for tag, key in IOTUNE_RATES:
        p.add(key, int(group.findtext(tag) or 0))
    for tag, key in IOTUNE_LENGTHS:  # burst lengths only when set
        v = int(group.findtext(tag) or 0)
        if v:
            p.add(key, v)
    return p


def build_throttle_groups(ctx: BuildContext) -> None:
    """One -object per group, after the IOThreads."""
    groups = ctx.domain.throttlegroups
    if groups is None:
        return
    for g in groups.findall("throttlegroup"):
        name = g.findtext("group_name")
        if not name:
            continue
        props = Props(("qom-type", "throttle-group"), ("id", group_id(name)),
                      ("limits", _limits(g)))
        ctx.cmd.add_json("-object", props, xml_source(g))


def disk_filters(d: Disk) -> list[Elem]:
    """The disk's <throttlefilter> elements, in stacking order."""
    tf = d.elem.find("throttlefilters")
    return [f for f in tf.findall("throttlefilter") if f.get("group")] if tf is not None else []


def emit_filters(ctx: BuildContext, d: Disk, indexes: list[int], below: str) -> str:
    """`-blockdev {"driver":"throttle",...}` per filter; returns the topmost node name."""
    for f, n in zip(disk_filters(d), indexes):
        node = f"libvirt-{n}-filter"
        ctx.cmd.add_json("-blockdev", Props(("driver", "throttle"), ("node-name", node),
                                            ("throttle-group", group_id(f.get("group") or "")),
                                            ("file", below)), xml_source(f))
        below = node
    return below
