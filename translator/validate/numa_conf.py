"""libvirt's guest NUMA rules (numa_conf.c): what its parser refuses in <cpu><numa> and
<numatune> (`virDomainNumaDefParseXML`, `virDomainNumatuneParseXML`) and what
`virDomainNumaDefValidate` refuses once the definition is complete."""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model import Domain
from ..model.elem import Elem
from .conf.bitmap import parse_bitmap as bitmap
from .values import number

_MEM_MODES = ("strict", "preferred", "interleave", "restrictive")
_PLACEMENTS = ("static", "auto")


def cells(domain: Domain) -> list[Elem]:
    numa = domain.cpu.find("numa") if domain.cpu is not None else None
    return numa.findall("cell") if numa is not None else []


def cell_count(domain: Domain) -> int:
    """Guest NUMA nodes, including the one libvirt adds for memory hotplug
    (qemuDomainDefNumaAutoAdd)."""
    return max(len(domain.numa_cells), len(cells(domain)))


def check_numatune_parse(ctx: BuildContext) -> None:
    """virDomainNumatuneParseXML and virDomainNumatuneNodeParseXML."""
    root = ctx.domain.root
    if root is not None and len(root.findall("numatune")) > 1:
        refuse(ErrorCode.XML_ERROR, "only one numatune is supported")
    tune = ctx.domain.numatune
    if tune is None:
        return
    mem = tune.find("memory")
    placement = mem.get("placement") if mem is not None else None
    if mem is not None:
        mode = mem.get("mode")
        if mode is not None and mode not in _MEM_MODES:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"Unsupported NUMA memory tuning mode '{mode}'")
        if placement is not None and placement not in _PLACEMENTS:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"Unsupported NUMA memory placement mode '{placement}'")
        nodeset = mem.get("nodeset")
        if nodeset is not None and not bitmap(nodeset):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"Invalid value of 'nodeset': {nodeset}")
        if placement == "static" and nodeset is None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "nodeset for NUMA memory tuning must be set if 'placement' is 'static'")
    memnodes = tune.findall("memnode")
    if not memnodes:
        return
    # without <memory placement>, the placement follows <vcpu placement='auto'> unless a
    # nodeset pins it (virDomainNumatuneParseXML, virDomainNumatuneSet)
    auto = placement == "auto" or (
        placement is None and (mem is None or mem.get("nodeset") is None)
        and ctx.domain.vcpu.placement == "auto")
    if auto:
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "Per-node binding is not compatible with automatic NUMA placement.")
    count = cell_count(ctx.domain)
    if not count:
        refuse(ErrorCode.XML_ERROR, "Element 'memnode' is invalid without any guest NUMA cells")
    seen: set[int] = set()
    for node in memnodes:
        cellid = number(node.get("cellid"))
        if cellid is None:
            continue
        if cellid >= count:
            refuse(ErrorCode.XML_ERROR, "Argument 'cellid' in memnode element must correspond to "
                   "existing guest's NUMA cell")
        if cellid in seen:
            refuse(ErrorCode.XML_ERROR, f"Multiple memnode elements with cellid {cellid}")
        seen.add(cellid)
        nodeset = node.get("nodeset")
        if nodeset is None:
            refuse(ErrorCode.XML_ERROR, "Missing required nodeset attribute in memnode element")
        if not bitmap(nodeset):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"Invalid value of 'nodeset': {nodeset}")


def validate_numa(ctx: BuildContext) -> None:
    """virDomainNumaDefValidate: memnode modes, cache levels and the HMAT interconnects."""
    tune = ctx.domain.numatune
    mem = tune.find("memory") if tune is not None else None
    mode = (mem.get("mode") if mem is not None else None) or "strict"
    memnodes = {number(n.get("cellid")): n for n in tune.findall("memnode")} \
        if tune is not None else {}
    cell_elems = sorted(cells(ctx.domain), key=lambda c: number(c.get("id")) or 0)
    for i, cell in enumerate(cell_elems):
        memnode = memnodes.get(i)
        if memnode is not None:
            node_mode = memnode.get("mode") or "strict"
            if mode == "restrictive" and node_mode != "restrictive":
                refuse(ErrorCode.XML_ERROR, "'restrictive' mode is required in memnode element "
                       "when mode is 'restrictive' in memory element")
            if node_mode == "restrictive" and mode != "restrictive":
                refuse(ErrorCode.XML_ERROR, "'restrictive' mode is required in memory element "
                       "when mode is 'restrictive' in memnode element")
        levels: set[int] = set()
        for cache in cell.findall("cache"):
            level = number(cache.get("level")) or 0
            if level > 3:
                refuse(ErrorCode.XML_ERROR, "Ain't nobody heard of that much cache level")
            if level in levels:
                refuse(ErrorCode.XML_ERROR, f"Cache level '{level}' already defined")
            levels.add(level)
    _validate_interconnects(ctx, cell_elems)


def _validate_interconnects(ctx: BuildContext, cell_elems: list[Elem]) -> None:
    numa = ctx.domain.cpu.find("numa") if ctx.domain.cpu is not None else None
    links = numa.find("interconnects") if numa is not None else None
    if links is None:
        return
    count = len(cell_elems)
    # the links seen so far, by where each first came (a lookup, not a scan of them all):
    # every one, and every (initiator, target) pair
    first_link: dict[tuple[str, int, int, int, str | None], int] = {}
    first_pair: dict[tuple[int, int], int] = {}
    for link in links.children:
        initiator = number(link.get("initiator")) or 0
        target = number(link.get("target")) or 0
        cache = number(link.get("cache")) or 0
        if initiator >= count:
            refuse(ErrorCode.XML_ERROR, "'initiator' refers to a non-existent NUMA node")
        if target >= count:
            refuse(ErrorCode.XML_ERROR, "'target' refers to a non-existent NUMA node")
        if not cell_elems[initiator].get("cpus") or not bitmap(
                cell_elems[initiator].get("cpus", "")):
            refuse(ErrorCode.XML_ERROR, "NUMA nodes without CPUs can't be initiator")
        if cache > 0 and not any(number(c.get("level")) == cache
                                 for c in cell_elems[target].findall("cache")):
            refuse(ErrorCode.XML_ERROR, "'cache' refers to a non-existent NUMA node cache")
        key = (link.tag, initiator, target, cache, link.get("type"))
        # the earlier link met first decides: the same one again, or the reverse link
        same = first_link.get(key)
        reverse = first_pair.get((target, initiator)) if initiator != target else None
        if same is not None and (reverse is None or same < reverse):
            refuse(ErrorCode.XML_ERROR, "Duplicate info for NUMA latencies")
        if reverse is not None:
            refuse(ErrorCode.XML_ERROR, "Link already defined")
        position = len(first_link)  # counts distinct links: same order as all of them
        first_link.setdefault(key, position)
        first_pair.setdefault((initiator, target), position)
