"""What one CLI call imports: every module costs start-up time (tools/benchmark.py).

An x86 domain must not load the other architectures' modules, nor modules only some
domains need (qemu:override helpers, the uuid module, URL quoting); a domain that does
need them still gets them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAZY = ("translator.policy.arm", "translator.policy.arm_command",
        "translator.policy.ppc", "translator.policy.ppc_defaults", "translator.policy.ppc_command",
        "translator.policy.riscv_loongarch", "translator.prepare.pcie_topology",
        "translator.policy.s390", "translator.policy.s390_command",
        "translator.overrides", "uuid", "urllib.parse", "difflib", "importlib.resources",
        "ipaddress", "base64",
        # builders of what few domains have (command/__init__.py's _only_if)
        "translator.command.aes", "translator.command.filesystems",
        "translator.command.hostdev", "translator.command.iommu", "translator.command.rng",
        "translator.command.smartcard", "translator.command.tpm", "translator.command.sysinfo",
        "translator.command.launch_security")

_SNIPPET = """
import json, sys
import capsdb, translator
from translator.effects import analyse
inv = translator.translate(sys.stdin.buffer.read(), capsdb.get(None, sys.argv[1]))
analyse(inv)
print(json.dumps(sorted(m for m in {lazy!r} if m in sys.modules)))
"""


def _loaded_after(xml: str, arch: str = "x86_64") -> set[str]:
    """The modules of LAZY that translating and analysing `xml` in a fresh interpreter loads."""
    out = subprocess.run([sys.executable, "-c", _SNIPPET.format(lazy=LAZY), arch],
                         input=xml.encode(), cwd=ROOT, capture_output=True, check=True).stdout
    return set(json.loads(out))


def _domain(arch: str, machine: str, devices: str = "") -> str:
    return (f"<domain type='qemu'><name>d</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809"
            f"</uuid><memory>219136</memory><vcpu>1</vcpu><os><type arch='{arch}' "
            f"machine='{machine}'>hvm</type></os><devices>{devices}</devices></domain>")


def test_x86_domain_loads_no_arch_or_optional_module() -> None:
    assert _loaded_after(_domain("x86_64", "q35")) == set()


def test_network_disk_loads_url_quoting() -> None:
    disk = ("<disk type='network' device='disk'><source protocol='http' name='/a b.img'>"
            "<host name='example.org'/></source><target dev='vda' bus='virtio'/></disk>")
    assert "urllib.parse" in _loaded_after(_domain("x86_64", "q35", disk))


def test_aarch64_domain_loads_only_arm_modules() -> None:
    loaded = _loaded_after(_domain("aarch64", "virt"), arch="aarch64")
    assert {"translator.policy.arm", "translator.policy.arm_command"} <= loaded
    assert not any("ppc" in m or "riscv" in m or "s390" in m for m in loaded)


def test_user_interface_with_an_address_loads_ipaddress() -> None:
    nic = ("<interface type='user'><ip address='172.17.2.0' family='ipv4' prefix='24'/>"
           "<model type='virtio'/></interface>")
    assert "ipaddress" in _loaded_after(_domain("x86_64", "q35", nic))


def test_no_class_is_a_compiling_dataclass() -> None:
    """capsdb.records.dataclass builds the classes' methods without compiling them at
    import (half of the import time was the standard dataclass compiling methods)."""
    compiling = re.compile(r"^from dataclasses import .*\bdataclass\b", re.M)
    offenders = [str(p.relative_to(ROOT)) for pkg in ("translator", "capsdb")
                 for p in (ROOT / pkg).rglob("*.py") if compiling.search(p.read_text())]
    assert offenders == []


def test_a_device_kind_loads_its_builder() -> None:
    tpm = "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>"
    loaded = _loaded_after(_domain("x86_64", "q35", tpm))
    assert loaded == {"translator.command.tpm"}


def test_importing_the_translator_leaves_the_collector_as_it_was() -> None:
    """translator/__init__ turns the collector off while it imports, and back on after."""
    import subprocess
    import sys

    code = ("import gc; {pre}import translator; print(gc.isenabled())")
    for pre, expected in (("", "True"), ("gc.disable(); ", "False")):
        out = subprocess.run([sys.executable, "-c", code.format(pre=pre)], check=True,
                             capture_output=True, text=True).stdout.strip()
        assert out == expected
