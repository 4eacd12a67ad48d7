"""CPU model and features (-cpu) and the vCPU topology (-smp).

`-cpu` follows qemuBuildCpuCommandLine / qemuBuildCpuModelArgStr; on x86 the CPU is first
updated as qemuProcessUpdateGuestCPU does (translator/cpu: libvirt's x86 CPU driver on the
map tools/gen_cpu_map.py derives, and the capabilities' `<hostCPU>` and model list).

Branches ([x] implemented, [ ] not):
- modes
  - [x] custom with a model; x86: features the model's map entry removed are disabled,
        `optional` features resolved against the host-model CPU, match='minimum' replaced by
        the host model with the guest's features on top, a model QEMU does not offer
        translated to the closest one it does when fallback='allow' (virCPUx86Translate)
  - [x] custom without a model (topology/NUMA only): the machine type's default model
  - [x] host-model x86: the migratable host CPU decoded from `<hostCPU>` (x86Decode: newest
        fitting model of the host vendor, signature match first, fewest changes with the
        disabled-feature penalty; QEMU's blockers disabled; non-migratable properties left
        out, or the map's migration blockers without migratability data; MSR features
        dropped without `cpu-unavailable-features`), vendor_id and guest features on top
  - [x] host-model ppc64: `host` with the compat model (policy/ppc_command)
  - [x] host-model s390 (also the machine's `host` default under KVM): QEMU's `<hostCPU>`
        model with every property on/off, the guest's features on top (translator/cpu/s390)
  - [x] host-model on an arch without a host model (ARM): libvirt's refusal (validate/cpu.py)
  - [x] host-passthrough / maximum: `host` / `max`, `aarch64=off` for armv7l on aarch64,
        `migratable=` with the `cpu-migratable` capability
- features
  - [x] force/require -> `=on`; disable/forbid -> `=off`, on x86 only for features QEMU
        reported for the host CPU; optional -> nothing (x86: resolved first)
  - [x] x86 spelling table (virQEMUCapsCPUFeaturesX86); other arches pass names unchanged
  - [x] features libvirt never passes (cmt, mbm_*, osxsave, ospke, vmx-ept-uc/wb, ...)
  - [x] `vendor=` from `<model vendor_id=...>`
  - [x] deprecated_features='off': QEMU's deprecated host-CPU properties disabled
  - [x] check='partial' of a model QEMU reports unusable, compared with QEMU's report
        (models without `<check partial='compat'/>`; refusal in validate/cpu.py)
  - [ ] comparisons with the host's own CPUID (compat models, check='full', forbidden
        host features): they need the host, not the capabilities
- flags after the model
  - [x] timers (kvmclock, hypervclock, tsc frequency, armvtimer), APIC EOI, pvspinlock
  - [x] Hyper-V (passthrough, each enlightenment, stimer direct, tlbflush direct/extended,
        spinlocks, vendor_id), hv-crash for a Hyper-V panic device
  - [x] KVM (hidden, hint-dedicated, poll-control, pv-ipi off), PMU (not on ppc64)
  - [x] cache (emulate, passthrough, disable; host-cache-info only for host CPUs)
  - [x] maxphysaddr (passthrough with limit, emulate with or without bits)
  - [x] flags without a model: the machine's default model
"""

from __future__ import annotations

from capsdb import flags

from ..arches import PPC64_ARCHES
from ..cmdline import default_source, xml_source
from ..context import BuildContext
from ..cpu import guest as guest_cpu
from ..cpu import x86
from ..model import Elem
from ..model.misc_devices import Panic

_ON = ("require", "force")
_OFF = ("disable", "forbid")


def _feature_parts(ctx: BuildContext, cpu: Elem) -> list[str]:
    """Features of a non-x86 CPU, deprecated ones disabled on request: libvirt passes their
    names to QEMU unchanged."""
    guest = guest_cpu.from_xml(cpu)
    guest_cpu.disable_deprecated(guest, cpu, ctx.caps, ctx.domain.virt_type)
    parts: list[str] = []
    for name, policy in guest.features:
        if policy in _ON:
            parts.append(f"{name}=on")
        elif policy in _OFF:
            parts.append(f"{name}=off")
    return parts


def _timer_parts(ctx: BuildContext) -> list[str]:
    """Paravirtual clocks, in the order the <timer> elements are written."""
    clock = ctx.domain.clock
    parts: list[str] = []
    for t in clock.findall("timer") if clock is not None else ():
        name, present = t.get("name"), t.get("present")
        if name == "kvmclock" and present in ("yes", "no"):
            parts.append(f"kvmclock={'on' if present == 'yes' else 'off'}")
        elif name == "hypervclock" and present == "yes":
            parts.append("hv-time=on")
        elif name == "tsc" and t.get("frequency", "0") not in ("", "0"):
            parts.append(f"tsc-frequency={t.get('frequency')}")
    return parts


