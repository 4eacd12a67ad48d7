"""Domain-wide stages: name, machine, accelerator, CPU, memory, SMP, clock, boot, ...

Branches (qemuBuildCommandLine's domain-wide stages; [x] built, [ ] not):
- [x] environment (LC_ALL, PATH, HOME/USER/LOGNAME, XDG dirs, TZ for localtime clocks)
- [x] -name guest=...,debug-threads=on; -S; masterKey0 secret object
- [x] -machine: type, usb=off, dump-guest-core, mem-merge, vmport, smm, kernel_irqchip,
      gic-version, hpt/resize and cap-* (pseries), deakeywrap/aes (s390), iommu,
      memory-backend, acpi, pflash/confidential-guest-support, hmat
- [x] -accel kvm/tcg (tb-size, dirty-ring-size, split irqchip); TSEG extension global
- [x] -uuid, -display none, -no-user-config, -nodefaults, monitor chardev (fd or path)
- [x] -rtc (utc/localtime/variable offsets, driftfix), kvm-pit / hpet / no-shutdown globals
- [x] -no-reboot lifecycle, -no-acpi, PM globals (disable_s3/disable_s4 per chipset)
- [x] -boot (order only without per-device boot order, menu, splash, reboot-timeout, strict),
      -kernel/-initrd/-append/-dtb, -acpitable
- [x] -sandbox, -run-with async-teardown, -msg timestamp=on
- [ ] -incoming (restore/migration: set by the caller, not the domain XML)
"""

from __future__ import annotations

import time

from ..cmdline import Source, default_source, xml_source
from ..context import BuildContext
from ..model import Elem, Sound
from ..props import Props, escape_comma, to_json
from ..model.sizes import scaled_kib
from .display_common import audiodev_id
from .firmware import pflash_machine_props
from .memdev import sgx_epc_machine_props
from .memory import has_hmat, has_numa

HOST = Source("host", "libvirt host environment")


def build_environment(ctx: BuildContext) -> None:
    home = ctx.domain_dir
    profile = f"({ctx.host.name} profile)"
    src = default_source(f"libvirt's per-domain directory for QEMU's files {profile}")
    ctx.cmd.setenv("LC_ALL", "C", default_source(
        "libvirt starts QEMU in the C locale so that its messages can be parsed"))
    ctx.cmd.setenv("PATH", ctx.host.path_env, default_source(
        f"libvirt passes its own daemon's PATH to QEMU {profile}"))
    ctx.cmd.setenv("HOME", home, src)
    if ctx.host.user:
        user_src = default_source(f"the user libvirt runs QEMU as {profile}")
        ctx.cmd.setenv("USER", ctx.host.user, user_src)
        ctx.cmd.setenv("LOGNAME", ctx.host.user, user_src)
    ctx.cmd.setenv("XDG_DATA_HOME", f"{home}/.local/share", src)
    ctx.cmd.setenv("XDG_CACHE_HOME", f"{home}/.cache", src)
    ctx.cmd.setenv("XDG_CONFIG_HOME", f"{home}/.config", src)
    clock = ctx.domain.clock
    if clock is not None and clock.get("offset") == "timezone" and clock.get("timezone"):
        ctx.cmd.setenv("TZ", clock.get("timezone"), xml_source(clock))


def build_name(ctx: BuildContext) -> None:
    root = ctx.domain.root
    name_elem = root.find("name") if root is not None else None
    value = f"guest={escape_comma(ctx.domain.name)},debug-threads=on"
    ctx.cmd.add("-name", value, xml_source(name_elem))


def build_stopped(ctx: BuildContext) -> None:
    ctx.cmd.add("-S", source=default_source("libvirt starts QEMU paused (-S) and resumes it over QMP"))


def build_incoming(ctx: BuildContext) -> None:
    """`-incoming`: where a migrated or restored guest's state comes from.  A daemon that
    really starts QEMU passes `defer` and hands the URI over QMP once QEMU runs; the
    pretend builds (domxml-to-native, libvirt's harness) print the URI itself."""
    if ctx.incoming is None:
        return
    uri = "defer" if ctx.host.defers_incoming else ctx.incoming
    ctx.cmd.add("-incoming", uri, source=Source("host", "the incoming migration URI"))


