"""libvirt's post-parse refusals (domain_postparse.c, qemu_postparse.c): what it rejects while
completing a parsed definition, before validation.

`validate_postparse` runs them in libvirt's order: the QEMU driver's domain callback
(vCPUs, CPU features), the ISA serial ports, each device's callbacks (controllers, shared
memory, character devices, host devices), then the common domain steps (vCPU hotplug,
memory sizes, boot order, timers).
"""

from __future__ import annotations

from capsdb import flags

from typing import TypeVar

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.address import DriveAddress
from ..model.devices import Chardev, Controller, Hostdev
from ..model.elem import Elem
from .numa_conf import cells
from ..machines import emulator, is_arm_virt
from .qemu_def import default_panic_model
from .values import SCALE, number, size_kib

MAX_ISA_SERIAL_PORTS = 4
_X86 = ("x86_64", "i686")


_Machine = TypeVar("_Machine")


def check_preferred_machine(ctx: BuildContext, machine: "_Machine | None") -> "_Machine":
    """qemuDomainDefPostParseBasic: a domain without a machine type takes the binary's
    preferred one, and there must be one."""
    if machine is None:
        refuse(ErrorCode.INVALID_ARG, f"could not get preferred machine for {emulator(ctx)} "
               f"type={ctx.domain.virt_type}")
    return machine


def validate_postparse(ctx: BuildContext) -> None:
    """virDomainDefPostParse's refusals, in its order."""
    _qemu_tseg(ctx)
    _qemu_vcpus(ctx)
    _qemu_cpu_sve(ctx)
    _isa_serial_ports(ctx)
    for dev in ctx.domain.devices.items:
        if isinstance(dev, Controller):
            _qemu_controller(ctx, dev)
        elif dev.elem.tag == "shmem":
            _qemu_shmem(dev.elem)
        elif isinstance(dev, Chardev):
            _chr(ctx, dev)
        elif isinstance(dev, Hostdev):
            _hostdev(ctx, dev)
    _vcpu_hotplug(ctx)
    _memory(ctx)
    _cpu_check(ctx)
    _duplicate_panics(ctx)
    _boot_order(ctx)
    _timers(ctx)
    _check_features(ctx)


class _Vcpu:
    def __init__(self, online: bool, hotpluggable: bool | None, order: int) -> None:
        self.online = online
        self.hotpluggable = hotpluggable
        self.order = order


def _vcpus(ctx: BuildContext) -> list[_Vcpu]:
    """The vCPU list as libvirt parses it (virDomainVcpuParse): without <vcpus> the first
    `current` are online; a <vcpus> list is the master, and a vCPU it leaves out is offline."""
    vcpu = ctx.domain.vcpu
    listed = ctx.domain.vcpus
    current = vcpu.current if vcpu.current is not None else vcpu.count
    out = [_Vcpu(listed is None and i < current, None, 0) for i in range(vcpu.count)]
    for e in listed.findall("vcpu") if listed is not None else []:
        idx = number(e.get("id"))
        if idx is None or not 0 <= idx < len(out):
            continue
        out[idx] = _Vcpu(e.yes("enabled") is True, e.yes("hotpluggable"),
                         number(e.get("order")) or 0)
    return out


def _qemu_tseg(ctx: BuildContext) -> None:
    """qemuDomainDefTsegPostParse: an SMM TSEG size needs q35, QEMU's support, whole MiB."""
    smm = ctx.domain.feature("smm")
    tseg = smm.find("tseg") if smm is not None and smm.get("state") == "on" else None
    if tseg is None:
        return
    if not ctx.is_q35:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "SMM TSEG is only supported with q35 machine type")
    if not ctx.has(flags.MCH_EXTENDED_TSEG_MBYTES):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "Setting TSEG size is not supported with this QEMU binary")
    if (size_kib(tseg, "MiB") or 0) % 1024:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "SMM TSEG size must be divisible by 1 MiB")


def _qemu_vcpus(ctx: BuildContext) -> None:
    """qemuDomainDefVcpusPostParse: vCPU 0 comes first and stays; orders are consistent."""
    if ctx.domain.vcpus is None:
        # no <vcpus> list: no vCPU is ordered or hotpluggable, only vCPU 0 can be wrong
        spec = ctx.domain.vcpu
        current = spec.current if spec.current is not None else spec.count
        if spec.count > 0 and not 0 < current:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "vcpu 0 can't be offline")
        return
    vcpus = _vcpus(ctx)
    if not vcpus:
        return
    first = vcpus[0]
    if not first.online:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "vcpu 0 can't be offline")
    if first.hotpluggable is True:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "vcpu0 can't be hotpluggable")
    if first.order not in (0, 1):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "vcpu0 must be enabled first")
    has_order = first.order != 0
    prev = first
    for vcpu in vcpus[1:]:
        if vcpu.online and (vcpu.order != 0) != has_order:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "all vcpus must have either set or unset order")
        if vcpu.hotpluggable is False:
            if prev.hotpluggable is True:
                refuse(ErrorCode.CONFIG_UNSUPPORTED, "online non-hotpluggable vcpus need to be "
                       "ordered prior to hotpluggable vcpus")
            if prev.order > vcpu.order:
                refuse(ErrorCode.CONFIG_UNSUPPORTED,
                       "online non-hotpluggable vcpus must be ordered in ascending order")
        prev = vcpu


