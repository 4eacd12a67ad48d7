"""libvirt's post-parse defaults: machine type, implicit controllers and devices, models.

Everything added here is marked `implicit=<reason>` so explanations can say which
libvirt default put it on the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..arches import ARM_ARCHES, PPC_ARCHES, RISCV_LOONGARCH_ARCHES, S390_ARCHES
from ..context import BuildContext
from ..errors import TranslationError
from ..model import Audio, Controller, Elem, Video
from ..model import DriveAddress
from ..model.devices import Chardev, Device, Hostdev, Input
from .misc_devices import add_q35_itco_watchdog, apply_misc_defaults
from .controllers import assign_controller_indexes, set_usb_companions, validate_controllers

if TYPE_CHECKING:
    from capsdb import Caps


def implicit_elem(tag: str, **attrs: str) -> Elem:
    """The XML element of something libvirt adds itself (it has no source line)."""
    return Elem(tag=tag, attrs=attrs, path=f"(implicit {tag})")


def apply_machine_default(ctx: BuildContext) -> None:
    os = ctx.domain.os
    if not os.machine:
        m = ctx.caps.default_machine(ctx.domain.virt_type)
        if m is None:
            raise TranslationError("no machine type available for this emulator")
        # libvirt records the default machine by its alias ('pc'); a host that resolves
        # aliases then shows the versioned type it stands for
        os.machine = m.alias or m.name
    if ctx.host.resolve_machine_alias or (ctx.host.resolve_alias_unless_newest
                                          and not _is_newest_profile(ctx)):
        os.machine = ctx.caps.canonical_machine(os.machine, ctx.domain.virt_type)
    if not os.arch:
        os.arch = ctx.caps.arch


def _is_newest_profile(ctx: BuildContext) -> bool:
    """Whether the caps in use are the newest embedded ones for their arch and variant."""
    import capsdb

    try:
        newest = capsdb.get(None, ctx.caps.arch) if ctx.caps.variant is None else \
            _newest_variant(ctx.caps.arch, ctx.caps.variant)
    except LookupError:
        return True
    return newest is None or ctx.caps.version >= newest.version


def _newest_variant(arch: str, variant: str) -> Caps | None:
    import capsdb

    versions = [v for v, a in capsdb.profiles() if a == arch and v.endswith(f"+{variant}")]
    if not versions:
        return None
    best = max(versions, key=lambda v: tuple(int(x) for x in v.split("+")[0].split(".")))
    return capsdb.get(best, arch)


def default_usb_model(ctx: BuildContext, auto_added: bool = True) -> str | None:
    """The USB model libvirt picks when none is given.

    Only a controller libvirt adds itself gets the modern choice on q35; one the user
    wrote without a model keeps the historical piix3-uhci default (ABI stability).
    """
    if ctx.is_q35 and auto_added:
        for model in ("qemu-xhci", "nec-usb-xhci"):
            if ctx.has(model):
                return model
        return "ich9-ehci1" if ctx.has("ich9-usb-ehci1") else None
    if ctx.is_x86:
        return "piix3-uhci" if ctx.has("piix3-usb-uhci") else None
    if ctx.arch in PPC_ARCHES:
        from . import arch_ppc
        return arch_ppc.default_usb_model(ctx, auto_added)
    return None


# libvirt's USB model names -> the QEMU device (capability) each needs
USB_MODEL_CAPS = {"qemu-xhci": "qemu-xhci", "nec-xhci": "nec-usb-xhci",
                  "piix3-uhci": "piix3-usb-uhci", "pci-ohci": "pci-ohci"}


def first_usb_model(ctx: BuildContext, *models: str) -> str | None:
    """The first of `models` (libvirt names) whose QEMU device is available."""
    return next((m for m in models if ctx.has(USB_MODEL_CAPS[m])), None)


def required_usb_model(model: str | None) -> str:
    """libvirt refuses a USB controller it can find no model for."""
    if model is None:
        raise TranslationError("unsupported configuration: no model provided for USB controller")
    return model


def add_controller(ctx: BuildContext, type_: str, index: int, model: str | None,
                   reason: str, position: int | None = None) -> Controller:
    """Add a controller libvirt adds itself, `reason` saying why (for --explain)."""
    attrs = {"type": type_, "index": str(index)}
    if model:
        attrs["model"] = model
    c = Controller(elem=implicit_elem("controller", **attrs), type=type_, index=index,
                   model=model, implicit=reason)
    items = ctx.domain.devices.items
    if position is None:
        items.append(c)
    else:
        items.insert(position, c)
    return c


def add_implicit_controllers(ctx: BuildContext) -> None:
    devs = ctx.domain.devices
    assign_controller_indexes(ctx)
    set_usb_companions(ctx)
    validate_controllers(ctx)
    if ctx.arch in S390_ARCHES:
        from . import arch_s390
        return arch_s390.add_implicit_controllers(ctx)
    if ctx.arch in PPC_ARCHES:
        from . import arch_ppc
        return arch_ppc.add_implicit_controllers(ctx)
    if ctx.arch in ARM_ARCHES:
        from . import arch_arm
        return arch_arm.apply_defaults(ctx)
    if ctx.arch in RISCV_LOONGARCH_ARCHES:
        from . import arch_riscv_loongarch
        return arch_riscv_loongarch.add_implicit_controllers(ctx)
    if not ctx.is_x86:
        return
    # root bus
    if ctx.is_q35:
        if devs.controller("pci", 0) is None:
            add_controller(ctx, "pci", 0, "pcie-root", "q35 machines have a PCIe root bus")
        if devs.controller("sata", 0) is None:
            add_controller(ctx, "sata", 0, None, "q35 machines have a built-in SATA controller")
    elif ctx.is_i440fx:
        if devs.controller("pci", 0) is None:
            add_controller(ctx, "pci", 0, "pci-root", "i440fx machines have a PCI root bus")
    # usb
    usb = devs.controller("usb", 0)
    # an ISA-only PC has no PCI bus for a default USB controller
    if usb is None and ctx.machine != "isapc":
        model = default_usb_model(ctx)
        if model:
            add_controller(ctx, "usb", 0, model, "libvirt adds a default USB controller")
    for c in devs.controllers:
        if c.type == "usb" and c.model is None:
            c.model = required_usb_model(
                default_usb_model(ctx, auto_added=c.implicit is not None))
        if c.type == "pci" and c.model is None and c.index == 0:
            c.model = "pcie-root" if ctx.is_q35 else "pci-root"
        if c.type == "scsi" and c.model in (None, "auto"):
            c.model = "lsilogic"
    add_disk_controllers(ctx, "lsilogic")


def machine_default_cpu(ctx: BuildContext) -> str | None:
    """The machine type's own default CPU, named as libvirt does; the boards that use it
    (ARM, RISC-V, LoongArch) only trust it for TCG guests."""
    if ctx.domain.virt_type != "qemu":
        return None
    m = ctx.caps.find_machine(ctx.machine, ctx.domain.virt_type)
    if m is None or not m.default_cpu:
        return None
    return ctx.caps.cpu_name_for_type(m.default_cpu, ctx.domain.virt_type)


def check_root_model(root: Controller, want: str) -> None:
    """The index-0 PCI controller a user wrote must be the machine's root bus model."""
    if root.model is not None and root.model != want:
        raise TranslationError(
            f"XML error: The PCI controller with index='0' must be model='{want}' for this "
            f"machine type, but model='{root.model}' was found instead")


