"""libvirt's refusals of a guest `<cpu>`: its XML parser (cpu_conf.c virCPUDefParseXML) and
the update of the guest CPU when a domain starts (qemuProcessUpdateGuestCPU: supported mode,
virCPUUpdate, virCPUTranslate)."""

from __future__ import annotations

from ..arches import S390_ARCHES
from ..context import BuildContext
from ..cpu import guest as guest_cpu
from ..cpu import x86
from ..cpu.definition import DISABLE, REQUIRE, CpuDef
from ..errors import ErrorCode, refuse
from ..model import Elem
from .conf.cpu_parse import cpu_cache, cpu_maxphysaddr

_HOST_CPU_MODES = ("host-passthrough", "maximum")

_FEATURE_POLICIES = ("force", "require", "optional", "disable", "forbid")


def check_cpu_parse(ctx: BuildContext) -> None:
    """virCPUDefParseXML for a guest CPU, in its order after the <cpu> element's own
    attributes (validate/conf/cpu_parse.py): fallback and vendor_id (not for the host's own
    CPU), vendor without model, features (a model to go with them, policy, name, each once),
    cache, maxphysaddr limit."""
    cpu = ctx.domain.cpu
    if cpu is None:
        return
    mode = cpu.get("mode", "custom")
    model = cpu.find("model")
    has_model = model is not None and bool(model.text)
    if model is not None and mode not in _HOST_CPU_MODES:
        if model.get("fallback") is not None and model.get("fallback") not in ("allow",
                                                                              "forbid"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "Invalid fallback attribute")
        vendor_id = model.get("vendor_id")
        if vendor_id is not None and len(vendor_id) != 12:
            refuse(ErrorCode.XML_ERROR, "vendor_id must be exactly 12 characters long")
        if vendor_id is not None and "," in vendor_id:
            refuse(ErrorCode.XML_ERROR, "vendor id is invalid")
    if cpu.findtext("vendor") and not has_model:
        refuse(ErrorCode.XML_ERROR, "CPU vendor specified without CPU model")
    _check_features_parse(cpu.findall("feature"), has_model or mode != "custom")
    caches = cpu.findall("cache")
    if len(caches) > 1:
        refuse(ErrorCode.XML_ERROR, "at most one CPU cache element may be specified")
    if caches:
        cpu_cache(caches[0])
    addr = cpu.find("maxphysaddr")
    if addr is not None:
        cpu_maxphysaddr(addr)


def _check_features_parse(features: list[Elem], model_given: bool) -> None:
    if features and not model_given:
        refuse(ErrorCode.XML_ERROR, "Non-empty feature list specified without CPU model")
    seen: set[str] = set()
    for f in features:
        if f.get("policy", "require") not in _FEATURE_POLICIES:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "Invalid CPU feature policy")
        name = f.get("name") or ""
        if not name:
            refuse(ErrorCode.XML_ERROR, "Invalid CPU feature name")
        if name in seen:
            refuse(ErrorCode.XML_ERROR, f"CPU feature '{name}' specified more than once")
        seen.add(name)


def _topology(ctx: BuildContext) -> dict[str, int] | None:
    topo = ctx.domain.cpu.find("topology") if ctx.domain.cpu is not None else None
    if topo is None:
        return None
    return {k: int(topo.get(k, "1") or 1) for k in ("sockets", "dies", "clusters", "cores",
                                                     "threads")}


def check_smp_topology_caps(ctx: BuildContext) -> None:
    """qemuBuildSmpCommandLine: dies and clusters other than one need QEMU to know them."""
    topo = _topology(ctx)
    if topo is None:
        return
    if topo["dies"] != 1 and not ctx.has("smp-dies"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "Only 1 die per socket is supported")
    if topo["clusters"] != 1 and not ctx.has("smp-clusters"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "Only 1 cluster per die is supported")


def _mode_supported(ctx: BuildContext, mode: str) -> bool:
    """virQEMUCapsIsCPUModeSupported for host-model (a host CPU model libvirt could build
    from QEMU's data: x86 from `<hostCPU>`, never on ARM), custom and maximum."""
    virt = ctx.domain.virt_type
    if mode == "host-model":
        if ctx.is_x86:
            return x86.host_model(ctx.caps, virt) is not None
        if ctx.arch in S390_ARCHES:
            return ctx.caps.host_cpu(virt) is not None
        return not ctx.caps.arch.startswith(("aarch64", "arm"))
    if mode == "custom":
        return bool(ctx.caps.cpu_models(virt))
    if mode == "maximum":
        return ctx.has("cpu-max")
    if mode == "host-passthrough":  # needs an accelerator (TCG cannot pass the host CPU)
        return virt in ("kvm", "hvf")
    return True