def _vcpu_hotplug(ctx: BuildContext) -> None:
    """virDomainVcpuDefPostParse: an offline vCPU must be hotpluggable."""
    if ctx.domain.vcpus is None:
        return  # no <vcpus> list: no vCPU is marked not hotpluggable
    for i, vcpu in enumerate(_vcpus(ctx)):
        if vcpu.hotpluggable is False and not vcpu.online:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"vcpu '{i}' is both offline and not hotpluggable")


def _qemu_cpu_sve(ctx: BuildContext) -> None:
    """qemuDomainDefCPUPostParse: SVE vector lengths need SVE."""
    cpu = ctx.domain.cpu
    features = cpu.findall("feature") if cpu is not None else []
    sve = next((f for f in features if f.get("name") == "sve"), None)
    lengths = any((f.get("name") or "").startswith("sve") and f.get("name") != "sve"
                  for f in features)
    if lengths and sve is not None and sve.get("policy") in ("disable", "forbid"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "SVE disabled, but SVE vector lengths provided")


def _cpu_check(ctx: BuildContext) -> None:
    """virDomainDefPostParseCPU: check= needs a CPU model."""
    cpu = ctx.domain.cpu
    if cpu is None:
        return
    if (cpu.get("mode") or "custom") == "custom" and not cpu.findtext("model") and \
            cpu.get("check") not in (None, "default"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "check attribute specified for CPU with no model")


def _isa_serial_ports(ctx: BuildContext) -> None:
    """virDomainChrIsaSerialDefPostParse: at most four ISA serial ports, each port once (it
    runs before the device defaults, so only an explicit <target type='isa-serial'> counts)."""
    used: set[int] = set()
    count = 0
    for c in ctx.domain.devices.chardevs("serial"):
        if c.target_type != "isa-serial":
            continue
        port = c.target_port
        count += 1
        if count > MAX_ISA_SERIAL_PORTS or (port is not None and port >= MAX_ISA_SERIAL_PORTS):
            refuse(ErrorCode.INTERNAL_ERROR, "Maximum supported number of ISA serial ports is "
                   f"'{MAX_ISA_SERIAL_PORTS}'")
        if port is not None:
            if port in used:
                refuse(ErrorCode.INTERNAL_ERROR, f"target port '{port}' already allocated")
            used.add(port)


def _chr(ctx: BuildContext, c: Chardev) -> None:
    """virDomainChrDefPostParse: the ISA debug console is an x86 device."""
    if c.kind == "serial" and c.target_type == "isa-debug" and ctx.arch not in _X86:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "isa-debug serial type only valid on x86 "
               "architecture")


def _qemu_controller(ctx: BuildContext, c: Controller) -> None:
    """qemuDomainControllerDefPostParse: no Xen USB controllers, expander buses need their
    machine type."""
    if c.type == "usb" and c.model in ("qusb1", "qusb2"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "USB controller model type 'qusb1' or 'qusb2' is "
               f"not supported in {ctx.domain.virt_type}")
    if c.type != "pci":
        return
    if c.model == "pci-expander-bus" and not ctx.is_i440fx:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "pci-expander-bus controllers are only supported "
               "on 440fx-based machinetypes")
    if c.model == "pcie-expander-bus" and not (ctx.is_q35 or is_arm_virt(ctx)):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "pcie-expander-bus controllers are not supported with this machine type")


def _duplicate_panics(ctx: BuildContext) -> None:
    """virDomainDefRejectDuplicatePanics: one panic device per model (after the driver gave
    each its default model)."""
    seen: set[str] = set()
    for dev in ctx.domain.devices.of("panic"):
        model = dev.elem.get("model") or default_panic_model(ctx) or "default"
        if model in seen:
            refuse(ErrorCode.XML_ERROR, f"Multiple panic devices with model '{model}'")
        seen.add(model)


def _check_features(ctx: BuildContext) -> None:
    """virDomainDefPostParseCheckFeatures: the QEMU driver keeps domain names free of '/'
    (they name files)."""
    if "/" in ctx.domain.name:
        refuse(ErrorCode.XML_ERROR, f"name {ctx.domain.name} cannot contain '/'")


