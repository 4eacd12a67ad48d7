"""libvirt's parser of the guest NUMA topology (numa_conf.c: `virDomainNumaDefParseXML`,
`virDomainNumaDefNodeDistanceParseXML`): what it refuses in <cpu><numa>."""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from ..values import number
from .bitmap import parse_bitmap as bitmap

LOCAL_DISTANCE = 10
UNREACHABLE = 255


def check_numa_parse(numa: Elem) -> None:
    """virDomainNumaDefParseXML on <cpu><numa>: cells numbered 0..n-1 once each, disjoint
    vCPUs, valid distances (the parser calls it before counting the cells' vCPUs)."""
    cell_elems = numa.findall("cell")
    if not cell_elems:
        refuse(ErrorCode.XML_ERROR, "NUMA topology defined without NUMA cells")
    count = len(cell_elems)
    seen: set[int] = set()
    cpus: dict[int, set[int]] = {}
    for pos, cell in enumerate(cell_elems):
        cid = number(cell.get("id"))
        cid = pos if cid is None else cid
        if not 0 <= cid < count:
            refuse(ErrorCode.XML_ERROR, "Exactly one 'cell' element per guest NUMA cell allowed, "
                   "non-contiguous ranges or ranges not starting from 0 are not allowed")
        if cid in seen:
            refuse(ErrorCode.XML_ERROR, f"Duplicate NUMA cell info for cell id '{cid}'")
        seen.add(cid)
        if cell.get("cpus") is not None:
            mask = bitmap(cell.get("cpus", ""))
            if mask:
                for other, other_mask in sorted(cpus.items()):
                    if mask & other_mask:
                        refuse(ErrorCode.CONFIG_UNSUPPORTED,
                               f"NUMA cells {cid} and {other} have overlapping vCPU ids")
                cpus[cid] = mask
        memory = cell.get("memory")
        if memory is not None and number(memory) is None:
            refuse(ErrorCode.XML_ERROR,
                   f"Invalid value '{memory}' for element or attribute './@memory'")
        access = cell.get("memAccess")
        if access is not None and access not in ("shared", "private"):
            refuse(ErrorCode.XML_ERROR, "Invalid value for attribute 'memAccess' in element "
                   f"'cell': '{access}'.")
        _check_distances(cell, cid, count)


def _check_distances(cell: Elem, cid: int, count: int) -> None:
    """virDomainNumaDefNodeDistanceParseXML."""
    dist = cell.find("distances")
    if dist is None:
        return
    siblings = dist.findall("sibling")
    if not siblings:
        refuse(ErrorCode.XML_ERROR, "NUMA distances defined without siblings")
    for sib in siblings:
        sid = number(sib.get("id"))
        if sid is None:
            continue
        if sid >= count:
            refuse(ErrorCode.XML_ERROR, f"'sibling_id {sid}' does not refer to a valid cell "
                   f"within NUMA 'cell id {cid}'")
        value = number(sib.get("value"))
        if value is None:
            continue
        if not LOCAL_DISTANCE <= value <= UNREACHABLE or \
                (sid == cid) != (value == LOCAL_DISTANCE):
            refuse(ErrorCode.XML_ERROR, f"'value {value}' is invalid for 'sibling id {sid}' "
                   f"under NUMA 'cell id {cid}'")
