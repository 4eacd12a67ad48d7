"""CPU model and features (-cpu) and the vCPU topology (-smp)."""

from __future__ import annotations

from ..cmdline import default_source, xml_source
from ..context import BuildContext
from ..model import Elem

_ON = ("require", "force")
_OFF = ("disable", "forbid")


def qemu_feature_name(name: str) -> str:
    """libvirt's CPU map spells some features with '_' where QEMU uses '-'."""
    return name.replace("_", "-")


def _feature_parts(cpu: Elem) -> list[str]:
    parts: list[str] = []
    for f in cpu.findall("feature"):
        policy = f.get("policy", "require")
        name = qemu_feature_name(f.get("name", ""))
        if policy in _ON or policy == "optional":
            parts.append(f"{name}=on")
        elif policy in _OFF:
            parts.append(f"{name}=off")
    return parts


def _timer(ctx: BuildContext, name: str) -> Elem | None:
    clock = ctx.domain.clock
    if clock is None:
        return None
    return next((t for t in clock.findall("timer") if t.get("name") == name), None)


def _extra_parts(ctx: BuildContext) -> list[str]:
    """Settings outside <cpu> that libvirt appends to -cpu (timers, APIC EOI, KVM, PMU)."""
    d = ctx.domain
    parts: list[str] = []
    kvmclock = _timer(ctx, "kvmclock")
    if kvmclock is not None and kvmclock.get("present") in ("yes", "no"):
        parts.append(f"kvmclock={'on' if kvmclock.get('present') == 'yes' else 'off'}")
    apic = d.feature("apic")
    if apic is not None and apic.get("eoi") in ("on", "off"):
        parts.append(f"kvm-pv-eoi={apic.get('eoi')}")
    pvspin = d.feature("pvspinlock")
    if pvspin is not None:
        parts.append(f"kvm-pv-unhalt={pvspin.get('state', 'on')}")
    kvm = d.feature("kvm")
    if kvm is not None:
        hidden = kvm.find("hidden")
        if hidden is not None and hidden.get("state") == "on":
            parts.append("kvm=off")
    pmu = d.feature("pmu")
    if pmu is not None:
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


def build_cpu(ctx: BuildContext) -> None:
    d = ctx.domain
    cpu = d.cpu
    model = None
    parts: list[str] = []
    passthrough = False
    if cpu is not None:
        mode = cpu.get("mode", "custom")
        if mode in ("host-passthrough", "maximum"):
            passthrough = mode == "host-passthrough"
            model = "host" if passthrough else "max"
            if ctx.has("cpu.migratable") or ctx.has("cpu-migratable"):
                parts.append(f"migratable={cpu.get('migratable', 'on')}")
            parts += _feature_parts(cpu)
        elif cpu.findtext("model"):
            model = cpu.findtext("model")
            parts += _feature_parts(cpu)
    if model is None:
        machine = ctx.caps.find_machine(d.os.machine or "", d.virt_type)
        if machine is not None and machine.default_cpu and ctx.is_x86:
            model = ctx.caps.cpu_name_for_type(machine.default_cpu, d.virt_type)
    if cpu is not None:
        parts += _extra_parts(ctx) + _cache_parts(cpu, passthrough) + _physaddr_parts(cpu)
    else:
        parts += _extra_parts(ctx)
    if model:
        ctx.cmd.add("-cpu", ",".join([model] + parts), xml_source(cpu) if cpu is not None
                    else default_source("the machine type's default CPU model"))


def _startup_vcpus(ctx: BuildContext) -> int:
    """vCPUs online at start: without <vcpus>, `current`; with it, the non-hotpluggable
    enabled ones (libvirt hot-plugs the others as -device after start-up)."""
    d = ctx.domain
    if d.vcpus is not None and any(v.get("hotpluggable") == "yes" and v.get("enabled") == "yes"
                                   for v in d.vcpus.findall("vcpu")):
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