def _qemu_shmem(e: Elem) -> None:
    """qemuDomainShmemDefPostParse: doorbell shmem needs a server, plain shmem none."""
    model = (e.attr_at("type", "model")) or "ivshmem"
    if model == "ivshmem":
        return
    server = e.find("server") is not None
    if not server and model == "ivshmem-doorbell":
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               f"shmem model '{model}' is supported only with server option enabled")
    if server:
        if model == "ivshmem-plain":
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"shmem model '{model}' is supported only with server option disabled")
        if size_kib(e.find("size"), "B"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"shmem model '{model}' does not support size setting")


def _hostdev(ctx: BuildContext, h: Hostdev) -> None:
    """virDomainHostdevDefPostParse: a SCSI host device's drive address is not a disk's."""
    if h.mode != "subsystem" or h.type != "scsi" or h.elem.find("address") is None:
        return
    a = h.info.address
    if not isinstance(a, DriveAddress):
        return
    for d in ctx.domain.devices.disks:
        da = d.info.address
        if d.bus == "scsi" and isinstance(da, DriveAddress) and \
                (da.controller, da.bus, da.target, da.unit) == \
                (a.controller, a.bus, a.target, a.unit):
            refuse(ErrorCode.XML_ERROR, f"SCSI host address controller='{a.controller}' "
                   f"bus='{a.bus}' target='{a.target}' unit='{a.unit}' in use by a SCSI disk")


def _memory(ctx: BuildContext) -> None:
    """virDomainDefPostParseMemory: memory sizes add up (sizes in KiB)."""
    d = ctx.domain
    root = d.root
    total = (size_kib(root.find("memory")) if root is not None else None) or 0
    numa_total = sum(size_kib_attr(c) for c in cells(d)) if not total or ctx.abi_update else 0
    modules = sum(size_kib(dev.elem.at("target", "size")) or 0
                  for dev in d.devices.of("memory"))
    if numa_total:
        total = numa_total + modules
    elif modules > total:
        refuse(ErrorCode.XML_ERROR, "Total size of memory devices exceeds the total memory size")
    if total - modules == 0:
        refuse(ErrorCode.XML_ERROR, "Memory size must be specified via <memory> or in the "
               "<numa> configuration")
    mm = d.max_memory
    max_kib = (size_kib(mm) if mm is not None else None) or 0
    if not max_kib and mm is not None and number(mm.get("slots")):
        refuse(ErrorCode.XML_ERROR, "maximum memory size must be specified when specifying "
               "number of memory slots")
    if max_kib and max_kib < total:
        refuse(ErrorCode.XML_ERROR,
               "maximum memory size must be equal or greater than the actual memory size")


def size_kib_attr(cell: Elem) -> int:
    """A NUMA cell's memory (memory='...' unit='...') in KiB."""
    value = number(cell.get("memory"))
    scale = SCALE.get((cell.get("unit") or "KiB").lower())
    if value is None or scale is None:
        return 0
    return -(-value * scale // 1024)


def _boot_order(ctx: BuildContext) -> None:
    """virDomainDefBootOrderPostParse: boot orders are unique and exclude <os><boot>."""
    if ctx.domain.os.type != "hvm":
        return
    # only a device with a <boot> element has an order: without one, nothing to visit
    if all(dev.elem.find("boot") is None for dev in ctx.domain.devices.items):
        return
    from .domain_validate import devices_in_libvirt_order

    seen: set[int] = set()
    visited: set[int] = set()
    for dev in devices_in_libvirt_order(ctx):
        if id(dev) in visited:
            continue
        visited.add(id(dev))
        order = number(dev.elem.attr_at("order", "boot"))
        if not order:
            continue
        if order in seen:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"boot order '{order}' used for more than one device")
        seen.add(order)
    if seen and ctx.domain.os.boot_devs:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "per-device boot elements cannot be used together "
               "with os/boot elements")


def _timers(ctx: BuildContext) -> None:
    """virDomainDefPostParseTimer: which timer takes which setting."""
    clock = ctx.domain.clock
    for timer in clock.findall("timer") if clock is not None else []:
        name = timer.get("name") or ""
        policy = timer.get("tickpolicy")
        if name in ("kvmclock", "hypervclock") and policy:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"timer {name} doesn't support setting of timer tickpolicy")
        catchup = timer.find("catchup")
        if policy != "catchup" and catchup is not None and any(
                number(catchup.get(a)) for a in ("threshold", "slew", "limit")):
            refuse(ErrorCode.XML_ERROR, "setting of timer catchup policies is only supported "
                   "with tickpolicy='catchup'")
        if name != "tsc":
            if number(timer.get("frequency")):
                refuse(ErrorCode.CONFIG_UNSUPPORTED,
                       f"timer {name} doesn't support setting of timer frequency")
            if timer.get("mode"):
                refuse(ErrorCode.CONFIG_UNSUPPORTED,
                       f"timer {name} doesn't support setting of timer mode")
        if name not in ("platform", "rtc") and timer.get("track"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"timer {name} doesn't support setting of timer track")


__all__ = ["validate_postparse"]
