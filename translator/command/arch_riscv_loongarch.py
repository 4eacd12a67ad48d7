"""RISC-V and LoongArch pieces of the command line: -machine properties and -cpu default.

libvirt writes `acpi=on|off` for every machine type QEMU says supports ACPI (the RISC-V
and LoongArch `virt` boards do), RISC-V's `<aia value=.../>` feature as the machine's
`aia` property, and, for TCG guests without a <cpu>, the machine's default CPU model
(rv64, la464) that it records in the domain during post-parse.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import TranslationError
from ..prepare import arch_riscv_loongarch as prep

__all__ = ["machine_feature_props", "default_cpu_model"]


def machine_feature_props(ctx: BuildContext) -> list[str]:
    """`aia=` from <features><aia value=.../> (RISC-V `virt` only, QEMU permitting)."""
    aia = ctx.domain.feature("aia")
    if aia is None or not aia.get("value"):
        return []
    if not prep.is_riscv_virt(ctx) or not ctx.has("machine.virt.aia"):
        raise TranslationError("unsupported configuration: 'aia' feature is not supported "
                               "with this QEMU binary")
    return [f"aia={aia.get('value')}"]


def default_cpu_model(ctx: BuildContext) -> str | None:
    """The default CPU model of a RISC-V/LoongArch TCG guest without one."""
    return prep.default_cpu_model(ctx) if prep.handles(ctx) else None
