"""What the QEMU driver refuses after validation, while preparing to start and building the
command line (qemu_process.c, qemu_command.c, and the post-parse checks the builders used
to make): each rule runs before any command stage, so the builders only build.
"""

from __future__ import annotations

from capsdb.flags import VIRTIO_PCI_NON_TRANSITIONAL

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.device import Device
from ..model.devices import Chardev, Controller, Disk, Hostdev, Interface, Video
from .. import machines as m
from ..arches import S390_ARCHES
from .domain_validate_disk import source_chain
from .firmware import check_nvram_format
from .incoming import check_incoming
from ..host_lookup import nfs_identity_problem, volume_source
from ..spice_ports import spice_connections
from .conf.enums import SPICE_CHANNEL
from .qemu_chardev import serial_target_model, serial_target_type

CONFIG = ErrorCode.CONFIG_UNSUPPORTED

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
    """The incoming URI (checked when the incoming side is set up), then
    qemuProcessStartValidate's checks after virDomainDefValidate: graphics listens and
    qemu-rdp, shared memory names, disks QEMU cannot open."""
    check_incoming(ctx)
    _graphics(ctx)
    _shmem(ctx)
    _disks(ctx)


def check_graphics_counts(ctx: BuildContext) -> None:
    """qemuBuildCommandLineValidate: one graphics device of each type."""
    seen: set[str] = set()
    for g in ctx.domain.devices.of("graphics"):
        gtype = g.elem.get("type") or ""
        if gtype in seen and gtype in ("sdl", "vnc", "spice", "egl-headless", "dbus", "rdp"):
            refuse(CONFIG, "only 1 graphics device of each type (sdl, vnc, spice, headless, "
                           "dbus, rdp) is supported")
        seen.add(gtype)


# USB controller model -> the capability of its QEMU device (qemuControllerModelUSBToCaps)
_USB_MODEL_CAPS = {"piix3-uhci": "piix3-usb-uhci", "piix4-uhci": "piix4-usb-uhci",
                   "ehci": "usb-ehci", "ich9-ehci1": "ich9-usb-ehci1",
                   "ich9-uhci1": "ich9-usb-ehci1", "ich9-uhci2": "ich9-usb-ehci1",
                   "ich9-uhci3": "ich9-usb-ehci1", "vt82c686b-uhci": "vt82c686b-usb-uhci",
                   "pci-ohci": "pci-ohci", "nec-xhci": "nec-usb-xhci",
                   "qemu-xhci": "qemu-xhci"}


def check_keywrap_arch(ctx: BuildContext) -> None:
    """qemuAppendKeyWrapMachineParms: the key wrapping switches of -machine exist on s390
    only; a <keywrap> with a cipher set fails building the machine elsewhere."""
    kw = ctx.domain.keywrap
    if kw is None or ctx.arch in S390_ARCHES:
        return
    if any(c.get("name") in ("aes", "dea") and c.get("state") in ("on", "off")
           for c in kw.findall("cipher")):
        refuse(CONFIG, "'aes-key-wrap'/'dea-key-wrap' is not available on this architecture")


def check_usb_controllers(ctx: BuildContext) -> None:
    """qemuValidateDomainDeviceDefControllerUSB and the companion's master bus."""
    usb = [c for c in ctx.domain.devices.controllers if c.type == "usb"]
    masters = {c.index for c in usb if c.master_startport is None}
    for c in usb:
        if c.model in (None, "none"):
            continue
        cap = _USB_MODEL_CAPS.get(c.model)
        if cap is not None and not ctx.has(cap):
            refuse(CONFIG, f"USB controller model '{c.model}' not supported in this QEMU "
                           "binary")
        if c.elem.get("ports") is not None and c.model not in ("nec-xhci", "qemu-xhci"):
            refuse(CONFIG, f"usb controller type '{c.model}' doesn't support 'ports' with "
                           "this QEMU binary")
        if c.master_startport is not None and c.index not in masters:
            refuse(ErrorCode.INTERNAL_ERROR, "masterbus not found")