def add_disk_controllers(ctx: BuildContext, scsi_model: str) -> None:
    """A disk on an IDE/SATA/SCSI bus whose controller is missing gets one (a new SCSI
    controller has the architecture's default `scsi_model`)."""
    devs = ctx.domain.devices
    for d in devs.disks:
        ctype = d.bus if d.bus in ("ide", "sata", "scsi") else None
        if ctype is None:
            continue
        idx = getattr(d.info.address, "controller", 0) if d.info.address is not None else 0
        if devs.controller(ctype, idx) is None:
            add_controller(ctx, ctype, idx, scsi_model if ctype == "scsi" else None,
                           f"a {ctype} disk needs a {ctype} controller")


def _default_scsi_model(ctx: BuildContext) -> str:
    if ctx.arch in S390_ARCHES:
        return "virtio-scsi"
    if (ctx.machine or "").startswith("pseries"):
        return "ibmvscsi"
    return "lsilogic"


def add_hostdev_scsi_controllers(ctx: BuildContext) -> None:
    """Every SCSI controller index up to the highest one a SCSI hostdev uses must exist;
    the new ones copy the model of the controller the highest-indexed hostdev found."""
    devs = ctx.domain.devices
    highest, model = -1, None
    for h in devs.items:
        a = h.info.address
        if isinstance(h, Hostdev) and h.type == "scsi" and isinstance(a, DriveAddress) \
                and a.controller > highest:
            highest = a.controller
            found = devs.controller("scsi", a.controller)
            if found is not None and found.model:
                model = found.model
    for index in range(highest + 1):
        if devs.controller("scsi", index) is None:
            add_controller(ctx, "scsi", index, model or _default_scsi_model(ctx),
                            "SCSI hostdevs need a SCSI controller")


def assign_chardev_ports(ctx: BuildContext) -> None:
    """Serial and parallel ports without a target port take the one after the highest
    port of their kind, explicit ports included (libvirt does this after parsing)."""
    for kind in ("serial", "parallel"):
        chardevs = ctx.domain.devices.chardevs(kind)
        for ch in chardevs:
            if ch.target_port is None:
                ports = [c.target_port for c in chardevs if c.target_port is not None]
                ch.target_port = max(ports, default=-1) + 1