def build_master_key(ctx: BuildContext) -> None:
    props = Props(("qom-type", "secret"), ("id", "masterKey0"), ("format", "raw"),
                  ("file", f"{ctx.domain_dir}/master-key.aes"))
    ctx.cmd.add_json("-object", props, default_source("per-domain master key for secrets"))


def _timer(ctx: BuildContext, name: str) -> Elem | None:
    clock = ctx.domain.clock
    if clock is None:
        return None
    for t in clock.findall("timer"):
        if t.get("name") == name:
            return t
    return None


def _feature_state(ctx: BuildContext, name: str) -> str | None:
    """'on'/'off' for a <features> switch given in the XML, None when absent."""
    f = ctx.domain.feature(name)
    if f is None:
        return None
    return "off" if f.get("state") in ("off", "no") else "on"


def smm_state(ctx: BuildContext) -> str | None:
    """<smm>, or 'on' when the chosen firmware needs SMM (libvirt turns it on itself)."""
    state = _feature_state(ctx, "smm")
    fw = ctx.domain.os.resolved_fw
    if state is None and fw is not None and fw.requires_smm:
        return "on"
    return state


def _machine_feature_props(ctx: BuildContext) -> list[str]:
    """The <features> rendered as -machine properties, in libvirt's feature order."""
    out: list[str] = []
    vmport = _feature_state(ctx, "vmport")
    if vmport is not None and ctx.is_x86 and ctx.has("machine-vmport-opt"):
        out.append(f"vmport={vmport}")
    smm = smm_state(ctx)
    if smm is not None:
        out.append(f"smm={smm}")
    ioapic = ctx.domain.feature("ioapic")
    if ioapic is not None and ioapic.get("driver") in ("qemu", "kvm"):
        out.append("kernel_irqchip=" + ("split" if ioapic.get("driver") == "qemu" else "on"))
    out += ctx.policy.machine_feature_props(ctx)
    ps2 = _feature_state(ctx, "ps2")
    if ps2 is not None:
        out.append(f"i8042={ps2}")
    aia = ctx.domain.feature("aia")  # RISC-V virt's only (validate/ refused it elsewhere)
    if aia is not None and aia.get("value"):
        out.append(f"aia={aia.get('value')}")
    return out


def _launch_security_id(ctx: BuildContext) -> str | None:
    ls = ctx.domain.launch_security
    if ls is not None and ls.get("type") in ("sev", "sev-snp", "tdx", "s390-pv"):
        return "lsec0"
    return None


def build_machine(ctx: BuildContext) -> None:
    d = ctx.domain
    parts = [escape_comma(d.os.machine or ""), "usb=off"]
    parts += _machine_feature_props(ctx)
    parts += ctx.policy.machine_board_props(ctx)
    core = d.root.attr_at("dumpCore", "memory") if d.root is not None else None
    parts.append(f"dump-guest-core={core or 'off'}")
    if d.memory_backing is not None and d.memory_backing.find("nosharepages") is not None:
        parts.append("mem-merge=off")
    if any(m.family == "memory" and m.elem.get("model") == "nvdimm" for m in d.devices.items):
        parts.append("nvdimm=on")  # QEMU needs the machine's NVDIMM support switched on
    parts += sgx_epc_machine_props(ctx)
    machine = ctx.caps.find_machine(d.os.machine or "", d.virt_type)
    if machine is not None and machine.default_ram_id and not has_numa(ctx):
        parts.append(f"memory-backend={machine.default_ram_id}")
    parts += ctx.policy.machine_cpu_props(ctx)
    lsec = _launch_security_id(ctx)
    if lsec is not None:
        parts.append(f"confidential-guest-support={lsec}")
    parts += [f"{k}={v}" for k, v in pflash_machine_props(ctx)]
    if has_hmat(ctx):
        parts.append("hmat=on")  # QEMU builds the ACPI HMAT only when asked to
    if d.os.elem is not None and d.os.elem.attr_at("useserial", "bios") == "yes":
        parts.append("graphics=off")  # on x86 the firmware's serial console output mode
    hpet = _timer(ctx, "hpet")
    if hpet is not None and hpet.get("present") is not None and ctx.has("machine-hpet"):
        parts.append(f"hpet={'on' if hpet.get('present') == 'yes' else 'off'}")
    parts += _pc_speaker_props(ctx)
    # x86, ARM, RISC-V and LoongArch follow QEMU's per-machine ACPI support
    if ctx.policy.follows_machine_acpi(ctx) and machine is not None and machine.acpi:
        parts.append(f"acpi={'on' if d.has_feature('acpi') else 'off'}")
    parts += ctx.policy.machine_tail_props(ctx)
    ctx.cmd.add("-machine", ",".join(parts), xml_source(d.os.elem.find("type") if d.os.elem else None))


