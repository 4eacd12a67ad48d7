"""ARM pieces of the command line: virt's -machine properties, ARM -cpu extras, the
legacy `-net nic` of the boards' built-in network chips.

The ARM policies (policy/arm.py) call into here; everything here only reads what the
post-parse defaults decided (GIC version, models, addresses).
"""

from __future__ import annotations

from ..cmdline import Source
from ..context import BuildContext
from ..model import Elem
from ..model.devices import Interface
from ..arches import ARM_ARCHES

__all__ = ["machine_feature_props", "cpu_model_suffix", "sve_feature_parts", "timer_parts",
           "is_board_nic", "add_legacy_nic"]

# NIC models that are on-board chips rather than -device frontends
_BOARD_NICS = frozenset({"lan9118", "smc91c111"})


def is_arm(ctx: BuildContext) -> bool:
    return ctx.arch in ARM_ARCHES


def _state(ctx: BuildContext, name: str) -> str | None:
    f = ctx.domain.feature(name)
    if f is None:
        return None
    return "off" if f.get("state") in ("off", "no") else "on"


def machine_feature_props(ctx: BuildContext) -> list[str]:
    """virt's -machine properties from <features> and <iommu>, in libvirt's order:
    gic-version, iommu=smmuv3, ras."""
    if not is_arm(ctx):
        return []
    out: list[str] = []
    gic = ctx.domain.feature("gic")
    version = gic.get("version") if gic is not None else None
    # virt only (validate/ refused the rest); only QEMU for aarch64 has the option, and
    # without it a guest gets GICv2 anyway
    if version and ctx.caps.arch == "aarch64":
        out.append(f"gic-version={version}")
    if any(d.family == "iommu" and d.elem.get("model") == "smmuv3"
           for d in ctx.domain.devices.items):
        out.append("iommu=smmuv3")
    ras = _state(ctx, "ras")
    if ras is not None:
        out.append(f"ras={ras}")
    return out


# --- -cpu -------------------------------------------------------------------------------

def cpu_model_suffix(ctx: BuildContext, passthrough: bool) -> list[str]:
    """A 32-bit guest on an aarch64 host CPU turns the host CPU's AArch64 mode off."""
    if passthrough and ctx.arch == "armv7l" and ctx.caps.arch == "aarch64":
        return ["aarch64=off"]
    return []


def sve_feature_parts(cpu: Elem | None) -> list[str]:
    """SVE vector lengths imply the SVE feature itself (libvirt appends it)."""
    if cpu is None:
        return []
    names = [f.get("name", "") for f in cpu.findall("feature")]
    if "sve" in names or not any(n.startswith("sve") for n in names):
        return []
    return ["sve=on"]


def timer_parts(ctx: BuildContext) -> list[str]:
    """<timer name='armvtimer' tickpolicy=...>: KVM's virtual timer adjustment."""
    clock = ctx.domain.clock
    out: list[str] = []
    for t in clock.findall("timer") if clock is not None else ():
        if t.get("name") != "armvtimer":
            continue
        policy = t.get("tickpolicy")
        if policy == "discard":
            out.append("kvm-no-adjvtime=on")
        elif policy == "delay":
            out.append("kvm-no-adjvtime=off")
    return out


# --- on-board NICs ----------------------------------------------------------------------

def is_board_nic(net: Interface) -> bool:
    return (net.model or "") in _BOARD_NICS


def legacy_nic_arg(net: Interface) -> str:
    """`-net nic` for a board's on-board network chip (it has no -device form)."""
    parts = [f"macaddr={net.mac}"] if net.mac else []
    parts += [f"netdev=host{net.alias}", f"model={net.model}", f"id={net.alias}"]
    return "nic," + ",".join(parts)


def add_legacy_nic(ctx: BuildContext, net: Interface, src: Source) -> None:
    ctx.cmd.add("-net", legacy_nic_arg(net), src)
