"""What the QEMU driver refuses after validation, while preparing to start and building the
command line (qemu_process.c, qemu_command.c, and the post-parse checks the builders used
to make): each rule runs before any command stage, so the builders only build.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.devices import Hostdev, Interface
from ..parse import scaled_kib
from . import qemu_machine as m

CONFIG = ErrorCode.CONFIG_UNSUPPORTED

# interface types a tap (and so nwfilter or a custom tap path) stands behind
_TAP_TYPES = ("network", "bridge", "ethernet")
_MULTIQUEUE_TYPES = ("network", "bridge", "direct", "ethernet", "vhostuser", "vdpa")


def check_tseg(ctx: BuildContext) -> None:
    """qemuDomainDefTsegPostParse: an explicit SMM TSEG size on q35, in whole MiB."""
    smm = ctx.domain.feature("smm")
    tseg = smm.find("tseg") if smm is not None else None
    if smm is None or smm.get("state", "on") != "on" or tseg is None or tseg.text is None:
        return
    if not m.is_q35(ctx):
        refuse(CONFIG, "SMM TSEG is only supported with q35 machine type")
    if not ctx.has("mch.extended-tseg-mbytes"):
        refuse(CONFIG, "Setting TSEG size is not supported with this QEMU binary")
    if (scaled_kib(tseg, "mib") or 0) % 1024:
        refuse(CONFIG, "SMM TSEG size must be divisible by 1 MiB")


def _mac(net: Interface | Hostdev) -> str:
    if isinstance(net, Interface):
        return net.mac or ""
    return (net.elem.attr_at("address", "mac") or "").lower()


def check_actual_nets(ctx: BuildContext) -> None:
    """qemuDomainValidateActualNetDef, run when each interface is built (in domxml-to-native's
    pretend mode every interface is built as 'ethernet', which passes all of them)."""
    if ctx.host.nets_as_ethernet:
        return
    for net in ctx.domain.devices.items:
        if isinstance(net, Interface):
            ntype = net.type
        elif isinstance(net, Hostdev) and net.interface:
            ntype = "hostdev"
        else:
            continue
        if ntype == "network":
            continue  # its actual type is the virtual network's, known only at start
        e = net.elem
        # a hostdev interface's <driver> is the host driver's: it has no queues
        queues = e.attr_at("queues", "driver") if ntype != "hostdev" else None
        if queues and queues.isdigit() and int(queues) > 0 and ntype not in _MULTIQUEUE_TYPES:
            refuse(CONFIG, f"interface {_mac(net)} - multiqueue is not supported for network "
                           f"interfaces of type {ntype}")
        # (libvirt keeps <filterref> only on tap-backed types, so the filterref rule can only
        # fail for a virtual network resolved at start: not something the XML shows)
        if e.attr_at("tap", "backend") and ntype not in _TAP_TYPES:
            refuse(CONFIG, f"interface {_mac(net)} - custom tap device path is not supported "
                           f"for network interfaces of type {ntype}")
        if e.attr_at("type", "teaming") == "transient" and ntype != "hostdev":
            refuse(CONFIG, f"interface {_mac(net)} - teaming transient device must be "
                           f"type='hostdev', not '{ntype}'")


def _graphics(ctx: BuildContext) -> None:
    """qemuProcessStartValidateGraphics."""
    graphics = ctx.domain.devices.of("graphics")
    has_dbus = any(g.elem.get("type") == "dbus" for g in graphics)
    for g in graphics:
        gtype = g.elem.get("type")
        listens = len(g.elem.findall("listen"))
        if gtype in ("vnc", "spice") and listens > 1:
            refuse(CONFIG, "QEMU does not support multiple listens for one graphics device.")
        if gtype == "rdp":
            if listens > 1:
                refuse(CONFIG, "qemu-rdp does not support multiple listens for one graphics "
                               "device.")
            if g.elem.get("multiUser") == "yes":
                refuse(CONFIG, "qemu-rdp doesn't support the 'multiUser' attribute.")
            if g.elem.get("replaceUser") == "yes":
                refuse(CONFIG, "qemu-rdp doesn't support the 'replaceUser' attribute.")
            if not has_dbus:
                refuse(CONFIG, "qemu-rdp support requires a D-Bus bus graphics device.")


def _shmem(ctx: BuildContext) -> None:
    for dev in ctx.domain.devices.of("shmem"):
        name = dev.elem.get("name") or ""
        if "/" in name:
            refuse(CONFIG, f"shmem name '{name}' must not contain '/'")


def check_shmem_address(ctx: BuildContext) -> None:
    """qemuBuildShmemCommandLine: ivshmem is a PCI device."""
    for dev in ctx.domain.devices.of("shmem"):
        addr = dev.elem.find("address")
        if addr is not None and addr.get("type") != "pci":
            refuse(CONFIG, "only 'pci' addresses are supported for the shared memory device")


def _disks(ctx: BuildContext) -> None:
    """qemuProcessStartValidateDisks."""
    for d in ctx.domain.devices.disks:
        if d.type == "network" and d.source is not None and d.source.get("protocol") == "vxhs":
            refuse(CONFIG, "VxHS protocol is not supported with this QEMU binary")
        if d.device == "floppy" and m.is_pseries(ctx):
            refuse(CONFIG, "PowerPC pseries machines do not support floppy device")
        if d.type == "nvme" and not ctx.has("drive-nvme"):
            refuse(CONFIG, "NVMe disks are not supported with this QEMU binary")


def validate_start(ctx: BuildContext) -> None:
    """qemuProcessStartValidate's checks after virDomainDefValidate: graphics listens and
    qemu-rdp, shared memory names, disks QEMU cannot open."""
    _graphics(ctx)
    _shmem(ctx)
    _disks(ctx)


def validate_prepare(ctx: BuildContext) -> None:
    """The refusals of qemuProcessPrepareDomain and of building the command line."""
    check_actual_nets(ctx)
    check_shmem_address(ctx)
