"""qemuValidateDomainDef (qemu_validate.c): the QEMU driver's domain-wide checks.

They run before any device is validated, in libvirt's order: the emulator's support for
the OS type, architecture, virt type and machine, ACPI/UEFI, lifecycle actions, the CPU,
iothreads, timers, power management, boot, the vCPU topology, features, memory, NUMA,
consoles, sysinfo, panic devices, TPMs, watchdogs and launch security.
"""

from __future__ import annotations

from capsdb.model import Machine

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model import Elem
from ..model.sizes import SYSTEM_PAGE_KIB
from ..parse import scaled_kib
from .. import machines as m
from .memory_hotplug import validate_memory_hotplug

CONFIG = ErrorCode.CONFIG_UNSUPPORTED

# QEMU_MAX_VCPUS_WITHOUT_EIM: more vCPUs need the IOMMU's extended interrupt mode
MAX_VCPUS_WITHOUT_EIM = 255
# the largest <clock offset='absolute' start=...> glib can turn into a date
MAX_CLOCK_START = 253402300799


def _root(ctx: BuildContext) -> Elem:
    return ctx.domain.root or Elem(tag="domain")


def feature_switch(ctx: BuildContext, name: str) -> str | None:
    """A <features> switch: 'on'/'off' when written, None when absent."""
    f = ctx.domain.feature(name)
    if f is None:
        return None
    state = f.get("state")
    if name == "async-teardown":
        state = f.get("enabled")
    return "off" if state in ("off", "no") else "on"


def uses_uefi(ctx: BuildContext) -> bool:
    """firmware='efi', or an old-style pflash <loader type='pflash'> (virDomainDefHasOldStyleUEFI)."""
    os_ = ctx.domain.os
    if os_.firmware == "efi":
        return True
    if os_.loader is not None and os_.loader.get("type") == "pflash":
        return True
    fw = os_.resolved_fw
    return os_.loader is not None and fw is not None and fw.loader_type == "pflash"


def validate_domain(ctx: BuildContext) -> None:
    """qemuValidateDomainDef, in libvirt's order."""
    _emulator_support(ctx)
    _acpi_and_uefi(ctx)
    _genid_and_bios_serial(ctx)
    _lifecycle(ctx)
    _cpu(ctx)
    validate_memory_hotplug(ctx)  # qemuDomainDefValidateMemoryHotplug (qemu_domain.c)
    _iothreads(ctx)
    _clock_timers(ctx)
    _pm(ctx)
    _boot(ctx)
    _vcpu_topology(ctx)
    _cachetune(ctx)
    _features(ctx)
    _memory(ctx)
    _numa(ctx)
    _consoles(ctx)
    _sysinfo(ctx)
    _panics(ctx)
    _tpms(ctx)
    _watchdogs(ctx)
    _launch_security(ctx)


def _emulator_support(ctx: BuildContext) -> None:
    d, emu = ctx.domain, m.emulator(ctx)
    if d.os.type != "hvm":
        refuse(CONFIG, f"Emulator '{emu}' does not support os type '{d.os.type}'")
    arch, host = ctx.arch, ctx.caps.arch
    if arch != host and (host, arch) not in (("x86_64", "i686"), ("aarch64", "armv7l"),
                                             ("armv7l", "armv6l"), ("ppc64", "ppc64le")):
        refuse(CONFIG, f"Emulator '{emu}' does not support arch '{arch}'")
    virt = d.virt_type
    if {"qemu": "tcg", "kvm": "kvm", "hvf": "hvf"}.get(virt) not in ctx.caps.flags:
        refuse(CONFIG, f"Emulator '{emu}' does not support virt type '{virt}'")
    if ctx.caps.find_machine(m.machine(ctx), virt) is None:
        refuse(CONFIG, f"Emulator '{emu}' does not support machine type '{m.machine(ctx)}'")


