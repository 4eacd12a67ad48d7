"""libvirt's generic per-device validation (domain_validate.c: `virDomainDeviceDefValidateInternal`
and the device validators it dispatches to), except disks (domain_validate_disk.py) and
network interfaces (domain_validate_net.py).

`validate_device` is libvirt's dispatch by device type; each validator names the libvirt
function it follows.
"""

from __future__ import annotations

from typing import Callable

from ..arches import PPC64_ARCHES
from ..command.chardev import generated_channel_path
from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.device import Device
from ..model.devices import Audio, Chardev, Controller, Disk, Graphics, Hostdev, Input, \
    Interface, Sound, Video
from ..model.elem import Elem
from .domain_validate_disk import check_device_seclabels, check_virtio_options_absent, \
    validate_disk
from .domain_validate_net import validate_net
from .numa_conf import cell_count
from .values import address_type, is_pow2, number, size_kib

# the guest's base page size and transparent huge page size (libvirt asks the host; every
# host the profiles model has 4 KiB pages and 2 MiB THPs)
SYSTEM_PAGE_BYTES = 4096
THP_SIZE_KIB = 2048

_SERIAL_CHANNEL_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                            "0123456789_-.")


def validate_device(ctx: BuildContext, dev: Device) -> None:
    """virDomainDeviceDefValidateInternal: the address check, then the device's validator."""
    _validate_info(dev)
    validator = _VALIDATORS.get(_kind(dev))
    if validator is not None:
        validator(ctx, dev)


def _kind(dev: Device) -> str:
    if isinstance(dev, Hostdev):
        return "hostdev"
    return dev.elem.tag


def _validate_info(dev: Device) -> None:
    """virDomainDeviceInfoValidate: only host devices may stay unassigned."""
    if address_type(dev) == "unassigned" and not isinstance(dev, Hostdev):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "address of type 'unassigned' is supported only for hostdevs")


# -- character devices --------------------------------------------------------------------

def validate_chr_source(ctx: BuildContext, type_: str, sources: list[Elem],
                        chardev: Chardev | None = None,
                        default_dbus_channel: str | None = None) -> None:
    """virDomainChrSourceDefValidate: each source type has the attributes it needs
    (`default_dbus_channel`: the channel the parser gives a D-Bus source without one)."""
    first = sources[0] if sources else None

    def attr(name: str) -> str | None:
        return first.get(name) if first is not None else None

    def listen_reconnect(mode: str | None = None) -> bool:
        rec = first.find("reconnect") if first is not None else None
        return (mode or attr("mode")) == "bind" and rec is not None and rec.yes("enabled") is True

    if type_ in ("file", "dev", "pipe") and not attr("path"):
        refuse(ErrorCode.INTERNAL_ERROR, "Missing source path attribute for char device")
    if type_ == "nmdm" and bool(attr("master")) != bool(attr("slave")):
        refuse(ErrorCode.INTERNAL_ERROR,
               "Should define both master and slave path attributes for nmdm device")
    if type_ == "tcp":
        if not attr("host"):
            refuse(ErrorCode.INTERNAL_ERROR, "Missing source host attribute for char device")
        if not attr("service"):
            refuse(ErrorCode.INTERNAL_ERROR, "Missing source service attribute for char device")
        if listen_reconnect():
            refuse(ErrorCode.INTERNAL_ERROR, "chardev reconnect is possible only for connect mode")
    if type_ == "udp":
        connect = [s for s in sources[:2] if (s.get("mode") or "connect") == "connect"]
        if not (connect and connect[0].get("service")):
            refuse(ErrorCode.INTERNAL_ERROR, "Missing source service attribute for char device")
    if type_ == "unix":
        auto_path = chardev is not None and chardev.kind == "channel" and \
            chardev.target_type in ("xen", "virtio")
        if not attr("path") and not auto_path:
            refuse(ErrorCode.INTERNAL_ERROR, "Missing source path attribute for char device")
        # a channel path libvirt generated itself is dropped in post-parse and made anew
        # (qemuDomainChrDefDropDefaultPath), which also makes the socket listen
        generated = chardev is not None and bool(attr("path")) and \
            generated_channel_path(ctx, chardev, attr("path"))
        if listen_reconnect("bind" if generated else None):
            refuse(ErrorCode.INTERNAL_ERROR, "chardev reconnect is possible only for connect mode")
    if type_ in ("spiceport", "dbus"):
        channel = attr("channel")
        if type_ == "dbus" and channel is None and default_dbus_channel:
            channel = default_dbus_channel
        if channel is None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "Missing source channel attribute for char device")
        if not set(channel) <= _SERIAL_CHANNEL_CHARS:
            refuse(ErrorCode.INVALID_ARG, "Invalid character in source channel for char device")
    if chardev is not None and first is not None:
        check_device_seclabels(ctx, first.findall("seclabel"))


