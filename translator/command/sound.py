"""Sound devices; HDA controllers carry their codecs as separate -device entries.

Branches (qemuBuildSoundCommandLine):
- [x] ES1370, AC97, SB16, pcspk (machine property), ich6/ich7/ich9 HDA with codecs
      (duplex, micro, output), usb-audio, virtio-sound (streams)
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import Sound
from ..props import Props
from .device import address_props, emit_device
from .display_common import audiodev_id, device_source, virtio_bus_suffix, virtio_options

_DRIVER = {"ich6": "intel-hda", "ich7": "intel-hda", "ich9": "ich9-intel-hda", "ac97": "AC97",
           "es1370": "ES1370", "sb16": "sb16", "usb": "usb-audio", "virtio": "virtio-sound-pci"}
_HDA = ("ich6", "ich7", "ich9")
_VIRTIO_DEFAULT_STREAMS = 2


def sound_props(ctx: BuildContext, s: Sound) -> Props:
    """-device properties of the sound controller itself (address excluded)."""
    driver = _DRIVER.get(s.model, s.model)
    if s.model == "virtio":
        driver = "virtio-sound" + virtio_bus_suffix(ctx, s)
    props = Props(("driver", driver))
    if s.model == "virtio":
        props.update(virtio_options(s))
    props.add("id", s.alias)
    if s.model not in _HDA:
        props.add("audiodev", audiodev_id(ctx, s))
    if s.model == "virtio":
        streams = s.elem.get("streams")
        props.add("streams", int(streams) if streams else _VIRTIO_DEFAULT_STREAMS)
    if s.model == "usb" and s.elem.get("multichannel") == "yes":
        props.add("multi", True)
    return props


def _emit_codecs(ctx: BuildContext, s: Sound) -> None:
    """One hda-* device per <codec>, or a duplex codec when none is given."""
    codecs = [c.get("type") or "duplex" for c in s.elem.findall("codec")] or ["duplex"]
    for cad, kind in enumerate(codecs):
        alias = f"{s.alias}-codec{cad}"
        props = Props(("driver", f"hda-{kind}"), ("id", alias), ("bus", f"{s.alias}.0"),
                      ("cad", cad), ("audiodev", audiodev_id(ctx, s)))
        emit_device(ctx, None, props, device_source(s), alias=alias)


def build_sound(ctx: BuildContext) -> None:
    for s in (d for d in ctx.domain.devices.items if isinstance(d, Sound)):
        if s.model == "pcspk":
            continue  # the PC speaker is a machine property, not a -device
        props = sound_props(ctx, s)
        props.update(address_props(ctx, s))
        emit_device(ctx, s, props, device_source(s))
        if s.model in _HDA:
            _emit_codecs(ctx, s)
