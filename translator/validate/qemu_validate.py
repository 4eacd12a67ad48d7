"""The QEMU driver's validation (qemu_validate.c): `qemuValidateDomainDef` for the domain and
`qemuValidateDomainDeviceDef` for each device, dispatched by device type.

`domain_validate.validate_definition` calls these two entry points in libvirt's order
(`device_order` is the order libvirt's device iterator visits devices in).
"""

from __future__ import annotations

from typing import Callable, Iterable

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.address import DriveAddress
from ..model.device import Device
from ..model.devices import Chardev, Controller, Disk, Hostdev, Interface, Video
from . import qemu_chardev, qemu_devices
from .. import machines as m
from .qemu_controller import validate_controller, validate_implicit_ide
from .qemu_def import validate_domain
from .qemu_disk import validate_disk, validate_drive_address
from .qemu_hostdev import validate_hostdev
from .qemu_net import validate_net

CONFIG = ErrorCode.CONFIG_UNSUPPORTED

# virDomainDeviceInfoIterateFlags: the order libvirt visits devices in (by element)
_ORDER = ("disk", "interface", "sound", "hostdev", "video", "controller", "smartcard",
          "serial", "parallel", "channel", "console", "input", "filesystem", "watchdog",
          "memballoon", "rng", "nvram", "hub", "shmem", "tpm", "panic", "memory", "redirdev",
          "iommu", "vsock", "crypto", "pstore", "graphics", "audio", "lease")
_RANK = {tag: i for i, tag in enumerate(_ORDER)}
ZPCI_MAX_UID = 0xFFFF
SPAPR_VIO_MAX_REG = 0xFFFFFFFF


def _tag(dev: Device) -> str:
    # an <interface type='hostdev'> is visited with the nets and again with the hostdevs;
    # its checks are the hostdev ones
    if isinstance(dev, Hostdev) and dev.interface:
        return "hostdev"
    return dev.elem.tag


def device_order(devices: Iterable[Device]) -> list[Device]:
    """Devices in libvirt's iteration order (stable within one kind)."""
    return sorted(devices, key=lambda d: _RANK.get(_tag(d), len(_ORDER)))


def validate_domain_def(ctx: BuildContext) -> None:
    """qemuValidateDomainDef: domain-wide checks against the QEMU binary's capabilities."""
    validate_domain(ctx)


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(text, 0) if text else default
    except ValueError:
        return default


def _fixed_pci_slot(ctx: BuildContext, dev: Device) -> bool:
    """The PC chipsets' built-in controllers: libvirt gives them their fixed PCI slot
    whatever non-PCI address was written (qemuDomainValidateDevicePCISlotsPIIX3/Q35)."""
    if not isinstance(dev, Controller) or dev.index != 0:
        return False
    if m.is_i440fx(ctx):
        return dev.type == "ide" or (dev.type == "usb" and dev.model in (None, "piix3-uhci"))
    if m.is_q35(ctx):
        return dev.type == "sata" or (dev.type == "usb" and (dev.model or "").startswith("ich9"))
    return False


