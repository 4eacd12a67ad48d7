"""Guest memory: -m, RAM backend objects (machine RAM, NUMA cells, memory devices), locking.

One function (`backend_props`) decides every memory backend, because libvirt applies
the same rules (hugepages, shared access, discard, preallocation, host NUMA binding) to
the machine RAM, to each guest NUMA cell and to each memory device.

Branches (qemuBuildMemCommandLine, qemuBuildNumaCommandLine, qemuBuildMemoryBackendProps):
- [x] -m size (maxmemory slots/maxmem), -overcommit mem-lock
- [x] machine RAM backend (memory-backend=pc.ram ...): ram, file (hugepages per page size,
      file/anonymous/memfd source, shared/private access, discard, prealloc,
      prealloc-threads, thread-context), memfd hugetlb
- [x] NUMA cells: one backend each when needed (hugepages, access, host binding), else
      legacy mem=; host-nodes/policy from <numatune> (strict/preferred/interleave/restrictive)
- [x] NUMA distances, HMAT initiators, latencies and bandwidths, cache levels
- [ ] numad placement (needs the host's numad answer)
"""

from __future__ import annotations


from capsdb.records import dataclass
from ..bitmap import parse_cpuset, ranges
from ..cmdline import default_source, xml_source
from ..context import BuildContext
from ..model import Elem
from ..model.domain import NumaCell
from ..model.sizes import SYSTEM_PAGE_KIB, scaled_kib, unit_bytes
from ..prepare.memory import MODULE_ALIGN_KIB, round_up
from ..props import Props

_POLICY = {"strict": "bind", "preferred": "preferred", "interleave": "interleave"}


def has_numa(ctx: BuildContext) -> bool:
    return bool(ctx.domain.numa_cells) or (
        ctx.domain.cpu is not None and ctx.domain.cpu.find("numa") is not None)


def short_name(ctx: BuildContext) -> str:
    """libvirt shortens the domain name to 20 characters in per-domain paths."""
    return ctx.host.short_domain_name(ctx.domain.name)


def hugepage_path(ctx: BuildContext, page_kib: int) -> str:
    """libvirt's per-domain directory on the hugetlbfs mount of that page size (the host
    profile's mounts; the first is the default size)."""
    mounts = ctx.host.hugepage_mounts
    mount = next((m for s, m in mounts if s == page_kib), mounts[0][1])
    return f"{mount}/libvirt/qemu/{short_name(ctx)}"


def _page_kib(page: Elem) -> int:

    return scaled_kib(Elem(tag="page", attrs={"unit": page.get("unit") or "kib"},
                           text=page.get("size"))) or 0


def hugepage_for_cell(ctx: BuildContext, cell_id: int | None) -> int:
    """Huge page size (KiB) backing a NUMA cell (None: the whole RAM); 0 = normal pages."""
    mb = ctx.domain.memory_backing
    hp = mb.find("hugepages") if mb is not None else None
    if hp is None:
        return 0
    pages = hp.findall("page")
    if not pages:
        return ctx.host.hugepage_mounts[0][0]
    chosen = None
    for p in pages:
        if p.get("nodeset") and cell_id is not None and cell_id in parse_cpuset(p.get("nodeset")):
            chosen = p
            break
    if chosen is None:
        chosen = next((p for p in pages if not p.get("nodeset")), None)
    if chosen is None:
        return 0
    size = _page_kib(chosen)
    return 0 if size == SYSTEM_PAGE_KIB else size


def numatune_binding(ctx: BuildContext, cell_id: int | None) -> tuple[list[int], str | None]:
    """Host nodes and policy for a cell (its <memnode>, else the domain-wide <memory>)."""
    nt = ctx.domain.numatune
    if nt is None:
        if ctx.domain.vcpu.placement == "auto":
            return list(ctx.host.numad_nodes), "bind"   # numatune defaults to numad's advice
        return [], None
    chosen = None
    if cell_id is not None:
        chosen = next((m for m in nt.findall("memnode") if m.get("cellid") == str(cell_id)), None)
    if chosen is None:
        chosen = nt.find("memory")
    if chosen is None:
        return [], None
    mode = chosen.get("mode", "strict")
    if mode == "restrictive":
        return [], None
    implied_auto = chosen.tag == "memory" and not chosen.get("nodeset") and \
        ctx.domain.vcpu.placement == "auto"
    if chosen.get("placement") == "auto" or implied_auto:
        return list(ctx.host.numad_nodes), _POLICY.get(mode)
    if not chosen.get("nodeset"):
        return [], None
    return parse_cpuset(chosen.get("nodeset")), _POLICY.get(mode)


