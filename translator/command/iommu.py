"""The guest IOMMU: intel-iommu, amd-iommu or virtio-iommu as a -device.

Branches (qemuBuildIOMMUCommandLine):
- [x] intel-iommu (intremap, caching-mode, eim, device-iotlb, aw-bits, dma-translation),
      amd-iommu, virtio-iommu (pci, granule); smmuv3 as a machine property
"""

from __future__ import annotations

from ..context import BuildContext
from ..model.misc_devices import Iommu
from ..props import Props
from .device import address_props, emit_device
from .misc import src


def _onoff(v: bool | None) -> str | None:
    return None if v is None else ("on" if v else "off")


def iommu_props(ctx: BuildContext, i: Iommu) -> Props | None:
    drv = i.elem.find("driver")

    def yes(a: str) -> bool | None:
        return drv.yes(a) if drv is not None else None

    if i.model == "intel":
        p = Props(("driver", "intel-iommu"), ("id", i.alias))
        p.add("intremap", _onoff(yes("intremap")))
        p.tristate("caching-mode", yes("caching_mode"))
        p.add("eim", _onoff(yes("eim")))
        p.tristate("device-iotlb", yes("iotlb"))
        aw = drv.get("aw_bits") if drv is not None else None
        if aw:
            p.add("aw-bits", int(aw))
        p.tristate("dma-translation", yes("dma_translation"))
        return p
    if i.model == "amd":
        p = Props(("driver", "amd-iommu"), ("id", i.alias))
        p.add("intremap", _onoff(yes("intremap")))
        p.tristate("xtsup", yes("xtsup"))
        p.tristate("device-iotlb", yes("iotlb"))
        p.update(address_props(ctx, i))
        return p
    if i.model == "virtio":
        p = Props(("driver", "virtio-iommu"), ("id", i.alias))
        p.update(address_props(ctx, i))
        return p
    return None


def build_iommu(ctx: BuildContext) -> None:
    for i in (d for d in ctx.domain.devices.items if isinstance(d, Iommu)):
        props = iommu_props(ctx, i)
        if props is not None:
            emit_device(ctx, i, props, src(i))