def assign_chardev_aliases(ctx: BuildContext) -> None:
    """serialN/parallelN/channelN/consoleN by position among their kind, whatever the
    target port (libvirt names them by index in its per-kind lists)."""
    for kind in ("serial", "parallel", "channel", "console"):
        for i, ch in enumerate(ctx.domain.devices.chardevs(kind)):
            if not ch.info.alias:
                ch.info.alias = f"{kind}{i}"


def add_console_serial(ctx: BuildContext) -> None:
    """A serial-type first console is the first serial port: without one, it becomes one."""
    devs = ctx.domain.devices
    items = devs.items
    consoles = devs.chardevs("console")
    if consoles and not devs.chardevs("serial"):
        first = consoles[0]
        if first.target_type in (None, "serial"):
            serial = Chardev(elem=first.elem, kind="serial", type=first.type,
                             target_port=0,
                             sources=first.sources, protocol=first.protocol, log=first.log,
                             implicit="a serial console needs a serial port")
            idx = items.index(first)
            items.insert(idx, serial)


def add_implicit_devices(ctx: BuildContext) -> None:
    # consoles without a serial port get one (x86: isa-serial)
    assign_chardev_ports(ctx)
    add_console_serial(ctx)
    assign_chardev_aliases(ctx)
    # memballoon, smartcard controllers, panic models (prepare/misc_devices.py)
    apply_misc_defaults(ctx)
    add_display_defaults(ctx)
    # q35: the ICH9 chipset has an iTCO watchdog built in
    add_q35_itco_watchdog(ctx)


def default_video_model(ctx: BuildContext) -> str:
    """libvirt's default <video> model: by architecture, then what QEMU offers on x86."""
    arch = ctx.arch
    if arch.startswith("ppc64"):
        return "vga"
    if arch in ("aarch64", "armv7l", "riscv64", "s390x", "loongarch64"):
        return "virtio"
    if ctx.has("cirrus-vga"):
        return "cirrus"
    return "vga"


def _default_audio_type(graphics: list[Device]) -> str | None:
    """The audio backend libvirt adds when the domain has no <audio>.

    The last VNC or SPICE display decides ('none' / 'spice'); no display at all gets
    'none'; SDL would pass the host's audio through, which without QEMU_AUDIO_DRV in
    libvirtd's environment means no backend; the other displays leave it undecided.
    """
    if not graphics:
        return "none"
    chosen: str | None = None
    for g in graphics:
        kind = g.elem.get("type")
        if kind == "vnc":
            chosen = "none"
        elif kind == "spice":
            chosen = "spice"
        elif kind == "sdl":
            chosen = None
    return chosen


def _put_primary_video_first(items: list[Device]) -> None:
    """libvirt keeps the primary video first among videos (it gets alias video0)."""
    videos = [d for d in items if isinstance(d, Video)]
    primary = next((v for v in videos if v.primary), None)
    if primary is None or primary is videos[0]:
        return
    items.remove(primary)
    items.insert(items.index(videos[0]), primary)


def add_display_defaults(ctx: BuildContext) -> None:
    """Default video model, the video graphics need, implicit PS/2 input, default audio."""
    items = ctx.domain.devices.items
    for v in (d for d in items if isinstance(d, Video)):
        if v.model is None:
            v.model = default_video_model(ctx)
    graphics = [d for d in items if d.family == "graphics"]
    if graphics and not any(isinstance(d, Video) for d in items):
        model = default_video_model(ctx)
        items.append(Video(elem=implicit_elem("video"), model=model, primary=True,
                           implicit="graphics without a video device get a default one"))
    _put_primary_video_first(items)
    # implicit PS/2 input devices on x86 (not on the command line, but they exist)
    if ctx.is_x86 and graphics:
        for kind in ("mouse", "keyboard"):
            if not any(isinstance(d, Input) and d.type == kind and d.bus == "ps2" for d in items):
                items.append(Input(elem=implicit_elem("input", type=kind, bus="ps2"),
                                   type=kind, bus="ps2", implicit="x86 has built-in PS/2"))
    if not any(isinstance(d, Audio) for d in items):
        audio = _default_audio_type(graphics)
        if audio is not None:
            items.append(Audio(elem=implicit_elem("audio", id="1", type=audio), id=1, type=audio,
                               implicit=f"libvirt adds a '{audio}' audio backend"))


def apply_defaults(ctx: BuildContext) -> None:
    apply_machine_default(ctx)
    if not ctx.domain.uuid and ctx.host.derive_missing_uuid:
        ctx.domain.uuid = ctx.host.uuid_for(ctx.domain.name)
    add_implicit_controllers(ctx)
    add_implicit_devices(ctx)