# Hyper-V enlightenments in libvirt's enumeration order (that is the -cpu order too).
_HYPERV_FEATURES = ("relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer",
                    "reset", "vendor_id", "frequencies", "reenlightenment", "tlbflush", "ipi",
                    "evmcs", "avic", "emsr_bitmap", "xmm_input")


def _on(e: Elem | None) -> bool:
    return e is not None and e.get("state") == "on"


def _hyperv_parts(hyperv: Elem) -> list[str]:
    """<features><hyperv>: passthrough mode, then each enlightenment switched on."""
    parts = ["hv-passthrough=on"] if hyperv.get("mode") == "passthrough" else []
    for name in _HYPERV_FEATURES:
        f = hyperv.find(name)
        if not _on(f):
            continue
        assert f is not None
        if name == "spinlocks":
            parts.append(f"hv-spinlocks={int(f.get('retries', '0'), 0):#x}")
        elif name == "vendor_id":
            parts.append(f"hv-vendor-id={f.get('value', '')}")
        else:
            parts.append(f"{x86.feature_to_qemu('hv-' + name)}=on")
        if name == "stimer" and _on(f.find("direct")):
            parts.append("hv-stimer-direct=on")
        if name == "tlbflush":
            parts += ["hv-tlbflush-direct=on"] if _on(f.find("direct")) else []
            parts += ["hv-tlbflush-ext=on"] if _on(f.find("extended")) else []
    return parts


def _kvm_parts(kvm: Elem) -> list[str]:
    """<features><kvm>: hidden signature, PV hints; pv-ipi only matters when off."""
    parts = ["kvm=off"] if _on(kvm.find("hidden")) else []
    parts += ["kvm-hint-dedicated=on"] if _on(kvm.find("hint-dedicated")) else []
    parts += ["kvm-poll-control=on"] if _on(kvm.find("poll-control")) else []
    pv_ipi = kvm.find("pv-ipi")
    if pv_ipi is not None and pv_ipi.get("state") == "off":
        parts.append("kvm-pv-ipi=off")
    return parts


def _extra_parts(ctx: BuildContext) -> list[str]:
    """Settings outside <cpu> that libvirt appends to -cpu (timers, APIC EOI, Hyper-V,
    KVM, PMU)."""
    d = ctx.domain
    parts = _timer_parts(ctx)
    apic = d.feature("apic")
    if apic is not None and apic.get("eoi") in ("on", "off"):
        parts.append(f"kvm-pv-eoi={apic.get('eoi')}")
    pvspin = d.feature("pvspinlock")
    if pvspin is not None:
        parts.append(f"kvm-pv-unhalt={pvspin.get('state', 'on')}")
    hyperv = d.feature("hyperv")
    if hyperv is not None:
        parts += _hyperv_parts(hyperv)
    if any(isinstance(p, Panic) and p.model == "hyperv" for p in d.devices.items):
        parts.append("hv-crash")
    kvm = d.feature("kvm")
    if kvm is not None:
        parts += _kvm_parts(kvm)
    pmu = d.feature("pmu")
    if pmu is not None and ctx.arch not in PPC64_ARCHES:  # ppc64 always has a PMU
        parts.append(f"pmu={pmu.get('state', 'on')}")
    return parts


def _cache_parts(cpu: Elem, host_passthrough: bool) -> list[str]:
    cache = cpu.find("cache")
    if cache is None:
        return []
    mode = cache.get("mode")
    if mode == "emulate":
        parts = ["l3-cache=on"] if cache.get("level") == "3" else []
        return parts + (["host-cache-info=off"] if host_passthrough else [])
    if mode == "passthrough":
        return ["host-cache-info=on", "l3-cache=off"]
    if mode == "disable":
        return (["host-cache-info=off"] if host_passthrough else []) + ["l3-cache=off"]
    return []


def _physaddr_parts(cpu: Elem) -> list[str]:
    m = cpu.find("maxphysaddr")
    if m is None:
        return []
    if m.get("mode") == "passthrough":
        parts = ["host-phys-bits=on"]
        if m.get("limit"):
            parts.append(f"host-phys-bits-limit={m.get('limit')}")
        return parts
    if m.get("mode") == "emulate":
        return [f"phys-bits={m.get('bits')}"] if m.get("bits") else ["host-phys-bits=off"]
    return []


