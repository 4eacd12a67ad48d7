"""Where libvirt's domain parser reads a scaled size, and how (virParseScaledValue and
virDomainParseMemory): the name libvirt reports, the unit's default and whether the size is a
memory size (KiB, capped) or a plain scaled number.
"""

from __future__ import annotations


from capsdb.records import dataclass
from ...model.elem import Elem
from .scaled import memory_kib, scaled_value
from .xmlprop import ULLONG_MAX, to_uint

_MEMORY_LIMIT_BYTES = ((1 << 53) - 1) << 10  # VIR_DOMAIN_MEMORY_PARAM_UNLIMITED in bytes


@dataclass(frozen=True)
class Size:
    """One scaled read: `path` of tags, `attr` (None: the text), libvirt's name for it."""

    path: tuple[str, ...]
    attr: str | None
    where: str
    memory: bool = True
    default_scale: int = 1024
    maximum: int = ULLONG_MAX
    unit_attr: str = "unit"


SIZES: tuple[Size, ...] = (
    Size(("domain", "memory"), None, "./memory[1]"),
    Size(("domain", "currentMemory"), None, "./currentMemory[1]"),
    Size(("domain", "maxMemory"), None, "./maxMemory[1]"),
    *(Size(("memtune", t), None, f"./memtune/{t}[1]", memory=False,
           maximum=_MEMORY_LIMIT_BYTES) for t in ("hard_limit", "soft_limit",
                                                  "swap_hard_limit")),
    Size(("memtune", "min_guarantee"), None, "./memtune/min_guarantee[1]"),
    Size(("hugepages", "page"), "size", "./@size"),
    Size(("numa", "cell"), "memory", "./@memory"),
    Size(("controller", "pcihole64"), None, "./pcihole64", memory=False),
    Size(("shmem", "size"), None, "./size[1]", memory=False, default_scale=1),
    Size(("filesystem", "space_hard_limit"), None, "./space_hard_limit[1]", memory=False,
         default_scale=1),
    Size(("filesystem", "space_soft_limit"), None, "./space_soft_limit[1]", memory=False,
         default_scale=1),
    Size(("memory", "source", "pagesize"), None, "./pagesize"),
    Size(("memory", "source", "alignsize"), None, "./alignsize"),
    Size(("memory", "target", "size"), None, "./size"),
    Size(("memory", "target", "label", "size"), None, "./label/size"),
    Size(("memory", "target", "block"), None, "./block"),
    Size(("memory", "target", "requested"), None, "./requested"),
    Size(("devices", "nvram", "size"), None, "./size"),
    Size(("tcg", "tb-cache"), None, "./tb-cache"),
    Size(("smm", "tseg"), None, "string(./features/smm/tseg)", memory=False,
         default_scale=1024 * 1024),
    Size(("hpt", "maxpagesize"), None, "./features/hpt/maxpagesize", memory=False),
    Size(("cachetune", "cache"), "size", "./@size", memory=False),
    # numa_conf.c reads the unit of a cache size from an element that never exists
    Size(("numa", "cell", "cache", "size"), "value", "./size/@value", unit_attr=""),
    Size(("numa", "cell", "cache", "line"), "value", "./line/@value", memory=False,
         default_scale=1, unit_attr=""),
    Size(("numa", "interconnects", "bandwidth"), "value", "./@value"),
    Size(("metadata_cache", "max_size"), None, "./metadata_cache/max_size", memory=False),
)


def check_size(e: Elem, s: Size) -> tuple[str, str] | None:
    """Refuse the scaled size `s` reads in `e` (an element at `s`'s place) as libvirt's
    parser does; the number in decimal and where it goes (key '' = the element's text),
    None if not read."""
    text = e.text if s.attr is None else e.attrs.get(s.attr)
    if text is None or text == "":
        return None
    unit = e.attrs.get(s.unit_attr) if s.unit_attr else None
    if s.memory:
        memory_kib(text, unit, s.where)
    else:
        scaled_value(text, unit, s.where, default_scale=s.default_scale, maximum=s.maximum)
    return s.attr or "", str(to_uint(text, 10, ULLONG_MAX))


__all__ = ["SIZES", "Size", "check_size"]