def _validate_chr(ctx: BuildContext, dev: Device) -> None:
    assert isinstance(dev, Chardev)
    validate_chr_source(ctx, dev.type, list(dev.sources), dev)


def _validate_redirdev(ctx: BuildContext, dev: Device) -> None:
    """virDomainRedirdevDefValidate."""
    if (dev.elem.get("bus") or "usb") == "usb" and not has_usb(ctx):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "cannot add redirected USB device: USB is disabled for this domain")
    validate_chr_source(ctx, dev.elem.get("type") or "", dev.elem.findall("source"),
                        default_dbus_channel="org.qemu.usbredir")


def has_usb(ctx: BuildContext) -> bool:
    """virDomainDefHasUSB: some USB controller that is not model='none'."""
    return any(c.type == "usb" and c.model != "none" for c in ctx.domain.devices.controllers)


def _validate_rng(ctx: BuildContext, dev: Device) -> None:
    """virDomainRNGDefValidate: an EGD backend is a character device."""
    backend = dev.elem.find("backend")
    if backend is not None and backend.get("model") == "egd":
        validate_chr_source(ctx, backend.get("type") or "", backend.findall("source"))


def _validate_smartcard(ctx: BuildContext, dev: Device) -> None:
    """virDomainSmartcardDefValidate."""
    if address_type(dev) not in (None, "ccid"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "Controllers must use the 'ccid' address type")
    if dev.elem.get("mode") == "passthrough":
        validate_chr_source(ctx, dev.elem.get("type") or "", dev.elem.findall("source"))


# -- controllers, host devices ------------------------------------------------------------

_PCI_RANGES = (
    ("chassisNr", 1, 255, "PCI controller chassisNr '{}' out of range - must be 1-255"),
    ("chassis", 0, 255, "PCI controller chassis '{}' out of range - must be 0-255"),
    ("port", 0, 255, "PCI controller port '{}' out of range - must be 0-255"),
    ("busNr", 1, 254, "PCI controller busNr '{}' out of range - must be 1-254"),
)
_VIRTIO_SCSI = (None, "virtio-scsi", "virtio-transitional", "virtio-non-transitional")


def _validate_controller(ctx: BuildContext, dev: Device) -> None:
    """virDomainControllerDefValidate (the index ceiling is checked before post-parse: see
    validate/checks.py)."""
    assert isinstance(dev, Controller)
    target = dev.target
    if dev.type == "pci":
        if dev.model in ("pci-root", "pcie-root") and address_type(dev) is not None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "pci-root and pcie-root controllers should not have an address")
        index = number(target.get("index")) if target is not None else None
        if index is not None:
            if not 0 <= index <= 30:
                refuse(ErrorCode.CONFIG_UNSUPPORTED, f"PCI controller target index '{index}' out "
                       "of range - must be 0-30")
            if (dev.index == 0) != (index == 0):
                refuse(ErrorCode.CONFIG_UNSUPPORTED, "Only the PCI controller with index 0 can "
                       "have target index 0, and vice versa")
        for attr, low, high, message in _PCI_RANGES:
            value = number(target.get(attr)) if target is not None else None
            if value is not None and value != -1 and not low <= value <= high:
                refuse(ErrorCode.CONFIG_UNSUPPORTED, message.format(value))
        node = number(target.findtext("node")) if target is not None else None
        if node is not None and node >= 0 and dev.index == 0:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "The PCI controller with index=0 can't be associated with a NUMA node")
    drv = dev.driver
    iothread = number(drv.get("iothread")) if drv is not None else None
    iothreads = drv.find("iothreads") if drv is not None else None
    if iothread or iothreads is not None:
        if dev.type != "scsi" or dev.model not in _VIRTIO_SCSI:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "iothreads are supported only by 'virtio-scsi' controllers")
        if iothread and iothreads is not None:
            refuse(ErrorCode.XML_ERROR, "controller driver 'iothread' attribute can't be used "
                   "together with 'iothreads' subelement")