def _acpi_and_uefi(ctx: BuildContext) -> None:
    d = ctx.domain
    acpi = feature_switch(ctx, "acpi") == "on"
    machine = ctx.caps.find_machine(m.machine(ctx), d.virt_type)
    no_acpi = machine is not None and machine.acpi is False
    if acpi and no_acpi and ctx.arch in m.S390 and not ctx.abi_update:
        acpi = False  # qemuDomainDefACPIPostParse strips it from existing s390 configs
    if acpi and no_acpi:
        refuse(CONFIG, f"machine type '{m.machine(ctx)}' does not support ACPI")
    tune = _root(ctx).find("memtune")
    if tune is not None and tune.find("min_guarantee") is not None:
        refuse(CONFIG, "Parameter 'min_guarantee' not supported by QEMU.")
    if uses_uefi(ctx) and ctx.arch in m.X86 and not acpi:
        refuse(CONFIG, "UEFI requires ACPI on this architecture")
    if acpi and ctx.arch == "aarch64" and not uses_uefi(ctx):
        refuse(CONFIG, "ACPI requires UEFI on this architecture")


def _genid_and_bios_serial(ctx: BuildContext) -> None:
    d = ctx.domain
    if d.genid is not None and not ctx.has("vmgenid"):
        refuse(CONFIG, "this QEMU does not support the 'genid' capability")
    bios = d.os.bios
    if bios is not None and bios.get("useserial") == "yes":
        if ctx.arch not in m.X86:
            refuse(CONFIG, "BIOS serial console only supported on x86 architectures")
        if not d.devices.chardevs("serial"):
            refuse(ErrorCode.XML_ERROR,
                   "need at least one serial port to use BIOS serial output")


def _lifecycle(ctx: BuildContext) -> None:
    """qemuValidateLifecycleAction."""
    d = ctx.domain
    actions = (d.on_poweroff, d.on_reboot, d.on_crash)
    if "rename-restart" in actions:
        refuse(CONFIG, "qemu driver doesn't support the 'rename-restart' action for "
                       "'on_reboot'/'on_poweroff'/'on_crash'")
    if "preserve" in (d.on_poweroff, d.on_reboot):
        refuse(CONFIG, "qemu driver doesn't support the 'preserve' action for "
                       "'on_reboot'/'on_poweroff'")
    if d.on_poweroff == "restart" and d.on_reboot == "destroy":
        refuse(CONFIG, "qemu driver doesn't support 'onReboot' set to 'destroy and "
                       "'onPoweroff' set to 'reboot'")


def _cpu(ctx: BuildContext) -> None:
    """qemuValidateDomainDefCpu."""
    cpu = ctx.domain.cpu
    if cpu is None:
        return
    mode = cpu.get("mode") or "custom"
    addr = cpu.find("maxphysaddr")
    if addr is not None:
        if ctx.arch not in m.X86:
            refuse(CONFIG, "CPU maximum physical address bits specification is not supported "
                           f"for '{ctx.arch}' architecture")
        if addr.get("mode") == "passthrough" and addr.get("bits") is not None:
            refuse(CONFIG, "CPU maximum physical address bits number specification cannot be "
                           "used with mode='passthrough'")
    cache = cpu.find("cache")
    if cache is not None:
        if ctx.arch not in m.X86:
            refuse(CONFIG, "CPU cache specification is not supported for "
                           f"'{ctx.arch}' architecture")
        cmode, level = cache.get("mode"), cache.get("level")
        if cmode == "emulate" and level != "3":
            refuse(CONFIG, f"CPU cache mode '{cmode}' can only be used with level='3'")
        if cmode == "passthrough" and mode not in ("host-passthrough", "maximum"):
            refuse(CONFIG, f"CPU cache mode '{cmode}' can only be used with "
                           "'host-passthrough' / 'maximum' CPUs")
        if cmode in ("passthrough", "disable") and level is not None:
            refuse(CONFIG, f"unsupported CPU cache level for mode '{cmode}'")
    if mode == "host-passthrough" and cpu.get("migratable") == "on" \
            and not ctx.has("cpu.migratable"):
        refuse(CONFIG, "Migratable attribute for host-passthrough CPU is not supported by "
                       "this QEMU binary")
    if mode == "maximum" and not ctx.has("cpu-max"):
        refuse(CONFIG, "maximum CPU is not supported by QEMU binary")


