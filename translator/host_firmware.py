"""The firmware descriptors the `host` and `native` profiles' host has installed.

libvirt picks `<os firmware='efi'>` firmware from the QEMU firmware descriptors a host's
packages install (qemuFirmwareFillDomain). A profile describes a standard host, so it names
them as a fact, like its qemu.conf, instead of reading the machine xml2argv runs on (which
may have no QEMU at all): the reference host of the `host`/`native` profiles (an x86_64
Debian 12 host, QEMU 7.2, libvirt 11.3) has the distribution's `ovmf` package, whose 4 MiB
x86_64 builds its libvirt chooses from:

- Secure Boot with SMM and the Microsoft keys enrolled in the varstore template (first:
  a domain asking for nothing gets it, so a q35 domain gets SMM and the secure pflash);
- Secure Boot with SMM and an empty varstore (a domain that disables enrolled keys);
- no Secure Boot, for q35 and i440fx (a domain that disables secure boot or the secure
  loader, and every i440fx domain, which has no SMM).

The names order them as the package's file names do. `XML2ARGV_FIRMWARE_ROOT` (see
`profiles.HostProfile.firmware_root_env`) makes a profile read a real descriptor tree
instead, e.g. `/` for the machine's own.
"""

from __future__ import annotations

import json
from typing import Any

_OVMF = "/usr/share/OVMF"


def _ovmf(description: str, code: str, template: str, machines: list[str],
          features: list[str]) -> str:
    """One split-flash UEFI descriptor of a raw OVMF build, as its file's JSON text."""
    descriptor: dict[str, Any] = {
        "description": description,
        "interface-types": ["uefi"],
        "mapping": {
            "device": "flash",
            "mode": "split",
            "executable": {"filename": f"{_OVMF}/{code}", "format": "raw"},
            "nvram-template": {"filename": f"{_OVMF}/{template}", "format": "raw"},
        },
        "targets": [{"architecture": "x86_64", "machines": machines}],
        "features": features,
        "tags": [],
    }
    return json.dumps(descriptor, indent=4)


# (file name, contents) of each descriptor
REFERENCE_HOST_FIRMWARE: tuple[tuple[str, str], ...] = (
    ("30-ovmf-4m-x64-sb-ms-enrolled.json", _ovmf(
        "OVMF with Secure Boot and SMM, Microsoft keys enrolled", "OVMF_CODE_4M.ms.fd",
        "OVMF_VARS_4M.ms.fd", ["pc-q35-*"],
        ["acpi-s3", "enrolled-keys", "requires-smm", "secure-boot", "verbose-dynamic"])),
    ("40-ovmf-4m-x64-sb.json", _ovmf(
        "OVMF with Secure Boot and SMM, empty varstore", "OVMF_CODE_4M.secboot.fd",
        "OVMF_VARS_4M.fd", ["pc-q35-*"],
        ["acpi-s3", "requires-smm", "secure-boot", "verbose-dynamic"])),
    ("50-ovmf-4m-x64.json", _ovmf(
        "OVMF without Secure Boot", "OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd",
        ["pc-i440fx-*", "pc-q35-*"], ["acpi-s3", "verbose-dynamic"])),
)
