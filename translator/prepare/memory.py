"""Memory sizes as libvirt aligns them before building (-m, NUMA cells, memory modules).

QEMU rejects RAM sizes that are not page-multiples and libvirt rounds every size up to a
boundary first, so the command line never shows the raw XML values.
"""

from __future__ import annotations

from ..bitmap import parse_cpuset, ranges
from ..context import BuildContext
from ..model import Elem, GenericAddress
from ..model.domain import NumaCell
from ..model.sizes import scaled_kib

RAM_ALIGN_KIB = 1024        # guest RAM and NUMA cells: 1 MiB on x86
MODULE_ALIGN_KIB = 2048     # DIMM-like modules and maxMemory: 2 MiB on x86


def round_up(value: int, align: int) -> int:
    return (value + align - 1) // align * align


def memory_devices(ctx: BuildContext) -> list[Elem]:
    return [d.elem for d in ctx.domain.devices.items if d.family == "memory"]


def _machine_align_kib(ctx: BuildContext | None) -> int | None:
    """The machine's coarser memory alignment (ppc64's 256 MiB), if it has one."""
    return ctx.policy.memory_align_kib(ctx) if ctx is not None else None


def module_size_kib(mem: Elem, ctx: BuildContext | None = None) -> int:
    """A memory device's size after alignment (0 when it has none, e.g. sgx-epc in KiB)."""

    size = scaled_kib(mem.at("target", "size")) or 0
    if mem.get("model") in ("virtio-pmem",):
        return size
    if ctx is not None and mem.get("model") == "nvdimm":
        label = scaled_kib(mem.at("target", "label", "size")) or 0
        nvdimm = ctx.policy.nvdimm_size_kib(size, label)
        if nvdimm is not None:
            return nvdimm
    return round_up(size, _machine_align_kib(ctx) or MODULE_ALIGN_KIB)


def align_memory(ctx: BuildContext) -> None:
    """Round NUMA cells, memory modules and the initial memory the way libvirt does."""

    d = ctx.domain
    align = _machine_align_kib(ctx) or RAM_ALIGN_KIB  # ppc64: 256 MiB
    for cell in d.numa_cells:
        cell.memory_kib = round_up(cell.memory_kib, align)
    hotplug = sum(module_size_kib(m, ctx) for m in memory_devices(ctx))
    if d.numa_cells:
        initial = sum(c.memory_kib for c in d.numa_cells)
    else:
        # the initial memory is what the modules leave of <memory> before they are aligned
        raw = sum(scaled_kib(m.at("target", "size")) or 0 for m in memory_devices(ctx))
        initial = round_up(max(d.memory_kib - raw, 0), align)
    d.initial_memory_kib = initial
    d.memory_kib = initial + hotplug


_MEM_ALIAS_PREFIX = {"dimm": "dimm", "nvdimm": "nvdimm", "virtio-pmem": "virtiopmem",
                     "virtio-mem": "virtiomem", "sgx-epc": "epc"}
_SLOTTED = ("dimm", "nvdimm")


def assign_memory_slots(ctx: BuildContext) -> None:
    """DIMM-like modules without an address take the lowest free hotplug slot."""

    devs = [d for d in ctx.domain.devices.items if d.family == "memory"
            and d.elem.get("model") in _SLOTTED]
    used = {d.info.address.int("slot") for d in devs
            if isinstance(d.info.address, GenericAddress) and d.info.address.type == "dimm"}
    for d in devs:
        if isinstance(d.info.address, GenericAddress) and d.info.address.type == "dimm":
            continue
        slot = 0
        while slot in used:
            slot += 1
        used.add(slot)
        d.info.address = GenericAddress(type="dimm", attrs={"slot": str(slot)})


def assign_memory_aliases(ctx: BuildContext) -> None:
    """Slotted modules are named after their slot, the others count up per model."""

    taken: dict[str, int] = {}
    for d in ctx.domain.devices.items:
        if d.family != "memory" or d.info.user_alias:
            continue
        prefix = _MEM_ALIAS_PREFIX.get(d.elem.get("model") or "", "dimm")
        a = d.info.address
        if isinstance(a, GenericAddress) and a.type == "dimm" and "slot" in a.attrs:
            idx = a.int("slot")
        else:
            idx = taken.get(prefix, -1) + 1
        taken[prefix] = max(taken.get(prefix, -1), idx)
        d.info.alias = f"{prefix}{idx}"


def assign_orphan_vcpus(ctx: BuildContext) -> None:
    """vCPUs no NUMA cell lists join the first cell (QEMU would warn otherwise)."""

    cells = ctx.domain.numa_cells
    if not cells:
        return
    listed = {c for cell in cells for c in parse_cpuset(cell.cpus)}
    orphans = [v for v in range(ctx.domain.vcpu.count) if v not in listed]
    if orphans:
        first = cells[0]
        first.cpus = ",".join(ranges(sorted(set(parse_cpuset(first.cpus)) | set(orphans))))


def add_numa_node_for_hotplug(ctx: BuildContext) -> None:
    """A newly defined domain with memory hotplug but no NUMA topology gets one node
    holding every vCPU and the initial memory (memory modules need a node to plug into)."""

    d = ctx.domain
    if not ctx.abi_update or d.max_memory is None or d.numa_cells:
        return
    if not int(d.max_memory.get("slots") or 0):
        return
    raw = sum(scaled_kib(m.at("target", "size")) or 0 for m in memory_devices(ctx))
    n = d.vcpu.count
    d.numa_cells = (NumaCell(id=0, cpus="0" if n <= 1 else f"0-{n - 1}",
                             memory_kib=max(d.memory_kib - raw, 0)),)
    d.default_memory_node = 0


def prepare_memory(ctx: BuildContext) -> None:
    if ctx.start_new:  # a guest restored or migrated in keeps the sizes it ran with
        align_memory(ctx)
    else:
        raw = sum(scaled_kib(m.at("target", "size")) or 0 for m in memory_devices(ctx))
        ctx.domain.initial_memory_kib = max(ctx.domain.memory_kib - raw, 0)
    assign_orphan_vcpus(ctx)
    if ctx.domain.max_memory is not None:
        assign_memory_slots(ctx)
    assign_memory_aliases(ctx)
