"""Parse refusals of the domain's own elements that need more than one typed read
(virDomainDefParseXML, virDomainDefParseBootFirmwareOptions, virDomainDefParseBootAcpiOptions,
virDomainLoaderDefParseXML, virDomainIdmapDefParseXML in domain_conf.c).
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .numbers import number
from .schema import Hook

XML, UNSUPPORTED = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED

FIRMWARES = ("bios", "efi")  # virDomainOsDefFirmware without 'none'
SMBIOS_MODES = ("none", "emulate", "host", "sysinfo")
# the image formats a loader or NVRAM may have ('none' is the default)
FIRMWARE_IMAGE_FORMATS = ("none", "raw", "qcow2")


def title(e: Elem, chain: list[Elem]) -> None:
    """The first <title> is a single line."""
    if chain[-1].find("title") is e and "\n" in (e.text or ""):
        refuse(XML, "Domain title can't contain newlines")


def resource(e: Elem, chain: list[Elem]) -> None:
    """At most one <resource> (checked when libvirt reaches the first)."""
    if chain[-1].find("resource") is e and len(chain[-1].findall("resource")) > 1:
        refuse(XML, "only one resource element is supported")


def os_firmware(e: Elem, chain: list[Elem]) -> None:
    """<os firmware=...> names a firmware type."""
    firmware = e.get("firmware")
    if firmware and firmware not in FIRMWARES:
        refuse(XML, f"unknown firmware value {firmware}")


def loader(e: Elem, chain: list[Elem]) -> None:
    """A loader image is raw or qcow2."""
    fmt = e.get("format")
    if fmt and fmt not in FIRMWARE_IMAGE_FORMATS:
        refuse(XML, f"Unsupported loader format '{fmt}'")


def nvram(e: Elem, chain: list[Elem]) -> None:
    """The NVRAM template and the NVRAM image are raw or qcow2."""
    template = e.get("templateFormat")
    if template and template not in FIRMWARE_IMAGE_FORMATS:
        refuse(XML, f"Unsupported nvram template format '{template}'")
    fmt = e.get("format")
    if fmt and fmt not in FIRMWARE_IMAGE_FORMATS:
        refuse(XML, f"Unsupported nvram format '{fmt}'")


def acpi_tables(e: Elem, chain: list[Elem]) -> None:
    """Each ACPI table type but 'raw' appears once."""
    seen: set[str] = set()
    for table in e.findall("table"):
        kind = table.get("type") or ""
        if kind in seen and kind != "raw":
            refuse(XML, f"ACPI table type '{kind}' may only appear once")
        seen.add(kind)


def smbios_mode(root: Elem) -> None:
    """<os><smbios mode=...>, read once the sysinfo is parsed."""
    os = root.find("os")
    smbios = os.find("smbios") if os is not None else None
    mode = smbios.get("mode") if smbios is not None else None
    if mode and mode not in SMBIOS_MODES:
        refuse(UNSUPPORTED, f"unknown smbios mode '{mode}'")


def idmap_entry(e: Elem, chain: list[Elem]) -> None:
    """virDomainIdmapDefParseXML: a user or group mapping (of the domain, or of a virtiofs
    filesystem) has an unsigned start, target and count."""
    holder = chain[-2]
    if holder.tag == "filesystem" and holder.attr_at("type", "driver") != "virtiofs":
        return
    if any(number(e.get(a) or "", "uip") is None for a in ("start", "target", "count")):
        refuse(XML, "invalid idmap start/target/count settings")


DOMAIN_ELEMENT_RULES: dict[tuple[str, ...], tuple[Hook, ...]] = {
    **{(holder, "idmap", kind): (idmap_entry,) for holder in ("domain", "filesystem")
       for kind in ("uid", "gid")},
    ("domain", "title"): (title,),
    ("domain", "resource"): (resource,),
    ("domain", "os"): (os_firmware,),
    ("domain", "os", "loader"): (loader,),
    ("domain", "os", "nvram"): (nvram,),
    ("domain", "os", "acpi"): (acpi_tables,),
}
# rules run once libvirt has parsed the named domain element (or passed where it would be)
AFTER_DOMAIN_ELEMENT_RULES = {"sysinfo": (smbios_mode,)}
