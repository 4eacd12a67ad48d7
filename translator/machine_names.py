"""libvirt's machine-name families (qemuDomainMachineIsQ35, qemuDomainMachineIsI440FX),
by name alone: `machines.py` adds the architecture test, `BuildContext` applies them to the
canonical machine type."""

from __future__ import annotations

_I440FX_PREFIXES = ("pc-0.", "pc-1.", "pc-i440fx-", "rhel")


def q35_named(name: str) -> bool:
    return name == "q35" or name.startswith("pc-q35-")


def i440fx_named(name: str) -> bool:
    return name == "pc" or name.startswith(_I440FX_PREFIXES)
