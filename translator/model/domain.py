"""The top-level domain model: everything outside <devices>."""

from __future__ import annotations

from dataclasses import field

from capsdb.records import dataclass
from .devices import Devices
from .elem import Elem
from .qemu_ns import QemuNamespace


@dataclass
class OSConfig:
    """The <os> element: machine, boot order, firmware and direct kernel boot."""

    type: str = "hvm"
    arch: str | None = None
    machine: str | None = None
    boot_devs: tuple[str, ...] = ()
    bootmenu: Elem | None = None
    bios: Elem | None = None
    loader: Elem | None = None
    nvram: Elem | None = None
    kernel: str | None = None
    initrd: str | None = None
    cmdline: str | None = None
    dtb: str | None = None
    smbios_mode: str | None = None
    firmware: str | None = None
    elem: Elem | None = None
    # what prepare/firmware.py resolved (manual <loader>/<nvram> or a descriptor's choice)
    resolved_fw: "ResolvedFirmware | None" = None


@dataclass
class ResolvedFirmware:
    """The firmware images QEMU is given: a ROM (-bios) or pflash units 0 and 1."""

    loader_type: str                   # "rom" | "pflash"
    loader_path: str
    loader_format: str = "raw"
    loader_readonly: bool = True
    secure: bool = False               # pflash secure=on (SMM-protected variable store)
    requires_smm: bool = False
    nvram_path: str | None = None      # a local NVRAM file
    nvram_source: Elem | None = None   # a network/block <nvram type=...> source
    nvram_type: str = "file"
    nvram_format: str = "raw"


@dataclass
class Vcpu:
    """The <vcpu> element."""

    count: int = 1
    current: int | None = None
    placement: str | None = None
    cpuset: str | None = None


@dataclass
class NumaCell:
    """One guest NUMA node (<cpu><numa><cell>); memory_kib is aligned by prepare."""

    id: int
    cpus: str | None = None
    memory_kib: int = 0
    mem_access: str | None = None
    discard: bool | None = None
    elem: Elem | None = None


@dataclass
class Domain:
    """The parsed domain: typed top-level facts plus the open-ended elements."""

    virt_type: str
    name: str
    uuid: str | None = None
    id: int = -1
    memory_kib: int = 0
    current_memory_kib: int | None = None
    max_memory: Elem | None = None
    memory_backing: Elem | None = None
    vcpu: Vcpu = field(default_factory=Vcpu)
    vcpus: Elem | None = None
    iothreads: int = 0
    iothreadids: Elem | None = None
    os: OSConfig = field(default_factory=OSConfig)
    features: Elem | None = None
    cpu: Elem | None = None
    clock: Elem | None = None
    pm: Elem | None = None
    on_poweroff: str | None = None
    on_reboot: str | None = None
    on_crash: str | None = None
    numatune: Elem | None = None
    sysinfo: tuple[Elem, ...] = ()
    seclabels: tuple[Elem, ...] = ()
    keywrap: Elem | None = None
    launch_security: Elem | None = None
    resource: Elem | None = None
    genid: Elem | None = None
    throttlegroups: Elem | None = None
    numa_cells: tuple[NumaCell, ...] = ()
    # memory modules without a <target><node> go to this guest node (set when libvirt
    # adds the single NUMA node a new domain with memory hotplug needs)
    default_memory_node: int | None = None
    # the memory QEMU's -m gets (without memory devices), computed by prepare/memory.py
    initial_memory_kib: int | None = None
    devices: Devices = field(default_factory=Devices)
    qemu: QemuNamespace = field(default_factory=QemuNamespace)
    root: Elem | None = None

    def feature(self, name: str) -> Elem | None:
        return self.features.find(name) if self.features is not None else None

    def has_feature(self, name: str) -> bool:
        """True when the feature element is present and not state='off'."""
        f = self.feature(name)
        return f is not None and f.get("state", "on") != "off"
