"""Character devices and the devices with a chardev backend (qemu_validate.c):
qemuValidateDomainChrDef, qemuValidateDomainSmartcardDef, qemuValidateDomainRNGDef and
qemuValidateDomainRedirdevDef, plus the generic source checks of domain_validate.c
(virDomainChrSourceDefValidate) that the command builders used to make.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model import Elem
from ..model.device import Device
from ..model.devices import Chardev
from .. import machines as m

CONFIG = ErrorCode.CONFIG_UNSUPPORTED

# serial target type -> the address type it sits on
_TARGET_ADDRESS = {"isa-serial": "isa", "isa-debug": "isa", "usb-serial": "usb",
                   "pci-serial": "pci", "spapr-vio-serial": "spapr-vio"}
# serial target model -> the target type it belongs to
_MODEL_TARGET = {"isa-serial": "isa-serial", "usb-serial": "usb-serial",
                 "pci-serial": "pci-serial", "spapr-vty": "spapr-vio-serial",
                 "pl011": "system-serial", "16550a": "system-serial",
                 "sclpconsole": "sclp-serial", "sclplmconsole": "sclp-serial",
                 "isa-debugcon": "isa-debug"}


def serial_target_type(ctx: BuildContext, c: Chardev) -> str | None:
    """qemuDomainChrDefPostParse: the serial target type libvirt settles on."""
    t = c.target_type
    if t not in (None, "isa-serial"):
        return t
    if ctx.arch in m.X86:
        return "isa-serial"
    if m.is_pseries(ctx):
        return "spapr-vio-serial"
    if m.is_arm_virt(ctx) or m.is_loongarch_virt(ctx) or m.is_riscv_virt(ctx):
        return "system-serial"
    if ctx.arch in m.S390:
        return "sclp-serial"
    return None


def serial_target_model(ctx: BuildContext, c: Chardev, ttype: str | None) -> str | None:
    if c.target_model:
        return c.target_model
    if ttype == "system-serial":
        if m.is_arm_virt(ctx):
            return "pl011"
        if m.is_loongarch_virt(ctx) or m.is_riscv_virt(ctx):
            return "16550a"
        return None
    return {"isa-serial": "isa-serial", "usb-serial": "usb-serial", "pci-serial": "pci-serial",
            "spapr-vio-serial": "spapr-vty", "sclp-serial": "sclpconsole",
            "isa-debug": "isa-debugcon"}.get(ttype or "")


def _address_type(dev: Device) -> str | None:
    addr = dev.elem.find("address")
    return addr.get("type") if addr is not None else None


def has_graphics(ctx: BuildContext, gtype: str) -> bool:
    return any(g.elem.get("type") == gtype for g in ctx.domain.devices.of("graphics"))


def _reconnect(src: Elem | None) -> Elem | None:
    return src.find("reconnect") if src is not None else None


def validate_source(ctx: BuildContext, ctype: str, sources: tuple[Elem, ...],
                    protocol: str | None) -> None:
    """qemuValidateDomainChrSourceDef."""
    src = sources[0] if sources else None
    if ctype == "tcp" and protocol in ("telnets", "tls"):
        refuse(CONFIG, f"tcp chardev protocol '{protocol}' not supported")
    if ctype in ("tcp", "unix"):
        rc = _reconnect(src)
        if rc is not None and rc.get("enabled") == "yes" and rc.get("timeout", "0") == "0":
            refuse(ErrorCode.INVALID_ARG, "chardev reconnect source timeout cannot be '0'")
    if ctype == "qemu-vdagent" and not ctx.has("chardev.qemu-vdagent"):
        refuse(CONFIG, f"chardev '{ctype}' not supported in this QEMU binary")
    if ctype in ("spicevmc", "spiceport") and not has_graphics(ctx, "spice"):
        refuse(CONFIG, f"chardev '{ctype}' not supported without spice graphics")


def validate_chr(ctx: BuildContext, c: Chardev) -> None:
    """qemuValidateDomainChrDef."""
    validate_source(ctx, c.type, c.sources, c.protocol)
    if c.kind == "serial":
        _serial_target(ctx, c)
    if c.kind == "parallel" and (ctx.arch in m.S390 or m.is_pseries(ctx)):
        refuse(CONFIG, "parallel ports are not supported")
    if c.kind == "serial":
        _serial_compatible(ctx, c)


def _serial_target(ctx: BuildContext, c: Chardev) -> None:
    """qemuValidateDomainChrTargetDef: a target type's address and a model's target type."""
    ttype = serial_target_type(ctx, c)
    atype = _address_type(c)
    expected = _TARGET_ADDRESS.get(ttype or "")
    if expected is not None and atype is not None and atype != expected:
        refuse(CONFIG, f"Target type '{ttype}' requires address type '{expected}'")
    if ttype in ("system-serial", "sclp-serial") and atype is not None:
        refuse(CONFIG, f"Target type '{ttype}' cannot have an associated address")
    model = serial_target_model(ctx, c, ttype)
    want = _MODEL_TARGET.get(model or "")
    if want is not None and ttype != want:
        refuse(CONFIG, f"Target model '{model}' requires target type '{want}'")


def _serial_compatible(ctx: BuildContext, c: Chardev) -> None:
    ttype = serial_target_type(ctx, c)
    model = serial_target_model(ctx, c, ttype)
    ok = True
    if ttype == "system-serial":
        if model == "pl011" and not m.is_arm_virt(ctx):
            ok = False
        if model == "16550a" and not (m.is_loongarch_virt(ctx) or m.is_riscv_virt(ctx)):
            ok = False
    if not m.is_pseries(ctx) and (ttype == "spapr-vio-serial" or model == "spapr-vty"):
        ok = False
    if ctx.arch not in m.S390 and (ttype == "sclp-serial"
                                   or model in ("sclpconsole", "sclplmconsole")):
        ok = False
    if not ok:
        refuse(CONFIG, f"Serial device with target type '{ttype or 'none'}' and target model "
                       f"'{model or 'none'}' not compatible with guest architecture or "
                       "machine type")


def validate_smartcard(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainSmartcardDef."""
    addr = dev.elem.find("address")
    ccid_ok = addr is None or (addr.get("type") == "ccid"
                               and addr.get("controller", "0") in ("0", "")
                               and addr.get("slot", "0") in ("0", ""))
    if len(ctx.domain.devices.of("smartcard")) > 1 or not ccid_ok:
        refuse(CONFIG, "this QEMU binary lacks multiple smartcard support")
    mode = dev.elem.get("mode")
    if mode in ("host", "host-certificates") and not ctx.has("ccid-emulated"):
        refuse(CONFIG, "this QEMU binary lacks smartcard host mode support")
    if mode == "passthrough":
        if not ctx.has("ccid-passthru"):
            refuse(CONFIG, "this QEMU binary lacks smartcard passthrough mode support")
        validate_source(ctx, dev.elem.get("type") or "", tuple(dev.elem.findall("source")),
                        dev.elem.attr_at("type", "protocol"))


