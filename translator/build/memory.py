"""Guest memory: -m, the RAM backend object, locking, (later) NUMA and memory devices."""

from __future__ import annotations

from ..cmdline import default_source, xml_source
from ..context import BuildContext
from ..props import Props


def has_numa(ctx: BuildContext) -> bool:
    cpu = ctx.domain.cpu
    return cpu is not None and cpu.find("numa") is not None


def build_memory(ctx: BuildContext) -> None:
    d = ctx.domain
    mem_kib = d.memory_kib
    value = f"size={mem_kib}k"
    if d.max_memory is not None:
        from ..parse import scaled_kib

        slots = d.max_memory.get("slots")
        maxk = scaled_kib(d.max_memory)
        if slots:
            value += f",slots={slots}"
        if maxk:
            value += f",maxmem={maxk}k"
    root = d.root
    ctx.cmd.add("-m", value, xml_source(root.find("memory") if root is not None else None))
    machine = ctx.caps.find_machine(d.os.machine or "", d.virt_type)
    if machine is not None and machine.default_ram_id and not has_numa(ctx):
        props = Props(("qom-type", "memory-backend-ram"), ("id", machine.default_ram_id),
                      ("size", mem_kib * 1024))
        ctx.cmd.add_json("-object", props, xml_source(root.find("memory") if root is not None else None))
    locked = d.memory_backing is not None and d.memory_backing.find("locked") is not None
    ctx.cmd.add("-overcommit", f"mem-lock={'on' if locked else 'off'}",
                default_source("memory locking (memoryBacking/locked)"))
