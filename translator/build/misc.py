"""Watchdog, memballoon, RNG, panic and TPM devices."""

from __future__ import annotations

from ..cmdline import default_source, xml_source
from ..context import BuildContext
from ..model import Memballoon
from ..props import Props
from .device import address_props, emit_device


def _src(dev):  # type: ignore[no-untyped-def]
    return default_source(dev.implicit) if dev.implicit else xml_source(dev.elem)


def build_watchdogs(ctx: BuildContext) -> None:
    for w in ctx.domain.devices.of("watchdog"):
        model = w.elem.get("model")
        action = w.elem.get("action", "reset") or "reset"
        if model == "itco":
            ctx.cmd.add("-global", "ICH9-LPC.noreboot=off", _src(w))
        elif model in ("i6300esb", "ib700", "diag288"):
            props = Props(("driver", model), ("id", w.alias))
            props.update(address_props(ctx, w))
            emit_device(ctx, w, props, _src(w))
        act = {"dump": "pause", "shutdown": "poweroff"}.get(action, action)
        ctx.cmd.add("-watchdog-action", act, _src(w))


def build_memballoon(ctx: BuildContext) -> None:
    for b in (d for d in ctx.domain.devices.items if isinstance(d, Memballoon)):
        if b.model == "none":
            continue
        driver = {"virtio": "virtio-balloon-pci",
                  "virtio-transitional": "virtio-balloon-pci-transitional",
                  "virtio-non-transitional": "virtio-balloon-pci-non-transitional"}.get(b.model)
        if driver is None:
            continue
        props = Props(("driver", driver), ("id", b.alias))
        props.update(address_props(ctx, b))
        if b.elem.get("autodeflate"):
            props.add("deflate-on-oom", b.elem.get("autodeflate") == "on")
        if b.elem.get("freePageReporting"):
            props.add("free-page-reporting", b.elem.get("freePageReporting") == "on")
        emit_device(ctx, b, props, _src(b))


def build_rngs(ctx: BuildContext) -> None:
    for r in ctx.domain.devices.of("rng"):
        backend = r.elem.find("backend")
        obj_id = f"obj{r.alias}"
        model = backend.get("model", "random") if backend is not None else "random"
        if model == "random":
            obj = Props(("qom-type", "rng-random"), ("id", obj_id),
                        ("filename", (backend.text if backend is not None and backend.text else "/dev/urandom")))
        elif model == "builtin":
            obj = Props(("qom-type", "rng-builtin"), ("id", obj_id))
        else:
            obj = Props(("qom-type", "rng-egd"), ("id", obj_id), ("chardev", f"char{r.alias}"))
        ctx.cmd.add_json("-object", obj, _src(r))
        props = Props(("driver", "virtio-rng-pci"), ("rng", obj_id), ("id", r.alias))
        props.update(address_props(ctx, r))
        emit_device(ctx, r, props, _src(r))


def build_panic(ctx: BuildContext) -> None:
    for p in ctx.domain.devices.of("panic"):
        model = p.elem.get("model") or ("isa" if ctx.is_x86 else None)
        if model == "isa":
            props = Props(("driver", "pvpanic"))
            emit_device(ctx, p, props, _src(p), alias="")


def build_tpms(ctx: BuildContext) -> None:
    for t in ctx.domain.devices.of("tpm"):
        backend = t.elem.find("backend")
        btype = backend.get("type") if backend is not None else "passthrough"
        tpmdev = f"tpm-{t.alias}"
        if btype == "emulator":
            ctx.cmd.add("-chardev", "socket,id=chrtpm,path=/dev/test", _src(t))
            ctx.cmd.add("-tpmdev", f"emulator,id={tpmdev},chardev=chrtpm", _src(t))
        model = t.elem.get("model") or "tpm-tis"
        props = Props(("driver", model), ("tpmdev", tpmdev), ("id", t.alias))
        emit_device(ctx, t, props, _src(t))
