"""libvirt's machine-type predicates (qemu_domain.c: qemuDomainMachineIs*, qemuDomainIs*).

libvirt decides them from the machine name and the guest architecture alone. This is their
one home: the validators and the architecture policies both read them here.
"""

from __future__ import annotations

from .arches import ARM_ARCHES, LOONGARCH_ARCHES, PPC64_ARCHES, RISCV_ARCHES, S390_ARCHES, \
    X86_ARCHES
from .context import BuildContext
from .machine_names import i440fx_named, q35_named

# the families as libvirt's ARCH_IS_* tests name them (short names for the validators)
X86, PPC64, S390, ARM, RISCV = X86_ARCHES, PPC64_ARCHES, S390_ARCHES, ARM_ARCHES, RISCV_ARCHES


def _virt_named(machine: str) -> bool:
    return machine == "virt" or machine.startswith("virt-")


def machine(ctx: BuildContext) -> str:
    return ctx.domain.os.machine or ""


def is_q35(ctx: BuildContext) -> bool:
    return ctx.arch in X86 and (q35_named(machine(ctx)) or ctx.is_q35)


def is_i440fx(ctx: BuildContext) -> bool:
    return ctx.arch in X86 and (i440fx_named(machine(ctx)) or ctx.is_i440fx)


def is_xenfv(ctx: BuildContext) -> bool:
    m = machine(ctx)
    return ctx.arch in X86 and (m == "xenfv" or m.startswith("xenfv-"))


def is_ppc64(ctx: BuildContext) -> bool:
    return ctx.arch in PPC64


def is_pseries(ctx: BuildContext) -> bool:
    """A ppc64 guest on 'pseries' or a versioned 'pseries-X.Y'."""
    m = machine(ctx)
    return ctx.arch in PPC64 and (m == "pseries" or m.startswith("pseries-"))


def is_s390_ccw(ctx: BuildContext) -> bool:
    """qemuDomainIsS390CCW: the s390-ccw-virtio family (the one with a channel subsystem)."""
    return ctx.arch in S390 and machine(ctx).startswith("s390-ccw")


def is_arm_virt(ctx: BuildContext) -> bool:
    """qemuDomainIsARMVirt: `virt` and its versioned types on armv6l/armv7l/aarch64."""
    return ctx.arch in {"armv6l", "armv7l", "aarch64"} and _virt_named(machine(ctx))


def is_riscv_virt(ctx: BuildContext) -> bool:
    return ctx.arch in RISCV and _virt_named(machine(ctx))


def is_loongarch_virt(ctx: BuildContext) -> bool:
    return ctx.arch in LOONGARCH_ARCHES and _virt_named(machine(ctx))


def has_pci(ctx: BuildContext) -> bool:
    """qemuDomainHasPCIRoot-ish: machines whose devices live on a PCI bus by default."""
    return not (is_s390_ccw(ctx) or machine(ctx) in ("isapc",))


def emulator(ctx: BuildContext) -> str:
    """def->emulator: the <emulator> element, else the binary of the capabilities."""
    return (ctx.domain.devices.emulator or ctx.caps.emulator
            or f"/usr/bin/qemu-system-{ctx.caps.arch}")