_HOSTDEV_ADDRESSES = {
    "pci": ((None, "unassigned", "pci"), ErrorCode.INTERNAL_ERROR,
            "PCI host devices must use 'pci' or 'unassigned' address type"),
    "scsi": ((None, "drive"), ErrorCode.CONFIG_UNSUPPORTED,
             "SCSI host device must use 'drive' address type"),
    "scsi_host": ((None, "pci", "ccw"), ErrorCode.CONFIG_UNSUPPORTED,
                  "SCSI_host host device must use 'pci' or 'ccw' address type"),
    "usb": ((None, "usb"), ErrorCode.CONFIG_UNSUPPORTED,
            "USB host device must use 'usb' address type"),
}


def validate_hostdev(ctx: BuildContext, dev: Device) -> None:
    """virDomainHostdevDefValidate: the address type each host device type takes, teaming."""
    assert isinstance(dev, Hostdev)
    if dev.mode == "subsystem":
        rule = _HOSTDEV_ADDRESSES.get(dev.type)
        if rule is not None and address_type(dev) not in rule[0]:
            refuse(rule[1], rule[2])
        if dev.type == "scsi" and dev.elem.get("sgio") == "unfiltered":
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "unfiltered sgio is no longer supported")
    teaming = dev.elem.find("teaming")
    if teaming is not None:
        if teaming.get("type") != "transient":
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "teaming hostdev devices must have type='transient'")
        if not teaming.get("persistent"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "missing required persistent attribute in hostdev teaming element")
        if dev.mode != "subsystem" or dev.type != "pci":
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "teaming is only supported for pci hostdev devices")


# -- video, graphics, audio, input --------------------------------------------------------

def _validate_video(ctx: BuildContext, dev: Device) -> None:
    """virDomainVideoDefValidate."""
    assert isinstance(dev, Video)
    videos = [v for v in ctx.domain.devices.items if isinstance(v, Video)]
    if len(videos) > 1 and any(v.model == "none" for v in videos):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "a 'none' video type must be the only video device "
               "defined for the domain")
    model = dev.elem.find("model")
    drv = dev.elem.find("driver")
    if drv is not None and drv.get("name") == "vhostuser":
        if dev.model != "virtio":
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "'vhostuser' driver is only supported with 'virtio' device")
    elif model is not None and model.attr_at("rendernode", "acceleration"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "unsupported rendernode accel attribute without 'vhostuser'")
    res = model.find("resolution") if model is not None else None
    if res is not None and (number(res.get("x")) == 0 or number(res.get("y")) == 0):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "video resolution values must be greater than 0")
    if dev.model != "qxl":
        for value, message in ((dev.ram, "ram attribute only supported for video type qxl"),
                               (dev.vram64, "vram64 attribute only supported for video type qxl"),
                               (dev.vgamem, "vgamem attribute only supported for video type qxl")):
            if value:
                refuse(ErrorCode.CONFIG_UNSUPPORTED, message)
    if dev.model == "ramfb" and address_type(dev) is not None:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "address not supported for video type ramfb")
    if dev.model != "virtio":
        check_virtio_options_absent(drv)
        if dev.blob is not None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"video type '{dev.model}' does not support blob resources")


