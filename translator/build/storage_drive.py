"""The legacy disk backend: `-drive file=...,format=...,if=none,id=drive-ALIAS,...`.

Used when the `blockdev` capability is absent; the frontend `-device` then names the
drive with `drive=drive-ALIAS`. Option order follows libvirt's pre-blockdev formatter.
"""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Disk
from ..props import escape_comma
from .storage_source import Src


def build_drive(ctx: BuildContext, d: Disk, top: Src | None) -> str:
    parts: list[str] = []
    s = d.source
    path = None
    if s is not None and top is not None:
        path = s.get("file") or s.get("dev") or s.get("dir")
    if path:
        parts.append(f"file={escape_comma(path)}")
        parts.append(f"format={d.format or 'raw'}")
    parts.append("if=none")
    parts.append(f"id=drive-{d.alias}")
    if d.readonly or d.device == "cdrom":
        parts.append("readonly=on")
    ctx.cmd.add("-drive", ",".join(parts), xml_source(d.source or d.elem))
    return f"drive-{d.alias}"


def build_sd_drive(ctx: BuildContext, d: Disk) -> None:
    """SD cards have no -device frontend: libvirt still uses `-drive if=sd,index=N`."""
    from ..prepare.aliases import disk_index
    parts: list[str] = []
    s = d.source
    path = (s.get("file") or s.get("dev")) if s is not None else None
    if path:
        parts.append(f"file={escape_comma(path)}")
        parts.append(f"format={d.format or 'raw'}")
    parts.append("if=sd")
    parts.append(f"index={disk_index(d.dev)}")
    if d.readonly:
        parts.append("readonly=on")
    ctx.cmd.add("-drive", ",".join(parts), xml_source(d.source or d.elem))
