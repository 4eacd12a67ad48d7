"""The machine policy chosen per domain, and the defaults it alone decides."""

from __future__ import annotations

import json

import pytest

import capsdb
import translator
from translator.context import BuildContext
from translator.parse import parse_domain
from translator.policy import choose_policy
from translator.profiles import PROFILES


def _xml(arch: str, machine: str, devices: str = "") -> str:
    return (f"<domain type='qemu'><name>p</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809"
            f"</uuid><memory>524288</memory><vcpu>1</vcpu><os><type arch='{arch}' "
            f"machine='{machine}'>hvm</type></os><devices>{devices}</devices></domain>")


@pytest.mark.parametrize(("arch", "machine", "name"), [
    ("x86_64", "q35", "q35"), ("x86_64", "pc", "i440fx"), ("x86_64", "isapc", "x86"),
    ("aarch64", "virt", "arm-virt"), ("aarch64", "virt-8.2", "arm-virt"),
    ("armv7l", "vexpress-a15", "arm-board"), ("ppc64", "pseries", "pseries"),
    ("ppc64", "powernv", "ppc64"), ("s390x", "s390-ccw-virtio", "s390"),
    ("riscv64", "virt", "riscv"), ("loongarch64", "virt", "loongarch"),
])
def test_one_policy_per_arch_and_machine(arch: str, machine: str, name: str) -> None:
    ctx = BuildContext(domain=parse_domain(_xml(arch, machine)),
                       caps=capsdb.get(None, "x86_64"), host=PROFILES["libvirt-test"])
    assert choose_policy(ctx).name == name


def _scsi_driver(arch: str, machine: str) -> str:
    xml = _xml(arch, machine, "<controller type='scsi' index='0'/>")
    args = translator.translate(xml, capsdb.get(None, arch), profile="libvirt-test").args
    devices = [json.loads(args[i + 1]) for i, a in enumerate(args) if a == "-device"
               and args[i + 1].startswith("{")]
    return next(str(d["driver"]) for d in devices if d.get("id") == "scsi0")


@pytest.mark.parametrize(("arch", "machine", "driver"), [
    ("x86_64", "q35", "lsi"),                       # the LSI HBA QEMU has
    ("ppc64", "pseries", "spapr-vscsi"),            # pseries: ibmvscsi
    ("s390x", "s390-ccw-virtio", "virtio-scsi-ccw"),  # no LSI HBA on s390
    ("loongarch64", "virt", "virtio-scsi-pci"),     # LoongArch virt: virtio-scsi
])
def test_default_scsi_model_is_the_policys(arch: str, machine: str, driver: str) -> None:
    assert _scsi_driver(arch, machine) == driver


@pytest.mark.parametrize(("arch", "machine", "balloon"), [
    ("x86_64", "pc", True), ("ppc64", "pseries", True), ("s390x", "s390-ccw-virtio", True),
    ("aarch64", "virt", False), ("loongarch64", "virt", False),
    ("sparc", "SS-5", False),  # qemuDomainDefAddDefaultDevices: 32-bit SPARC gets none
])
def test_default_memballoon_per_arch(arch: str, machine: str, balloon: bool) -> None:
    ctx = BuildContext(domain=parse_domain(_xml(arch, machine)),
                       caps=capsdb.get(None, "x86_64"), host=PROFILES["libvirt-test"])
    assert choose_policy(ctx).adds_default_memballoon(ctx) is balloon