def _ensure_audio_id(ctx: BuildContext, audio_id: int | None) -> None:
    """virDomainEnsureAudioID: a reference names an existing <audio id>."""
    if not audio_id:
        return
    if not any(isinstance(a, Audio) and a.id == audio_id for a in ctx.domain.devices.items):
        refuse(ErrorCode.XML_ERROR, f"no audio device with ID {audio_id}")


def _validate_sound(ctx: BuildContext, dev: Device) -> None:
    assert isinstance(dev, Sound)
    _ensure_audio_id(ctx, number(dev.elem.attr_at("id", "audio")))


def _validate_audio(ctx: BuildContext, dev: Device) -> None:
    """virDomainAudioDefValidate: audio ids are unique."""
    assert isinstance(dev, Audio)
    for other in ctx.domain.devices.items:
        if isinstance(other, Audio) and other is not dev and other.id == dev.id:
            refuse(ErrorCode.XML_ERROR, f"audio ID {dev.id} is used multiple times")


def _validate_graphics(ctx: BuildContext, dev: Device) -> None:
    """virDomainGraphicsDefValidate and its listens."""
    assert isinstance(dev, Graphics)
    if dev.type in ("vnc", "spice", "rdp"):
        for listen in dev.elem.findall("listen"):
            ltype = listen.get("type")
            if ltype == "network" and not listen.get("network"):
                refuse(ErrorCode.XML_ERROR,
                       "'network' attribute is required for listen type 'network'")
            if ltype == "socket" and dev.type not in ("vnc", "spice"):
                refuse(ErrorCode.CONFIG_UNSUPPORTED, "listen type 'socket' is not available for "
                       f"graphics type '{dev.type}'")
            if ltype == "none" and dev.type not in ("vnc", "spice"):
                refuse(ErrorCode.CONFIG_UNSUPPORTED, "listen type 'none' is not available for "
                       f"graphics type '{dev.type}'")
    if dev.type == "vnc":
        _ensure_audio_id(ctx, number(dev.elem.attr_at("id", "audio")))
    elif dev.type == "dbus" and dev.elem.yes("p2p") and dev.elem.get("address"):
        refuse(ErrorCode.XML_ERROR, "D-Bus p2p with an address is not supported")


def input_bus(ctx: BuildContext, dev: Input) -> str:
    """The bus libvirt's post-parse gives an input device without one
    (virDomainInputDefPostParse)."""
    if dev.bus:
        return dev.bus
    if ctx.domain.os.type != "hvm":
        return "xen" if ctx.domain.os.type in ("xen", "xenpvh") else ""
    if dev.type in ("mouse", "keyboard") and ctx.arch in ("x86_64", "i686"):
        return "ps2"
    if ctx.arch == "s390x" or dev.type == "passthrough":
        return "virtio"
    return "none" if dev.type == "evdev" else "usb"


def _validate_input(ctx: BuildContext, dev: Device) -> None:
    """virDomainInputDefValidate."""
    assert isinstance(dev, Input)
    bus = input_bus(ctx, dev)
    if ctx.domain.os.type == "hvm":
        if bus == "ps2" and dev.type not in ("mouse", "keyboard"):
            refuse(ErrorCode.INTERNAL_ERROR, f"ps2 bus does not support {dev.type} input device")
        if bus == "xen":
            refuse(ErrorCode.INTERNAL_ERROR, f"unsupported input bus {bus}")
    if dev.type in ("mouse", "tablet", "keyboard") and dev.elem.attr_at("evdev", "source"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "setting source evdev path only supported for passthrough input devices")
    if dev.type == "passthrough" and bus != "virtio":
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "only bus 'virtio' is supported for 'passthrough' input devices")
    if dev.type == "evdev" and bus != "none":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "input evdev doesn't support bus element")
    model = dev.elem.get("model")
    if model in ("virtio", "virtio-transitional", "virtio-non-transitional") and bus != "virtio":
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               f"only bus 'virtio' is supported for input model '{model}'")
    ps2 = ctx.domain.feature("ps2")
    if bus == "ps2" and ps2 is not None and ps2.get("state") == "off":
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "ps2 bus inputs require the ps2 feature not to be disabled")


