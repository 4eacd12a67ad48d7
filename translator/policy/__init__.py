"""One machine policy per domain: the defaults libvirt decides per arch and machine.

`choose_policy` picks the policy of the domain's architecture and machine type once,
after the machine default is applied; generic code then asks `ctx.policy`. Each
family's module is imported only when a domain of that family is translated, so a
domain loads only the code of its own architecture (an x86 domain never compiles the
~2000 lines of the other ones).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..arches import ARM_ARCHES, PPC_ARCHES, RISCV_LOONGARCH_ARCHES, S390_ARCHES, X86_ARCHES

if TYPE_CHECKING:
    from ..context import BuildContext
    from .base import MachinePolicy

__all__ = ["choose_policy"]


def choose_policy(ctx: BuildContext) -> MachinePolicy:
    """The policy of the domain's architecture and machine type."""
    arch = ctx.arch
    if arch in X86_ARCHES:
        from . import x86
        return x86.policy_for(ctx)
    if arch in ARM_ARCHES:
        from . import arm
        return arm.policy_for(ctx)
    if arch in PPC_ARCHES:
        from . import ppc
        return ppc.policy_for(ctx)
    if arch in S390_ARCHES:
        from . import s390
        return s390.policy_for(ctx)
    if arch in RISCV_LOONGARCH_ARCHES:
        from . import riscv_loongarch
        return riscv_loongarch.policy_for(ctx)
    from .base import MachinePolicy
    return MachinePolicy()
