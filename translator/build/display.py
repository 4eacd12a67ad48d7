"""Input, audio backends, graphics, video and sound."""

from __future__ import annotations

from ..cmdline import default_source, xml_source
from ..context import BuildContext
from ..model import Audio, Input, Sound, Video
from ..props import Props
from .device import address_props, emit_device


def _src(dev):  # type: ignore[no-untyped-def]
    return default_source(dev.implicit) if dev.implicit else xml_source(dev.elem)


def build_inputs(ctx: BuildContext) -> None:
    for dev in ctx.domain.devices.items:
        if not isinstance(dev, Input) or dev.bus in ("ps2", None):
            continue
        if dev.bus == "usb":
            driver = {"tablet": "usb-tablet", "mouse": "usb-mouse", "keyboard": "usb-kbd"}.get(dev.type)
        elif dev.bus == "virtio":
            driver = {"tablet": "virtio-tablet-pci", "mouse": "virtio-mouse-pci",
                      "keyboard": "virtio-keyboard-pci"}.get(dev.type)
        else:
            driver = None
        if driver is None:
            continue
        props = Props(("driver", driver), ("id", dev.alias))
        props.update(address_props(ctx, dev))
        emit_device(ctx, dev, props, _src(dev))


def build_audio(ctx: BuildContext) -> None:
    for dev in ctx.domain.devices.items:
        if isinstance(dev, Audio):
            props = Props(("id", f"audio{dev.id}"), ("driver", dev.type))
            ctx.cmd.add_json("-audiodev", props, _src(dev))


def _audiodev_suffix(ctx: BuildContext) -> str:
    audios = [d for d in ctx.domain.devices.items if isinstance(d, Audio)]
    return f",audiodev=audio{audios[0].id}" if audios else ""


def build_graphics(ctx: BuildContext) -> None:
    for g in ctx.domain.devices.of("graphics"):
        e = g.elem
        if e.get("type") == "vnc":
            port = e.get("port")
            listen = e.get("listen") or e.attr_at("address", "listen") or "127.0.0.1"
            if port in (None, "-1") or e.get("autoport") == "yes":
                display = 0
            else:
                display = int(port) - 5900
            ctx.cmd.add("-vnc", f"{listen}:{display}{_audiodev_suffix(ctx)}", xml_source(e))


VIDEO_DRIVER = {"cirrus": "cirrus-vga", "vga": "VGA", "qxl": "qxl-vga", "virtio": "virtio-vga",
                "bochs": "bochs-display", "vmvga": "vmware-svga", "ramfb": "ramfb"}


def build_video(ctx: BuildContext) -> None:
    for i, v in enumerate(d for d in ctx.domain.devices.items if isinstance(d, Video)):
        if v.model in ("none", None):
            continue
        driver = VIDEO_DRIVER.get(v.model, v.model)
        if v.model == "qxl" and i > 0:
            driver = "qxl"
        props = Props(("driver", driver), ("id", v.alias))
        if v.model == "qxl":
            props.add("max_outputs", v.heads or 1)
            props.add("ram_size", (v.ram or 65536) * 1024)
            props.add("vram_size", (v.vram or 65536) * 1024)
            props.add("vram64_size_mb", (v.vram64 or 0) // 1024)
            props.add("vgamem_mb", (v.vgamem or 16384) // 1024)
        props.update(address_props(ctx, v))
        emit_device(ctx, v, props, _src(v))


SOUND_DRIVER = {"ich6": "intel-hda", "ich9": "ich9-intel-hda", "ac97": "AC97", "es1370": "ES1370",
                "sb16": "sb16", "usb": "usb-audio", "ich7": "intel-hda"}


def build_sound(ctx: BuildContext) -> None:
    for s in (d for d in ctx.domain.devices.items if isinstance(d, Sound)):
        props = Props(("driver", SOUND_DRIVER.get(s.model, s.model)), ("id", s.alias))
        props.update(address_props(ctx, s))
        emit_device(ctx, s, props, _src(s))
