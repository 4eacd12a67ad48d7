"""CPU model and features (-cpu) and the vCPU topology (-smp)."""

from __future__ import annotations

from ..cmdline import default_source, xml_source
from ..context import BuildContext


def build_cpu(ctx: BuildContext) -> None:
    d = ctx.domain
    cpu = d.cpu
    model = None
    if cpu is not None:
        mode = cpu.get("mode", "custom")
        if mode == "host-passthrough":
            model = "host"
        elif mode == "maximum":
            model = "max"
        elif cpu.findtext("model"):
            model = cpu.findtext("model")
    if model is None:
        machine = ctx.caps.find_machine(d.os.machine or "", d.virt_type)
        if machine is not None and machine.default_cpu and ctx.is_x86:
            model = ctx.caps.cpu_name_for_type(machine.default_cpu, d.virt_type)
    if model:
        ctx.cmd.add("-cpu", model, xml_source(cpu) if cpu is not None
                    else default_source("the machine type's default CPU model"))


def build_smp(ctx: BuildContext) -> None:
    d = ctx.domain
    total = d.vcpu.count
    current = d.vcpu.current if d.vcpu.current is not None else total
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
    ctx.cmd.add("-smp", ",".join(parts), xml_source(d.root.find("vcpu") if d.root else None))
