"""The typed domain model the parse step produces and the prepare step completes."""

from .address import DriveAddress, GenericAddress, PciAddress
from .device import Device, DeviceInfo
from .devices import (Audio, Chardev, Controller, Devices, Disk, Generic, Graphics, Input,
                      Interface, Memballoon, Sound, Video)
from .domain import Domain, OSConfig, Vcpu
from .elem import Elem
from .qemu_ns import QEMU_NS, QemuNamespace

__all__ = [
    "Audio", "Chardev", "Controller", "Device", "DeviceInfo", "Devices", "Disk", "Domain",
    "DriveAddress", "Elem", "Generic", "GenericAddress", "Graphics", "Input", "Interface",
    "Memballoon", "OSConfig", "PciAddress", "QEMU_NS", "QemuNamespace", "Sound", "Vcpu", "Video",
]
