"""TPM devices: the -tpmdev backend (host passthrough, swtpm emulator, external swtpm)
and the TPM frontend device.

Branches (qemuBuildTPMCommandLine):
- [x] passthrough (host device and cancel path fds), emulator (swtpm socket), external
      (socket); frontends tpm-tis, tpm-crb, tpm-spapr, tpm-tis-device; spapr proxy
"""

from __future__ import annotations

from ..context import BuildContext
from ..model.misc_devices import Tpm
from ..props import Props, escape_comma
from .device import address_props, emit_device
from .misc import src

def swtpm_socket(ctx: BuildContext) -> str:
    """Where libvirt's swtpm listens (a profile may fix it, as the test harness does)."""
    if ctx.host.swtpm_socket is not None:
        return ctx.host.swtpm_socket
    return f"{ctx.host.run_dir}/swtpm/{ctx.host.short_domain_name(ctx.domain.name)}-swtpm.sock"


def _tpm_fd(ctx: BuildContext, which: int) -> int:
    """The host TPM (0) or its cancel file (1), opened while the command line is built."""
    if ctx.host.daemon_fd_base is not None:
        return ctx.next_daemon_fd()
    return ctx.host.tpm_passthrough_fds[which]


def _add_fd(ctx: BuildContext, t: Tpm, fd: int, what: str) -> str:
    fdset = ctx.next("fdset")
    ctx.cmd.add("-add-fd", f"set={fdset},fd={fd},opaque={t.alias}-{what}", src(t))
    return f"/dev/fdset/{fdset}"


def tpmdev_arg(ctx: BuildContext, t: Tpm) -> str:
    """Emit what the backend needs first (fds or a chardev), return the -tpmdev value."""
    tpmdev = f"tpm-{t.alias}"
    if t.backend_type == "passthrough":
        path = _add_fd(ctx, t, _tpm_fd(ctx, 0), "tpm")
        cancel = _add_fd(ctx, t, _tpm_fd(ctx, 1), "cancel")
        return f"passthrough,id={tpmdev},path={path},cancel-path={cancel}"
    if t.backend_type == "external":
        source = t.backend.find("source") if t.backend is not None else None
        sock = (source.get("path") if source is not None else None) or ""
    elif not ctx.host.starts_swtpm:
        ctx.cmd.add("-chardev", "null,id=chrtpm", src(t))
        return f"emulator,id={tpmdev},chardev=chrtpm"
    else:
        sock = swtpm_socket(ctx)
    ctx.cmd.add("-chardev", f"socket,id=chrtpm,path={escape_comma(sock)}", src(t))
    return f"emulator,id={tpmdev},chardev=chrtpm"


def tpm_proxy_props(t: Tpm) -> Props:
    """spapr-tpm-proxy forwards to a host TPM device itself: no -tpmdev backend."""
    path = t.elem.attr_at("path", "backend", "device") or "/dev/tpmrm0"
    return Props(("driver", "spapr-tpm-proxy"), ("id", t.alias), ("host-path", path))


def build_tpms(ctx: BuildContext) -> None:
    for t in (d for d in ctx.domain.devices.items if isinstance(d, Tpm)):
        if t.model == "spapr-tpm-proxy":  # pseries: a host TPM proxy, no -tpmdev
            emit_device(ctx, t, tpm_proxy_props(t), src(t))
            continue
        ctx.cmd.add("-tpmdev", tpmdev_arg(ctx, t), src(t))
        model = t.model or "tpm-tis"  # libvirt's default everywhere but ppc64
        if model == "tpm-tis" and not ctx.policy.has_isa_bus(ctx):
            # no ISA bus there: the TIS interface is QEMU's sysbus variant
            model = "tpm-tis-device"
        props = Props(("driver", model), ("tpmdev", f"tpm-{t.alias}"), ("id", t.alias))
        props.update(address_props(ctx, t))
        emit_device(ctx, t, props, src(t))
