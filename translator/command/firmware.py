"""Firmware on the command line: pflash -blockdev nodes (early), the -machine pflashN
properties, and after -cpu the ROM image (-bios) or the secure-pflash global.

Branches (qemuBuildPflashBlockdevCommandLine, qemuBuildDomainLoaderCommandLine; the
firmware itself is chosen by prepare/firmware.py as qemuFirmwareFillDomain does):
- [x] pflash: -blockdev storage/format nodes for the loader (read-only) and NVRAM
      (file or network source, raw or qcow2), -machine pflash0/pflash1
- [x] rom loader (-bios), legacy -drive if=pflash without blockdev,
      secure boot global (cfi.pflash01 secure=on)
- [x] auto-selection from descriptors: interfaces, features (secure-boot, enrolled-keys,
      requires-smm, amd-sev*), NVRAM template and format, stateless, memory-mapped
"""

from __future__ import annotations

from ..cmdline import Source, default_source, xml_source
from ..context import BuildContext
from ..model.domain import ResolvedFirmware
from ..props import Props
from ..model import Elem
from .storage_secrets import STAND_IN_SECRET, secret_object
from .storage_source import Src, storage_props


def _fw(ctx: BuildContext) -> ResolvedFirmware | None:
    return ctx.domain.os.resolved_fw


def _loader_has_format_node(fw: ResolvedFirmware) -> bool:
    """libvirt always opens the loader image through a format node."""
    return True


def _nvram_has_format_node(fw: ResolvedFirmware, ctx: BuildContext) -> bool:
    """A raw NVRAM file is written through its protocol node alone, once QEMU can mask
    the protocol layer in block jobs (blockjob.backing-mask-protocol, QEMU 9.0)."""
    return fw.nvram_format != "raw" or not ctx.has("blockjob.backing-mask-protocol")


def _node(unit: int, layer: str) -> str:
    return f"libvirt-pflash{unit}-{layer}"


def pflash_machine_props(ctx: BuildContext) -> list[tuple[str, str]]:
    """The `pflash0=`/`pflash1=` -machine properties naming each unit's top node."""
    fw = _fw(ctx)
    if fw is None or fw.loader_type != "pflash" or not ctx.has("blockdev"):
        return []
    out = [("pflash0", _node(0, "format" if _loader_has_format_node(fw) else "storage"))]
    if fw.nvram_path is not None or fw.nvram_source is not None:
        out.append(("pflash1", _node(1, "format" if _nvram_has_format_node(fw, ctx) else "storage")))
    return out


def _storage(unit: int, base: Props, with_format: bool, readonly: bool) -> Props:
    p = Props()
    p.update(base)
    p.add("node-name", _node(unit, "storage"))
    if with_format:
        p.add("auto-read-only", True)
        p.add("discard", "unmap")
    else:
        p.add("read-only", readonly)
    return p


def _format(unit: int, fmt: str, readonly: bool) -> Props:
    p = Props(("node-name", _node(unit, "format")), ("read-only", readonly), ("driver", fmt),
              ("file", _node(unit, "storage")))
    if fmt == "qcow2":
        p["backing"] = None  # JSON null: the image has no backing chain
    return p


def _emit_unit(ctx: BuildContext, unit: int, base: Props, fmt: str, readonly: bool,
               with_format: bool, src: Source) -> None:
    ctx.cmd.add_json("-blockdev", _storage(unit, base, with_format, readonly), src)
    if with_format:
        ctx.cmd.add_json("-blockdev", _format(unit, fmt, readonly), src)


def build_pflash(ctx: BuildContext) -> None:
    """The loader (unit 0) and NVRAM (unit 1) block nodes, before -machine refers to them."""
    fw = _fw(ctx)
    if fw is None or fw.loader_type != "pflash" or not ctx.has("blockdev"):
        return  # legacy: -drive if=pflash, see build_loader
    os_ = ctx.domain.os
    lsrc = xml_source(os_.loader) if os_.loader is not None else \
        default_source("firmware autoselection (descriptor)")
    _emit_unit(ctx, 0, Props(("driver", "file"), ("filename", fw.loader_path)),
               fw.loader_format, fw.loader_readonly, _loader_has_format_node(fw), lsrc)
    nsrc = xml_source(os_.nvram) if os_.nvram is not None else \
        default_source("per-domain NVRAM varstore")
    if fw.nvram_path is not None:
        base = Props(("driver", "file"), ("filename", fw.nvram_path))
    elif fw.nvram_source is not None:
        base = storage_props(Src(type=fw.nvram_type, format=fw.nvram_format,
                                 elem=fw.nvram_source, readonly=False),
                             _nvram_secrets(ctx, fw.nvram_source))
    else:
        return
    _emit_unit(ctx, 1, base, fw.nvram_format, False, _nvram_has_format_node(fw, ctx), nsrc)


def _nvram_secrets(ctx: BuildContext, source: Elem) -> dict[str, str]:
    """A network NVRAM's <auth> becomes an encrypted secret object, like a disk's."""
    auth = source.find("auth")
    if auth is None:
        return {}
    sid = f"{_node(1, 'storage')}-auth-secret0"
    ctx.cmd.add_json("-object", secret_object(sid, STAND_IN_SECRET), xml_source(auth))
    return {"auth": sid, "auth_user": auth.get("username") or ""}


def build_loader(ctx: BuildContext) -> None:
    """A ROM loader is -bios; a secure pflash needs the cfi.pflash01 secure property."""
    fw = _fw(ctx)
    if fw is None:
        return
    os_ = ctx.domain.os
    src = xml_source(os_.loader) if os_.loader is not None else \
        default_source("firmware autoselection (descriptor)")
    if fw.loader_type == "rom":
        ctx.cmd.add("-bios", fw.loader_path, src)
        return
    if fw.secure:
        ctx.cmd.add("-global", "driver=cfi.pflash01,property=secure,value=on", src)
    if fw.loader_type == "pflash" and not ctx.has("blockdev"):
        _build_legacy_pflash(ctx, fw, src)


def _build_legacy_pflash(ctx: BuildContext, fw: ResolvedFirmware, src: Source) -> None:
    """Before -blockdev each pflash unit was a `-drive if=pflash,unit=N` of its own."""
    from ..props import escape_comma
    from .storage_drive import filename
    os_ = ctx.domain.os
    ro = os_.loader.get("readonly") if os_.loader is not None else None
    flag = "off" if ro == "no" else ("on" if fw.loader_readonly else None)
    code = f"file={escape_comma(fw.loader_path or '')},if=pflash,format={fw.loader_format},unit=0"
    ctx.cmd.add("-drive", code + (f",readonly={flag}" if flag else ""), src)
    path = fw.nvram_path
    if path is None and fw.nvram_source is not None:
        path = filename(None, Src(type=fw.nvram_type, format=fw.nvram_format,
                                  elem=fw.nvram_source, readonly=False), {})
    if path is None:
        return
    nsrc = xml_source(os_.nvram) if os_.nvram is not None else \
        default_source("per-domain NVRAM varstore")
    ctx.cmd.add("-drive", f"file={escape_comma(path)},if=pflash,format={fw.nvram_format},unit=1",
                nsrc)
