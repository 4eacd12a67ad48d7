"""The attributes of a guest <cpu> element (cpu_conf.c virCPUDefParseXML, called by the
domain parser with the guest CPU type).

libvirt reads them in this order before anything inside the element: the mode, whether the
CPU is migratable (only for the modes that pass the host CPU through), then the match and
check policies and the deprecated-features switch. The rest of the CPU (model, features,
cache) is `validate/cpu.py`'s.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from . import enums as E
from .xmlprop import prop_enum, prop_on_off

CPU_MODES = ("custom", "host-model", "host-passthrough", "maximum")
HOST_CPU_MODES = ("host-passthrough", "maximum")


def guest_cpu(e: Elem, chain: list[Elem]) -> None:
    """virCPUDefParseXML's reads of the <cpu> element's own attributes."""
    mode = e.get("mode")
    if mode is not None and mode not in CPU_MODES:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"Invalid mode attribute '{mode}'")
    if prop_on_off(e, "migratable") is not None and (mode or "custom") not in HOST_CPU_MODES:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "Attribute migratable is only allowed for "
               "'host-passthrough' / 'maximum' CPU mode")
    prop_enum(e, "match", E.CPU_MATCH)
    prop_enum(e, "check", E.CPU_CHECK)
    prop_on_off(e, "deprecated_features")


CPU_RULES = {("domain", "cpu"): (guest_cpu,)}
