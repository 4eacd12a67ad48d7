"""Parse-time refusals the command builders used to make: <sysinfo> values and
<launchSecurity> numbers (domain_conf.c), <qemu:override> property values (qemu_domain.c's
namespace parser). They run with libvirt's other parse checks, before any default.
"""

from __future__ import annotations

import re

from ..context import BuildContext
from ..errors import ErrorCode, refuse

# patterns compiled on first use (re caches them): few domains have what they check
_NUMBER = r"\s*[+-]?\d+"
_HEX = r"\s*(0[xX])?[0-9a-fA-F]+\s*"


def _date_ok(date: str) -> bool:
    """virSysinfoBIOSParseXML: mm/dd/yy or mm/dd/yyyy (a 4-digit year from 1900)."""
    parts = date.split("/")
    if len(parts) != 3 or not all(re.fullmatch(_NUMBER, p) for p in parts):
        return False
    month, day, year = (int(p) for p in parts)
    return 1 <= month <= 12 and 1 <= day <= 31 and year >= 0 and not 100 <= year < 1900


def _uuid_hex(text: str) -> str | None:
    digits = re.sub(r"[\s-]", "", text)
    return digits.lower() if re.fullmatch(r"[0-9a-fA-F]{32}", digits) else None


def check_sysinfo(ctx: BuildContext) -> None:
    """virSysinfoBIOSParseXML / virSysinfoSystemParseXML."""
    for info in ctx.domain.sysinfo:
        if (info.get("type") or "smbios") != "smbios":
            continue
        bios = info.find("bios")
        for entry in bios.findall("entry") if bios is not None else ():
            if entry.get("name") == "date" and not _date_ok(entry.text or ""):
                refuse(ErrorCode.XML_DETAIL, "Invalid BIOS 'date' format")
        system = info.find("system")
        for entry in system.findall("entry") if system is not None else ():
            if entry.get("name") != "uuid" or not (entry.text or ""):
                continue
            uuid = _uuid_hex(entry.text or "")
            if uuid is None:
                refuse(ErrorCode.XML_DETAIL, "malformed <sysinfo> uuid element")
            own = _uuid_hex(ctx.domain.uuid or "")
            if own is not None and uuid != own:
                refuse(ErrorCode.XML_DETAIL, "UUID mismatch between <uuid> and <sysinfo>")


def check_launch_security(ctx: BuildContext) -> None:
    """virDomainSEVCommonDefParseXML and the SEV/SEV-SNP policy."""
    sec = ctx.domain.launch_security
    if sec is None or sec.get("type") not in ("sev", "sev-snp"):
        return
    for tag, what in (("cbitpos", "cbitpos"), ("reducedPhysBits", "reduced-phys-bits")):
        text = sec.findtext(tag)
        if text is not None and not text.strip().isdigit():
            refuse(ErrorCode.XML_ERROR, f"Invalid format for launch security {what}")
    policy = sec.findtext("policy")
    if policy is None or not re.fullmatch(_HEX, policy):
        refuse(ErrorCode.XML_ERROR, "failed to get launch security policy")


def check_override_values(ctx: BuildContext) -> None:
    """qemuDomainDefNamespaceParseOverrideProperties: typed <qemu:property> values."""
    for ov in ctx.domain.qemu.overrides:
        for prop in ov.frontend:
            value = prop.value or ""
            if prop.type == "signed":
                ok = bool(re.fullmatch(r"\s*[+-]?\d+", value))
            elif prop.type == "unsigned":
                ok = bool(re.fullmatch(r"\s*\+?\d+", value))
            elif prop.type == "bool":
                ok = value in ("true", "false")
            else:
                continue
            if not ok:
                refuse(ErrorCode.XML_ERROR, f"invalid value '{value}' of 'value' attribute of "
                                            "'qemu:property'")