def _iothreads(ctx: BuildContext) -> None:
    """qemuValidateDomainDefIOThreads: thread pools need iothread.thread-pool-max."""
    d = ctx.domain
    threads = list(d.iothreadids.findall("iothread")) if d.iothreadids is not None else []
    default = d.iothreadids.find("defaultiothread") if d.iothreadids is not None else None
    default = default if default is not None else _root(ctx).find("defaultiothread")
    pools = [t for t in [*threads, default] if t is not None
             and (t.get("thread_pool_min") is not None or t.get("thread_pool_max") is not None)]
    if pools and not ctx.has("iothread.thread-pool-max"):
        refuse(CONFIG, "thread_pool_min and thread_pool_max is not supported by this QEMU "
                       "binary")


def _timer_scope(ctx: BuildContext, name: str) -> str:
    return (f"Configuring the '{name}' timer is not supported for "
            f"virtType={ctx.domain.virt_type} arch={ctx.arch} machine={m.machine(ctx)} guests")


def _clock_timers(ctx: BuildContext) -> None:
    """qemuValidateDomainDefClockTimers."""
    clock = ctx.domain.clock
    if clock is None:
        return
    for t in clock.findall("timer"):
        name, present, policy = t.get("name"), t.get("present"), t.get("tickpolicy")
        if name == "platform":
            refuse(CONFIG, f"unsupported timer type (name) '{name}'")
        if name in ("tsc", "kvmclock", "hypervclock"):
            if ctx.arch not in m.X86 and present == "yes":
                refuse(CONFIG, _timer_scope(ctx, name))
        elif name == "rtc":
            if t.get("track") == "boot":
                refuse(CONFIG, "unsupported rtc timer track 'boot'")
            if policy in ("merge", "discard"):
                refuse(CONFIG, f"unsupported rtc timer tickpolicy '{policy}'")
        elif name == "pit":
            if policy == "merge" or (policy == "catchup"
                                     and not ctx.has("kvm-pit-lost-tick-policy")):
                refuse(CONFIG, f"unsupported pit tickpolicy '{policy}'")
        elif name == "hpet":
            if present == "yes" and ctx.arch not in m.X86:
                refuse(CONFIG, "hpet timer is not supported by this architecture")
        elif name == "armvtimer":
            if ctx.domain.virt_type != "kvm" or not m.is_arm_virt(ctx):
                refuse(CONFIG, _timer_scope(ctx, name))
            if present == "no":
                refuse(CONFIG, f"The '{name}' timer can't be disabled")
            if not ctx.has("cpu.kvm-no-adjvtime"):
                refuse(CONFIG, f"Configuring the '{name}' timer is not supported with this "
                               "QEMU binary")
            if policy in ("catchup", "merge"):
                refuse(CONFIG, f"The '{name}' timer does not support tickpolicy '{policy}'")
    start = clock.get("start")
    if clock.get("offset") == "absolute" and start is not None and start.isdigit() \
            and int(start) > MAX_CLOCK_START:
        refuse(CONFIG, "The maximum 'start' value for <clock offset='absolute'> is "
                       "253402300799")


def _pm(ctx: BuildContext) -> None:
    pm = ctx.domain.pm
    if pm is None or ctx.arch in m.X86:
        return
    if pm.find("suspend-to-mem") is not None or pm.find("suspend-to-disk") is not None:
        refuse(CONFIG, "setting ACPI S3/S4 not supported")


