"""Helpers shared by the display-related builders (input, audio, graphics, video, sound)."""

from __future__ import annotations

from ..cmdline import Source, default_source, xml_source
from ..context import BuildContext
from ..model import Audio, Device
from ..props import Props

def device_source(dev: Device) -> Source:
    """Provenance: the XML element, or the libvirt default that added the device."""
    return default_source(dev.implicit) if dev.implicit else xml_source(dev.elem)


def virtio_options(dev: Device) -> Props:
    """The virtio transport options of `<driver>` (iommu, ats, packed, page_per_vq)."""
    p = Props()
    drv = dev.elem.find("driver")
    if drv is None:
        return p
    for attr, prop in (("iommu", "iommu_platform"), ("ats", "ats"), ("packed", "packed"),
                       ("page_per_vq", "page-per-vq")):
        p.tristate(prop, drv.yes(attr))
    return p


def virtio_bus_suffix(ctx: BuildContext, dev: Device, pci: str = "-pci") -> str:
    """A virtio device's QEMU name ends by its transport: -ccw, -device (MMIO) or -pci.

    Without an address, s390 guests put virtio devices on the channel subsystem.
    """
    a = dev.info.address
    kind = getattr(a, "type", None)
    if kind == "ccw" or (a is None and ctx.policy.virtio_on_ccw(ctx)):
        return "-ccw"
    if kind == "virtio-mmio":
        return "-device"
    return pci


def audios(ctx: BuildContext) -> list[Audio]:
    return [d for d in ctx.domain.devices.items if isinstance(d, Audio)]


def audiodev_id(ctx: BuildContext, dev: Device, fallback_to_first: bool = True) -> str | None:
    """The -audiodev id a frontend uses: its own <audio id=N/>, else the first backend's."""
    ref = dev.elem.attr_at("id", "audio")
    if ref:
        return f"audio{ref}"
    if fallback_to_first:
        backends = audios(ctx)
        if backends:
            return f"audio{backends[0].id}"
    return None
