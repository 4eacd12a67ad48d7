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
from .blkiotune import BLKIOTUNE_RULES
from .chardev_source import CHARDEV_SOURCE_RULES
from .cpu_parse import CPU_RULES
from .device_misc import DEVICE_MISC_RULES
from .device_rules import DEVICE_RULES
from .domain_elements import AFTER_DOMAIN_ELEMENT_RULES, DOMAIN_ELEMENT_RULES
from .graphics_parse import GRAPHICS_RULES
from .hostdev_parse import HOSTDEV_RULES
from .hypervisor_features import FEATURE_RULES
from .memory_backing import MEMORY_BACKING_RULES
from .net_route import ROUTE_RULES
from .netdev_parse import NETDEV_RULES
from .nic_tpm_parse import NIC_TPM_RULES
from .storage_devices import STORAGE_DEVICE_RULES
from .storage_network import STORAGE_NETWORK_RULES
from .throttle import THROTTLE_RULES
from .unique_entries import UNIQUE_ENTRY_RULES
from .vcpu_parse import VCPU_RULES
from .required_sizes import REQUIRED_SIZE_RULES
from .resctrl_parse import RESCTRL_RULES
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

# the hooks of every place: rules.py's first, then those of the other modules
_HOOKS: dict[tuple[str, ...], tuple] = dict(ELEMENT_RULES)
for _rules in (DEVICE_RULES, ROUTE_RULES, FEATURE_RULES, MEMORY_BACKING_RULES,
               DOMAIN_ELEMENT_RULES, STORAGE_DEVICE_RULES, GRAPHICS_RULES,
               DEVICE_MISC_RULES, STORAGE_NETWORK_RULES, VCPU_RULES, THROTTLE_RULES,
               UNIQUE_ENTRY_RULES, NIC_TPM_RULES, HOSTDEV_RULES, BLKIOTUNE_RULES, CPU_RULES,
               NETDEV_RULES, CHARDEV_SOURCE_RULES, REQUIRED_SIZE_RULES, RESCTRL_RULES):
    for _place, _fns in _rules.items():
        _HOOKS[_place] = _HOOKS.get(_place, ()) + _fns
_CHECKER = Checker(merged(), _HOOKS)
_AFTER_DOMAIN = {tag: AFTER_DOMAIN_RULES.get(tag, ()) + AFTER_DOMAIN_ELEMENT_RULES.get(tag, ())
                 for tag in (*AFTER_DOMAIN_RULES, *AFTER_DOMAIN_ELEMENT_RULES)}


# the rank of each tag in those orders (a tag not named there comes after them)
_DOMAIN_RANK = {tag: k for k, tag in enumerate(_DOMAIN_ORDER)}
# the device families with checks of their own, which run even when the family is absent
_FAMILIES_WITH_RULES = {family or None for family in (*FAMILY_RULES, *AFTER_FAMILY_RULES)}
# the families as a set (a device's family is looked up for each device), and the order of
# the walk, the devices of no family last
_DEVICE_FAMILIES = frozenset(_DEVICE_ORDER)
_FAMILY_WALK = (*_DEVICE_ORDER, None)


def _devices(devices: Elem, chain: list[Elem]) -> Elem:
    """The devices family by family, in libvirt's order, with the checks over a family."""
    children = devices.children
    done = list(children)
    here = chain + [devices]
    positions: dict[str | None, list[int]] = {}  # per family (None: any other tag)
    for pos, child in enumerate(children):
        positions.setdefault(child.tag if child.tag in _DEVICE_FAMILIES else None,
                             []).append(pos)
    for family in _FAMILY_WALK:
        if family not in positions and family not in _FAMILIES_WITH_RULES:
            continue
        for rule in FAMILY_RULES.get(family or "", ()):
            rule(devices)
        for pos in positions.get(family, ()):
            child = children[pos]
            if not child.tag.startswith("{"):
                done[pos] = _CHECKER.element(child, here)
        for rule in AFTER_FAMILY_RULES.get(family or "", ()):
            rule(devices)
    return Checker.rebuilt(devices, {}, devices.text, tuple(done))


def check_domain_xml(root: Elem) -> Elem:
    """Refuse what libvirt's parser refuses in the typed values; the canonical tree."""
    domain_caps(root)
    top = _CHECKER.element(Elem(tag=root.tag, attrs=root.attrs), [])
    children = root.children
    done = list(children)
    last = len(_DOMAIN_ORDER)
    for pos in sorted(range(len(children)), key=lambda k: _DOMAIN_RANK.get(children[k].tag,
                                                                           last)):
        child = children[pos]
        if child.tag == "devices":
            done[pos] = _devices(child, [root])
        elif not child.tag.startswith("{") and child.tag != "metadata":
            done[pos] = _CHECKER.element(child, [root])
            for rule in _AFTER_DOMAIN.get(child.tag, ()):
                rule(root)
    for tag, rules in _AFTER_DOMAIN.items():
        if root.find(tag) is None:
            for rule in rules:
                rule(root)
    return Checker.rebuilt(root, dict(top.attrs), root.text, tuple(done))


__all__ = ["CPUMASK_LEN", "bitmap_or_none", "check_domain_xml", "memory_kib", "parse_bitmap",
           "scaled_value", "unit_scale"]
