"""The attributes of a guest <cpu> element (cpu_conf.c virCPUDefParseXML, called by the
domain parser with the guest CPU type).

libvirt reads them in this order before anything inside the element: the mode, whether the
CPU is migratable (only for the modes that pass the host CPU through), then the match and
check policies and the deprecated-features switch. The rest of the CPU (model, features)
is `validate/cpu.py`'s, which calls the readers of <cache> and <maxphysaddr> here in its
order.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from . import enums as E
from .xmlprop import prop_enum, prop_int, prop_on_off, prop_uint

CPU_MODES = ("custom", "host-model", "host-passthrough", "maximum")
HOST_CPU_MODES = ("host-passthrough", "maximum")
CACHE_MODES = ("emulate", "passthrough", "disable")
MAXPHYSADDR_MODES = ("emulate", "passthrough")
CACHE_LEVELS = (1, 3)


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


def cpu_cache(cache: Elem) -> None:
    """virCPUDefParseXMLCache: a level from 1 to 3 and a mode."""
    level = prop_int(cache, "level", nonnegative=True)
    low, high = CACHE_LEVELS
    if level is not None and not low <= level <= high:
        refuse(ErrorCode.XML_ERROR, "invalid CPU cache level, must be in range [1,3]")
    prop_enum(cache, "mode", CACHE_MODES, required_=True)


def cpu_maxphysaddr(addr: Elem) -> None:
    """<maxphysaddr>: a mode, a non-negative number of bits, a limit only to pass through."""
    mode = prop_enum(addr, "mode", MAXPHYSADDR_MODES, required_=True)
    prop_int(addr, "bits", nonnegative=True)
    if prop_uint(addr, "limit", nonzero=True) is not None and mode != "passthrough":
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "attribute 'limit' is only supported for maxphysaddr mode 'passthrough'")


CPU_RULES = {("domain", "cpu"): (guest_cpu,)}