# rng models this QEMU offers (virQEMUCapsFillDomainDeviceRNGCaps)
_RNG_MODEL_CAPS = {"virtio": "virtio-rng", "virtio-transitional": "virtio-rng",
                   "virtio-non-transitional": "virtio-rng"}


def validate_rng(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainRNGDef."""
    be = dev.elem.find("backend")
    model = be.get("model") if be is not None else None
    if model == "random" and not ctx.has("rng-random"):
        refuse(CONFIG, "this qemu doesn't support the rng-random backend")
    if model == "egd":
        if not ctx.has("rng-egd"):
            refuse(CONFIG, "this qemu doesn't support the rng-egd backend")
        assert be is not None
        validate_source(ctx, be.get("type") or "", tuple(be.findall("source")),
                        be.attr_at("type", "protocol"))
    if model == "builtin" and not ctx.has("rng-builtin"):
        refuse(CONFIG, "this qemu doesn't support the rng-builtin backend")
    rng_model = dev.elem.get("model") or "virtio"
    cap = _RNG_MODEL_CAPS.get(rng_model)
    if cap is None or not ctx.has(cap):
        refuse(CONFIG, f"domain configuration does not support rng model '{rng_model}'")


def validate_redirdev(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainRedirdevDef."""
    e = dev.elem
    validate_source(ctx, e.get("type") or "", tuple(e.findall("source")),
                    e.attr_at("type", "protocol"))
    bus = e.get("bus") or "usb"
    if bus != "usb":
        refuse(CONFIG, f"Redirection bus {bus} is not supported by QEMU")
    if not ctx.has("usb-redir"):
        refuse(CONFIG, "USB redirection is not supported by this version of QEMU")
    root = ctx.domain.root
    rfilter = root.at("devices", "redirfilter") if root is not None else None
    if rfilter is not None and rfilter.findall("usbdev") and not ctx.has("usb-redir.filter"):
        refuse(CONFIG, "USB redirection filter is not supported by this version of QEMU")
