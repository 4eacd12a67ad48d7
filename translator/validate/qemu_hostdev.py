"""Host devices: qemuValidateDomainDeviceDefHostdev and the mediated-device checks
(qemu_validate.c), plus the host-device rules of libvirt's parser, post-parse and generic
validation that the hostdev builder used to make.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.devices import Hostdev

CONFIG = ErrorCode.CONFIG_UNSUPPORTED

# the address type each mediated device model sits on (virDomainHostdevDefPostParse)
_MDEV_ADDRESS = {"vfio-pci": "pci", "vfio-ccw": "ccw"}


def _boot(h: Hostdev) -> bool:
    return h.info.boot_order is not None or h.elem.find("boot") is not None


def _has_graphics(ctx: BuildContext) -> bool:
    return bool(ctx.domain.devices.of("graphics"))


def validate_hostdev(ctx: BuildContext, h: Hostdev) -> None:
    """qemuValidateDomainDeviceDefHostdev."""
    if h.mode == "capabilities":
        refuse(CONFIG, f"hostdev mode 'capabilities' is not supported in "
                       f"{ctx.domain.virt_type}")
    if h.mode != "subsystem":
        return
    src = h.source
    if h.type == "usb":
        if src is not None and src.get("guestReset") is not None \
                and not ctx.has("usb-host.guest-resets-all"):
            refuse(CONFIG, "guestReset is not supported with this version of QEMU")
    elif h.type == "pci":
        driver = h.driver.get("name") if h.driver is not None else None
        if driver == "vfio" and not ctx.has("vfio-pci"):
            refuse(CONFIG, "VFIO PCI device assignment is not supported by this version of "
                           "qemu")
        if src is not None and src.get("writeFiltering") is not None:
            refuse(CONFIG, "Write filtering of PCI device configuration space is not supported "
                           "by qemu")
        if h.display == "on" and not _has_graphics(ctx):
            refuse(CONFIG, "graphics device is needed for attribute value 'display=on' in "
                           "<hostdev>")
    elif h.type == "scsi_host":
        if _boot(h):
            refuse(CONFIG, "booting from assigned devices is not supported by vhost SCSI "
                           "devices")
        if src is not None and src.get("protocol") == "vhost" and not ctx.has("vhost-scsi"):
            refuse(CONFIG, "This QEMU doesn't support vhost-scsi devices")
    elif h.type == "mdev":
        _mdev(ctx, h)


def _mdev(ctx: BuildContext, h: Hostdev) -> None:
    """qemuValidateDomainMdevDef."""
    model = h.model or "vfio-pci"
    if model == "vfio-pci":
        if not ctx.has("vfio-pci"):
            refuse(CONFIG, "VFIO PCI device assignment is not supported by this version of "
                           "QEMU")
        if _boot(h):
            refuse(CONFIG, "booting from assigned devices is not supported by mediated "
                           "devices of model vfio-pci")
        if h.display == "on" and not _has_graphics(ctx):
            refuse(CONFIG, "graphics device is needed for attribute value 'display=on' in "
                           "<hostdev>")
    elif model == "vfio-ap":
        if not ctx.has("vfio-ap"):
            refuse(CONFIG, "VFIO AP device assignment is not supported by this version of "
                           "QEMU")
        if _boot(h):
            refuse(CONFIG, "booting from assigned devices is not supported by mediated "
                           "devices of model vfio-ap")
        aps = [d for d in ctx.domain.devices.items if isinstance(d, Hostdev)
               and d.type == "mdev" and d.model == "vfio-ap"]
        if len(aps) > 1:
            refuse(CONFIG, "Only one hostdev of model vfio-ap is supported")
    elif model == "vfio-ccw" and not ctx.has("vfio-ccw"):
        refuse(CONFIG, "VFIO CCW device assignment is not supported by this version of QEMU")
    if model != "vfio-pci" and h.display is not None:
        refuse(CONFIG, "<hostdev> attribute 'display' is only supported with model='vfio-pci'")


# -- generic rules (domain_conf.c, domain_postparse.c, domain_validate.c) -------------------

def check_hostdev_parse(ctx: BuildContext) -> None:
    """virDomainHostdevDefParseXML: sgio belongs to SCSI host devices."""
    for h in ctx.domain.devices.items:
        if isinstance(h, Hostdev) and h.elem.get("sgio") and h.type != "scsi":
            refuse(ErrorCode.XML_ERROR, "sgio is only supported for scsi host device")


def check_mdev_address(ctx: BuildContext) -> None:
    """virDomainHostdevDefPostParse: a mediated device sits on its model's address type."""
    for h in ctx.domain.devices.items:
        if not isinstance(h, Hostdev) or h.type != "mdev":
            continue
        model = h.model or "vfio-pci"
        addr = h.elem.find("address")
        atype = addr.get("type") if addr is not None else None
        want = _MDEV_ADDRESS.get(model)
        if want is not None and atype not in (None, want, "unassigned"):
            refuse(ErrorCode.XML_ERROR, f"Unsupported address type '{atype}' with mediated "
                                        f"device model '{model}'")


def _source_key(h: Hostdev) -> tuple[str, ...] | None:
    """What identifies the host device, to refuse passing the same one twice."""
    src = h.source
    if src is None:
        return None
    a = src.find("address")
    parts = [h.type, src.get("protocol") or "", src.get("name") or "", src.get("wwpn") or "",
             src.attr_at("name", "adapter") or ""]
    if a is not None:
        parts += [f"{k}={a.attrs[k]}" for k in sorted(a.attrs) if k != "type"]
    return tuple(parts)


def check_duplicate_hostdevs(ctx: BuildContext) -> None:
    """virDomainDefDuplicateHostdevInfoValidate: one host device is passed through once."""
    seen: set[tuple[str, ...]] = set()
    for h in ctx.domain.devices.items:
        if not isinstance(h, Hostdev):
            continue
        key = _source_key(h)
        if key is not None and key in seen:
            refuse(ErrorCode.XML_ERROR, "Hostdev already exists in the domain configuration")
        if key is not None:
            seen.add(key)
