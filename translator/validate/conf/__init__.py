"""libvirt's parse-time checks of a domain XML (domain_conf.c, device_conf.c, virxml.c).

`check_domain_xml` runs before the model is built: it refuses, with libvirt's words, every
attribute or number libvirt's parser refuses, in the order libvirt parses the document (the
domain's own elements, then the devices family by family), and returns the tree with every
number in canonical form. `parse_rules` holds the refusals that need more than one value.
"""

from __future__ import annotations

from ...model.elem import Elem
from .bitmap import CPUMASK_LEN, bitmap_or_none, parse_bitmap
from .scaled import memory_kib, scaled_value, unit_scale
from .device_rules import DEVICE_RULES
from .rules import AFTER_DOMAIN_RULES, AFTER_FAMILY_RULES, ELEMENT_RULES, FAMILY_RULES, domain_caps
from .schema import Checker
from .tables import merged

# virDomainDefParseXML's order: the domain's own elements, then each device family
_DOMAIN_ORDER = ("name", "uuid", "genid", "title", "description", "metadata", "seclabel",
                 "memory", "currentMemory", "maxMemory", "memoryBacking", "blkiotune",
                 "memtune", "vcpu", "vcpus", "iothreads", "iothreadids", "defaultiothread",
                 "cputune", "cpu", "numatune", "resource", "features", "on_reboot",
                 "on_poweroff", "on_crash", "on_lockfailure", "pm", "perf", "clock", "os",
                 "throttlegroups", "devices", "launchSecurity", "idmap", "sysinfo", "keywrap")
_DEVICE_ORDER = ("disk", "controller", "lease", "filesystem", "interface", "smartcard",
                 "parallel", "serial", "console", "channel", "input", "graphics", "sound",
                 "audio", "video", "hostdev", "watchdog", "memballoon", "rng", "crypto", "tpm",
                 "nvram", "hub", "redirdev", "redirfilter", "panic", "shmem", "memory", "iommu",
                 "vsock", "pstore")

_CHECKER = Checker(merged(), {**ELEMENT_RULES, **{
    place: ELEMENT_RULES.get(place, ()) + hooks for place, hooks in DEVICE_RULES.items()}})


def _rank(order: tuple[str, ...], e: Elem) -> int:
    return order.index(e.tag) if e.tag in order else len(order)


def _devices(devices: Elem, chain: list[Elem]) -> Elem:
    """The devices family by family, in libvirt's order, with the checks over a family."""
    done: dict[int, Elem] = {}
    positions: dict[str | None, list[int]] = {}  # per family (None: any other tag)
    for pos, child in enumerate(devices.children):
        positions.setdefault(child.tag if child.tag in _DEVICE_ORDER else None, []).append(pos)
    for family in (*_DEVICE_ORDER, None):
        for rule in FAMILY_RULES.get(family or "", ()):
            rule(devices)
        for pos in positions.get(family, ()):
            child = devices.children[pos]
            done[pos] = child if child.tag.startswith("{") else \
                _CHECKER.element(child, chain + [devices])
        for rule in AFTER_FAMILY_RULES.get(family or "", ()):
            rule(devices)
    return Checker.rebuilt(devices, {}, devices.text,
                           tuple(done[k] for k in range(len(devices.children))))


def check_domain_xml(root: Elem) -> Elem:
    """Refuse what libvirt's parser refuses in the typed values; the canonical tree."""
    domain_caps(root)
    top = _CHECKER.element(Elem(tag=root.tag, attrs=root.attrs), [])
    done: dict[int, Elem] = {}
    for pos in sorted(range(len(root.children)), key=lambda k: _rank(_DOMAIN_ORDER,
                                                                     root.children[k])):
        child = root.children[pos]
        if child.tag == "devices":
            done[pos] = _devices(child, [root])
        elif child.tag.startswith("{") or child.tag == "metadata":
            done[pos] = child
        else:
            done[pos] = _CHECKER.element(child, [root])
            for rule in AFTER_DOMAIN_RULES.get(child.tag, ()):
                rule(root)
    for tag, rules in AFTER_DOMAIN_RULES.items():
        if root.find(tag) is None:
            for rule in rules:
                rule(root)
    return Checker.rebuilt(root, dict(top.attrs), root.text,
                           tuple(done[k] for k in range(len(root.children))))


__all__ = ["CPUMASK_LEN", "bitmap_or_none", "check_domain_xml", "memory_kib", "parse_bitmap",
           "scaled_value", "unit_scale"]