# -- memory devices -----------------------------------------------------------------------

def numa_node_count(ctx: BuildContext) -> int:
    return cell_count(ctx.domain)


class MemoryDevice:
    """libvirt's view of a <memory> device: model, sizes (KiB) and where it is mapped."""

    def __init__(self, dev: Device) -> None:
        e = dev.elem
        self.dev = dev
        self.model = e.get("model") or ""
        target = e.find("target")
        self.target = target
        self.node = number(target.findtext("node")) if target is not None else None
        self.size = size_kib(target.find("size")) if target is not None else None
        self.label = size_kib(target.at("label", "size")) if target is not None else None
        base = target.attr_at("base", "address") if target is not None else None
        self.target_address = number(base) or 0
        addr = e.find("address")
        self.dimm = addr is not None and addr.get("type") == "dimm"
        self.slot = number(addr.get("slot")) if addr is not None and self.dimm else None
        self.dimm_base = number(addr.get("base")) or 0 if addr is not None and self.dimm else 0
        self.align = size_kib(e.at("source", "alignsize"))

    @property
    def start(self) -> int:
        if self.model in ("virtio-pmem", "virtio-mem"):
            return self.target_address
        if self.model in ("dimm", "nvdimm"):
            return self.dimm_base
        return 0

    def mapped_bytes(self) -> int:
        """virDomainMemoryGetMappedSize: an NVDIMM's label is not mapped."""
        size = self.size or 0
        if self.model == "nvdimm":
            align = self.align or SYSTEM_PAGE_BYTES // 1024
            size -= -(-(self.label or 0) // align) * align
        return size * 1024


def _validate_memory(ctx: BuildContext, dev: Device) -> None:
    """virDomainMemoryDefValidate."""
    mem = MemoryDevice(dev)
    e = dev.elem
    if mem.node is not None and mem.node != -1:
        count = numa_node_count(ctx)
        if count == 0:
            refuse(ErrorCode.XML_DETAIL,
                   "can't add memory backend as guest has no NUMA nodes configured")
        if mem.node >= count:
            refuse(ErrorCode.XML_DETAIL, f"can't add memory backend for guest node "
                   f"'{mem.node}' as the guest has only '{count}' NUMA nodes configured")
    discard = e.get("discard") == "yes"
    if mem.model == "nvdimm":
        if not _text(e.at("source", "path")):
            refuse(ErrorCode.XML_DETAIL, "path is required for model 'nvdimm'")
        if discard:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "discard is not supported for nvdimms")
        if ctx.arch in PPC64_ARCHES:
            if not mem.label:
                refuse(ErrorCode.CONFIG_UNSUPPORTED, "label size is required for NVDIMM device")
        elif e.find("uuid") is not None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "UUID is not supported for NVDIMM device")
    elif mem.model == "virtio-pmem":
        if not _text(e.at("source", "path")):
            refuse(ErrorCode.XML_DETAIL, "path is required for model 'virtio-pmem'")
        if discard:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "discard is not supported for model "
                   "'virtio-pmem'")
        if e.get("access") != "shared":
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   "shared access mode required for virtio-pmem device")
        if mem.node is not None and mem.node != -1:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "virtio-pmem does not support NUMA nodes")
        if mem.target_address % SYSTEM_PAGE_BYTES:
            refuse(ErrorCode.CONFIG_UNSUPPORTED,
                   f"memory address must be aligned to {SYSTEM_PAGE_BYTES} bytes")
    elif mem.model == "virtio-mem":
        _validate_virtio_mem(mem)
    elif mem.model == "sgx-epc" and address_type(dev) is not None:
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               "memory device address is not supported for model 'sgx-epc'")
    _check_memory_conflict(ctx, mem)


def _text(e: Elem | None) -> str:
    return (e.text or "").strip() if e is not None else ""