def _device_info(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceInfo: addresses, ACPI index and ROM settings."""
    addr = dev.elem.find("address")
    atype = addr.get("type") if addr is not None else None
    if addr is not None and atype == "pci":
        zpci = addr.find("zpci")
        if zpci is not None and zpci.attrs and not ctx.has("zpci"):
            refuse(CONFIG, "This QEMU binary doesn't support zPCI")
        uid = zpci.get("uid") if zpci is not None else None
        if uid is not None and not 0 < _int(uid) <= ZPCI_MAX_UID:
            refuse(ErrorCode.XML_ERROR, f"Invalid PCI address uid='0x{_int(uid):04x}', must be "
                                        f"> 0x0000 and <= 0x{ZPCI_MAX_UID:04x}")
    elif atype == "spapr-vio":
        reg = addr.get("reg") if addr is not None else None
        if reg is not None and _int(reg) > SPAPR_VIO_MAX_REG:
            refuse(CONFIG, f"spapr-vio reg='0x{_int(reg):x}' exceeds maximum possible value "
                           "(0xffffffff)")
    elif atype == "virtio-s390":
        refuse(CONFIG, "'virtio-s390' addresses are no longer supported")
    elif atype == "ccw" and not m.is_s390_ccw(ctx) and not _fixed_pci_slot(ctx, dev):
        refuse(CONFIG, f"CCW addresses are not supported by machine type '{m.machine(ctx)}'")
    if isinstance(dev.info.address, DriveAddress):
        bus = dev.bus if isinstance(dev, Disk) else "scsi"
        validate_drive_address(ctx, bus or "", dev.info.address)
    if dev.elem.find("acpi") is not None and dev.elem.attr_at("index", "acpi"):
        if not ctx.has("acpi-index"):
            refuse(CONFIG, "ACPI index is not supported with this QEMU")
        if atype not in (None, "pci"):
            refuse(CONFIG, "ACPI index is only supported for PCI devices")
    rom = dev.elem.find("rom")
    if rom is not None and rom.attrs and atype not in (None, "pci", "unassigned"):
        refuse(CONFIG, "ROM tuning is only supported for PCI devices")


_BY_TAG: dict[str, Callable[[BuildContext, Device], None]] = {
    "smartcard": qemu_chardev.validate_smartcard,
    "rng": qemu_chardev.validate_rng,
    "redirdev": qemu_chardev.validate_redirdev,
    "watchdog": qemu_devices.validate_watchdog,
    "graphics": qemu_devices.validate_graphics,
    "filesystem": qemu_devices.validate_fs,
    "audio": qemu_devices.validate_audio,
    "crypto": qemu_devices.validate_crypto,
    "pstore": qemu_devices.validate_pstore,
    "sound": qemu_devices.validate_sound,
    "vsock": qemu_devices.validate_vsock,
    "tpm": qemu_devices.validate_tpm,
    "input": qemu_devices.validate_input,
    "memballoon": qemu_devices.validate_memballoon,
    "iommu": qemu_devices.validate_iommu,
    "nvram": qemu_devices.validate_nvram,
    "hub": qemu_devices.validate_hub,
    "memory": qemu_devices.validate_memory,
    "shmem": qemu_devices.validate_shmem,
}


def validate_device(ctx: BuildContext, dev: Device) -> None:
    """qemuValidateDomainDeviceDef: the per-device-type checks of the QEMU driver."""
    _device_info(ctx, dev)
    if isinstance(dev, Hostdev):
        validate_hostdev(ctx, dev)
    elif isinstance(dev, Interface):
        validate_net(ctx, dev)
    elif isinstance(dev, Chardev):
        qemu_chardev.validate_chr(ctx, dev)
    elif isinstance(dev, Video):
        qemu_devices.validate_video(ctx, dev)
    elif isinstance(dev, Disk):
        validate_disk(ctx, dev)
    elif isinstance(dev, Controller):
        validate_controller(ctx, dev)
    else:
        check = _BY_TAG.get(dev.elem.tag)
        if check is not None:
            check(ctx, dev)


def validate_devices(ctx: BuildContext,
                     generic: Callable[[BuildContext, Device], None]) -> None:
    """virDomainDeviceDefValidate for every device in libvirt's order: `generic` (the generic
    device checks), then qemuValidateDomainDeviceDef; the IDE controllers IDE disks imply
    (libvirt adds them in post-parse, after the written controllers) are validated right after
    the last controller."""
    ordered = device_order(ctx.domain.devices.items)
    last = max((i for i, d in enumerate(ordered) if isinstance(d, Controller)), default=-1)
    for i, dev in enumerate(ordered):
        generic(ctx, dev)
        validate_device(ctx, dev)
        if i == last:
            validate_implicit_ide(ctx)
    if last < 0:
        validate_implicit_ide(ctx)