def _virtio_base(dev: Device) -> str | None:
    """The virtio device family a device is built as (qemuBuildVirtioDevGetConfig)."""
    e = dev.elem
    if isinstance(dev, Disk):
        return "virtio-blk" if dev.bus == "virtio" and dev.type != "vhostuser" else None
    if isinstance(dev, Interface):
        return "virtio-net" if (dev.model or "").startswith("virtio") else None
    if isinstance(dev, Controller):
        if dev.type == "scsi" and (dev.model or "").startswith("virtio"):
            return "virtio-scsi"
        return "virtio-serial" if dev.type == "virtio-serial" else None
    simple = {"memballoon": "virtio-balloon", "rng": "virtio-rng", "vsock": "vhost-vsock",
              "crypto": "virtio-crypto"}
    if e.tag in simple and (e.get("model") or "virtio").startswith("virtio"):
        return simple[e.tag]
    if e.tag == "input" and e.get("bus") == "virtio":
        return {"mouse": "virtio-mouse", "tablet": "virtio-tablet",
                "keyboard": "virtio-keyboard", "passthrough": "virtio-input-host"}.get(
                    e.get("type") or "")
    return None


# the blockdev key a local storage node names its path with
_PATH_KEY = {"file": "filename", "block": "filename", "dir": "dir"}


def check_backing_paths(ctx: BuildContext) -> None:
    """qemuBlockStorageSourceGetBackendProps: a local layer of a backing chain whose path
    is missing (a block layer written with `file=`, say) makes a storage node without its
    path, which building the command line refuses (the top layer has its own checks)."""
    for disk in ctx.domain.devices.disks:
        for layer in list(source_chain(disk))[1:]:
            key = _PATH_KEY.get(layer.type)
            if key is not None and not layer.path:
                refuse(ErrorCode.INTERNAL_ERROR,
                       f"argument key '{key}' must not have null value")


def check_virtio_addresses(ctx: BuildContext) -> None:
    """qemuBuildVirtioDevGetConfig: a virtio device sits on PCI, virtio-mmio or CCW; one
    the machine gave no address at all (a board without PCI) cannot be built either."""
    for dev in ctx.domain.devices.items:
        addr = dev.elem.find("address")
        atype = addr.get("type") if addr is not None else None
        if atype in ("pci", "virtio-mmio", "ccw", "unassigned"):
            continue
        if atype is None and dev.info.address is not None:
            continue
        base = _virtio_base(dev)
        if base is None:
            continue
        if atype is None:
            refuse(ErrorCode.INTERNAL_ERROR,
                   "Unexpected enum value 0 for virDomainDeviceAddressType")
        refuse(ErrorCode.INTERNAL_ERROR, f"Unexpected address type for '{base}'")


def _virtio_model(dev: Device) -> str | None:
    """The model that picks a virtio device's (non-)transitional variant, for the devices
    qemuBuildVirtioDevGetConfig reads one of (an input's never reaches it: validation
    refuses a transitional input)."""
    if isinstance(dev, (Interface, Controller, Hostdev)):
        if isinstance(dev, Controller) and dev.type not in ("scsi", "virtio-serial"):
            return None
        return dev.model
    if dev.elem.tag in ("disk", "rng", "filesystem", "memballoon", "vsock"):
        return dev.elem.get("model")
    return None


def check_virtio_models(ctx: BuildContext) -> None:
    """qemuBuildVirtioDevGetConfig: a non-transitional device needs QEMU's transitional
    variants (a transitional one falls back to the plain device)."""
    if ctx.has(VIRTIO_PCI_NON_TRANSITIONAL):
        return
    for dev in ctx.domain.devices.items:
        if _virtio_model(dev) == "virtio-non-transitional":
            refuse(CONFIG, "virtio non-transitional model not supported for this qemu")


def check_backend_types(ctx: BuildContext) -> None:
    """What qemuBuildCommandLine cannot build: interface types QEMU lacks, chardev types,
    host USB devices libvirt could not locate."""
    for dev in ctx.domain.devices.items:
        if isinstance(dev, Interface) and dev.type in ("null", "vds"):
            refuse(CONFIG, f"network device type '{dev.type}' is not supported by this "
                           "hypervisor")
        if isinstance(dev, Interface) and dev.elem.find("script") is not None \
                and dev.type not in ("ethernet", "network") and not ctx.host.nets_as_ethernet:
            refuse(CONFIG, f"scripts are not supported on interfaces of type {dev.type}")
        if dev.elem.tag in ("serial", "parallel", "channel", "console") \
                and dev.elem.get("type") == "nmdm":
            refuse(CONFIG, "unsupported chardev 'nmdm'")
        if isinstance(dev, Hostdev) and dev.mode == "subsystem" and dev.type == "usb":
            addr = dev.source.find("address") if dev.source is not None else None
            bus = addr.get("bus", "0") if addr is not None else "0"
            device = addr.get("device", "0") if addr is not None else "0"
            if bus in ("0", "0x0") and device in ("0", "0x0"):
                refuse(ErrorCode.INTERNAL_ERROR, "USB host device is missing bus/device "
                                                 "information")
        if dev.elem.tag == "graphics" and dev.elem.get("type") == "vnc":
            _vnc_port(dev)


