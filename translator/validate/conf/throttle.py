"""Throttle groups and a disk's throttle filters (virDomainThrottleGroupDefParseXML,
virDomainDefThrottleGroupsParse and virDomainDiskDefThrottleFiltersParse in domain_conf.c).

A group's limits are numbers, it has a name, and no two groups (nor two filters of one
disk) share a name.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .numbers import number

XML = ErrorCode.XML_ERROR

_LIMITS = tuple(f"{what}_{unit}" for unit in ("bytes_sec", "iops_sec")
                for what in ("total", "read", "write"))
# the limits libvirt reads, in its order (the same fields as a disk's <iotune>)
THROTTLE_FIELDS = (*_LIMITS, *(f"{limit}_max" for limit in _LIMITS), "size_iops_sec",
                   *(f"{limit}_max_length" for limit in _LIMITS))


def _text(e: Elem, tag: str) -> str:
    """virXPathString of string(./tag): the first such child's text."""
    child = e.find(tag)
    return (child.text or "") if child is not None else ""


def throttle_group(e: Elem, chain: list[Elem]) -> None:
    for field in THROTTLE_FIELDS:
        text = _text(e, field)
        if text and number(text, "ull") is None:
            refuse(XML, f"throttle group field '{field}' must be an integer")
    name = _text(e, "group_name")
    if not name:
        refuse(XML, "missing group name")
    for earlier in chain[-1].findall("throttlegroup"):
        if earlier is e:
            break
        if _text(earlier, "group_name") == name:
            refuse(XML, f"duplicate group name '{name}' found")


def throttle_filter(e: Elem, chain: list[Elem]) -> None:
    group = e.get("group")
    for earlier in chain[-1].findall("throttlefilter"):
        if earlier is e:
            break
        if earlier.get("group") == group:
            refuse(XML, f"duplicate filter name '{group}' found")


THROTTLE_RULES = {
    ("domain", "throttlegroups", "throttlegroup"): (throttle_group,),
    ("disk", "throttlefilters", "throttlefilter"): (throttle_filter,),
}