def _pc_speaker_props(ctx: BuildContext) -> list[str]:
    """The PC speaker is the machine's own device: the first <sound model='pcspk'> names
    its audio backend on -machine (qemuBuildMachineCommandLine), not a -device."""
    for s in ctx.domain.devices.items:
        if isinstance(s, Sound) and s.model == "pcspk":
            audiodev = audiodev_id(ctx, s)
            return [f"pcspk-audiodev={audiodev}"] if audiodev else []
    return []


def build_tseg(ctx: BuildContext) -> None:
    """<smm><tseg> sizes q35's extended TSEG (in whole MiB)."""
    smm = ctx.domain.feature("smm")
    tseg = smm.find("tseg") if smm is not None else None
    if tseg is None or tseg.text is None:
        return
    size = scaled_kib(tseg, "mib") or 0  # q35 and whole MiB: checked in validate/
    if ctx.has("mch.extended-tseg-mbytes"):
        ctx.cmd.add("-global", f"mch.extended-tseg-mbytes={size // 1024}", xml_source(tseg))


def build_accel(ctx: BuildContext) -> None:
    """-accel with its options: KVM's dirty ring, TCG's translation-block cache size."""
    d = ctx.domain
    accel = "kvm" if ctx.is_kvm else ("tcg" if d.virt_type == "qemu" else d.virt_type)
    parts = [accel]
    if accel == "kvm":
        kvm = d.feature("kvm")
        ring = kvm.find("dirty-ring") if kvm is not None else None
        if ring is not None and ring.get("state") == "on" and ring.get("size"):
            parts.append(f"dirty-ring-size={ring.get('size')}")
    elif accel == "tcg":
        tcg = d.feature("tcg")
        tb = tcg.find("tb-cache") if tcg is not None else None
        if tb is not None and tb.text:
            parts.append(f"tb-size={(scaled_kib(tb) or 0) // 1024}")  # QEMU wants MiB
    ctx.cmd.add("-accel", ",".join(parts),
                Source("xml", "/domain/@type", d.root.line if d.root is not None else None))


def build_uuid(ctx: BuildContext) -> None:
    d = ctx.domain
    src = xml_source(d.root.find("uuid")) if d.root is not None and d.root.find("uuid") is not None \
        else default_source("a UUID derived from the domain name")
    ctx.cmd.add("-uuid", d.uuid or "", src)


def build_display_none(ctx: BuildContext) -> None:
    if not any(g.family == "graphics" for g in ctx.domain.devices.items):
        ctx.cmd.add("-display", "none", default_source("no <graphics>: QEMU's own display is disabled"))


def build_defaults(ctx: BuildContext) -> None:
    src = default_source("libvirt describes every device itself")
    ctx.cmd.add("-no-user-config", source=src)
    ctx.cmd.add("-nodefaults", source=src)