def _boot(ctx: BuildContext) -> None:
    """qemuValidateDomainDefBoot (and qemuValidateDomainDefNvram)."""
    root, os_ = _root(ctx), ctx.domain.os
    if root.find("bootloader") is not None or root.find("bootloader_args") is not None:
        refuse(CONFIG, "bootloader is not supported by QEMU")
    loader = os_.loader
    if loader is not None and loader.get("secure") == "yes":
        if not m.is_q35(ctx):
            refuse(CONFIG, "Secure boot is supported with q35 machine types only")
        if ctx.arch != "x86_64":
            refuse(CONFIG, "Secure boot is supported for x86_64 architecture only")
        if not os_.firmware and feature_switch(ctx, "smm") != "on":
            refuse(CONFIG, "Secure boot requires SMM feature enabled")
    if loader is not None or os_.firmware:
        _nvram(os_.nvram)
    for table in os_.elem.findall("acpi") if os_.elem is not None else ():
        for t in table.findall("table"):
            if t.get("type") == "rawset":
                refuse(CONFIG, "ACPI table type 'rawset' is not supported")
    if os_.elem is not None and os_.elem.find("shim") is not None and not ctx.has("shim"):
        refuse(CONFIG, "shim is not supported by this QEMU binary")


def _nvram(nvram: Elem | None) -> None:
    if nvram is None:
        return
    ntype = nvram.get("type")
    if ntype in ("dir", "volume", "nvme", "vhostuser", "vhostvdpa"):
        refuse(CONFIG, f"unsupported nvram disk type '{ntype}'")
    src = nvram.find("source")
    if src is None:
        return
    if src.find("slices") is not None:
        refuse(CONFIG, "slices are not supported with NVRAM")
    if src.find("reservations") is not None:
        refuse(CONFIG, "persistent reservations are not supported with NVRAM")


def vcpus_max(ctx: BuildContext) -> int:
    return ctx.domain.vcpu.count


def check_machine_max_vcpus(ctx: BuildContext, machine: "Machine | None") -> None:
    """The machine type's CPU limit (qemuValidateDomainVCpuTopology). validate/checks.py
    also applies it right after parsing, so that no step iterates a huge vCPU count."""
    if machine is not None and 0 < machine.max_cpus < vcpus_max(ctx):
        refuse(CONFIG, f"Maximum CPUs greater than specified machine type limit "
                       f"{machine.max_cpus}")


def _vcpu_topology(ctx: BuildContext) -> None:
    """qemuValidateDomainVCpuTopology."""
    d = ctx.domain
    current = d.vcpu.current if d.vcpu.current is not None else d.vcpu.count
    if current == 0:
        refuse(CONFIG, "Domain requires at least 1 vCPU")
    check_machine_max_vcpus(ctx, ctx.caps.find_machine(m.machine(ctx), d.virt_type))
    topo = d.cpu.find("topology") if d.cpu is not None else None
    if topo is not None:
        product = 1
        for attr in ("sockets", "dies", "clusters", "cores", "threads"):
            value = topo.get(attr)
            product *= int(value) if value is not None and value.isdigit() else 1
        if product != vcpus_max(ctx):
            refuse(CONFIG, "CPU topology doesn't match maximum vcpu count")
        threads = topo.get("threads")
        granularity = int(threads) if m.is_pseries(ctx) and threads and threads.isdigit() \
            and topo.get("sockets") not in (None, "0") else 1
        if granularity and current % granularity:
            refuse(CONFIG, "vCPUs count must be a multiple of the vCPU hotplug granularity "
                           f"({granularity})")
    if ctx.arch in m.X86 and vcpus_max(ctx) > MAX_VCPUS_WITHOUT_EIM:
        if not m.is_q35(ctx):
            refuse(CONFIG, f"more than {MAX_VCPUS_WITHOUT_EIM} vCPUs are only supported on "
                           "q35-based machine types")
        iommu = d.devices.of("iommu")
        eim = iommu[0].elem.attr_at("eim", "driver") if iommu else None
        if eim != "on":
            refuse(CONFIG, f"more than {MAX_VCPUS_WITHOUT_EIM} vCPUs require extended "
                           "interrupt mode enabled on the iommu device")


def _cachetune(ctx: BuildContext) -> None:
    tune = _root(ctx).find("cputune")
    if tune is not None and tune.findall("cachetune") and ctx.domain.virt_type != "kvm":
        refuse(CONFIG, "cachetune is only supported for KVM domains")


