"""Video devices: the primary one gets the VGA-compatible variant, the others plain GPUs.

Branches (qemuBuildVideoCommandLine / qemuBuildDeviceVideoStr):
- [x] VGA, cirrus-vga, vmware-svga, qxl-vga/qxl (ram/vram/vram64/vgamem, max_outputs),
      virtio-vga/virtio-gpu (-pci/-ccw/-device, -gl, blob, heads), bochs-display, ramfb,
      vhost-user-vga/gpu (chardev to the vhost-user-gpu helper), none
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import Video
from ..props import Props
from .device import address_props, emit_device
from .display_common import device_source, virtio_bus_suffix, virtio_options

# model -> (primary device, secondary device)
_DRIVERS = {
    "cirrus": ("cirrus-vga", "cirrus-vga"),
    "vga": ("VGA", "VGA"),
    "vmvga": ("vmware-svga", "vmware-svga"),
    "qxl": ("qxl-vga", "qxl"),
    "virtio": ("virtio-vga", "virtio-gpu-pci"),
    "bochs": ("bochs-display", "bochs-display"),
    "ramfb": ("ramfb", "ramfb"),
}

# libvirt's default video RAM (KiB) where the model has one.
_DEFAULT_VRAM = {"cirrus": 16384, "vga": 16384, "vmvga": 16384, "qxl": 65536}
_QXL_DEFAULT_RAM = 65536
_QXL_DEFAULT_VGAMEM = 16384


def _vga_class(ctx: BuildContext, v: Video, primary: bool) -> bool:
    """Whether a virtio video becomes the VGA-compatible variant (primary on a VGA machine)."""
    return primary and ctx.has("virtio-vga") and virtio_bus_suffix(ctx, v) == "-pci"


def video_driver(ctx: BuildContext, v: Video, primary: bool) -> str:
    """QEMU device for a video model; virtio with 3D uses the '-gl' devices."""
    model = v.model or "vga"
    primary_drv, secondary_drv = _DRIVERS.get(model, (model, model))
    if model == "virtio":
        vga = _vga_class(ctx, v, primary)
        if v.vhost_user:
            return "vhost-user-vga" if vga else "vhost-user-gpu-pci"
        if v.accel3d:
            return "virtio-vga-gl" if vga else "virtio-gpu-gl" + virtio_bus_suffix(ctx, v)
        return primary_drv if vga else "virtio-gpu" + virtio_bus_suffix(ctx, v)
    return primary_drv if primary else secondary_drv


def _vhost_user_chardev(v: Video) -> str:
    return f"chr-vu-{v.alias}"


def _qxl_props(ctx: BuildContext, v: Video) -> Props:
    p = Props(("max_outputs", v.heads or 1),
              ("ram_size", (v.ram or _QXL_DEFAULT_RAM) * 1024),
              ("vram_size", (v.vram or _DEFAULT_VRAM["qxl"]) * 1024))
    if ctx.has("qxl.vram64_size_mb"):
        p.add("vram64_size_mb", (v.vram64 or 0) // 1024)
    if ctx.has("qxl.vgamem_mb"):
        p.add("vgamem_mb", (v.vgamem or _QXL_DEFAULT_VGAMEM) // 1024)
    return p


def video_props(ctx: BuildContext, v: Video, primary: bool) -> Props:
    """Ordered -device properties for one video device (without its address)."""
    props = Props(("driver", video_driver(ctx, v, primary)))
    if v.model == "virtio" and not _vga_class(ctx, v, primary):
        props.update(virtio_options(v))  # the VGA variants take no virtio transport options
    props.add("id", v.alias)
    if v.model == "qxl":
        props.update(_qxl_props(ctx, v))
    elif v.model == "virtio":
        props.add("max_outputs", v.heads or 1)
        if v.vhost_user:
            props.add("chardev", _vhost_user_chardev(v))
        elif ctx.has("virtio-gpu.blob"):
            props.tristate("blob", v.blob)
    elif v.model in ("vga", "vmvga"):
        cap = "VGA.vgamem_mb" if v.model == "vga" else "vmware-svga.vgamem_mb"
        if ctx.has(cap):
            props.add("vgamem_mb", (v.vram or _DEFAULT_VRAM[v.model]) // 1024)
    return props


def build_video(ctx: BuildContext) -> None:
    videos = [d for d in ctx.domain.devices.items if isinstance(d, Video)]
    for i, v in enumerate(videos):
        if v.model in ("none", None):
            continue
        if v.model == "virtio" and v.vhost_user:
            # libvirt starts the helper and hands QEMU its connected socket
            ctx.cmd.add("-chardev", f"socket,id={_vhost_user_chardev(v)},fd={ctx.passed_fd(ctx.host.vhost_user_gpu_fd)}",
                        device_source(v))
        props = video_props(ctx, v, primary=(i == 0))
        props.update(address_props(ctx, v))
        emit_device(ctx, v, props, device_source(v))