@dataclass
class BackendSpec:
    """What decides one memory backend object."""

    alias: str
    size_kib: int
    page_kib: int = 0
    access: str | None = None        # 'shared' | 'private' | None
    discard: bool | None = None
    host_nodes: tuple[int, ...] = ()
    policy: str | None = None
    source_type: str | None = None   # memoryBacking/source type or device source path
    mem_path: str | None = None      # explicit file (nvdimm, virtio-pmem)
    file_name: str | None = None     # file under the memory_backing_dir (default: alias)
    is_ram_default: bool = False     # the machine's default RAM (pc.ram)
    force_prealloc: bool | None = None
    align_kib: int | None = None
    pmem: bool | None = None
    reserve_off: bool = False
    epc: bool = False                # SGX enclave page cache (sgx-epc memory device)


def _backing(ctx: BuildContext, tag: str) -> Elem | None:
    mb = ctx.domain.memory_backing
    return mb.find(tag) if mb is not None else None


def backend_props(ctx: BuildContext, spec: BackendSpec) -> tuple[Props, Props | None]:
    """The memory-backend-* object (and its thread-context, when one is needed)."""
    src = _backing(ctx, "source")
    source_type = spec.source_type or (src.get("type") if src is not None else None)
    access = spec.access
    if access is None:
        acc = _backing(ctx, "access")
        access = acc.get("mode") if acc is not None else None
    discard = spec.discard
    if discard is None and _backing(ctx, "discard") is not None:
        discard = True
    alloc = _backing(ctx, "allocation")
    prealloc = spec.force_prealloc
    if prealloc is None:
        prealloc = bool(spec.page_kib) or (alloc is not None and alloc.get("mode") == "immediate")
    p = Props(("qom-type", ""), ("id", spec.alias))
    if spec.epc:
        p["qom-type"] = "memory-backend-epc"
    elif spec.mem_path:
        p["qom-type"] = "memory-backend-file"
        p.add("mem-path", spec.mem_path)
    elif spec.page_kib and source_type == "memfd":
        p["qom-type"] = "memory-backend-memfd"
        p.add("hugetlb", True)
        p.add("hugetlbsize", spec.page_kib * 1024)
    elif spec.page_kib:
        p["qom-type"] = "memory-backend-file"
        p.add("mem-path", hugepage_path(ctx, spec.page_kib))
    elif source_type == "memfd":
        p["qom-type"] = "memory-backend-memfd"
    elif source_type == "file" or access:
        p["qom-type"] = "memory-backend-file"
        name = spec.file_name or spec.alias
        p.add("mem-path", f"{ctx.host.lib_dir}/ram/{short_name(ctx)}/{name}")
    else:
        p["qom-type"] = "memory-backend-ram"
    if discard is not None and p["qom-type"] == "memory-backend-file":
        p.add("discard-data", discard)
    if access in ("shared", "private") and p["qom-type"] != "memory-backend-ram":
        p.add("share", access == "shared")
    if spec.is_ram_default and p["qom-type"] != "memory-backend-ram" and \
            ctx.has("memory-backend-file.x-use-canonical-path-for-ramblock-id"):
        p.add("x-use-canonical-path-for-ramblock-id", False)
    if spec.reserve_off and ctx.has("memory-backend-file.reserve"):
        p.add("reserve", False)
    if prealloc:
        p.add("prealloc", True)
        threads = alloc.get("threads") if alloc is not None else None
        if threads:
            p.add("prealloc-threads", int(threads))
    p.add("size", spec.size_kib * 1024)
    if spec.align_kib:
        p.add("align", spec.align_kib * 1024)
    if spec.pmem:
        p.add("pmem", True)
    tc = None
    if spec.host_nodes:
        p.add("host-nodes", list(spec.host_nodes))
        p.add("policy", spec.policy or "bind")
        affinity = _thread_context_nodes(ctx, list(spec.host_nodes))
        if prealloc and affinity and ctx.has("thread-context"):
            tc = Props(("qom-type", "thread-context"), ("id", f"tc-{spec.alias}"),
                       ("node-affinity", affinity))
            p.add("prealloc-context", f"tc-{spec.alias}")
    return p, tc


