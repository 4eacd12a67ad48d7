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
    """`-drive` for a disk: source and format, then if/id, then the drive-level policies."""
    parts: list[str] = []
    path = _local_path(d) if top is not None else None
    if path:
        parts.append(f"file={escape_comma(path)}")
        parts.append(f"format={top.format if top is not None else 'raw'}")
    parts.append("if=none")
    parts.append(f"id=drive-{d.alias}")
    if d.readonly or d.device == "cdrom":
        parts.append("readonly=on")
    drv = d.driver
    get = (lambda k: drv.get(k) if drv is not None else None)
    werror = get("error_policy")
    werror = "enospc" if werror == "enospace" else werror
    rerror = get("rerror_policy") or (werror if werror != "enospc" else None)
    for key, value in (("werror", werror), ("rerror", rerror), ("cache", get("cache")),
                       ("aio", get("io")), ("discard", get("discard")),
                       ("detect-zeroes", get("detect_zeroes"))):
        if value and value != "default":
            parts.append(f"{key}={escape_comma(value)}")
    if get("copy_on_read") == "on":
        parts.append("copy-on-read=on")
    ctx.cmd.add("-drive", ",".join(parts), xml_source(d.source or d.elem))
    return f"drive-{d.alias}"


def _local_path(d: Disk) -> str | None:
    s = d.source
    if s is None:
        return None
    return s.get("file") or s.get("dev") or s.get("dir")


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
