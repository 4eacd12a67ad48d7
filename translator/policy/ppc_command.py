"""PowerPC pieces of the command line: CPU model, pseries -machine capabilities, PHBs,
the spapr NVRAM and the TPM proxy.

The facts they read (defaults, addresses, PHB target indexes) are decided in
`policy/ppc_defaults.py`; this module only renders them.
"""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Controller, GenericAddress
from ..props import Props
from ..machines import is_ppc64, is_pseries
from .ppc_addresses import phb_target_index

__all__ = ["cpu_model", "machine_feature_props", "machine_compat_props", "is_extra_phb",
           "phb_props", "pci_bus_name", "build_nvram"]

# <features> of a pseries machine that QEMU takes as -machine capabilities, as
# (feature element, machine property): on/off switches (`state`), then values (`value`)
_SPAPR_SWITCHES = (("htm", "cap-htm"), ("nested-hv", "cap-nested-hv"),
                   ("ccf-assist", "cap-ccf-assist"))
_SPAPR_VALUES = (("cfpc", "cap-cfpc"), ("sbbc", "cap-sbbc"), ("ibs", "cap-ibs"))

_UNIT_KIB = {"b": 1 / 1024, "bytes": 1 / 1024, "k": 1, "kib": 1, "kb": 1000 / 1024,
             "m": 1024, "mib": 1024, "mb": 1000 ** 2 / 1024, "g": 1024 ** 2, "gib": 1024 ** 2,
             "gb": 1000 ** 3 / 1024, "t": 1024 ** 3, "tib": 1024 ** 3}


# -- CPU ------------------------------------------------------------------------------------

def cpu_model(ctx: BuildContext, model: str | None) -> str | None:
    """The -cpu model of a PowerPC guest.

    ppc64's host-model is QEMU's 'host' CPU; the model it names becomes a compatibility
    mode (a pseries machine property, else the CPU's `compat` option). Without a model,
    ppc64 uses the machine type's default CPU for every accelerator (32-bit boards have
    no CPU driver in libvirt, so QEMU picks).
    """
    cpu = ctx.domain.cpu
    if cpu is not None and cpu.get("mode") == "host-model" and is_ppc64(ctx):
        compat = cpu.findtext("model")
        if compat and not is_pseries(ctx):
            return f"host,compat={compat}"
        return "host"
    if model is not None or not is_ppc64(ctx):
        return model
    d = ctx.domain
    machine = ctx.caps.find_machine(d.os.machine or "", d.virt_type)
    if machine is None or not machine.default_cpu:
        return None
    return ctx.caps.cpu_name_for_type(machine.default_cpu, d.virt_type)


# -- -machine -------------------------------------------------------------------------------

def _kib(text: str, unit: str | None) -> int:
    return int(int(text) * _UNIT_KIB.get((unit or "kib").lower(), 1))


def machine_feature_props(ctx: BuildContext) -> list[str]:
    """pseries <features> as machine capabilities, in libvirt's order."""
    d = ctx.domain
    out: list[str] = []
    hpt = d.feature("hpt")
    if hpt is not None:
        if hpt.get("resizing"):
            out.append(f"resize-hpt={hpt.get('resizing')}")
        page = hpt.find("maxpagesize")
        size = (page.text or "").strip() if page is not None else ""
        if page is not None and size:
            out.append(f"cap-hpt-max-page-size={_kib(size, page.get('unit'))}k")
    for name, prop in _SPAPR_SWITCHES:
        f = d.feature(name)
        if f is not None and f.get("state") in ("on", "off"):
            out.append(f"{prop}={f.get('state')}")
    for name, prop in _SPAPR_VALUES:
        f = d.feature(name)
        if f is not None and f.get("value"):
            out.append(f"{prop}={f.get('value')}")
    return out


def machine_compat_props(ctx: BuildContext) -> list[str]:
    """A pseries host-model CPU with a model caps the guest at that CPU's compat mode."""
    cpu = ctx.domain.cpu
    if cpu is None or cpu.get("mode") != "host-model" or not is_pseries(ctx):
        return []
    model = cpu.findtext("model")
    return [f"max-cpu-compat={model}"] if model else []


# -- PCI host bridges -----------------------------------------------------------------------

def is_extra_phb(ctx: BuildContext, c: Controller) -> bool:
    """A pci-root beyond the built-in one: on pseries, a spapr-pci-host-bridge device."""
    return is_pseries(ctx) and c.type == "pci" and c.model == "pci-root" and c.index > 0


def phb_props(ctx: BuildContext, c: Controller) -> Props:
    p = Props(("driver", "spapr-pci-host-bridge"), ("index", phb_target_index(ctx, c)),
              ("id", c.alias))
    node = c.target.findtext("node") if c.target is not None else None
    if node is not None and node.strip():
        p.add("numa_node", int(node))
    return p


def pci_bus_name(ctx: BuildContext, c: Controller, alias: str) -> str:
    """QEMU names the bus of an added PHB '<id>.0'; the built-in one stays 'pci.0'."""
    if is_pseries(ctx) and c.model == "pci-root" and phb_target_index(ctx, c) > 0:
        return f"{alias}.0"
    return alias


# -- NVRAM --------------------------------------------------------------------

def build_nvram(ctx: BuildContext) -> None:
    """<nvram> is the pseries machine's built-in spapr-nvram, placed by a -global."""
    for d in ctx.domain.devices.of("nvram"):
        a = d.info.address
        if not is_pseries(ctx) or not isinstance(a, GenericAddress) or "reg" not in a.attrs:
            continue
        reg = int(a.attrs["reg"], 0)
        ctx.cmd.add("-global", f"spapr-nvram.reg={reg:#x}", xml_source(d.elem))