def check_spice_channels(ctx: BuildContext) -> None:
    """qemuBuildGraphicsSPICECommandLine: the default mode, then each channel in libvirt's
    channel order, must find the connection its mode asks for (TLS for 'secure', plaintext
    for 'insecure') among those the display offers once its ports are allocated."""
    for g in ctx.domain.devices.of("graphics"):
        e = g.elem
        if e.get("type") != "spice":
            continue
        plain, tls = spice_connections(ctx, e)
        default = e.get("defaultMode")
        if default == "secure" and not tls:
            refuse(CONFIG, "spice defaultMode secure requested in XML configuration, but TLS "
                           "connection is not available")
        if default == "insecure" and not plain:
            refuse(CONFIG, "spice defaultMode insecure requested in XML configuration, but "
                           "plaintext connection is not available")
        modes = {ch.get("name"): ch.get("mode") for ch in e.findall("channel")}
        for name in SPICE_CHANNEL:  # libvirt's channel enum order
            if modes.get(name) == "secure" and not tls:
                refuse(CONFIG, "spice secure channels set in XML configuration, but TLS "
                               "connection is not available")
            if modes.get(name) == "insecure" and not plain:
                refuse(CONFIG, "spice insecure channels set in XML configuration, but "
                               "plaintext connection is not available")


def _vnc_port(dev: Device) -> None:
    e = dev.elem
    listen = e.find("listen")
    ltype = listen.get("type") if listen is not None else "address"
    port = e.get("port")
    if ltype in ("address", "network") and e.get("autoport") == "no" and port \
            and port.lstrip("-").isdigit() and not 5900 <= int(port) <= 65535:
        refuse(CONFIG, "vnc port must be in range [5900,65535]")


# serial target model -> the capability of its QEMU device (qemuChrSerialTargetModelToCaps)
_SERIAL_MODEL_CAPS = {"isa-serial": "isa-serial", "usb-serial": "usb-serial",
                      "pci-serial": "pci-serial", "spapr-vty": "spapr-vty",
                      "sclpconsole": "s390-sclp", "sclplmconsole": "sclplmconsole",
                      "pl011": "pl011"}


def check_chardev_devices(ctx: BuildContext) -> None:
    """qemuBuildSerialCommandLine and qemuBuildVirtioSerialPortDevProps."""
    for c in ctx.domain.devices.items:
        if not isinstance(c, Chardev):
            continue
        if c.kind == "serial":
            model = serial_target_model(ctx, c, serial_target_type(ctx, c))
            cap = _SERIAL_MODEL_CAPS.get(model or "")
            if cap is not None and not ctx.has(cap):
                refuse(CONFIG, f"'{model}' is not supported in this QEMU binary")
        virtio = (c.kind == "channel" and c.target_type == "virtio") or \
            (c.kind == "console" and c.target_type == "virtio")
        if not virtio:
            continue
        addr = c.elem.find("address")
        if addr is not None and addr.get("type") not in ("ccw", "virtio-serial"):
            refuse(ErrorCode.INTERNAL_ERROR, "virtio serial device has invalid address type")
        if c.kind == "channel" and c.type == "spicevmc" and c.target_name \
                and c.target_name != "com.redhat.spice.0":
            refuse(CONFIG, f"Unsupported spicevmc target name '{c.target_name}'")