def _x86_model_parts(ctx: BuildContext, cpu: Elem) -> tuple[str | None, list[str]]:
    """qemuBuildCpuModelArgStr on x86: the updated guest CPU's model (or host/max), vendor
    and features, in QEMU's spelling; a disabled feature QEMU does not know is left out."""
    resolved = guest_cpu.resolve_x86(cpu, ctx.caps, ctx.domain.virt_type, ctx.start_new)
    parts: list[str] = []
    if resolved.mode in ("host-passthrough", "maximum"):
        model: str | None = "host" if resolved.mode == "host-passthrough" else "max"
        if ctx.has(flags.CPU_MIGRATABLE):
            parts.append(f"migratable={cpu.get('migratable', 'on')}")
    elif resolved.mode == "custom":
        model = resolved.model
    else:  # host-model libvirt could not expand: it fails the start (validate's business)
        model = None
    if resolved.vendor_id:
        parts.append(f"vendor={resolved.vendor_id}")
    known = guest_cpu.known_features(ctx.caps, ctx.domain.virt_type)
    for name, policy in resolved.features:
        if policy in _ON:
            parts.append(f"{x86.feature_to_qemu(name)}=on")
        elif policy in _OFF and (known is None or name in known):
            parts.append(f"{x86.feature_to_qemu(name)}=off")
    return model, parts


def build_cpu(ctx: BuildContext) -> None:
    d = ctx.domain
    cpu = d.cpu
    model = None
    parts: list[str] = []
    passthrough = False
    if cpu is not None:
        mode = cpu.get("mode", "custom")
        passthrough = mode == "host-passthrough"
        if ctx.is_x86 and (mode != "custom" or cpu.findtext("model")):
            model, parts = _x86_model_parts(ctx, cpu)
        elif mode in ("host-passthrough", "maximum"):
            model = "host" if passthrough else "max"
            parts += ctx.policy.cpu_mode_parts(ctx, passthrough)
            if ctx.has(flags.CPU_MIGRATABLE):
                parts.append(f"migratable={cpu.get('migratable', 'on')}")
            parts += _feature_parts(ctx, cpu)
        elif cpu.findtext("model"):
            model = cpu.findtext("model")
            parts += _feature_parts(ctx, cpu)
    parts += ctx.policy.cpu_extra_parts(ctx, cpu)
    model = ctx.policy.cpu_model(ctx, model)
    if model is None:  # the machine type's default CPU, as the architecture decides
        model, leading = ctx.policy.default_cpu(ctx)
        parts = leading + parts
    if cpu is not None:
        parts += _extra_parts(ctx) + _cache_parts(cpu, passthrough) + _physaddr_parts(cpu)
    else:
        parts += _extra_parts(ctx)
    if model:
        ctx.cmd.add("-cpu", ",".join([model] + parts), xml_source(cpu) if cpu is not None
                    else default_source("the machine type's default CPU model"))


def _startup_vcpus(ctx: BuildContext) -> int:
    """vCPUs online at start (qemuBuildSmpCommandLine): without <vcpus>, `current`; with
    it (the master list: a vCPU it leaves out is offline), the enabled non-hotpluggable ones
    (libvirt hot-plugs the others as -device after start-up)."""
    d = ctx.domain
    if d.vcpus is not None:
        return sum(1 for v in d.vcpus.findall("vcpu")
                   if v.get("enabled") == "yes" and v.get("hotpluggable") != "yes")
    return d.vcpu.current if d.vcpu.current is not None else d.vcpu.count


def build_smp(ctx: BuildContext) -> None:
    d = ctx.domain
    total = d.vcpu.count
    current = _startup_vcpus(ctx)
    parts = [str(current)]
    if current != total:
        parts.append(f"maxcpus={total}")
    topo = d.cpu.find("topology") if d.cpu is not None else None
    if topo is not None:
        parts.append(f"sockets={topo.get('sockets', '1')}")
        if ctx.has("smp-dies"):
            parts.append(f"dies={topo.get('dies', '1')}")
        if ctx.has("smp-clusters"):
            parts.append(f"clusters={topo.get('clusters', '1')}")
        parts.append(f"cores={topo.get('cores', '1')}")
        parts.append(f"threads={topo.get('threads', '1')}")
    else:
        parts.append(f"sockets={total}")
        parts.append("cores=1")
        parts.append("threads=1")
    vcpu_elem = d.root.find("vcpu") if d.root is not None else None
    ctx.cmd.add("-smp", ",".join(parts), xml_source(vcpu_elem) if vcpu_elem is not None
                else default_source("no <vcpu>: libvirt's default of one vCPU"))
