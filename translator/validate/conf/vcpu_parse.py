"""vCPU and thread scheduling parse refusals (virDomainVcpuParse, virDomainSchedulerParse and
virDomainThreadSchedParseHelper in domain_conf.c).
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .bitmap import parse_bitmap
from .numbers import number
from .xmlprop import prop_int

XML, UNSUPPORTED = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED


def max_vcpus(root: Elem) -> int:
    """<vcpu>'s count as libvirt read it (1 without the element)."""
    vcpu = root.find("vcpu")
    return (number(vcpu.text or "", "ui") or 0) if vcpu is not None else 1


def vcpu_count(e: Elem, chain: list[Elem]) -> None:
    """virDomainVcpuParse: without per-vCPU states (<vcpus>), the current count is at most
    the maximum (virDomainDefSetVcpus)."""
    vcpus = chain[0].find("vcpus")
    if vcpus is not None and vcpus.find("vcpu") is not None:
        return
    current = number(e.get("current") or "", "uip")
    maximum = number(e.text or "", "ui")
    if current is not None and maximum is not None and current > maximum:
        refuse(UNSUPPORTED, "maximum vCPU count must not be less than current vCPU count")


def sched_priority(e: Elem, chain: list[Elem]) -> None:
    """virDomainSchedulerParseCommonAttrs: the real-time policies need a priority."""
    if e.get("scheduler") in ("fifo", "rr"):
        prop_int(e, "priority", required_=True)


def vcpu_entry(e: Elem, chain: list[Elem]) -> None:
    """<vcpus><vcpu id=...>: an id below the maximum vCPU count."""
    vcpu_id = number(e.get("id") or "", "uip")
    if vcpu_id is not None and vcpu_id >= max_vcpus(chain[0]):
        refuse(XML, f"vcpu id '{vcpu_id}' is out of range of maximum vcpu count")


def thread_sched(e: Elem, chain: list[Elem]) -> None:
    """<vcpusched vcpus=...>/<iothreadsched iothreads=...>: a non-empty bitmap, and for
    vCPUs only ids the domain has."""
    attr = "vcpus" if e.tag == "vcpusched" else "iothreads"
    text = e.get(attr)
    if text is None:
        refuse(XML, f"Missing attribute '{attr}' in element '{e.tag}'")
    assert text is not None
    ids = parse_bitmap(text)
    if not ids:
        refuse(UNSUPPORTED, f"'{attr}' scheduler bitmap '{text}' is empty")
    sched_priority(e, chain)
    if e.tag == "vcpusched":
        limit = max_vcpus(chain[0])
        for vcpu_id in sorted(ids):
            if vcpu_id >= limit:
                refuse(UNSUPPORTED, f"vCPU '{vcpu_id}' is not present in domain definition")


VCPU_RULES = {
    ("domain", "vcpu"): (vcpu_count,),
    ("domain", "vcpus", "vcpu"): (vcpu_entry,),
    ("domain", "cputune", "vcpusched"): (thread_sched,),
    ("domain", "cputune", "iothreadsched"): (thread_sched,),
    ("domain", "cputune", "emulatorsched"): (sched_priority,),
}
