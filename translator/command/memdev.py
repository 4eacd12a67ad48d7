"""Memory devices (<memory model=...>): their backend object, then the -device.

Branches (qemuBuildMemoryDeviceProps and the backend of each memory device):
- [x] pc-dimm, nvdimm (label size, unarmed, pmem, uuid), virtio-pmem-pci, virtio-mem-pci
      (block size, requested size, dynamic memslots, prealloc), sgx-epc
- [x] backends: memory-backend-ram/file/memfd with source path, hugepages, access, discard,
      host NUMA binding, alignment
- [x] DIMM addresses (slot/base), virtio PCI addresses, memaddr
"""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Device, GenericAddress
from ..model.domain import NumaCell
from ..model.sizes import scaled_kib
from ..prepare.memory import module_size_kib
from ..props import Props
from .device import address_props, emit_device
from ..bitmap import parse_cpuset
from .memory import BackendSpec, emit_backend, hugepage_for_cell, numatune_binding

_DRIVER = {"dimm": "pc-dimm", "nvdimm": "nvdimm", "virtio-pmem": "virtio-pmem-pci",
           "virtio-mem": "virtio-mem-pci", "sgx-epc": "x86-sgx-epc"}


def _target_node(dev: Device) -> int | None:
    text = dev.elem.at("target", "node")
    return int(text.text) if text is not None and text.text else None


def _cell(ctx: BuildContext, node: int | None) -> NumaCell | None:
    return next((c for c in ctx.domain.numa_cells if c.id == node), None)


def backend_spec(ctx: BuildContext, dev: Device) -> BackendSpec:
    """libvirt's per-device backend choice: explicit source first, else its guest node's."""
    e = dev.elem
    model = e.get("model") or ""
    node = _target_node(dev)
    cell = _cell(ctx, node)
    src = e.find("source")
    page = scaled_kib(src.find("pagesize")) if src is not None and src.find("pagesize") is not None else None
    if page is None and model in ("dimm", "virtio-mem"):
        page = hugepage_for_cell(ctx, node)
    mask = src.findtext("nodemask") if src is not None else None
    policy: str | None
    if mask:
        nodes, policy = parse_cpuset(mask), "bind"
    else:
        nodes, policy = numatune_binding(ctx, node)
    access = e.get("access") or (cell.mem_access if cell is not None else None)
    discard = e.yes("discard")
    if discard is None and cell is not None:
        discard = cell.discard
    path = src.findtext("path") if src is not None else None
    spec = BackendSpec(alias=f"mem{dev.alias}", size_kib=module_size_kib(e, ctx), page_kib=page or 0,
                       access=access, discard=discard, host_nodes=tuple(nodes), policy=policy,
                       mem_path=path, file_name=dev.alias)
    if model == "nvdimm":
        spec.force_prealloc = src is None or src.find("pmem") is None
        spec.pmem = src is not None and src.find("pmem") is not None or None
        align = src.find("alignsize") if src is not None else None
        spec.align_kib = scaled_kib(align) if align is not None else None
    elif model == "virtio-pmem":
        spec.force_prealloc = False
    elif model == "virtio-mem":
        spec.reserve_off = True
        spec.force_prealloc = False
    elif model == "sgx-epc":
        spec.epc = True
        spec.force_prealloc = True
    return spec


def sgx_epc_machine_props(ctx: BuildContext) -> list[str]:
    """SGX EPC sections are -machine properties pointing at their backends (QEMU has no
    x86-sgx-epc -device a user may create)."""
    parts: list[str] = []
    epcs = [d for d in ctx.domain.devices.items
            if d.family == "memory" and d.elem.get("model") == "sgx-epc"]
    for i, dev in enumerate(epcs):
        parts.append(f"sgx-epc.{i}.memdev=mem{dev.alias}")
        node = _target_node(dev)
        if node is not None:
            parts.append(f"sgx-epc.{i}.node={node}")
    return parts


def device_props(ctx: BuildContext, dev: Device, prealloc: bool) -> Props:
    e = dev.elem
    model = e.get("model") or ""
    p = Props(("driver", _DRIVER.get(model, model)))
    if model not in ("virtio-pmem",):
        node = _target_node(dev)
        p.add("node", node if node is not None else ctx.domain.default_memory_node)
    if model == "nvdimm":
        label = e.at("target", "label", "size")
        if label is not None:
            p.add("label-size", (scaled_kib(label) or 0) * 1024)
        if ctx.policy.nvdimm_has_uuid(ctx) and e.findtext("uuid"):
            p.add("uuid", (e.findtext("uuid") or "").strip())  # pseries NVDIMMs carry one
        if e.at("target", "readonly") is not None:
            p.add("unarmed", True)
    if model == "virtio-mem":
        block = e.at("target", "block")
        req = e.at("target", "requested")
        p.add("block-size", (scaled_kib(block) or 0) * 1024 if block is not None else None)
        p.add("requested-size", (scaled_kib(req) or 0) * 1024 if req is not None else None)
    p.add("memdev", f"mem{dev.alias}")
    if model == "virtio-mem" and prealloc and ctx.has("virtio-mem-pci.prealloc"):
        p.add("prealloc", True)
    base = e.attr_at("base", "target", "address")
    if base and model in ("virtio-mem", "virtio-pmem"):
        p.add("memaddr", int(base, 0))
    if model == "virtio-mem" and e.attr_at("dynamicMemslots", "target") == "yes":
        p.add("dynamic-memslots", True)
    p.add("id", dev.alias)
    a = dev.info.address
    if isinstance(a, GenericAddress) and a.type == "dimm":
        p.add("slot", a.int("slot"))
        if a.attrs.get("base"):
            p.add("addr", a.int("base"))
    else:
        p.update(address_props(ctx, dev))
    return p


def build_memory_devices(ctx: BuildContext) -> None:
    for dev in ctx.domain.devices.items:
        if dev.family != "memory":
            continue
        spec = backend_spec(ctx, dev)
        emit_backend(ctx, spec, dev.elem)
        if spec.epc:
            continue  # the -machine sgx-epc.N properties plug it in
        emit_device(ctx, dev, device_props(ctx, dev, bool(spec.page_kib)), xml_source(dev.elem))