def build_monitor(ctx: BuildContext) -> None:
    """The QMP monitor's listening socket; a JSON -chardev when QEMU takes those."""
    src = default_source("libvirt's QMP monitor connection")
    fd = ctx.passed_fd(ctx.host.monitor_fd)
    path = f"{ctx.domain_dir}/monitor.sock"
    if ctx.has("chardev.json"):
        addr = {"type": "fd", "data": {"str": str(fd)}} if fd is not None \
            else {"type": "unix", "data": {"path": path}}
        ctx.cmd.add("-chardev", to_json({"id": "charmonitor", "backend": {
            "type": "socket", "data": {"addr": addr, "server": True, "wait": False}}}), src)
    elif fd is not None:
        ctx.cmd.add("-chardev", f"socket,id=charmonitor,fd={fd},server=on,wait=off", src)
    else:
        ctx.cmd.add("-chardev", f"socket,id=charmonitor,path={escape_comma(path)},"
                    "server=on,wait=off", src)
    ctx.cmd.add("-mon", "chardev=charmonitor,id=monitor,mode=control", src)


# the seconds GLib's GDateTime can hold (years 1 to 9999); outside them libvirt's
# g_date_time_add_seconds/new_from_unix_utc give NULL and the option reads "base=(null)"
_GDATETIME_RANGE = (-62135596800, 253402300799)


def _rtc_datetime(epoch: int) -> str:
    if not _GDATETIME_RANGE[0] <= epoch <= _GDATETIME_RANGE[1]:
        return "(null)"
    t = time.gmtime(epoch)
    return (f"{t.tm_year}-{t.tm_mon:02d}-{t.tm_mday:02d}"
            f"T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}")


def _rtc_base(ctx: BuildContext, clock: Elem | None) -> str:
    """QEMU's RTC start: a named base, or a date computed on the host when libvirt starts
    QEMU (variable: now + adjustment, optionally in local time; absolute: the given epoch)."""
    offset = clock.get("offset", "utc") if clock is not None else "utc"
    if clock is None or offset == "utc":
        return "utc"
    if offset in ("localtime", "timezone"):
        return "localtime"
    if offset == "absolute":
        return _rtc_datetime(int(clock.get("start") or 0))
    if offset == "variable":
        now = ctx.host.now() + int(clock.get("adjustment") or 0)
        if clock.get("basis") == "localtime":
            now += ctx.host.local_offset(now)
        return _rtc_datetime(now)
    return "utc"


_RTC_TRACK = {"guest": "vm", "realtime": "rt", "wall": "host"}
# the PIT's lost tick policy by tickpolicy (none: delay); catchup is kvm-pit's own default
_PIT_POLICY = {"delay": "delay", "discard": "discard"}


def build_clock(ctx: BuildContext) -> None:
    clock = ctx.domain.clock
    parts = [f"base={_rtc_base(ctx, clock)}"]
    rtc = _timer(ctx, "rtc")
    if rtc is not None:
        track = _RTC_TRACK.get(rtc.get("track") or "")
        if track:
            parts.append(f"clock={track}")
        if rtc.get("tickpolicy") == "catchup":
            parts.append("driftfix=slew")
    ctx.cmd.add("-rtc", ",".join(parts), xml_source(clock) if clock is not None
                else default_source("no <clock>: libvirt's default offset='utc'"))
    for timer in clock.findall("timer") if clock is not None else []:
        name = timer.get("name")
        if name == "pit":
            pol = _PIT_POLICY.get(timer.get("tickpolicy") or "delay")
            if pol and ctx.has("kvm-pit-lost-tick-policy"):
                ctx.cmd.add("-global", f"kvm-pit.lost_tick_policy={pol}", xml_source(timer))
        elif name == "hpet" and timer.get("present") == "no" and not ctx.has("machine-hpet"):
            ctx.cmd.add("-no-hpet", source=xml_source(timer))


def build_lifecycle(ctx: BuildContext) -> None:
    """libvirt 11 always passes -no-shutdown; on_reboot/on_poweroff are enforced over QMP."""
    ctx.cmd.add("-no-shutdown", source=default_source(
        "libvirt handles guest shutdown itself (-no-shutdown)"))
    _no_acpi(ctx)


