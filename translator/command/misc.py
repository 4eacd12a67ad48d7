"""Watchdog, memballoon, panic, VM generation id, vmcoreinfo, shared memory, vsock and crypto.

Also the helpers every virtio device of these families shares: the driver name by bus
(`-pci`, `-ccw`, `-device`, transitional variants) and the virtio `<driver>` options,
which libvirt puts right after the driver name.

Branches:
- [x] watchdog (i6300esb, ib700, diag288, itco) with -watchdog-action
- [x] memballoon (virtio pci/ccw/device, autodeflate, free page reporting)
- [x] panic (isa pvpanic with iobase, pvpanic-pci, hyperv, pseries, s390)
- [x] vmgenid, vmcoreinfo, ivshmem-plain/doorbell (shm or server chardev, msi vectors),
      vhost-vsock (fd, cid), virtio-crypto with its cryptodev backend
"""

from __future__ import annotations

from capsdb.flags import VIRTIO_PCI_NON_TRANSITIONAL

from ..cmdline import Source, default_source, xml_source
from ..context import BuildContext
from ..model import Device, Elem, GenericAddress, Memballoon
from ..model.misc_devices import Crypto, Panic, Shmem, Vsock, Watchdog
from ..model.sizes import scaled_kib
from ..props import Props
from .device import address_props, emit_device

# libvirt's <driver> virtio options and the QEMU property each one sets, in libvirt's order
_VIRTIO_OPTIONS = (("iommu", "iommu_platform"), ("ats", "ats"), ("packed", "packed"),
                   ("page_per_vq", "page-per-vq"))


def src(dev: Device) -> Source:
    """Provenance of a device's items: its XML element, or the default that added it."""
    return default_source(dev.implicit) if dev.implicit else xml_source(dev.elem)


def virtio_options(elem: Elem | None) -> Props:
    """iommu_platform/ats/packed/page-per-vq from `<driver>`, each only when set."""
    p = Props()
    drv = elem.find("driver") if elem is not None else None
    if drv is None:
        return p
    for attr, prop in _VIRTIO_OPTIONS:
        p.tristate(prop, drv.yes(attr))
    return p


def virtio_driver(ctx: BuildContext, dev: Device, base: str, model: str | None = None) -> str:
    """QEMU's name for a virtio device (qemuBuildVirtioDevGetConfig): the base, its bus
    by address type, then libvirt's (non-)transitional model suffix, which libvirt adds
    whatever the bus (it only complains about a non-PCI one, and goes on)."""
    a = dev.info.address
    bus = "pci"
    if isinstance(a, GenericAddress) and a.type == "ccw":
        bus = "ccw"
    elif isinstance(a, GenericAddress) and a.type == "virtio-mmio":
        bus = "device"
    return f"{base}-{bus}{transitional_suffix(ctx, model)}"


def transitional_suffix(ctx: BuildContext, model: str | None) -> str:
    """libvirt's suffix for a (non-)transitional model. Without QEMU's transitional
    devices (`virtio-pci-non-transitional`) a transitional model gets none: its address,
    on conventional PCI, already makes the plain device behave the same (validation has
    refused a non-transitional one)."""
    if model not in ("virtio-transitional", "virtio-non-transitional") \
            or not ctx.has(VIRTIO_PCI_NON_TRANSITIONAL):
        return ""
    return model[len("virtio"):]


def virtio_props(ctx: BuildContext, dev: Device, base: str,
                 model: str | None = None) -> Props:
    props = Props(("driver", virtio_driver(ctx, dev, base, model)))
    props.update(virtio_options(dev.elem))
    return props


# -- watchdog ----------------------------------------------------------------------------

_WATCHDOG_ACTION = {"dump": "pause", "shutdown": "poweroff"}


def build_watchdogs(ctx: BuildContext) -> None:
    """Each watchdog's device, then one -watchdog-action (libvirt requires them equal)."""
    dogs = [d for d in ctx.domain.devices.items if isinstance(d, Watchdog)]
    for w in dogs:
        if w.model == "itco":
            ctx.cmd.add("-global", "ICH9-LPC.noreboot=off", src(w))
        elif w.model:
            props = Props(("driver", w.model), ("id", w.alias))
            props.update(address_props(ctx, w))
            emit_device(ctx, w, props, src(w))
    if dogs:
        action = dogs[0].action
        ctx.cmd.add("-watchdog-action", _WATCHDOG_ACTION.get(action, action), src(dogs[0]))


# -- memballoon --------------------------------------------------------------------------

def build_memballoon(ctx: BuildContext) -> None:
    for b in (d for d in ctx.domain.devices.items if isinstance(d, Memballoon)):
        if b.model not in ("virtio", "virtio-transitional", "virtio-non-transitional"):
            continue
        props = virtio_props(ctx, b, "virtio-balloon", b.model)
        props.add("id", b.alias)
        props.tristate("deflate-on-oom", b.elem.yes("autodeflate"))
        props.tristate("free-page-reporting", b.elem.yes("freePageReporting"))
        props.update(address_props(ctx, b))
        emit_device(ctx, b, props, src(b))


# -- panic -------------------------------------------------------------------------------

def build_panic(ctx: BuildContext) -> None:
    """pvpanic on ISA (optionally at a fixed I/O port) or PCI; hyperv/pseries/s390 need none."""
    for p in (d for d in ctx.domain.devices.items if isinstance(d, Panic)):
        if p.model == "isa":
            props = Props(("driver", "pvpanic"))
            a = p.info.address
            if isinstance(a, GenericAddress) and a.type == "isa" and a.attrs.get("iobase"):
                props.add("ioport", a.int("iobase"))
            emit_device(ctx, p, props, src(p), alias="")
        elif p.model == "pvpanic":
            props = Props(("driver", "pvpanic-pci"))
            props.update(address_props(ctx, p))
            emit_device(ctx, p, props, src(p), alias="")


