"""The scaled sizes libvirt's parser requires (virParseScaledValue and virDomainParseMemory
called with `required`, in domain_conf.c and numa_conf.c).

An absent or empty size is refused with the XPath libvirt read it from; a present one is
checked and written canonically by `sizes.py`.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .schema import Hook


def _missing(xpath: str) -> None:
    refuse(ErrorCode.XML_ERROR, f"missing element or attribute '{xpath}'")


def _require_attr(attr: str) -> Hook:
    def check(e: Elem, chain: list[Elem]) -> None:
        if not e.get(attr):
            _missing(f"./@{attr}")
    check.__doc__ = f"The element's '{attr}' size is required."
    return check


def _require_text(child: str) -> Hook:
    def check(e: Elem, chain: list[Elem]) -> None:
        node = e.find(child)
        if node is None or not node.text:
            _missing(f"./{child}")
    check.__doc__ = f"The <{child}> size is required."
    return check


def numa_cache(e: Elem, chain: list[Elem]) -> None:
    """virDomainNumaDefNodeCacheParseXML: a cache has a size, then a line size."""
    for child in ("size", "line"):
        if not e.attr_at("value", child):
            _missing(f"./{child}/@value")


REQUIRED_SIZE_RULES: dict[tuple[str, ...], tuple[Hook, ...]] = {
    ("memoryBacking", "hugepages", "page"): (_require_attr("size"),),
    ("cputune", "cachetune", "cache"): (_require_attr("size"),),
    ("cpu", "numa", "cell"): (_require_attr("memory"),),
    ("numa", "cell", "cache"): (numa_cache,),
    ("numa", "interconnects", "bandwidth"): (_require_attr("value"),),
    ("devices", "memory", "target"): (_require_text("size"),),
    ("devices", "pstore"): (_require_text("size"),),
}
