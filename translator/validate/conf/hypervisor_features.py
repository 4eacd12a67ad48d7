"""The values of the hypervisor feature groups under <features> (virDomainFeaturesHyperVDefParse
and virDomainFeaturesKVMDefParse in domain_conf.c).

libvirt reads a feature's settings only when the feature is switched on: the Hyper-V
spinlock retries, vendor id, TLB-flush and synthetic-timer sub-features, and KVM's dirty
ring size. The process capabilities of <features><capabilities> are named before their
state is read (virDomainFeaturesCapabilitiesDefParse). (The feature names themselves are
checked by `rules.features`.)
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .enums import PROCESS_CAPS
from .xmlprop import prop_on_off, prop_uint

XML, UNSUPPORTED = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED

SPINLOCK_RETRIES_MIN = 0xFFF
VENDOR_ID_MAX = 12  # VIR_DOMAIN_HYPERV_VENDOR_ID_MAX
DIRTY_RING_RANGE = (1024, 65536)


def _on(e: Elem) -> bool:
    return e.get("state") == "on"


def hyperv_feature(e: Elem, chain: list[Elem]) -> dict[str, str] | None:
    """One Hyper-V enlightenment (not read at all in passthrough mode); the spinlock
    retries written canonically."""
    if chain[-1].get("mode") == "passthrough" or not _on(e):
        return None
    if e.tag == "spinlocks":
        retries = prop_uint(e, "retries", 0, required_=True) or 0
        if retries < SPINLOCK_RETRIES_MIN:
            refuse(XML, "HyperV spinlock retry count must be at least 4095")
        return {"retries": str(retries)}
    elif e.tag == "vendor_id":
        value = e.get("value")
        if value is None:
            refuse(XML, "missing 'value' attribute for HyperV feature 'vendor_id'")
        elif len(value.encode()) > VENDOR_ID_MAX:
            refuse(XML, f"HyperV vendor_id value must not be more than {VENDOR_ID_MAX} "
                        "characters.")
        elif "," in value:
            refuse(XML, "HyperV vendor_id value is invalid")
    elif e.tag == "tlbflush":
        for child in e.children:
            if child.tag not in ("direct", "extended"):
                refuse(UNSUPPORTED, f"unsupported Hyper-V tlbflush feature: {child.tag}")
            prop_on_off(child, "state", required_=True)
    elif e.tag == "stimer":
        for child in e.children:
            if child.tag != "direct":
                refuse(UNSUPPORTED, f"unsupported Hyper-V stimer feature: {child.tag}")
            prop_on_off(child, "state", required_=True)
    return None


def kvm_dirty_ring(e: Elem, chain: list[Elem]) -> dict[str, str] | None:
    """The dirty ring's size, when it is on: a power of two within libvirt's range
    (written canonically)."""
    if not _on(e):
        return None
    size = prop_uint(e, "size", 0, required_=True) or 0
    low, high = DIRTY_RING_RANGE
    if size & (size - 1) or not low <= size <= high:
        refuse(XML, "dirty ring must be power of 2 and ranges [1024, 65536]")
    return {"size": str(size)}


def process_capability(e: Elem, chain: list[Elem]) -> None:
    """virDomainFeaturesCapabilitiesDefParse: each child names a process capability, then
    its state is read."""
    if e.tag not in PROCESS_CAPS:
        refuse(UNSUPPORTED, f"unexpected capability feature '{e.tag}'")
    prop_on_off(e, "state")


FEATURE_RULES = {
    ("features", "capabilities", "*"): (process_capability,),
    ("features", "hyperv", "*"): (hyperv_feature,),
    ("features", "kvm", "dirty-ring"): (kvm_dirty_ring,),
}