def _thread_context_nodes(ctx: BuildContext, nodes: list[int]) -> list[int]:
    """Host nodes the preallocating threads may use: limited by the vCPU pinning."""
    cpuset = parse_cpuset(ctx.domain.vcpu.cpuset)
    if not cpuset:
        return nodes
    allowed = {c // ctx.host.host_cpus_per_node for c in cpuset}
    return [n for n in nodes if n in allowed]


def emit_backend(ctx: BuildContext, spec: BackendSpec, source: Elem | None) -> None:
    props, tc = backend_props(ctx, spec)
    if tc is not None:
        ctx.cmd.add_json("-object", tc, xml_source(source))
    ctx.cmd.add_json("-object", props, xml_source(source))


def build_memory(ctx: BuildContext) -> None:
    d = ctx.domain
    mem_kib = d.initial_memory_kib if d.initial_memory_kib is not None else d.memory_kib
    # without memory hotplug libvirt clears the size's low nine bits (it once passed MiB);
    # an aligned size is not changed by it
    value = f"size={mem_kib if d.max_memory is not None else mem_kib & ~0x1FF}k"
    if d.max_memory is not None:

        slots = d.max_memory.get("slots")
        maxk = scaled_kib(d.max_memory)
        if slots:
            value += f",slots={slots}"
        if maxk:
            value += f",maxmem={round_up(maxk, MODULE_ALIGN_KIB)}k"
    root = d.root
    mem_elem = root.find("memory") if root is not None else None
    ctx.cmd.add("-m", value, xml_source(mem_elem) if mem_elem is not None
                else default_source("no <memory>: the total of the guest NUMA cells' memory"))
    machine = ctx.caps.find_machine(d.os.machine or "", d.virt_type)
    if machine is not None and machine.default_ram_id and not has_numa(ctx):
        nodes, policy = numatune_binding(ctx, None)
        spec = BackendSpec(alias=machine.default_ram_id, size_kib=mem_kib,
                           page_kib=hugepage_for_cell(ctx, None), host_nodes=tuple(nodes),
                           policy=policy, is_ram_default=True)
        emit_backend(ctx, spec, mem_elem)
    locked = d.memory_backing is not None and d.memory_backing.find("locked") is not None
    ctx.cmd.add("-overcommit", f"mem-lock={'on' if locked else 'off'}",
                xml_source(d.memory_backing.find("locked")) if locked and d.memory_backing
                else default_source("no <memoryBacking><locked/>: guest memory is not locked"))


def _numa_elem(ctx: BuildContext) -> Elem | None:
    cpu = ctx.domain.cpu
    return cpu.find("numa") if cpu is not None else None


def has_hmat(ctx: BuildContext) -> bool:
    """Heterogeneous memory attributes: interconnects, or a memory-side cache in a cell."""
    numa = _numa_elem(ctx)
    if numa is None:
        return False
    interconnects = numa.find("interconnects")
    if interconnects is not None and interconnects.children:
        return True
    return any(c.elem is not None and c.elem.find("cache") is not None
               for c in ctx.domain.numa_cells)


def _cell_spec(ctx: BuildContext, cell: NumaCell) -> BackendSpec:
    nodes, policy = numatune_binding(ctx, cell.id)
    return BackendSpec(alias=f"ram-node{cell.id}", size_kib=cell.memory_kib,
                       page_kib=hugepage_for_cell(ctx, cell.id), access=cell.mem_access,
                       discard=cell.discard, host_nodes=tuple(nodes), policy=policy)


def _cell_needs_backend(ctx: BuildContext, spec: BackendSpec) -> bool:
    """Only huge pages, an access mode, a file/memfd source or a host binding need a
    memory backend object; plain RAM can be given as `-numa node,mem=`."""
    src = _backing(ctx, "source")
    acc = _backing(ctx, "access")
    access = spec.access or (acc.get("mode") if acc is not None else None)
    source = src.get("type") if src is not None else None
    return bool(spec.page_kib or access or source in ("file", "memfd") or spec.host_nodes)


def _numa_needs_backends(ctx: BuildContext, specs: list[BackendSpec]) -> bool:
    """Machine types from QEMU 5.1 on refuse `mem=`; HMAT needs memdev too."""
    d = ctx.domain
    machine = ctx.caps.find_machine(d.os.machine or "", d.virt_type)
    if machine is None or not machine.numa_mem_supported or has_hmat(ctx):
        return True
    return any(_cell_needs_backend(ctx, s) for s in specs)


def _master_initiator(cells: list[NumaCell]) -> int | None:
    return next((c.id for c in cells if parse_cpuset(c.cpus)), None)


def _cell_initiator(ctx: BuildContext, cell: NumaCell, master: int | None) -> int | None:
    """A cell with CPUs initiates for itself; a memory-only one takes the initiator with
    the lowest latency to it, else the highest bandwidth, else the first CPU cell."""
    if parse_cpuset(cell.cpus):
        return cell.id
    numa = _numa_elem(ctx)
    links = numa.find("interconnects") if numa is not None else None
    best: dict[str, tuple[int, int]] = {}
    for link in links.children if links is not None else ():
        if link.get("target") != str(cell.id) or link.tag not in ("latency", "bandwidth"):
            continue
        value = _interconnect_value(link)
        sign = 1 if link.tag == "latency" else -1
        if link.tag not in best or sign * value < sign * best[link.tag][0]:
            best[link.tag] = (value, int(link.get("initiator") or "0"))
    for kind in ("latency", "bandwidth"):
        if kind in best:
            return best[kind][1]
    return master


def _interconnect_value(link: Elem) -> int:
    if link.tag == "bandwidth":
        return scaled_kib(Elem(tag="value", attrs={"unit": link.get("unit") or "KiB"},
                               text=link.get("value"))) or 0
    return int(link.get("value") or "0")


def build_numa(ctx: BuildContext) -> None:
    """One backend (or legacy `mem=`) and one `-numa node` per guest cell, then distances
    and the HMAT tables."""
    d = ctx.domain
    cells = sorted(d.numa_cells, key=lambda c: c.id)
    specs = [_cell_spec(ctx, c) for c in cells]
    backends = _numa_needs_backends(ctx, specs)
    hmat = has_hmat(ctx)
    master = _master_initiator(cells)
    if cells and not backends:
        alloc = _backing(ctx, "allocation")
        if alloc is not None and alloc.get("mode") == "immediate":
            ctx.cmd.add("-mem-prealloc", source=xml_source(alloc))
    for cell, spec in zip(cells, specs):
        if backends:
            emit_backend(ctx, spec, cell.elem)
        parts = [f"node,nodeid={cell.id}"]
        parts += [f"cpus={r}" for r in ranges(parse_cpuset(cell.cpus))]
        initiator = _cell_initiator(ctx, cell, master) if hmat else None
        if initiator is not None:
            parts.append(f"initiator={initiator}")
        parts.append(f"memdev={spec.alias}" if backends else f"mem={cell.memory_kib // 1024}")
        ctx.cmd.add("-numa", ",".join(parts), xml_source(cell.elem))
    _build_distances(ctx)
    if hmat:
        _build_hmat(ctx, cells)


_HIERARCHY = {"1": "first-level", "2": "second-level", "3": "third-level"}


def _build_hmat(ctx: BuildContext, cells: list[NumaCell]) -> None:
    """Every interconnect as `hmat-lb` first, then each cell's caches as `hmat-cache`
    (QEMU wants the latter after the former)."""
    numa = _numa_elem(ctx)
    links = numa.find("interconnects") if numa is not None else None
    for link in links.children if links is not None else ():
        if link.tag not in ("latency", "bandwidth"):
            continue
        level = link.get("cache")
        hierarchy = _HIERARCHY.get(level or "", "memory") if level not in (None, "0") \
            else "memory"
        value = _interconnect_value(link)
        measure = f"latency,latency={value}" if link.tag == "latency" \
            else f"bandwidth,bandwidth={value}K"
        ctx.cmd.add("-numa", f"hmat-lb,initiator={link.get('initiator')},"
                    f"target={link.get('target')},hierarchy={hierarchy},"
                    f"data-type={link.get('type') or 'access'}-{measure}", xml_source(link))
    for cell in cells:
        for cache in cell.elem.findall("cache") if cell.elem is not None else []:
            size = scaled_kib(_value_elem(cache.find("size"), "KiB")) or 0
            line = _bytes(cache.find("line"))
            ctx.cmd.add("-numa", f"hmat-cache,node-id={cell.id},size={size}K,"
                        f"level={cache.get('level')},"
                        f"associativity={cache.get('associativity')},"
                        f"policy={cache.get('policy')},line={line}", xml_source(cache))


def _value_elem(e: Elem | None, unit: str) -> Elem | None:
    """<size value='10' unit='KiB'/> as a scaled-integer element."""
    if e is None:
        return None
    return Elem(tag=e.tag, attrs={"unit": e.get("unit") or unit}, text=e.get("value"))


def _bytes(e: Elem | None) -> int:
    if e is None:
        return 0
    return int(e.get("value") or "0") * unit_bytes(e.get("unit") or "b", 1)


def _build_distances(ctx: BuildContext) -> None:
    """Every known distance, both directions: libvirt mirrors the ones given once."""
    cells = sorted(ctx.domain.numa_cells, key=lambda c: c.id)
    given: dict[tuple[int, int], str] = {}
    for cell in cells:
        dist = cell.elem.find("distances") if cell.elem is not None else None
        for sib in dist.findall("sibling") if dist is not None else []:
            given[(cell.id, int(sib.get("id") or "0"))] = sib.get("value") or ""
    if not given:
        return
    for src in cells:
        for dst in cells:
            val = given.get((src.id, dst.id)) or given.get((dst.id, src.id))
            if val is None and src.id == dst.id:
                val = "10"
            if val:
                ctx.cmd.add("-numa", f"dist,src={src.id},dst={dst.id},val={val}",
                            xml_source(src.elem))