def _validate_virtio_mem(mem: MemoryDevice) -> None:
    target = mem.target
    requested = (size_kib(target.find("requested")) if target is not None else None) or 0
    block = (size_kib(target.find("block")) if target is not None else None) or 0
    size = mem.size or 0
    if requested > size:
        refuse(ErrorCode.XML_DETAIL,
               f"requested size must be smaller than or equal to @size ({size}KiB)")
    if not is_pow2(block):
        refuse(ErrorCode.XML_DETAIL, "block size must be a power of two")
    if block < THP_SIZE_KIB:
        refuse(ErrorCode.XML_DETAIL, f"block size too small, must be at least {THP_SIZE_KIB}KiB")
    if requested % block:
        refuse(ErrorCode.XML_DETAIL, "requested size must be an integer multiple of block size")
    if mem.target_address % (block * 1024):
        refuse(ErrorCode.XML_DETAIL, "memory device address must be aligned to blocksize")


def _check_memory_conflict(ctx: BuildContext, mem: MemoryDevice) -> None:
    """virDomainMemoryDefCheckConflict: no two modules share a DIMM slot or address range."""
    start = mem.start
    if start == 0 and not mem.dimm:
        return
    end = start + mem.mapped_bytes()
    for dev in ctx.domain.devices.of("memory"):
        if dev is mem.dev:
            continue
        other = MemoryDevice(dev)
        if mem.dimm and other.dimm and mem.slot == other.slot:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"memory device slot '{mem.slot}' is already "
                   "being used by another memory device")
        other_start = other.start
        if other.model not in ("dimm", "nvdimm", "virtio-pmem", "virtio-mem") or \
                start == 0 or other_start == 0:
            continue
        other_end = other_start + other.mapped_bytes()
        if start <= other_start < end or other_start <= start < other_end:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"memory device address [0x{start:x}:0x{end:x}] "
                   f"overlaps with other memory device (0x{other_start:x})")


# -- the smaller devices ------------------------------------------------------------------

def _validate_vsock(ctx: BuildContext, dev: Device) -> None:
    """virDomainVsockDefValidate."""
    cid = number(dev.elem.attr_at("address", "cid"))
    if cid is not None and 0 < cid <= 2:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "guest CIDs must be >= 3")
    if (dev.elem.get("model") or "virtio") not in ("virtio", "virtio-transitional",
                                                   "virtio-non-transitional"):
        check_virtio_options_absent(dev.elem.find("driver"))


def _validate_shmem(ctx: BuildContext, dev: Device) -> None:
    """virDomainShmemDefValidate: the name is a file name under /dev/shm."""
    name = dev.elem.get("name") or ""
    if "/" in name:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "shmem name cannot include '/' character")
    if name == ".":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "shmem name cannot be equal to '.'")
    if name == "..":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "shmem name cannot be equal to '..'")


def _fs_target(e: Elem) -> str | None:
    return e.attr_at("dir", "target")


def _fs_driver(e: Elem) -> str | None:
    return e.attr_at("type", "driver")


def _validate_filesystem(ctx: BuildContext, dev: Device) -> None:
    """virDomainFSDefValidate."""
    e = dev.elem
    if _fs_target(e) is None:
        src = e.find("source")
        path = None
        if src is not None:
            path = next((src.get(a) for a in ("dir", "file", "name", "dev", "socket", "usage")
                         if src.get(a)), None)
        refuse(ErrorCode.NO_TARGET,
               "missing target information for device" + (f" {path}" if path else ""))
    if e.attr_at("order", "boot") is not None and _fs_driver(e) != "virtiofs":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "boot order is only supported for virtiofs")
    seen: set[str | None] = set()
    for other in ctx.domain.devices.of(dev.family):
        if _fs_driver(other.elem) != "virtiofs":
            continue
        target = _fs_target(other.elem)
        if target in seen:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, f"filesystem target '{target}' specified twice")
        seen.add(target)


_IOMMU_INTEL_ATTRS = ("intremap", "caching_mode", "eim", "iotlb", "aw_bits",
                      "dma_translation")


