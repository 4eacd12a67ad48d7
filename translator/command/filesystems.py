"""Filesystems shared with the guest: virtio-9p (-fsdev + device), virtiofs (vhost-user-fs
over a socket to virtiofsd) and USB MTP.

Branches (qemuBuildFilesystemCommandLine):
- [x] 9p: -fsdev local/handle (security model, writeout, readonly, fmode/dmode, multidevs),
      virtio-9p (pci/ccw/device); virtiofs over vhost-user-fs (queue size, socket);
      usb-mtp
"""

from __future__ import annotations

from ..context import BuildContext
from ..model.misc_devices import Filesystem
from ..props import Props, escape_comma
from .device import address_props, emit_device
from .misc import src, virtio_props

_SECURITY_MODEL = {"passthrough": "passthrough", "mapped": "mapped", "squash": "none"}


def fsdev_arg(fs: Filesystem) -> str:
    """The -fsdev value of a 9p share: driver, access mode, write policy, id, path."""
    parts: list[str] = []
    if fs.fsdriver in (None, "path"):
        parts.append("local")
        parts.append(f"security_model={_SECURITY_MODEL.get(fs.accessmode or '', 'passthrough')}")
        multidevs = fs.elem.get("multidevs")
        if multidevs and multidevs != "default":
            parts.append(f"multidevs={multidevs}")
        for attr in ("fmode", "dmode"):
            if fs.elem.get(attr):
                parts.append(f"{attr}=0{int(fs.elem.get(attr) or '0', 8):o}")
    elif fs.fsdriver == "handle":
        parts.append("handle")
    wrpolicy = fs.elem.attr_at("wrpolicy", "driver")
    if wrpolicy:
        parts.append(f"writeout={wrpolicy}")
    parts.append(f"id=fsdev-{fs.alias}")
    parts.append(f"path={escape_comma(fs.source_dir or '')}")
    if fs.readonly:
        parts.append("readonly=on")
    return ",".join(parts)


def virtiofs_socket(ctx: BuildContext, fs: Filesystem) -> str:
    """An externally started virtiofsd's socket, or the one libvirt starts it on."""
    sock = fs.elem.attr_at("socket", "source")
    return sock or f"{ctx.domain_dir}/{fs.alias}-fs.sock"


def _build_9p(ctx: BuildContext, fs: Filesystem) -> None:
    ctx.cmd.add("-fsdev", fsdev_arg(fs), src(fs))
    props = virtio_props(ctx, fs, "virtio-9p", fs.elem.get("model"))
    props.add("id", fs.alias)
    props.add("fsdev", f"fsdev-{fs.alias}")
    props.add("mount_tag", fs.target_dir)
    props.update(address_props(ctx, fs))
    emit_device(ctx, fs, props, src(fs))


def _build_virtiofs(ctx: BuildContext, fs: Filesystem) -> None:
    chr_id = f"chr-vu-{fs.alias}"
    ctx.cmd.add("-chardev", f"socket,id={chr_id},path={escape_comma(virtiofs_socket(ctx, fs))}",
                src(fs))
    props = virtio_props(ctx, fs, "vhost-user-fs")
    props.add("id", fs.alias)
    props.add("chardev", chr_id)
    queue = fs.elem.attr_at("queue", "driver")
    if queue:
        props.add("queue-size", int(queue))
    props.add("tag", fs.target_dir)
    props.add("bootindex", fs.info.boot_order)
    props.update(address_props(ctx, fs))
    emit_device(ctx, fs, props, src(fs))


def _build_mtp(ctx: BuildContext, fs: Filesystem) -> None:
    props = Props(("driver", "usb-mtp"), ("id", fs.alias), ("rootdir", fs.source_dir),
                  ("desc", fs.target_dir), ("readonly", fs.readonly))
    props.update(address_props(ctx, fs))
    emit_device(ctx, fs, props, src(fs))


def build_filesystems(ctx: BuildContext) -> None:
    for fs in (d for d in ctx.domain.devices.items if isinstance(d, Filesystem)):
        if fs.fsdriver == "virtiofs":
            _build_virtiofs(ctx, fs)
        elif fs.fsdriver == "mtp":
            _build_mtp(ctx, fs)
        elif fs.type == "mount":
            _build_9p(ctx, fs)
