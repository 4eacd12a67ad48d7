"""libvirt's machine-type predicates (qemu_domain.c: qemuDomainMachineIs*), for validators.

libvirt decides them from the machine name and the guest architecture alone; the
validators read them here so that no validation rule reaches into prepare/ or command/.
"""

from __future__ import annotations

from ..context import BuildContext

X86 = frozenset({"i686", "x86_64"})
PPC64 = frozenset({"ppc64", "ppc64le"})
S390 = frozenset({"s390", "s390x"})
ARM = frozenset({"armv6l", "armv7l", "armv7b", "aarch64"})
RISCV = frozenset({"riscv32", "riscv64"})


def _virt_named(machine: str) -> bool:
    return machine == "virt" or machine.startswith("virt-")


def machine(ctx: BuildContext) -> str:
    return ctx.domain.os.machine or ""


def is_q35(ctx: BuildContext) -> bool:
    m = machine(ctx)
    return ctx.arch in X86 and (m == "q35" or m.startswith("pc-q35-")
                                or ctx.canonical_machine.startswith("pc-q35-"))


def is_i440fx(ctx: BuildContext) -> bool:
    prefixes = ("pc-0.", "pc-1.", "pc-i440fx-", "rhel")
    return ctx.arch in X86 and any(m == "pc" or m.startswith(prefixes)
                                   for m in (machine(ctx), ctx.canonical_machine))


def is_xenfv(ctx: BuildContext) -> bool:
    m = machine(ctx)
    return ctx.arch in X86 and (m == "xenfv" or m.startswith("xenfv-"))


def is_pseries(ctx: BuildContext) -> bool:
    m = machine(ctx)
    return ctx.arch in PPC64 and (m == "pseries" or m.startswith("pseries-"))


def is_s390_ccw(ctx: BuildContext) -> bool:
    return ctx.arch in S390 and machine(ctx).startswith("s390-ccw")


def is_arm_virt(ctx: BuildContext) -> bool:
    return ctx.arch in {"armv6l", "armv7l", "aarch64"} and _virt_named(machine(ctx))


def is_riscv_virt(ctx: BuildContext) -> bool:
    return ctx.arch in RISCV and _virt_named(machine(ctx))


def is_loongarch_virt(ctx: BuildContext) -> bool:
    return ctx.arch == "loongarch64" and _virt_named(machine(ctx))


def has_pci(ctx: BuildContext) -> bool:
    """qemuDomainHasPCIRoot-ish: machines whose devices live on a PCI bus by default."""
    return not (is_s390_ccw(ctx) or machine(ctx) in ("isapc",))


def emulator(ctx: BuildContext) -> str:
    """def->emulator: the <emulator> element, else the binary of the capabilities."""
    return (ctx.domain.devices.emulator or ctx.caps.emulator
            or f"/usr/bin/qemu-system-{ctx.caps.arch}")