def check_smbios(ctx: BuildContext) -> None:
    """qemuBuildSmbiosCommandLine: <smbios mode='sysinfo'/> takes the domain's SMBIOS
    sysinfo, which must exist; QEMU takes one SMBIOS type 2 (base board) entry."""
    if ctx.domain.os.smbios_mode != "sysinfo":
        return
    smbios = [info for info in ctx.domain.sysinfo if (info.get("type") or "smbios") == "smbios"]
    if not smbios:
        refuse(ErrorCode.XML_ERROR, f"Domain '{ctx.domain.name}' sysinfo are not available")
    if len(smbios[0].findall("baseBoard")) > 1:
        refuse(CONFIG, "qemu does not support more than one entry to Type 2 in SMBIOS table")


def check_memory_backends(ctx: BuildContext) -> None:
    """qemuBuildMemoryBackendProps: the backend objects QEMU must offer."""
    backing = ctx.domain.memory_backing
    if backing is not None and backing.attr_at("type", "source") == "memfd" \
            and not ctx.has("memory-backend-memfd"):
        refuse(CONFIG, "this qemu doesn't support the memory-backend-memfd object")
    for dev in ctx.domain.devices.of("memory"):
        if dev.elem.get("model") == "nvdimm" and dev.elem.at("source", "pmem") is not None \
                and not ctx.has("memory-backend-file.pmem"):
            refuse(CONFIG, "nvdimm pmem property is not available with this QEMU binary")


def check_volume_disks(ctx: BuildContext) -> None:
    """qemuProcessPrepareDomainStorage: a volume disk its pool cannot answer for fails the
    start (prepare has dropped the ones their startupPolicy lets go)."""
    for d in reversed(ctx.domain.devices.disks):
        if d.type == "volume" and d.source is not None:
            result = volume_source(ctx.host.drivers, d)
            if isinstance(result, tuple):
                refuse(*result)


def check_nfs_identities(ctx: BuildContext) -> None:
    """qemuDomainPrepareDiskSource (after the pool translation): each NFS layer's user and
    group become the host's ids, and a name the host cannot resolve fails the start."""
    for d in ctx.domain.devices.disks:
        for layer in source_chain(d):
            identity = layer.source.find("identity") if layer.source is not None else None
            if layer.type == "network" and layer.protocol == "nfs" and identity is not None:
                problem = nfs_identity_problem(identity)
                if problem is not None:
                    refuse(*problem)


def check_vdpa_disks_opened(ctx: BuildContext) -> None:
    """qemuBlockStorageSourceGetVhostVdpaProps: a vhost-vdpa disk is given to QEMU as the
    descriptor libvirt opened for it; a pretend build opens none, and building the storage
    node's properties without its path fails."""
    for d in ctx.domain.devices.disks:
        if d.type != "vhostvdpa" or ctx.host.vdpa_disk_fd is not None:
            continue
        dev = d.source.get("dev") if d.source is not None else None
        if dev not in ctx.vdpa_fds:
            refuse(ErrorCode.INTERNAL_ERROR, "argument key 'path' must not have null value")


def check_vhost_user_gpu_opened(ctx: BuildContext) -> None:
    """qemuBuildVideoCommandLine hands a vhost-user GPU's socket to QEMU as the descriptor
    libvirt opened for it; a pretend build opens none and passes -1, which the command
    builder records as an error and reports when the command line is finished."""
    if ctx.host.vhost_user_gpu_fd >= 0:
        return
    for dev in ctx.domain.devices.of("video"):
        if isinstance(dev, Video) and dev.model == "virtio" and dev.vhost_user:
            refuse(ErrorCode.INTERNAL_ERROR, "invalid use of command API")


def validate_prepare(ctx: BuildContext) -> None:
    """The refusals of qemuProcessPrepareDomain and of building the command line."""
    check_volume_disks(ctx)
    check_nfs_identities(ctx)
    check_graphics_counts(ctx)
    check_nvram_format(ctx)  # the pflash units come first on the command line
    check_keywrap_arch(ctx)  # then -machine
    check_usb_controllers(ctx)
    check_backing_paths(ctx)
    check_virtio_addresses(ctx)
    check_virtio_models(ctx)
    check_backend_types(ctx)
    check_spice_channels(ctx)
    check_chardev_devices(ctx)
    check_smbios(ctx)
    check_memory_backends(ctx)
    check_shmem_address(ctx)
    check_vdpa_disks_opened(ctx)
    check_vhost_user_gpu_opened(ctx)  # raised once the whole command line is built