def reconnect_key(ctx: BuildContext, seconds: int) -> tuple[str, int]:
    """QEMU 9.2 replaced the seconds of `reconnect` by the milliseconds of `reconnect-ms`."""
    if ctx.has("chardev-reconnect-miliseconds"):
        return "reconnect-ms", seconds * 1000
    return "reconnect", seconds


# -- VM generation id, vmcoreinfo --------------------------------------------------------

def genid_guid(ctx: BuildContext) -> str:
    """The guid of `<genid/>`; libvirt generates a random one for an empty element, which
    the profile may fix (the harness's fake random bytes); else a stable id is derived
    from the domain name so that output is reproducible."""
    g = ctx.domain.genid
    if g is not None and g.text and g.text.strip():
        return g.text.strip()
    if ctx.host.fixed_genid is not None:
        return ctx.host.fixed_genid
    import uuid  # rarely needed: keeps uuid (and platform) out of every CLI call

    return str(uuid.uuid5(uuid.UUID(ctx.host.uuid_for(ctx.domain.name)), "genid"))


def build_genid(ctx: BuildContext) -> None:
    g = ctx.domain.genid
    if g is None or not ctx.has("vmgenid"):
        return
    props = Props(("driver", "vmgenid"), ("guid", genid_guid(ctx)), ("id", "vmgenid0"))
    emit_device(ctx, None, props, xml_source(g))


def build_vmcoreinfo(ctx: BuildContext) -> None:
    f = ctx.domain.feature("vmcoreinfo")
    if f is not None and f.get("state", "on") == "on":
        emit_device(ctx, None, Props(("driver", "vmcoreinfo")), xml_source(f))


# -- shared memory -----------------------------------------------------------------------

def _shmem_size(s: Shmem) -> int:
    kib = scaled_kib(s.elem.find("size"), "b")
    return kib * 1024 if kib else 4 * 1024 * 1024


def build_shmem(ctx: BuildContext) -> None:
    for s in (d for d in ctx.domain.devices.items if isinstance(d, Shmem)):
        if s.model == "ivshmem-plain":
            _shmem_plain(ctx, s)
        elif s.model == "ivshmem-doorbell":
            _shmem_doorbell(ctx, s)


def _shmem_plain(ctx: BuildContext, s: Shmem) -> None:
    mem_id = f"shmmem-{s.alias}"
    obj = Props(("qom-type", "memory-backend-file"), ("id", mem_id),
                ("mem-path", f"/dev/shm/{s.name}"), ("size", _shmem_size(s)), ("share", True))
    ctx.cmd.add_json("-object", obj, src(s))
    props = Props(("driver", "ivshmem-plain"), ("id", s.alias), ("memdev", mem_id))
    role = s.elem.get("role")
    if role:
        props.add("master", "on" if role == "master" else "off")
    props.update(address_props(ctx, s))
    emit_device(ctx, s, props, src(s))


def _shmem_doorbell(ctx: BuildContext, s: Shmem) -> None:
    chr_id = f"char{s.alias}"
    props = Props(("driver", "ivshmem-doorbell"), ("id", s.alias), ("chardev", chr_id))
    msi = s.elem.find("msi")
    if msi is not None and (vectors := msi.get("vectors")):
        props.add("vectors", int(vectors, 0))
    ioeventfd = msi.yes("ioeventfd") if msi is not None else None
    props.add("ioeventfd", True if ioeventfd is None else ioeventfd)
    props.update(address_props(ctx, s))
    emit_device(ctx, s, props, src(s))
    server = s.elem.find("server")
    path = (server.get("path") if server is not None else None) or \
        f"/var/lib/libvirt/shmem-{s.name}-sock"
    ctx.cmd.add("-chardev", f"socket,id={chr_id},path={path}", src(s))


# -- vsock -------------------------------------------------------------------------------

def vsock_cid(ctx: BuildContext, v: Vsock) -> int:
    """The guest CID; an automatic one is what the host hands out (the harness: 42), and
    none is acquired when the host is not prepared (the given address, else 0)."""
    cid = v.elem.find("cid")
    address = cid.get("address") if cid is not None else None
    auto = not address or (cid is not None and cid.get("auto") == "yes")
    if auto and ctx.host.vsock_auto_cid is not None:
        return ctx.host.vsock_auto_cid
    return int(address, 0) if address else 0


def build_vsock(ctx: BuildContext) -> None:
    for v in (d for d in ctx.domain.devices.items if isinstance(d, Vsock)):
        props = virtio_props(ctx, v, "vhost-vsock", v.model)
        props.add("id", v.alias)
        props.add("guest-cid", vsock_cid(ctx, v))
        props.add("vhostfd", str(ctx.passed_fd(ctx.host.vsock_fd)))
        props.update(address_props(ctx, v))
        emit_device(ctx, v, props, src(v))


# -- crypto ------------------------------------------------------------------------------

def build_crypto(ctx: BuildContext) -> None:
    for c in (d for d in ctx.domain.devices.items if isinstance(d, Crypto)):
        backend = c.elem.find("backend")
        bmodel = (backend.get("model") if backend is not None else None) or "builtin"
        obj_id = f"obj{c.alias}"
        obj = Props(("qom-type", f"cryptodev-backend-{bmodel}"), ("id", obj_id))
        if backend is not None and backend.get("queues"):
            obj.add("queues", int(backend.get("queues") or 0))
        ctx.cmd.add_json("-object", obj, src(c))
        props = virtio_props(ctx, c, "virtio-crypto")
        props.add("cryptodev", obj_id)
        props.add("id", c.alias)
        props.update(address_props(ctx, c))
        emit_device(ctx, c, props, src(c))
