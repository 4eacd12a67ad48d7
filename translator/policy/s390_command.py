"""s390x command-line pieces: CCW `devno`, the zPCI companion device, -machine options.

The builders of each device family stay generic; what is special about s390 is how a
device is addressed (a CCW device number instead of bus/addr) and that every PCI
device needs a `zpci` device announcing its uid/fid to the guest, right before it.
"""

from __future__ import annotations

from ..cmdline import Source, default_source
from ..context import BuildContext
from ..cpu.s390 import resolve_host_model
from ..model import Device, GenericAddress, PciAddress
from ..props import Props


def zpci_props(a: PciAddress, target: str) -> Props:
    return Props(("driver", "zpci"), ("uid", a.zpci_uid), ("fid", a.zpci_fid),
                 ("target", target), ("id", f"zpci{a.zpci_uid}"))


def zpci_companion(ctx: BuildContext, dev: Device | None,
                   alias: str | None) -> list[tuple[Props, Source]]:
    """The `zpci` device that precedes a PCI device on s390 (it names the device); a
    device built as several -device items needs only one."""
    if dev is None or not alias:
        return []
    a = dev.info.address
    if not isinstance(a, PciAddress) or a.zpci_uid is None or a.zpci_fid is None:
        return []
    key = f"zpci-emitted:{a.zpci_uid}"
    if ctx.counters.get(key):
        return []
    ctx.counters[key] = 1
    src = default_source("s390 PCI devices are announced by a zpci device (uid/fid)")
    return [(zpci_props(a, alias), src)]


def s390_cpu(ctx: BuildContext) -> tuple[str | None, list[str]]:
    """The -cpu model (and expanded features) of an s390 guest without a named model.

    The machine type's default CPU applies: 'qemu' under TCG; under KVM it is 'host',
    which libvirt turns into host-model when QEMU can expand the host CPU, and
    host-model is the host CPU's base model with every feature QEMU reported for it.
    """
    d = ctx.domain
    cpu = d.cpu
    mode = cpu.get("mode", "custom") if cpu is not None else None
    if mode not in (None, "custom", "host-model"):
        return None, []
    if mode != "host-model":
        machine = ctx.caps.find_machine(d.os.machine or "", d.virt_type)
        if machine is None or not machine.default_cpu:
            return None, []
        name = ctx.caps.cpu_name_for_type(machine.default_cpu, d.virt_type)
        if name != "host":
            return name, []
        if not d.virt_type == "kvm":
            return None, []
    return _host_model(ctx)


def _host_model(ctx: BuildContext) -> tuple[str | None, list[str]]:
    """host-model: the base model QEMU expanded for this host, its features switched as QEMU
    reported them and the guest's own features on top (translator/cpu/s390.py)."""
    cpu = resolve_host_model(ctx.domain.cpu, ctx.caps, ctx.domain.virt_type)
    if cpu is None or not cpu.model:
        return None, []
    return cpu.model, [f"{name}={'off' if policy in ('disable', 'forbid') else 'on'}"
                       for name, policy in cpu.features if policy != "optional"]


def ccw_transport(dev: Device | None, props: Props) -> None:
    """A virtio device on the channel subsystem is QEMU's '-ccw' variant of it.

    libvirt names virtio devices by transport; builders written for PCI name the
    '-pci' variant, so a CCW-addressed device swaps the suffix here.
    """
    if dev is None:
        return
    a = dev.info.address
    driver = props.get("driver")
    if isinstance(a, GenericAddress) and a.type == "ccw" and isinstance(driver, str) \
            and driver.startswith(("virtio-", "vhost-")) and driver.endswith("-pci"):
        props["driver"] = driver[: -len("-pci")] + "-ccw"  # keeps its place


def keywrap_machine_parts(ctx: BuildContext) -> list[str]:
    """<keywrap><cipher name='aes|dea' state=...>: the machine's key wrapping switches,
    AES first whatever the XML order."""
    kw = ctx.domain.keywrap
    if kw is None:
        return []
    states = {c.get("name"): c.get("state") for c in kw.findall("cipher")}
    return [f"{name}-key-wrap={states[name]}" for name in ("aes", "dea")
            if states.get(name) in ("on", "off")]


def loadparm_machine_parts(ctx: BuildContext) -> list[str]:
    """Without per-device loadparm in QEMU, the first boot device's loadparm (disks,
    then NICs, then hostdevs) goes on the machine."""
    if ctx.has("virtio-ccw.loadparm"):
        return []
    for family in ("disk", "net", "hostdev"):
        for d in ctx.domain.devices.of(family):
            boot = d.elem.find("boot")
            if d.info.boot_order == 1 and boot is not None and boot.get("loadparm"):
                return [f"loadparm={boot.get('loadparm', '').upper()}"]
    return []
