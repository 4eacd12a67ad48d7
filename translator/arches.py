"""The architecture families libvirt treats alike (its ARCH_IS_* tests).

`translator.policy.choose_policy` tests the domain's architecture against these sets
to import only its own family's policy module.
"""

from __future__ import annotations

X86_ARCHES = frozenset({"x86_64", "i686"})
ARM_ARCHES = frozenset({"armv6l", "armv7l", "armv7b", "aarch64"})
PPC64_ARCHES = ("ppc64", "ppc64le")
PPC_ARCHES = ("ppc", "ppcemb") + PPC64_ARCHES
RISCV_ARCHES = frozenset({"riscv32", "riscv64"})
LOONGARCH_ARCHES = frozenset({"loongarch64"})
RISCV_LOONGARCH_ARCHES = RISCV_ARCHES | LOONGARCH_ARCHES
S390_ARCHES = frozenset({"s390", "s390x"})