def _unsupported_feature(ctx: BuildContext, name: str) -> str:
    """The machine as post-parse left it: an alias is already the versioned type
    (qemuCanonicalizeMachine), which libvirt's harness skips for its newest capabilities."""
    return (f"The '{name}' feature is not supported for architecture '{ctx.arch}' or "
            f"machine type '{m.machine(ctx)}'")


_PSERIES_FEATURES = ("hpt", "htm", "nested-hv", "ccf-assist", "cfpc", "sbbc", "ibs")


def _features(ctx: BuildContext) -> None:
    """qemuValidateDomainDefFeatures, in libvirt's feature order."""
    d = ctx.domain
    x86 = ctx.arch in m.X86
    for f in ("apic",):
        apic = d.feature(f)
        if apic is not None and apic.get("eoi") is not None and not x86:
            refuse(CONFIG, f"The 'eoi' attribute of the '{f}' feature is not supported for "
                           f"architecture '{ctx.arch}' or machine type '{m.machine(ctx)}'")
    hyperv = d.feature("hyperv")
    if hyperv is not None and not x86 and not m.is_arm_virt(ctx):
        refuse(CONFIG, f"Hyperv features are not supported for architecture '{ctx.arch}' or "
                       f"machine type '{m.machine(ctx)}'")
    if d.feature("pvspinlock") is not None and not x86:
        refuse(CONFIG, _unsupported_feature(ctx, "pvspinlock"))
    if feature_switch(ctx, "pmu") == "off" and ctx.arch in m.PPC64:
        refuse(CONFIG, f"PMU is always enabled for architecture '{ctx.arch}'")
    vmport = feature_switch(ctx, "vmport")
    if vmport is not None and not (ctx.has("machine-vmport-opt") and (
            m.is_i440fx(ctx) or m.is_q35(ctx) or m.machine(ctx) == "isapc")):
        refuse(CONFIG, "vmport is not available with this QEMU binary")
    if vmport == "on" and feature_switch(ctx, "ps2") == "off":
        refuse(CONFIG, "vmport feature requires the ps2 feature not to be disabled")
    gic = d.feature("gic")
    if gic is not None and not m.is_arm_virt(ctx):
        refuse(CONFIG, _unsupported_feature(ctx, "gic"))
    ioapic = d.feature("ioapic")
    if ioapic is not None and ioapic.get("driver") and not x86:
        refuse(CONFIG, _unsupported_feature(ctx, "ioapic"))
    for name in _PSERIES_FEATURES[:1]:
        _pseries_feature(ctx, name)
    if feature_switch(ctx, "vmcoreinfo") == "on" and not ctx.has("vmcoreinfo"):
        refuse(CONFIG, "vmcoreinfo is not available with this QEMU binary")
    for name in ("htm", "nested-hv", "ccf-assist", "cfpc", "sbbc", "ibs"):
        _pseries_feature(ctx, name)
    if feature_switch(ctx, "tcg") is not None:
        if d.virt_type != "qemu":
            refuse(CONFIG, f"TCG features are incompatible with domain type '{d.virt_type}'")
        tb = scaled_kib(d.feature("tcg").find("tb-cache"))  # type: ignore[union-attr]
        if tb is not None and tb & 0x3ff:
            refuse(CONFIG, "tb-cache size must be an integer multiple of MiB")
    if feature_switch(ctx, "async-teardown") == "on" and \
            not ctx.has("run-with.async-teardown"):
        refuse(CONFIG, "asynchronous teardown is not available with this QEMU binary")
    if d.feature("ras") is not None:
        if not m.is_arm_virt(ctx):
            refuse(CONFIG, "ras feature is only supported with ARM Virt machines")
        if not ctx.has("machine.virt.ras"):
            refuse(CONFIG, "ras feature is not available with this QEMU binary")
    if d.feature("ps2") is not None:
        i8042 = m.is_i440fx(ctx) or m.is_q35(ctx) or m.is_xenfv(ctx) \
            or m.machine(ctx) == "isapc"
        if not (ctx.has("i8042") and i8042):
            refuse(CONFIG, "ps2 feature is not available with this QEMU binary")
        if not (ctx.has("machine-i8042-opt") and i8042):
            refuse(CONFIG, "ps2 feature state cannot be controlled with this QEMU binary")
    aia = d.feature("aia")
    if aia is not None and aia.get("value") not in (None, "default"):
        if not m.is_riscv_virt(ctx):
            refuse(CONFIG, "aia feature is only supported with RISC-V Virt machines")
        if not ctx.has("machine.virt.aia"):
            refuse(CONFIG, "aia feature is not available with this QEMU binary")


