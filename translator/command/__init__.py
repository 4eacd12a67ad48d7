"""Command step (qemu_command.c): one builder per area, run in libvirt's command-line order."""

from __future__ import annotations

from importlib import import_module
from typing import Callable

from ..context import BuildContext
from ..model import Device
from ..model.devices import Hostdev
from ..model.misc_devices import Filesystem, Iommu, Rng, Smartcard, Tpm
from ..namespace import build_compat, build_ns_args, build_ns_env
from . import chardev, controllers, cpu, disks, display, general, memory, misc, net
from . import iothreads, memdev
from . import firmware
from . import throttle

Builder = Callable[[BuildContext], None]


def _only_if(needed: Callable[[BuildContext], bool], module: str, builder: str) -> Builder:
    """The builder `module.builder` of something most domains lack: it emits nothing when
    `needed` is false, so its module (and what only it needs) is imported the first time a
    domain needs it rather than on every start of the program."""
    def stage(ctx: BuildContext) -> None:
        if needed(ctx):
            getattr(import_module(f"{__name__}.{module}"), builder)(ctx)
    stage.__name__ = stage.__qualname__ = builder
    return stage


def _for_devices(kind: type[Device], module: str, builder: str) -> Builder:
    """`_only_if` the domain has a device of `kind`."""
    return _only_if(lambda ctx: any(isinstance(d, kind) for d in ctx.domain.devices.items),
                    module, builder)


def _has_sysinfo(ctx: BuildContext) -> bool:
    return bool(ctx.domain.sysinfo)


def _has_launch_security(ctx: BuildContext) -> bool:
    return ctx.domain.launch_security is not None


def build_nvram(ctx: BuildContext) -> None:
    """The board's built-in devices configured from the XML (pseries' spapr NVRAM)."""
    ctx.policy.build_board_devices(ctx)


# The order of qemuBuildCommandLine in libvirt 11.x.
STAGES: tuple[Builder, ...] = (
    general.build_environment,
    build_ns_env,
    general.build_name,
    build_compat,
    general.build_stopped,
    general.build_master_key,
    disks.build_managed_pr,
    firmware.build_pflash,
    general.build_machine,
    general.build_accel,
    general.build_tseg,
    cpu.build_cpu,
    firmware.build_loader,
    memory.build_memory,
    cpu.build_smp,
    iothreads.build_iothreads,
    throttle.build_throttle_groups,
    memory.build_numa,
    general.build_uuid,
    _only_if(_has_sysinfo, "sysinfo", "build_smbios"),
    _only_if(_has_sysinfo, "sysinfo", "build_fw_cfg"),
    misc.build_genid,
    general.build_display_none,
    general.build_defaults,
    general.build_monitor,
    general.build_clock,
    general.build_lifecycle,
    general.build_pm,
    general.build_boot,
    _for_devices(Iommu, "iommu", "build_iommu"),
    controllers.build_controllers,
    memdev.build_memory_devices,
    controllers.build_hubs,
    controllers.build_ccid_controllers,
    disks.build_disks,
    _for_devices(Filesystem, "filesystems", "build_filesystems"),
    net.build_network,
    _for_devices(Smartcard, "smartcard", "build_smartcards"),
    chardev.build_serials,
    chardev.build_parallels,
    chardev.build_channels,
    chardev.build_consoles,
    _for_devices(Tpm, "tpm", "build_tpms"),
    display.build_inputs,
    display.build_audio,
    display.build_graphics,
    display.build_video,
    display.build_sound,
    misc.build_watchdogs,
    chardev.build_redirdevs,
    _for_devices(Hostdev, "hostdev", "build_hostdevs"),
    general.build_incoming,
    misc.build_memballoon,
    _for_devices(Rng, "rng", "build_rngs"),
    build_nvram,
    misc.build_vmcoreinfo,
    _only_if(_has_launch_security, "launch_security", "build_launch_security"),
    build_ns_args,
    general.build_sandbox,
    misc.build_panic,
    misc.build_shmem,
    misc.build_vsock,
    misc.build_crypto,
    general.build_run_with,
    general.build_msg_timestamp,
)


def build(ctx: BuildContext) -> None:
    for stage in STAGES:
        stage(ctx)