def _validate_iommu(ctx: BuildContext, dev: Device) -> None:
    """virDomainIOMMUDefValidate."""
    model = dev.elem.get("model") or "intel"
    drv = dev.elem.find("driver")
    if model in ("smmuv3", "virtio") and drv is not None and \
            any(drv.get(a) is not None for a in _IOMMU_INTEL_ATTRS):
        refuse(ErrorCode.XML_ERROR, f"iommu model '{model}' doesn't support additional "
               "attributes")
    if model in ("smmuv3", "intel") and address_type(dev) is not None:
        refuse(ErrorCode.XML_ERROR, f"iommu model '{model}' can't have address")


def _validate_tpm(ctx: BuildContext, dev: Device) -> None:
    """virDomainTPMDevValidate."""
    backend = dev.elem.find("backend")
    if backend is None:
        return
    btype = backend.get("type")
    if btype == "emulator":
        version = backend.get("version") or tpm_default_version(ctx, dev)
        if backend.find("active_pcr_banks") is not None and version != "2.0":
            refuse(ErrorCode.XML_ERROR, "<active_pcr_banks/> requires TPM version '2.0'")
        if backend.attr_at("source", "profile") is not None and version != "2.0":
            refuse(ErrorCode.XML_ERROR, "<profile/> requires TPM version '2.0'")
    elif btype == "external":
        src = backend.find("source")
        if src is None or (src.get("type") or "unix") != "unix":
            refuse(ErrorCode.XML_ERROR,
                   "only source type 'unix' is supported for external TPM device")
        if src.get("mode") == "bind":
            refuse(ErrorCode.XML_ERROR, "only 'connect' mode is supported for external TPM device")
        if src.get("path") is None:
            refuse(ErrorCode.XML_ERROR, "missing socket path for external TPM device")


def tpm_default_version(ctx: BuildContext, dev: Device) -> str:
    """The emulated TPM version qemuDomainTPMDefPostParse picks: 1.2 for the TIS model on
    x86 (the historical default), 2.0 everywhere else."""
    model = dev.elem.get("model") or ("tpm-spapr" if ctx.arch in PPC64_ARCHES else "tpm-tis")
    return "1.2" if model == "tpm-tis" and ctx.arch in ("x86_64", "i686") else "2.0"


def _validate_pstore(ctx: BuildContext, dev: Device) -> None:
    """virDomainPstoreDefValidate."""
    backend = dev.elem.get("backend")
    if backend != "acpi-erst":
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"unsupported backend for pstore device: {backend}")
    if not _text(dev.elem.find("path")):
        refuse(ErrorCode.XML_ERROR, "missing path for ACPI ERST pstore device")
    size = size_kib(dev.elem.find("size")) or 0
    if size < 4 or not is_pow2(size):
        refuse(ErrorCode.XML_ERROR, "invalid size of ACPI ERST pstore device")


def _validate_interface(ctx: BuildContext, dev: Device) -> None:
    assert isinstance(dev, Interface)
    validate_net(ctx, dev.elem, dev.mac)


def _validate_disk(ctx: BuildContext, dev: Device) -> None:
    assert isinstance(dev, Disk)
    validate_disk(ctx, dev)


_VALIDATORS: dict[str, Callable[[BuildContext, Device], None]] = {
    "disk": _validate_disk,
    "redirdev": _validate_redirdev,
    "interface": _validate_interface,
    "controller": _validate_controller,
    "serial": _validate_chr, "parallel": _validate_chr, "channel": _validate_chr,
    "console": _validate_chr,
    "smartcard": _validate_smartcard,
    "rng": _validate_rng,
    "hostdev": validate_hostdev,
    "video": _validate_video,
    "memory": _validate_memory,
    "vsock": _validate_vsock,
    "input": _validate_input,
    "shmem": _validate_shmem,
    "filesystem": _validate_filesystem,
    "audio": _validate_audio,
    "sound": _validate_sound,
    "graphics": _validate_graphics,
    "iommu": _validate_iommu,
    "tpm": _validate_tpm,
    "pstore": _validate_pstore,
}