def _pseries_feature(ctx: BuildContext, name: str) -> None:
    """qemuValidateDomainDefPSeriesFeature."""
    if ctx.domain.feature(name) is not None and not m.is_pseries(ctx):
        refuse(CONFIG, _unsupported_feature(ctx, name))


def _memory(ctx: BuildContext) -> None:
    """qemuValidateDomainDefMemory: what huge pages may be combined with."""
    backing = ctx.domain.memory_backing
    huge = backing.find("hugepages") if backing is not None else None
    if backing is None or huge is None:
        return
    alloc, source = backing.find("allocation"), backing.find("source")
    if alloc is not None and alloc.get("mode") == "ondemand":
        refuse(CONFIG, "hugepages are not allowed with memory allocation ondemand")
    if alloc is not None and alloc.get("threads") not in (None, "0") \
            and not ctx.has("memory-backend-file.prealloc-threads"):
        refuse(CONFIG, "preallocation threads are unsupported with this QEMU")
    stype = source.get("type") if source is not None else None
    if stype == "anonymous":
        refuse(CONFIG, "hugepages are not allowed with anonymous memory source")
    if stype == "memfd" and not ctx.has("memory-backend-memfd.hugetlb"):
        refuse(CONFIG, "hugepages is not supported with memfd memory source")
    machine = ctx.caps.find_machine(m.machine(ctx), ctx.domain.virt_type)
    access = backing.attr_at("mode", "access")
    pages = huge.findall("page")
    first = scaled_kib(Elem(tag="page", attrs={"size": pages[0].get("size", ""),
                                                "unit": pages[0].get("unit", "KiB")})) \
        if pages and (pages[0].get("size") or "").isdigit() else None
    if (machine is None or not machine.default_ram_id) and first != SYSTEM_PAGE_KIB \
            and not ctx.domain.numa_cells and access not in (None, "private"):
        refuse(CONFIG, f"memory access mode '{access}' not supported without guest numa "
                       "node")


def _numa(ctx: BuildContext) -> None:
    """qemuValidateDomainDefNuma: HMAT (latencies/caches) needs numa.hmat."""
    numa = ctx.domain.cpu.find("numa") if ctx.domain.cpu is not None else None
    if numa is None:
        return
    hmat = numa.find("interconnects") is not None or any(
        cell.find("cache") is not None for cell in numa.findall("cell"))
    if hmat and not ctx.has("numa.hmat"):
        refuse(CONFIG, "HMAT is not supported with this QEMU")


def _consoles(ctx: BuildContext) -> None:
    """qemuValidateDomainDefConsole."""
    for c in ctx.domain.devices.chardevs("console"):
        if c.target_type == "sclp" and not ctx.has("s390-sclp"):
            refuse(CONFIG, "sclpconsole is not supported in this QEMU binary")
        if c.target_type == "sclplm" and not ctx.has("sclplmconsole"):
            refuse(CONFIG, "sclplmconsole is not supported in this QEMU binary")
        if c.target_type not in (None, "sclp", "sclplm", "virtio", "serial"):
            refuse(CONFIG, f"unsupported console target type {c.target_type}")


