"""<sysinfo>: SMBIOS tables (-smbios, with <os><smbios mode='sysinfo'/>) and fw_cfg blobs.

Each SMBIOS structure lists its fields in libvirt's fixed order, whatever the XML order;
values double their commas for QEMU's option parser.

Branches (qemuBuildSmbiosCommandLine, qemuBuildSysinfoCommandLine):
- [x] SMBIOS structures (BIOS, system, base board, chassis, OEM strings) in libvirt's field
      order for <smbios mode='sysinfo'>; fw_cfg blobs (file or string)
"""

from __future__ import annotations


from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Elem
from ..props import escape_comma

# (SMBIOS type, <sysinfo> child, fields in libvirt's order)
_STRUCTS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (0, "bios", ("vendor", "version", "date", "release")),
    (1, "system", ("manufacturer", "product", "version", "serial", "uuid", "sku", "family")),
    (2, "baseBoard", ("manufacturer", "product", "version", "serial", "asset", "location")),
    (3, "chassis", ("manufacturer", "version", "serial", "asset", "sku")),
)


def _sysinfo(ctx: BuildContext, kind: str) -> list[Elem]:
    return [s for s in ctx.domain.sysinfo if s.get("type", "smbios") == kind]


def _entries(e: Elem) -> dict[str, str]:
    return {x.get("name", ""): x.text or "" for x in e.findall("entry")}


def _struct_arg(stype: int, fields: tuple[str, ...], values: dict[str, str]) -> str | None:
    parts = [f"{f}={escape_comma(values[f])}" for f in fields if values.get(f)]
    return f"type={stype}," + ",".join(parts) if parts else None


def build_smbios(ctx: BuildContext) -> None:
    """-smbios type=N,... for <smbios mode='sysinfo'/> (the other modes add nothing here)."""
    infos = _sysinfo(ctx, "smbios")
    if ctx.domain.os.smbios_mode != "sysinfo" or not infos:
        return
    info = infos[0]
    for stype, tag, fields in _STRUCTS:
        for part in info.findall(tag):
            arg = _struct_arg(stype, fields, _entries(part))
            if arg:
                ctx.cmd.add("-smbios", arg, xml_source(part))
    oem = info.find("oemStrings")
    if oem is not None and oem.findall("entry"):
        values = ",".join(f"value={escape_comma(e.text or '')}" for e in oem.findall("entry"))
        ctx.cmd.add("-smbios", f"type=11,{values}", xml_source(oem))


def build_fw_cfg(ctx: BuildContext) -> None:
    """<sysinfo type='fwcfg'> entries: a literal string or a host file per fw_cfg name."""
    for info in _sysinfo(ctx, "fwcfg"):
        for e in info.findall("entry"):
            name = escape_comma(e.get("name", ""))
            if e.get("file"):
                value = f"name={name},file={escape_comma(e.get('file', ''))}"
            else:
                value = f"name={name},string={escape_comma(e.text or '')}"
            ctx.cmd.add("-fw_cfg", value, xml_source(e))
