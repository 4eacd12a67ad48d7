"""The architecture families that have their own prepare/build modules.

Generic code tests `ctx.arch` against these sets before importing a family's
`arch_*` modules, so a domain only loads the code of its own architecture: the
non-x86 modules are ~1500 lines that an x86 domain never runs (~20 ms of compiling
on each CLI call when no .pyc files are available).
"""

from __future__ import annotations

ARM_ARCHES = frozenset({"armv6l", "armv7l", "armv7b", "aarch64"})
PPC64_ARCHES = ("ppc64", "ppc64le")
PPC_ARCHES = ("ppc", "ppcemb") + PPC64_ARCHES
RISCV_ARCHES = frozenset({"riscv32", "riscv64"})
LOONGARCH_ARCHES = frozenset({"loongarch64"})
RISCV_LOONGARCH_ARCHES = RISCV_ARCHES | LOONGARCH_ARCHES
S390_ARCHES = frozenset({"s390", "s390x"})
