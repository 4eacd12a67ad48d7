"""virtio RNG: the backend object (host file, EGD daemon over a chardev, QEMU's builtin)
and the virtio-rng device with its rate limit.

Branches (qemuBuildRNGCommandLine):
- [x] rng-random (file), rng-egd (chardev backend), rng-builtin; virtio-rng with rate
      limit (max-bytes, period), pci/ccw/device and transitional variants
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import Chardev
from ..model.misc_devices import Rng
from ..props import Props
from .chardev import chardev_backend
from .device import address_props, emit_device
from .misc import src, virtio_props

DEFAULT_RNG_SOURCE = "/dev/random"


def rng_object(ctx: BuildContext, r: Rng) -> Props:
    """The rng-* object; for EGD the chardev it reads from is emitted first."""
    obj_id = f"obj{r.alias}"
    if r.backend_model == "builtin":
        return Props(("qom-type", "rng-builtin"), ("id", obj_id))
    if r.backend_model == "egd":
        chr_id = f"char{r.alias}"
        b = r.backend
        assert b is not None
        ch = Chardev(elem=b, kind="rng", type=b.get("type") or "pty",
                     sources=tuple(b.findall("source")), protocol=b.attr_at("type", "protocol"))
        ctx.cmd.add("-chardev", chardev_backend(ctx, ch, chr_id), src(r))
        return Props(("qom-type", "rng-egd"), ("id", obj_id), ("chardev", chr_id))
    path = (r.backend.text or "").strip() if r.backend is not None and r.backend.text else ""
    return Props(("qom-type", "rng-random"), ("id", obj_id),
                 ("filename", path or DEFAULT_RNG_SOURCE))


def build_rngs(ctx: BuildContext) -> None:
    for r in (d for d in ctx.domain.devices.items if isinstance(d, Rng)):
        ctx.cmd.add_json("-object", rng_object(ctx, r), src(r))
        props = virtio_props(ctx, r, "virtio-rng", r.model)
        props.add("rng", f"obj{r.alias}")
        props.add("id", r.alias)
        rate = r.elem.find("rate")
        if rate is not None and rate.get("bytes"):
            props.add("max-bytes", int(rate.get("bytes") or 0))
            props.add("period", int(rate.get("period") or 1000))
        props.update(address_props(ctx, r))
        emit_device(ctx, r, props, src(r))
