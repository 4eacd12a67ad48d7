"""The QEMU driver's checks of the smaller device families (qemu_validate.c): watchdog,
video, graphics, filesystems, audio, crypto, pstore, sound, vsock, TPM, input, memballoon,
IOMMU, NVRAM, hub, memory devices and shared memory.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.device import Device
from ..model.devices import Video
from .. import machines as m
from .qemu_net import requires_shared_memory
from .values import size_bytes

CONFIG = ErrorCode.CONFIG_UNSUPPORTED
UINT_MAX_KIB = 0xFFFFFFFF // 1024


def _address_type(dev: Device) -> str | None:
    addr = dev.elem.find("address")
    return addr.get("type") if addr is not None else None


def _boot(dev: Device) -> bool:
    return dev.info.boot_order is not None or dev.elem.find("boot") is not None


# -- watchdog -----------------------------------------------------------------------------

def validate_watchdog(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainWatchdogDef."""
    dogs = ctx.domain.devices.of("watchdog")
    action = dev.elem.get("action") or "reset"
    if dogs and (dogs[0].elem.get("action") or "reset") != action:
        refuse(CONFIG, "watchdogs with different actions are not supported with this QEMU "
                       "binary")
    model = dev.elem.get("model") or ""
    atype = _address_type(dev)
    if model == "i6300esb" and atype not in (None, "pci"):
        refuse(CONFIG, f"{model} model of watchdog can go only on PCI bus")
    if model == "ib700":
        if not m.is_i440fx(ctx):
            refuse(CONFIG, f"{model} model of watchdog cannot be used with this machine type")
        if atype is not None:
            refuse(CONFIG, f"{model} model of watchdog does not support configuring the "
                           "address")
    if model == "diag288":
        if atype is not None:
            refuse(CONFIG, f"{model} model of watchdog is virtual and cannot go on any bus.")
        if ctx.arch not in m.S390:
            refuse(CONFIG, f"{model} model of watchdog is allowed for s390 and s390x only")
    if model == "itco":
        if atype is not None:
            refuse(CONFIG, f"{model} model of watchdog is part of the machine and cannot have "
                           "any address set.")
        if not m.is_q35(ctx):
            refuse(CONFIG, f"{model} model of watchdog is only part of q35 machine")


# -- video --------------------------------------------------------------------------------

_VIDEO_CAPS = {"vga": "VGA", "cirrus": "cirrus-vga", "vmvga": "vmware-svga", "qxl": "qxl",
               "virtio": "virtio-gpu", "bochs": "bochs-display", "ramfb": "ramfb"}


def validate_video(ctx: BuildContext, v: Video) -> None:
    """qemuValidateDomainDeviceDefVideo."""
    model = v.model
    if model in (None, "none"):
        return
    cap = _VIDEO_CAPS.get(model)
    if cap is None or not ctx.has(cap):
        refuse(CONFIG, f"domain configuration does not support video model '{model}'")
    videos = [d for d in ctx.domain.devices.items if isinstance(d, Video)]
    primary = bool(videos) and videos[0] is v
    if model not in ("qxl", "virtio"):
        if not primary:
            refuse(CONFIG, f"video type '{model}' is only valid as primary video device")
        if (v.heads or 1) != 1:
            refuse(CONFIG, f"video type '{model}' doesn't support multiple 'heads'")
    accel = v.elem.at("model", "acceleration")
    if accel is not None and accel.get("accel2d") == "yes":
        refuse(CONFIG, "qemu does not support the accel2d setting")
    if model == "qxl":
        if v.vram is not None and v.vram > UINT_MAX_KIB:
            refuse(ErrorCode.OVERFLOW, "value for 'vram' must be less than '%d'" % UINT_MAX_KIB)
        if v.ram is not None and v.ram > UINT_MAX_KIB:
            refuse(ErrorCode.OVERFLOW, "value for 'ram' must be less than '%d'" % UINT_MAX_KIB)
        if v.vgamem:
            if v.vgamem < 1024:
                refuse(CONFIG, "value for 'vgamem' must be at least 1 MiB (1024 KiB)")
            if v.vgamem & (v.vgamem - 1):
                refuse(CONFIG, "value for 'vgamem' must be power of two")
    if model not in ("vga", "qxl", "virtio", "bochs") \
            and v.elem.at("model", "resolution") is not None:
        refuse(ErrorCode.XML_ERROR, "model resolution is not supported")
    if model in ("vga", "vmvga") and v.vram and v.vram < 1024:
        refuse(CONFIG, "value for 'vram' must be at least 1 MiB (1024 KiB)")
    if v.elem.attr_at("type", "driver") == "vhostuser":
        if model == "virtio" and not ctx.has("vhost-user-gpu"):
            refuse(CONFIG, "this QEMU does not support 'vhost-user' video device")
    elif accel is not None and accel.get("accel3d") == "yes":
        if model != "virtio":
            refuse(CONFIG, "3d acceleration is supported only with 'virtio' video device")
        if not any(ctx.has(c) for c in ("virtio-gpu.virgl", "virtio-gpu-gl-pci",
                                        "virtio-vga-gl")):
            refuse(CONFIG, "3d acceleration is not supported by this QEMU binary")
    if model == "virtio" and v.blob is not None:
        if not ctx.has("virtio-gpu.blob"):
            refuse(CONFIG, "this QEMU does not support 'blob' for virtio-gpu devices")
        source = ctx.domain.memory_backing.attr_at("type", "source") \
            if ctx.domain.memory_backing is not None else None
        if v.blob and source != "memfd":
            refuse(CONFIG, "'blob' support for virtio-gpu devices requires a memfd memory "
                           "backend")
    if model == "ramfb" and _address_type(v) is not None:
        refuse(CONFIG, "'address' is not supported for 'ramfb' video devices")