def check_guest_cpu_update(ctx: BuildContext) -> None:
    """qemuProcessUpdateGuestCPU's refusals, in its order: a mode QEMU cannot provide; s390
    custom CPUs relative to the host; on x86 the partial check, a model libvirt's CPU map
    does not know, optional features without a host CPU to resolve them against, a model
    QEMU does not offer when fallback='forbid'; deprecated features QEMU cannot toggle."""
    d = ctx.domain
    cpu = d.cpu
    if cpu is None:
        return
    guest = guest_cpu.from_xml(cpu)
    if guest.mode == "custom" and guest.model is None:
        return
    if ctx.is_x86:
        guest_cpu.keep_restored_model(guest, ctx.start_new)
    if not _mode_supported(ctx, guest.mode):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               f"CPU mode '{guest.mode}' for {ctx.arch} {d.virt_type} domain on "
               f"{ctx.caps.arch} host is not supported by hypervisor")
    if ctx.arch in S390_ARCHES and guest.mode == "custom" and guest_cpu.needs_host(guest):
        _s390_relative_custom(guest.match)
    if ctx.is_x86 and guest.mode not in _HOST_CPU_MODES:
        _check_x86_update(ctx, cpu, guest)
    if cpu.get("deprecated_features") in ("on", "off") and \
            not ctx.has("query-cpu-model-expansion.deprecated-props"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "toggling deprecated features for CPU model is unsupported")


def _check_x86_update(ctx: BuildContext, cpu: Elem, guest: CpuDef) -> None:
    """The x86 part of qemuProcessUpdateGuestCPU: the partial check, virCPUUpdate and
    virCPUTranslate."""
    d = ctx.domain
    m = x86.x86_map()
    check = guest.check or ("none" if guest.mode == "custom" and d.virt_type == "qemu"
                            else "partial")
    compared = check == "partial" and guest.mode != "custom"  # a custom model is usable
    if check == "partial" and guest.mode == "custom":
        _check_unusable_model(ctx, guest)
    if guest.model is not None and m.model(guest.model) is None and (
            compared or guest.mode == "custom"):
        refuse(ErrorCode.INTERNAL_ERROR, f"Unknown CPU model {guest.model}")
    host = x86.host_model(ctx.caps, d.virt_type)
    if host is None and guest_cpu.needs_host(guest):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "unknown host CPU model")
    updated = guest_cpu.resolve_x86(cpu, ctx.caps, d.virt_type, ctx.start_new)
    allowed = x86.allowed_models(ctx.caps, d.virt_type)
    if (updated.mode == "custom" and updated.model and allowed is not None
            and updated.model not in allowed and guest.fallback != "allow"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               f"CPU model {updated.model} is not supported by hypervisor")


def _check_unusable_model(ctx: BuildContext, guest: CpuDef) -> None:
    """qemuDomainCheckCPU for a custom model on x86 when libvirt compares it with what QEMU
    reported rather than with the host's own CPU (the model's map entry has no
    `<check partial='compat'/>`): QEMU's blockers the guest does not disable and required
    features the reported host CPU lacks refuse the start (virCPUCompareUnusable).  A model
    QEMU finds usable with no feature enabled passes; the comparison with the host's CPUID
    (compat models) needs the host itself and is not modelled."""
    virt = ctx.domain.virt_type
    offered = {c.name: c for c in ctx.caps.cpu_models(virt)}
    model = offered.get(guest.model or "")
    if model is None:
        return
    if model.usable and all(p == DISABLE for _, p in guest.features):
        return
    reported = x86.host_model(ctx.caps, virt, migratable=False)
    if reported is None:
        return
    entry = x86.x86_map().model(model.name)
    if entry is None:
        refuse(ErrorCode.INVALID_ARG, f"unknown CPU model {model.name}")
    if entry.compat_check:
        return
    missing = [b for b in model.blockers if guest.policy_of(b) != DISABLE]
    provided = x86.provided_features(reported)
    missing += [n for n, p in guest.features if p == REQUIRE and n not in provided]
    if missing:
        refuse(ErrorCode.CPU_INCOMPATIBLE,
               f"Host CPU does not provide required features: {', '.join(missing)}")


def _s390_relative_custom(match: str) -> None:
    """virCPUs390Update: a custom CPU cannot be relative to the host on s390."""
    if match == "minimum":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "match mode minimum not supported")
    refuse(ErrorCode.CONFIG_UNSUPPORTED, "optional CPU features are not supported")


PARSE_RULES = (check_cpu_parse,)
START_RULES = (check_guest_cpu_update, check_smp_topology_caps)
