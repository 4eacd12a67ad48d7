"""Refusals that depend on the guest's architecture and machine, not made elsewhere.

They run where libvirt's post-parse and address assignment would notice them (the
machine policies call them at those points), so the first error stays libvirt's.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..ccw import (CCW_KEYS, MAX_CSSID, MAX_DEVNO, MAX_SSID, MAX_ZPCI_FID, MAX_ZPCI_UID,
                   ccw_key)
from ..model import GenericAddress, PciAddress

CONFIG = ErrorCode.CONFIG_UNSUPPORTED

# CPU features libvirt's ARM CPU driver knows (its cpu map), beyond the SVE vector lengths
_ARM_CPU_FEATURES = frozenset({"sve", "pauth", "pmu", "aarch64", "mte"})


def _known_arm_cpu_feature(name: str) -> bool:
    if name in _ARM_CPU_FEATURES:
        return True
    bits = name[3:]
    return name.startswith("sve") and bits.isdigit() and int(bits) % 128 == 0 \
        and 128 <= int(bits) <= 2048


def validate_arm(ctx: BuildContext) -> None:
    """ARM CPU features must be known to libvirt's ARM CPU driver (virCPUarmValidateFeatures).
    (TPM 1.2 on ARM is refused by qemu_devices.validate_tpm.)"""
    cpu = ctx.domain.cpu
    for f in cpu.findall("feature") if cpu is not None else ():
        if not _known_arm_cpu_feature(f.get("name", "")):
            refuse(CONFIG, f"unknown CPU feature: {f.get('name', '')}")


# -- s390 --------------------------------------------------------------------------------

def check_ccw_addresses(ctx: BuildContext) -> None:
    """virDomainDeviceCCWAddressParseXML: ids in range, and all three given or none."""
    for d in ctx.domain.devices.items:
        a = d.info.address
        if not (isinstance(a, GenericAddress) and a.type == "ccw"):
            continue
        cssid, ssid, devno = ccw_key(a)
        if cssid > MAX_CSSID or ssid > MAX_SSID or devno > MAX_DEVNO:
            refuse(ErrorCode.INTERNAL_ERROR, "Invalid specification for virtio ccw address: "
                   f"cssid='0x{cssid:x}' ssid='0x{ssid:x}' devno='0x{devno:04x}'")
        given = [a.attrs.get(k) not in (None, "") for k in CCW_KEYS]
        if any(given) and not all(given):
            refuse(ErrorCode.INTERNAL_ERROR,
                   "Invalid partial specification for virtio ccw address")


def check_zpci_ids(ctx: BuildContext) -> None:
    """virZPCIDeviceAddressIsValid: the zPCI uid and fid a user wrote are in range."""
    for d in ctx.domain.devices.items:
        a = d.info.address
        if not isinstance(a, PciAddress):
            continue
        if a.zpci_uid is not None and not 0 < a.zpci_uid <= MAX_ZPCI_UID:
            refuse(ErrorCode.XML_ERROR, f"Invalid PCI address uid='0x{a.zpci_uid:04x}', "
                   f"must be > 0x0000 and <= 0x{MAX_ZPCI_UID:04x}")
        if a.zpci_fid is not None and not 0 <= a.zpci_fid <= MAX_ZPCI_FID:
            refuse(ErrorCode.XML_ERROR, f"Invalid PCI address fid='0x{a.zpci_fid:08x}', "
                   f"must be >= 0x00000000 and <= 0x{MAX_ZPCI_FID:08x}")


# -- ppc64 -------------------------------------------------------------------------------

def check_nvdimm_guest_area(area_kib: int, align_kib: int) -> None:
    """qemuDomainNVDimmAlignSizePseries: the guest area (size minus label) is aligned
    down, which needs at least one alignment unit (the caller aligns)."""
    if area_kib < align_kib:
        refuse(ErrorCode.XML_ERROR,
               "minimum target size for the NVDIMM must be 256MB plus the label size")