def _sysinfo(ctx: BuildContext) -> None:
    """qemuValidateDomainDefSysinfo: fw_cfg entries live under opt/, not reserved names."""
    for info in ctx.domain.sysinfo:
        for entry in info.findall("entry") if info.get("type") == "fwcfg" else ():
            name = entry.get("name") or ""
            if not name.startswith("opt/"):
                refuse(CONFIG, "Invalid firmware name")
            if name.startswith(("opt/ovmf/", "opt/org.qemu/")):
                refuse(CONFIG, "That firmware name is reserved")


def default_panic_model(ctx: BuildContext) -> str | None:
    """qemuDomainDefaultPanicModel: the machine policy's (translator/policy)."""
    return ctx.policy.default_panic_model(ctx)


# panic models the platform provides: where they exist, and that they take no address
_FIRMWARE_PANICS = {
    "s390": ("only S390 guests support panic device of model 's390'",
             "setting the panic device address is not supported for model 's390'"),
    "hyperv": ("only i686 and x86_64 guests support panic device of model 'hyperv'",
               "setting the panic device address is not supported for model 'hyperv'"),
    "pseries": ("only pSeries guests support panic device of model 'pseries'",
                "setting the panic device address is not supported for model 'pseries'"),
}


def _panics(ctx: BuildContext) -> None:
    """qemuValidateDomainDefPanic."""
    for p in ctx.domain.devices.of("panic"):
        model = p.elem.get("model") or default_panic_model(ctx)
        addr = p.elem.find("address")
        atype = addr.get("type") if addr is not None else None
        if model in _FIRMWARE_PANICS:
            allowed = {"s390": ctx.arch in m.S390, "hyperv": ctx.arch in m.X86,
                       "pseries": m.is_pseries(ctx)}[model]
            wrong_arch, no_address = _FIRMWARE_PANICS[model]
            if not allowed:
                refuse(CONFIG, wrong_arch)
            if addr is not None:
                refuse(CONFIG, no_address)
        elif model == "isa":
            if not ctx.has("pvpanic"):
                refuse(CONFIG, "the QEMU binary does not support the ISA panic device")
            if atype not in (None, "isa"):
                refuse(CONFIG, "panic is supported only with ISA address type")
        elif model == "pvpanic":
            if not ctx.has("pvpanic-pci"):
                refuse(CONFIG, "the QEMU binary does not support the PCI pvpanic device")
            if atype not in (None, "pci"):
                refuse(CONFIG, "pvpanic is supported only with PCI address type")
        elif model is None:
            refuse(CONFIG, "no panic model provided, and no default for the architecture and "
                           "machine type")


def _tpms(ctx: BuildContext) -> None:
    proxy = regular = False
    for t in ctx.domain.devices.of("tpm"):
        if t.elem.get("model") == "spapr-tpm-proxy":
            if proxy:
                refuse(CONFIG, "only a single TPM Proxy device is supported")
            proxy = True
        else:
            if regular:
                refuse(CONFIG, "only a single TPM non-proxy device is supported")
            regular = True


def _watchdogs(ctx: BuildContext) -> None:
    seen: set[str] = set()
    for w in ctx.domain.devices.of("watchdog"):
        model = w.elem.get("model") or ""
        if model == "i6300esb":
            continue
        if model in seen:
            refuse(CONFIG, f"domain can only have one watchdog with model '{model}'")
        seen.add(model)


def _launch_security(ctx: BuildContext) -> None:
    sec = ctx.domain.launch_security
    if sec is None:
        return
    stype = sec.get("type") or ""
    supported = {"sev": ctx.has("sev-guest"), "sev-snp": ctx.has("sev-snp-guest"),
                 "s390-pv": ctx.has("s390-pv-guest")
                 and ctx.has("confidential-guest-support")}
    if not supported.get(stype, False):
        refuse(CONFIG, f"'{stype}' launch security is not supported with this QEMU binary")
    if stype == "sev" and sec.get("kernelHashes") is not None \
            and not ctx.has("sev-guest-kernel-hashes"):
        refuse(CONFIG, "SEV measured direct kernel boot is not supported with this QEMU "
                       "binary")
