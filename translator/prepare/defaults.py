"""libvirt's post-parse defaults: machine type, implicit controllers and devices, models.

Everything added here is marked `implicit=<reason>` so explanations can say which
libvirt default put it on the command line.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import capsdb

from ..context import BuildContext
from ..model import Audio, Video
from ..model import DriveAddress
from ..validate.limits import INT_LIMIT
from ..model.devices import Chardev, Device, Hostdev, Input
from ..policy import choose_policy
from ..validate.controllers import validate_controllers
from ..validate.postparse import check_preferred_machine
from .controllers import assign_controller_indexes, set_usb_companions
from .implicit import add_controller, implicit_elem
from .misc_devices import add_q35_itco_watchdog, apply_misc_defaults

if TYPE_CHECKING:
    from capsdb import Caps


def apply_machine_default(ctx: BuildContext) -> None:
    os = ctx.domain.os
    if not os.machine:
        m = check_preferred_machine(ctx, ctx.caps.default_machine(ctx.domain.virt_type))
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
    newest = _newest_version(ctx.caps.arch, ctx.caps.variant)
    return newest is None or ctx.caps.version >= newest


@functools.lru_cache(maxsize=None)
def _newest_version(arch: str, variant: str | None) -> int | None:
    """The version of the newest embedded caps of an arch and variant (None: none known):
    static data, looked up once per pair rather than once per domain."""
    try:
        newest = capsdb.get(None, arch) if variant is None else _newest_variant(arch, variant)
    except LookupError:
        return None
    return newest.version if newest is not None else None


def _newest_variant(arch: str, variant: str) -> Caps | None:

    versions = [v for v, a in capsdb.profiles() if a == arch and v.endswith(f"+{variant}")]
    if not versions:
        return None
    best = max(versions, key=lambda v: tuple(int(x) for x in v.split("+")[0].split(".")))
    return capsdb.get(best, arch)


def add_implicit_controllers(ctx: BuildContext) -> None:
    """Controller indexes and USB companions, libvirt's parse checks on controllers,
    then the machine's implicit controllers and default models."""
    assign_controller_indexes(ctx)
    set_usb_companions(ctx)
    validate_controllers(ctx)
    ctx.policy.add_implicit_controllers(ctx)


def add_hostdev_scsi_controllers(ctx: BuildContext) -> None:
    """Every SCSI controller index up to the highest one a SCSI hostdev uses must exist;
    the new ones copy the model of the controller the highest-indexed hostdev found."""
    devs = ctx.domain.devices
    existing = {c.index: c for c in devs.controllers if c.type == "scsi"}
    highest, model = -1, None
    for h in devs.items:
        a = h.info.address
        # libvirt compares the index as a signed int: one of 2^31 or more counts as -1
        if isinstance(h, Hostdev) and h.type == "scsi" and isinstance(a, DriveAddress) \
                and highest < a.controller < INT_LIMIT:
            highest = a.controller
            found = existing.get(a.controller)
            if found is not None and found.model:
                model = found.model
    for index in range(highest + 1):
        if index not in existing:
            add_controller(ctx, "scsi", index, model or ctx.policy.default_scsi_model(ctx),
                            "SCSI hostdevs need a SCSI controller")


def assign_chardev_ports(ctx: BuildContext) -> None:
    """Serial and parallel ports without a target port take the one after the highest
    port of their kind, explicit ports included (libvirt does this after parsing)."""
    for kind in ("serial", "parallel"):
        chardevs = ctx.domain.devices.chardevs(kind)
        # the highest port so far, kept up to date rather than looked for again per port
        highest = max((c.target_port for c in chardevs if c.target_port is not None),
                      default=-1)
        for ch in chardevs:
            if ch.target_port is None:
                highest += 1
                ch.target_port = highest


def assign_chardev_aliases(ctx: BuildContext) -> None:
    """serialN/parallelN/channelN/consoleN by position among their kind, whatever the
    target port (libvirt names them by index in its per-kind lists)."""
    for kind in ("serial", "parallel", "channel", "console"):
        for i, ch in enumerate(ctx.domain.devices.chardevs(kind)):
            if not ch.info.alias:
                ch.info.alias = f"{kind}{i}"


# serial targets whose first port libvirt also lists as console 0 (a stub alias of it)
_CONSOLE_ALIASED_SERIALS = (None, "isa-serial", "spapr-vio-serial", "system-serial",
                            "sclp-serial")


def add_console_serial(ctx: BuildContext) -> None:
    """virDomainDefAddConsoleCompat: a serial-type first console is the first serial port
    (without one, it becomes one); else the first serial port gets a stub console 0 in
    front of the others, which are numbered after it."""
    devs = ctx.domain.devices
    items = devs.items
    consoles = devs.chardevs("console")
    serials = devs.chardevs("serial")
    first = consoles[0] if consoles else None
    if first is not None and first.target_type in (None, "serial"):
        if not serials:
            serial = Chardev(elem=first.elem, kind="serial", type=first.type,
                             target_port=0,
                             sources=first.sources, protocol=first.protocol, log=first.log,
                             implicit="a serial console needs a serial port")
            items.insert(items.index(first), serial)
    elif serials and serials[0].target_type in _CONSOLE_ALIASED_SERIALS:
        # a fresh chardev (virDomainChrDefNew): no source of its own to check or open
        stub = Chardev(elem=implicit_elem("console", type="null"), kind="console",
                       type="null", target_type="serial", target_port=0,
                       implicit="libvirt lists the first serial port as console 0 too")
        at = items.index(first) if first is not None else items.index(serials[0]) + 1
        items.insert(at, stub)


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
            v.model = ctx.policy.default_video_model(ctx)
    graphics = [d for d in items if d.family == "graphics"]
    if graphics and not any(isinstance(d, Video) for d in items):
        model = ctx.policy.default_video_model(ctx)
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
    ctx.policy = choose_policy(ctx)
    if not ctx.domain.uuid and ctx.host.derive_missing_uuid:
        ctx.domain.uuid = ctx.host.uuid_for(ctx.domain.name)
    add_implicit_controllers(ctx)
    add_implicit_devices(ctx)
