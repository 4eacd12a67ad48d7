"""Numbers libvirt's domain parser reads with its own message (virXPathUInt & co., strtol).

Unlike the `virXMLProp*` reads, these take an empty value as absent and refuse a bad one with a
message of the parse function itself. Each `Read` names its place, the attribute (None: the
element's text), the number kind and libvirt's message ('{v}' is the value as written).
"""

from __future__ import annotations


from capsdb.records import dataclass
from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .xmlprop import INT_MAX, INT_MIN, LLONG_MAX, LLONG_MIN, UINT_MAX, ULLONG_MAX, scan, to_int, \
    to_uint

XML, INTERNAL = ErrorCode.XML_ERROR, ErrorCode.INTERNAL_ERROR


@dataclass(frozen=True)
class Read:
    """One number read with a custom message; `kind` is uip, ui, ullp, ull, i or ll."""

    path: tuple[str, ...]
    attr: str | None
    kind: str
    message: str
    code: ErrorCode = XML
    empty_is_absent: bool = True
    fallback: str | None = None  # what libvirt uses instead of refusing a bad value


def _to_ui(text: str) -> int | None:
    """virStrToLong_ui: like uip, but '-N' wraps (so '-1' is UINT_MAX)."""
    n = scan(text, 10)
    if not n.converted or n.rest or n.overflow:
        return None
    if n.negative:
        return None if n.value > UINT_MAX else (-n.value) & UINT_MAX
    return n.value if n.value <= UINT_MAX else None


def number(text: str, kind: str) -> int | None:
    """`text` read as libvirt's `kind`, None when refused."""
    if kind == "uip":
        return to_uint(text, 10, UINT_MAX)
    if kind == "ui":
        return _to_ui(text)
    if kind == "ullp":
        return to_uint(text, 10, ULLONG_MAX)
    if kind == "ull":
        n = scan(text, 10)
        return None if not n.converted or n.rest or n.overflow else \
            ((-n.value) & ULLONG_MAX if n.negative else n.value)
    if kind == "i":
        return to_int(text, 10, INT_MIN, INT_MAX)
    return to_int(text, 10, LLONG_MIN, LLONG_MAX)


READS: tuple[Read, ...] = (
    Read(("domain", "vcpu"), None, "ui", "maximum vcpus count must be an integer",
         empty_is_absent=False),
    Read(("domain", "iothreads"), None, "uip", "invalid iothreads count '{v}'"),
    Read(("domain", "maxMemory"), "slots", "uip", "Failed to parse memory slot count"),
    Read(("memoryBacking", "allocation"), "threads", "uip",
         "Failed to parse memory allocation threads"),
    Read(("cputune", "shares"), None, "ullp", "can't parse cputune shares value"),
    Read(("cputune", "period"), None, "ullp", "can't parse cputune period value"),
    Read(("cputune", "quota"), None, "ll", "can't parse cputune quota value"),
    Read(("cputune", "global_period"), None, "ullp", "can't parse cputune global period value"),
    Read(("cputune", "global_quota"), None, "ll", "can't parse cputune global quota value"),
    Read(("cputune", "emulator_period"), None, "ullp",
         "can't parse cputune emulator period value"),
    Read(("cputune", "emulator_quota"), None, "ll", "can't parse cputune emulator quota value"),
    Read(("cputune", "iothread_period"), None, "ullp",
         "can't parse cputune iothread period value"),
    Read(("cputune", "iothread_quota"), None, "ll", "can't parse cputune iothread quota value"),
    Read(("source", "slices", "slice"), "offset", "ullp",
         "malformed value '{v}' of 'offset' attribute of slice", empty_is_absent=False),
    Read(("source", "slices", "slice"), "size", "ullp",
         "malformed value '{v}' of 'size' attribute of slice", empty_is_absent=False),
    Read(("disk", "source", "readahead"), "size", "ullp", "invalid readahead size or timeout"),
    Read(("disk", "source", "timeout"), "seconds", "ullp", "invalid readahead size or timeout"),
    Read(("devices", "rng", "rate"), "bytes", "uip", "invalid RNG rate bytes value"),
    Read(("controller", "target", "node"), None, "i", "invalid NUMA node in target"),
    Read(("devices", "memory", "target", "node"), None, "i",
         "invalid value of memory device node"),
    Read(("interface", "mtu"), "size", "uip", "malformed mtu size"),
    *(Read((c, "target"), "port", "ui", "Invalid port number: {v}", empty_is_absent=False)
      for c in ("serial", "parallel", "console")),
    Read(("interface", "tune", "sndbuf"), None, "ullp", "sndbuf must be a positive integer"),
    # offset='variable': virXPathLongLong failing leaves the adjustment at 0
    Read(("domain", "clock"), "adjustment", "ll", "", fallback="0"),
    Read(("domain", "clock"), "adjustment0", "ll", "", fallback="0"),
    Read(("graphics[vnc]", ), "port", "i", "cannot parse vnc port {v}", INTERNAL,
         empty_is_absent=False),
    Read(("graphics[rdp]", ), "port", "i", "cannot parse rdp port {v}", INTERNAL,
         empty_is_absent=False),
    Read(("launchSecurity", "cbitpos"), None, "uip",
         "Invalid format for launch security cbitpos"),
    Read(("launchSecurity", "reducedPhysBits"), None, "uip",
         "Invalid format for launch security reduced-phys-bits"),
)


def check_read(e: Elem, r: Read) -> tuple[str, str] | None:
    """Refuse the number `r` reads in `e` (an element at `r`'s place) as libvirt does; its
    canonical text and where it goes (key '' = the element's text), None if not read."""
    if r.attr is None:
        text: str | None = e.text if e.text is not None else ""
    else:
        text = e.attrs.get(r.attr)
    if text is None or (text == "" and r.empty_is_absent):
        return None
    if r.path == ("domain", "clock") and e.get("offset") != "variable":
        return None
    if r.path[-1] == "rate" and r.attr == "bytes":
        _check_rng_period(e)
    value = number(text, r.kind)
    if value is None and r.fallback is not None:
        return r.attr or "", r.fallback
    if value is None:
        refuse(r.code, r.message.format(v=text, t=e.get("type")))
    return r.attr or "", str(value)


def _check_rng_period(rate: Elem) -> None:
    """The period of an RNG rate is read only when the byte count is set and not zero."""
    size = number(rate.get("bytes") or "", "uip")
    period = rate.get("period")
    if size and period and number(period, "uip") is None:
        refuse(XML, "invalid RNG rate period value")


__all__ = ["READS", "Read", "check_read", "number"]
