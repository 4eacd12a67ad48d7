"""Cache and memory-bandwidth allocations of <cputune> (virDomainCachetuneDefParse,
virDomainMemorytuneDefParse, virDomainResctrlMonDefParse and their helpers in domain_conf.c).

Each <cachetune>/<memorytune> names the vCPUs it applies to (limited to the vCPUs the domain
has: an allocation left without any is skipped whole). Allocations are groups: a cachetune's
vCPUs may not overlap another group's or repeat another cachetune's; a memorytune with the
vCPUs of a cachetune joins its group. A <monitor> watches some of the group's vCPUs, and
monitors of one kind may not watch the same vCPUs twice. libvirt parses every cachetune
before the memorytunes.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .bitmap import bitmap_or_none
from .numbers import number
from .schema import Hook
from .vcpu_parse import max_vcpus

XML, INVALID_ARG = ErrorCode.XML_ERROR, ErrorCode.INVALID_ARG
MONITOR_CACHE_LEVEL = 3
_CONTENT = {"cachetune": "cache", "memorytune": "node"}


def _vcpus(e: Elem, root: Elem) -> frozenset[int]:
    """virDomainResctrlParseVcpus: the vCPUs named, limited to the domain's."""
    text = e.get("vcpus")
    if text is None:
        refuse(XML, f"Missing {e.tag} attribute 'vcpus'")
    bits = bitmap_or_none(text or "")
    if bits is None:
        refuse(XML, f"Invalid {e.tag} attribute 'vcpus' value '{text}'")
    limit = max_vcpus(root)
    return frozenset(b for b in bits or () if b < limit)


def _groups(cputune: Elem, root: Elem, upto: Elem) -> list[tuple[frozenset[int], list[Elem]]]:
    """The allocation groups libvirt holds when it reaches `upto`: (vCPUs, the tune elements
    of the group), cachetunes first, then memorytunes, each once it has content."""
    groups: list[tuple[frozenset[int], list[Elem]]] = []
    for tag in ("cachetune", "memorytune"):
        for tune in cputune.findall(tag):
            if tune is upto:
                return groups
            vcpus = _vcpus(tune, root)
            if not vcpus:
                continue
            joined = next((g for g in groups if g[0] == vcpus), None) if tag == "memorytune" \
                else None
            if joined is not None:
                joined[1].append(tune)
            elif tune.find(_CONTENT[tag]) is not None or tune.find("monitor") is not None:
                groups.append((vcpus, [tune]))
    return groups


def _match(vcpus: frozenset[int], groups: list[tuple[frozenset[int], list[Elem]]]
           ) -> list[Elem] | None:
    """virDomainResctrlVcpuMatch: the group with these vCPUs; an overlap is refused."""
    for group_vcpus, tunes in groups:
        if group_vcpus == vcpus:
            return tunes
        if group_vcpus & vcpus:
            refuse(XML, "Overlapping vcpus in resctrls")
    return None


def tune(e: Elem, chain: list[Elem]) -> None:
    """A cachetune or memorytune: its vCPUs, and the group they make or join."""
    root = chain[0]
    vcpus = _vcpus(e, root)
    if not vcpus:
        return
    joined = _match(vcpus, _groups(chain[-1], root, e))
    if joined is not None and e.tag == "cachetune":
        refuse(XML, "Identical vcpus in cachetunes found")


def monitor(e: Elem, chain: list[Elem]) -> None:
    """virDomainResctrlMonDefParse: a cache monitor's level, then its vCPUs within the
    group's, not those of an earlier monitor of its kind (virDomainResctrlValidateMonitor)."""
    own, cputune, root = chain[-1], chain[-2], chain[0]
    group_vcpus = _vcpus(own, root)
    if not group_vcpus:
        return  # the whole allocation is skipped
    if own.tag == "cachetune":
        level = number(e.get("level") or "", "uip")
        if level is not None and level != MONITOR_CACHE_LEVEL:
            refuse(XML, f"Invalid monitor cache level '{level}'")
    vcpus = _vcpus(e, root)
    if not vcpus:
        refuse(INVALID_ARG, "vcpus is empty")
    if not vcpus <= group_vcpus:
        refuse(INVALID_ARG, "Monitor vcpus conflicts with allocation")
    joined = _match(group_vcpus, _groups(cputune, root, own)) if own.tag == "memorytune" \
        else None
    tunes = [*(joined or ()), own]
    earlier: list[tuple[str, frozenset[int]]] = []
    for t in tunes:
        for m in t.findall("monitor"):
            if m is e:
                break
            earlier.append((t.tag, _vcpus(m, root)))
    empty_alloc = all(t.find(_CONTENT[t.tag]) is None for t in tunes)
    equal_to_group = vcpus == group_vcpus
    overlap_any = overlap_apart = False
    for kind, other in earlier:
        if other == vcpus:
            if kind == own.tag:
                refuse(INVALID_ARG, "Identical vcpus found in same type monitors")
            continue
        overlap_any = overlap_any or bool(other & vcpus)
        if not equal_to_group and other != group_vcpus and other & vcpus:
            overlap_apart = True
    if overlap_apart or (empty_alloc and overlap_any):
        refuse(INVALID_ARG, "vcpus overlaps in resctrl groups")


RESCTRL_RULES: dict[tuple[str, ...], tuple[Hook, ...]] = {
    ("domain", "cputune", "cachetune"): (tune,),
    ("domain", "cputune", "memorytune"): (tune,),
    ("cputune", "cachetune", "monitor"): (monitor,),
    ("cputune", "memorytune", "monitor"): (monitor,),
}