# -- graphics -----------------------------------------------------------------------------

def _graphics_supported(ctx: BuildContext, gtype: str) -> bool:
    """virQEMUCapsFillDomainDeviceGraphicsCaps (RDP also needs the qemu-rdp helper)."""
    if gtype == "rdp":
        return ctx.has("display-dbus") and ctx.host.qemu_rdp
    cap = {"sdl": "sdl", "vnc": "vnc", "spice": "spice", "egl-headless": "egl-headless",
           "dbus": "display-dbus"}.get(gtype)
    return cap is not None and ctx.has(cap)


def validate_graphics(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefGraphics."""
    e = dev.elem
    gtype = e.get("type") or ""
    if not _graphics_supported(ctx, gtype):
        refuse(CONFIG, f"{gtype} graphics are not supported with this QEMU")
    types = [g.elem.get("type") for g in ctx.domain.devices.of("graphics")]
    gl = e.attr_at("enable", "gl") == "yes"
    if "egl-headless" in types:
        if gtype not in ("egl-headless", "vnc", "spice"):
            refuse(CONFIG, "graphics type 'egl-headless' is only supported with one of: "
                           "'vnc', 'spice' graphics types")
        if gtype == "spice" and gl:
            refuse(CONFIG, "multiple OpenGL displays are not supported by QEMU")
    if gtype == "spice":
        listen = e.find("listen")
        ltype = listen.get("type") if listen is not None else \
            ("address" if e.get("listen") or e.get("port") or e.get("tlsPort") else None)
        tls_text = e.get("tlsPort") or "0"
        tls_port = int(tls_text) if tls_text.lstrip("-").isdigit() else 0
        if ltype in ("address", "network", None) and tls_port > 0 \
                and not ctx.host.qemu_conf.spice_tls_for(tls_port):
            refuse(CONFIG, "spice TLS port set in XML configuration, but TLS is disabled in "
                           "qemu.conf")
        if gl:
            if not ctx.has("spice-gl"):
                refuse(CONFIG, "This QEMU doesn't support spice OpenGL")
            if e.attr_at("rendernode", "gl") and not ctx.has("spice-rendernode"):
                refuse(CONFIG, "This QEMU doesn't support spice OpenGL rendernode")
    elif gtype == "egl-headless":
        if e.attr_at("rendernode", "gl") and not ctx.has("egl-headless.rendernode"):
            refuse(CONFIG, "This QEMU doesn't support OpenGL rendernode with egl-headless "
                           "graphics type")
    elif gtype == "vnc":
        if e.get("powerControl") is not None and not ctx.has("vnc-power-control"):
            refuse(CONFIG, "VNC power control is not available")
        passwd = e.get("passwd")
        if passwd is not None and len(passwd) > 8:
            refuse(CONFIG, f"VNC password is {len(passwd)} characters long, only 8 permitted")
    elif gtype == "dbus":
        audio_id = e.attr_at("id", "audio")
        if audio_id and audio_id.isdigit() and int(audio_id) > 0:
            for a in ctx.domain.devices.of("audio"):
                if a.elem.get("id") == audio_id and a.elem.get("type") != "dbus":
                    refuse(CONFIG, "The associated audio is not of 'dbus' kind.")
    elif gtype == "rdp":
        if e.get("replaceUser") == "yes":
            refuse(CONFIG, "RDP doesn't support 'replaceUser'")
        if e.get("multiUser") == "yes":
            refuse(CONFIG, "RDP doesn't support 'multiUser'")
        if e.get("passwdValidTo"):
            refuse(CONFIG, "RDP password expiration isn't supported")


# -- filesystems --------------------------------------------------------------------------

def validate_fs(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefFS."""
    e = dev.elem
    if (e.get("type") or "mount") != "mount":
        refuse(CONFIG, "only supports mount filesystem type")
    if e.find("space_hard_limit") is not None or e.find("space_soft_limit") is not None:
        refuse(CONFIG, "filesystem usage limits are not supported with QEMU")
    multidevs = e.get("multidevs")
    if multidevs not in (None, "default") and not ctx.has("fsdev.multidevs"):
        refuse(CONFIG, "multidevs is not supported with this QEMU binary")
    access = e.get("accessmode") or "passthrough"
    modes = e.get("fmode") is not None or e.get("dmode") is not None
    if modes and access != "mapped":
        refuse(CONFIG, "fmode and dmode must be used with accessmode=mapped")
    drv = e.find("driver")
    fsdriver = drv.get("type") if drv is not None else None
    sandbox = e.at("binary", "sandbox")
    if fsdriver != "virtiofs" and sandbox is not None and sandbox.get("mode"):
        refuse(CONFIG, "sandbox can only be used with driver=virtiofs")
    if fsdriver == "handle" and access != "passthrough":
        refuse(CONFIG, "only supports passthrough accessmode")
    if fsdriver in ("loop", "nbd", "ploop"):
        refuse(CONFIG, "Filesystem driver type not supported")
    if fsdriver == "virtiofs":
        sock = e.attr_at("socket", "source")
        if not sock:
            if access != "passthrough":
                refuse(CONFIG, "virtiofs only supports passthrough accessmode")
            if drv is not None and drv.get("wrpolicy"):
                refuse(CONFIG, "virtiofs does not support wrpolicy")
        if e.get("model"):
            refuse(CONFIG, "virtiofs does not support model")
        if drv is not None and drv.get("format"):
            refuse(CONFIG, "virtiofs does not support format")
        if not ctx.has("vhost-user-fs"):
            refuse(CONFIG, "virtiofs is not supported with this QEMU binary")
        if multidevs not in (None, "default"):
            refuse(CONFIG, "virtiofs does not support multidevs")
        if modes:
            refuse(CONFIG, "virtiofs does not support fmode and dmode")
        requires_shared_memory(ctx, "virtiofs")
        if _boot(dev):
            if not ctx.has("vhost-user-fs.bootindex"):
                refuse(CONFIG, "setting virtiofs boot order is not supported with this QEMU "
                               "binary")
            if _address_type(dev) not in (None, "pci"):
                refuse(CONFIG, "setting virtiofs boot order is supported only with PCI bus")
    if fsdriver == "mtp":
        if not ctx.has("usb-mtp"):
            refuse(CONFIG, "mtp is not supported with this QEMU binary")
        if access != "passthrough":
            refuse(CONFIG, "mtp only supports passthrough accessmode")


# -- audio, crypto, pstore, sound, vsock ----------------------------------------------------

def validate_audio(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefAudio."""
    atype = dev.elem.get("type")
    if atype == "spice" and not any(g.elem.get("type") == "spice"
                                    for g in ctx.domain.devices.of("graphics")):
        refuse(CONFIG, "Spice audio is not supported without spice graphics")
    if atype == "dbus" and not ctx.has("display-dbus"):
        refuse(CONFIG, "D-Bus audio is not supported with this QEMU")


def validate_crypto(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefCrypto."""
    e = dev.elem
    model = e.get("model") or ""
    if model != "virtio" or not ctx.has("virtio-crypto"):
        refuse(CONFIG, f"crypto model {model} is not supported")
    if (e.get("type") or "") != "qemu":
        refuse(CONFIG, f"crypto type {e.get('type') or ''} is not supported")
    backend = e.attr_at("model", "backend") or ""
    if backend not in ("builtin", "lkcf") or (backend == "lkcf"
                                              and not ctx.has("cryptodev-backend-lkcf")):
        refuse(CONFIG, f"crypto backend {backend} is not supported")


def validate_pstore(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefPstore."""
    if dev.elem.get("backend") == "acpi-erst" and not ctx.has("acpi-erst"):
        refuse(CONFIG, "acpi-erst backend of pstore device is not supported")
    if _address_type(dev) not in (None, "pci"):
        refuse(CONFIG, "ACPI ERST device must reside on a PCI bus")


_CODEC_CAPS = {"duplex": "hda-duplex", "micro": "hda-micro", "output": "hda-output"}


def validate_sound(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefSound."""
    model = dev.elem.get("model") or ""
    if model == "usb" and not ctx.has("usb-audio"):
        refuse(CONFIG, "usb-audio controller is not supported by this QEMU binary")
    if model == "ich9" and not ctx.has("ich9-intel-hda"):
        refuse(CONFIG, "The ich9-intel-hda audio controller is not supported in this QEMU "
                       "binary")
    if model == "virtio" and not ctx.has("virtio-sound"):
        refuse(CONFIG, "virtio-sound controller is not supported in this QEMU binary")
    if model == "ich7":
        refuse(ErrorCode.INTERNAL_ERROR, f"sound card model '{model}' is not supported by qemu")
    if model in ("ich6", "ich9"):
        for codec in dev.elem.findall("codec"):
            ctype = codec.get("type") or ""
            cap = _CODEC_CAPS.get(ctype)
            if cap is None or not ctx.has(cap):
                refuse(CONFIG, f"hda-{ctype} not supported in this QEMU binary")


def validate_vsock(ctx: BuildContext, dev: Device) -> None:
    if not ctx.has("vhost-vsock"):
        refuse(CONFIG, "vsock device is not supported with this QEMU binary")


# -- TPM ----------------------------------------------------------------------------------

_TPM_MODEL_CAPS = {"tpm-tis": "tpm-tis", "tpm-crb": "tpm-crb", "tpm-spapr": "tpm-spapr",
                   "spapr-tpm-proxy": "spapr-tpm-proxy"}
_TPM_BACKEND_CAPS = {"passthrough": "tpm-passthrough", "emulator": "tpm-emulator",
                     "external": "tpm-emulator"}


def validate_tpm(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefTPM (swtpm and its TPM versions are taken as installed)."""
    e = dev.elem
    be = e.find("backend")
    btype = be.get("type") if be is not None else "passthrough"
    model = e.get("model") or ""
    if btype == "emulator" and be is not None and be.get("version") == "1.2":
        if model != "tpm-tis":
            refuse(CONFIG, f"TPM 1.2 is not supported for model '{model}'")
        if ctx.arch not in m.X86:
            refuse(CONFIG, f"TPM 1.2 is not supported on architecture '{ctx.arch}'")
    cap = _TPM_BACKEND_CAPS.get(btype or "")
    if cap is None or not ctx.has(cap):
        refuse(CONFIG, f"The QEMU executable {m.emulator(ctx)} does not support TPM backend "
                       f"type {btype}")
    if ctx.arch in m.PPC64 and model == "spapr-tpm-proxy" and btype != "passthrough":
        refuse(CONFIG, f"TPM Proxy model {model} requires 'Passthrough' backend")
    mcap = _TPM_MODEL_CAPS.get(model)
    if model and (mcap is None or not ctx.has(mcap)):
        refuse(CONFIG, f"The QEMU executable {m.emulator(ctx)} does not support TPM model "
                       f"{model}")


# -- input --------------------------------------------------------------------------------

_VIRTIO_INPUT = {"mouse": ("virtio-mouse", "virtio-mouse", "virtio-mouse-ccw"),
                 "tablet": ("virtio-tablet", "virtio-tablet", "virtio-tablet-ccw"),
                 "keyboard": ("virtio-keyboard", "virtio-keyboard", "virtio-keyboard-ccw"),
                 "passthrough": ("virtio-input-host", "virtio-input-host", None),
                 "evdev": ("input-linux", "input-linux", None)}


def validate_input(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefInput."""
    e = dev.elem
    bus, itype = e.get("bus"), e.get("type") or ""
    if bus == "ps2":
        i8042 = ctx.has("i8042") and (m.is_i440fx(ctx) or m.is_q35(ctx) or m.is_xenfv(ctx)
                                      or m.machine(ctx) == "isapc")
        if not i8042:
            refuse(CONFIG, f"{bus} is not supported by this QEMU binary")
    if bus == "usb" and itype == "keyboard" and not ctx.has("usb-kbd"):
        refuse(CONFIG, "usb keyboard is not supported by this QEMU binary")
    if bus != "virtio" and not (itype == "passthrough" and bus is None):
        return
    if e.get("model") in ("virtio-transitional", "virtio-non-transitional"):
        refuse(CONFIG, "virtio (non-)transitional models are not supported for input "
                       f"type={itype}")
    if itype not in _VIRTIO_INPUT:
        return
    name, cap, ccw = _VIRTIO_INPUT[itype]
    if not ctx.has(cap) or (_address_type(dev) == "ccw" and (ccw is None or not ctx.has(ccw))):
        refuse(CONFIG, f"{name} is not supported by this QEMU binary")


# -- memballoon, IOMMU, NVRAM, hub --------------------------------------------------------

def validate_memballoon(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefMemballoon."""
    e = dev.elem
    model = e.get("model") or "virtio"
    if model == "none":
        return
    if model not in ("virtio", "virtio-transitional", "virtio-non-transitional"):
        refuse(CONFIG, f"Memory balloon device type '{model}' is not supported by this "
                       "version of qemu")
    if e.get("autodeflate") is not None and not ctx.has("virtio-balloon-pci.deflate-on-oom"):
        refuse(CONFIG, "deflate-on-oom is not supported by this QEMU binary")
    if e.get("freePageReporting") is not None \
            and not ctx.has("virtio-balloon.free-page-reporting"):
        refuse(CONFIG, "freePageReporting is not supported by this QEMU binary")


# <iommu><driver> options: the capability each needs and libvirt's refusal without it
_IOMMU_OPTIONS = (
    ("intremap", "intel-iommu.intremap",
     "iommu: interrupt remapping is not supported with this QEMU binary"),
    ("caching_mode", "intel-iommu.caching-mode",
     "iommu: caching mode is not supported with this QEMU binary"),
    ("eim", "intel-iommu.eim", "iommu: eim is not supported with this QEMU binary"),
    ("iotlb", "intel-iommu.device-iotlb",
     "iommu: device IOTLB is not supported with this QEMU binary"),
    ("aw_bits", "intel-iommu.aw-bits", "iommu: aw_bits is not supported with this QEMU binary"),
    ("dma_translation", "intel-iommu.dma-translation",
     "iommu: updating dma translation is not supported with this QEMU binary"),
)


def validate_iommu(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefIOMMU."""
    e = dev.elem
    model = e.get("model") or "intel"
    unsupported = f"IOMMU device: '{model}' is not supported with this QEMU binary"
    if model == "intel":
        if not m.is_q35(ctx):
            refuse(CONFIG, f"IOMMU device: '{model}' is only supported with Q35 machines")
        if not ctx.has("intel-iommu"):
            refuse(CONFIG, unsupported)
    elif model == "smmuv3":
        if not m.is_arm_virt(ctx):
            refuse(CONFIG, f"IOMMU device: '{model}' is only supported with ARM Virt machines")
        if not ctx.has("machine.virt.iommu"):
            refuse(CONFIG, unsupported)
    elif model == "virtio":
        if not m.is_arm_virt(ctx) and not m.is_q35(ctx):
            refuse(CONFIG, f"IOMMU device: '{model}' is only supported with Q35 and ARM Virt "
                           "machines")
        if not (ctx.has("virtio-iommu-pci") and ctx.has("virtio-iommu.boot-bypass")):
            refuse(CONFIG, unsupported)
        acpi = ctx.domain.feature("acpi")
        if acpi is None or acpi.get("state") in ("off", "no"):
            refuse(CONFIG, f"IOMMU device: '{model}' requires ACPI")
        if _address_type(dev) not in (None, "pci"):
            refuse(CONFIG, f"IOMMU device: '{model}' needs a PCI address")
    drv = e.find("driver")
    if drv is None:
        return
    for attr, cap, message in _IOMMU_OPTIONS:
        if drv.get(attr) is not None and not ctx.has(cap):
            refuse(CONFIG, message)


def validate_nvram(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefNVRAM."""
    if not m.is_pseries(ctx):
        refuse(CONFIG, "nvram device is only supported for PPC64")
    if not ctx.has("nvram"):
        refuse(CONFIG, "nvram device is not supported by this QEMU binary")
    addr = dev.elem.find("address")
    if addr is None or addr.get("type") != "spapr-vio" or addr.get("reg") is None:
        refuse(ErrorCode.XML_ERROR, "nvram address type must be spaprvio")


def validate_hub(ctx: BuildContext, dev: Device) -> None:
    htype = dev.elem.get("type") or ""
    if htype != "usb":
        refuse(CONFIG, f"hub type {htype} not supported")
    if not ctx.has("usb-hub"):
        refuse(CONFIG, "usb-hub not supported by QEMU binary")


# -- memory devices and shared memory -----------------------------------------------------

def validate_memory(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefMemory (SGX sections are the capabilities' host facts)."""
    e = dev.elem
    model = e.get("model")
    atype = _address_type(dev)
    if model == "dimm" and not ctx.has("pc-dimm"):
        refuse(CONFIG, "memory hotplug isn't supported by this QEMU binary")
    if model == "nvdimm":
        if not ctx.has("nvdimm"):
            refuse(CONFIG, "nvdimm isn't supported by this QEMU binary")
        if e.at("target", "readonly") is not None and not ctx.has("nvdimm.unarmed"):
            refuse(CONFIG, "nvdimm readonly property is not available with this QEMU binary")
    if model == "virtio-pmem" and not ctx.has("virtio-pmem-pci"):
        refuse(CONFIG, "virtio-pmem isn't supported by this QEMU binary")
    if model == "virtio-mem":
        if (atype == "pci" and not ctx.has("virtio-mem-pci")) or \
                (atype == "ccw" and not ctx.has("virtio-mem-ccw")):
            refuse(CONFIG, "virtio-mem isn't supported by this QEMU binary")
        if atype == "ccw":
            node = e.at("target", "node")
            if node is not None and node.text and node.text.strip() not in ("0", "-1"):
                refuse(CONFIG, "NUMA nodes are not supported for virtio-mem-ccw")
        if e.attr_at("dynamicMemslots", "target") == "yes" \
                and not ctx.has("virtio-mem-pci.dynamic-memslots"):
            refuse(CONFIG, "virtio-mem does not support dynamicMemslots")
    if model == "sgx-epc" and not ctx.has("sgx-epc"):
        refuse(CONFIG, "sgx epc isn't supported by this QEMU binary")


def validate_shmem(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDefShmem (the size is in bytes unless a unit says otherwise:
    virDomainShmemDefParseXML reads it with scale 1)."""
    size_b = size_bytes(dev.elem.find("size"))
    if size_b:
        if size_b < 1024 * 1024 or size_b & (size_b - 1):
            refuse(ErrorCode.XML_ERROR, "shmem size must be a power of 2 and at least 1 MiB "
                                        "(1024 KiB)")
    model = dev.elem.attr_at("type", "model") or "ivshmem-plain"
    if model == "ivshmem":
        refuse(CONFIG, "ivshmem device is no longer supported")
    if model in ("ivshmem-plain", "ivshmem-doorbell") and not ctx.has(model):
        refuse(CONFIG, f"shmem model '{model}' is not supported by this QEMU binary")
