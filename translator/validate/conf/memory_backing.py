"""<memoryBacking>'s names and huge page sizes (virDomainDefParseMemory and
virDomainHugepagesParseXML in domain_conf.c).

libvirt reads the source type, access mode and allocation mode as enums whose first value
("none"/"default") may not be written, and refuses a huge page of size zero or with a
nodeset that is not a bitmap of at least one node.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .bitmap import parse_bitmap
from .scaled import memory_kib

UNSUPPORTED = ErrorCode.CONFIG_UNSUPPORTED

# virDomainMemorySource, virDomainMemoryAccess, virDomainMemoryAllocation without value 0
SOURCE_TYPES = ("file", "anonymous", "memfd")
ACCESS_MODES = ("shared", "private")
ALLOCATION_MODES = ("immediate", "ondemand")


def memory_backing(e: Elem, chain: list[Elem]) -> None:
    """The source type, access mode and allocation mode, in libvirt's order."""
    for child, attr, names, message in (
            ("source", "type", SOURCE_TYPES, "unknown memoryBacking/source/type '{}'"),
            ("access", "mode", ACCESS_MODES, "unknown memoryBacking/access/mode '{}'"),
            ("allocation", "mode", ALLOCATION_MODES,
             "unknown memoryBacking/allocation/mode '{}'")):
        node = e.find(child)
        value = node.get(attr) if node is not None else None
        if value and value not in names:
            refuse(UNSUPPORTED, message.format(value))


def hugepage(e: Elem, chain: list[Elem]) -> None:
    """A <page> of <hugepages> has a size other than zero, and its nodeset names a node."""
    size = e.get("size")
    if size is not None and memory_kib(size, e.get("unit"), "./@size") == 0:
        refuse(ErrorCode.XML_DETAIL, "hugepage size can't be zero")
    nodeset = e.get("nodeset")
    if nodeset is not None and not parse_bitmap(nodeset):
        refuse(UNSUPPORTED, f"Invalid value of 'nodeset': {nodeset}")


MEMORY_BACKING_RULES = {
    ("domain", "memoryBacking"): (memory_backing,),
    ("memoryBacking", "hugepages", "page"): (hugepage,),
}