def _no_acpi(ctx: BuildContext) -> None:
    """x86 machine types without an 'acpi' property take the old -no-acpi switch."""
    d = ctx.domain
    machine = ctx.caps.find_machine(d.os.machine or "", d.virt_type)
    if ctx.is_x86 and machine is not None and not machine.acpi and not d.has_feature("acpi"):
        ctx.cmd.add("-no-acpi", source=default_source(
            "no <acpi/> in <features>: ACPI off (this machine type has no 'acpi' property)"))


def build_pm(ctx: BuildContext) -> None:
    pm = ctx.domain.pm
    if pm is None or not ctx.is_x86:
        return
    dev = "ICH9-LPC" if ctx.is_q35 else "PIIX4_PM"
    for tag, n in (("suspend-to-mem", 3), ("suspend-to-disk", 4)):
        e = pm.find(tag)
        if e is not None and e.get("enabled") in ("yes", "no"):
            val = 0 if e.get("enabled") == "yes" else 1
            ctx.cmd.add("-global", f"{dev}.disable_s{n}={val}", xml_source(e))


def build_boot(ctx: BuildContext) -> None:
    os = ctx.domain.os
    parts: list[str] = []
    bm = os.bootmenu
    if bm is not None and bm.get("enable") == "yes":
        parts.append("menu=on")
        if bm.get("timeout"):
            parts.append(f"splash-time={bm.get('timeout')}")
    elif bm is not None and bm.get("enable") == "no":
        parts.append("menu=off")
    bios = os.bios
    if bios is not None and bios.get("rebootTimeout"):
        parts.append(f"reboot-timeout={bios.get('rebootTimeout')}")
    parts.append("strict=on")
    ctx.cmd.add("-boot", ",".join(parts), xml_source(os.elem, "/domain/os"))
    _build_direct_boot(ctx)
    _build_acpi_tables(ctx)


def _build_direct_boot(ctx: BuildContext) -> None:
    """Direct kernel boot: the images and command line are passed through verbatim, in
    qemuBuildCommandLine's order (-kernel, -initrd, -append, -shim, -dtb)."""
    os_ = ctx.domain.os
    elem = os_.elem
    shim = elem.find("shim") if elem is not None else None
    for opt, value, tag in (("-kernel", os_.kernel, "kernel"), ("-initrd", os_.initrd, "initrd"),
                            ("-append", os_.cmdline, "cmdline"),
                            ("-shim", shim.text if shim is not None else None, "shim"),
                            ("-dtb", os_.dtb, "dtb")):
        if value:
            ctx.cmd.add(opt, value, xml_source(elem.find(tag) if elem is not None else None))


def _build_acpi_tables(ctx: BuildContext) -> None:
    """<os><acpi><table>: raw tables as-is, the others under their signature."""
    acpi = ctx.domain.os.elem.find("acpi") if ctx.domain.os.elem is not None else None
    for table in acpi.findall("table") if acpi is not None else []:
        if not table.text:
            continue
        kind = table.get("type", "raw")
        path = escape_comma(table.text)
        value = f"file={path}" if kind == "raw" else f"sig={kind.upper()},file={path}"
        ctx.cmd.add("-acpitable", value, xml_source(table))


def build_sandbox(ctx: BuildContext) -> None:
    if ctx.has("seccomp-sandbox"):
        ctx.cmd.add("-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
                    default_source("qemu.conf seccomp_sandbox=1 (libvirt's default)"))


def build_run_with(ctx: BuildContext) -> None:
    """<features><async-teardown enabled=...>: QEMU cleans up guest memory in a helper
    process after the guest is gone (enabled when the attribute is missing)."""
    f = ctx.domain.feature("async-teardown")
    if f is None or not ctx.has("run-with.async-teardown"):
        return
    state = "off" if f.get("enabled") == "no" else "on"
    ctx.cmd.add("-run-with", f"async-teardown={state}", xml_source(f))


def build_msg_timestamp(ctx: BuildContext) -> None:
    ctx.cmd.add("-msg", "timestamp=on", default_source("libvirt timestamps QEMU's log messages"))
