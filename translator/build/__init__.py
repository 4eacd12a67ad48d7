"""Build step: one builder per area, run in libvirt's command-line order."""

from __future__ import annotations

from typing import Callable

from ..context import BuildContext
from ..namespace import build_compat, build_ns_args, build_ns_env
from . import chardev, controllers, cpu, disks, display, general, memory, misc, net

Builder = Callable[[BuildContext], None]

# The order of qemuBuildCommandLine in libvirt 11.x.
STAGES: tuple[Builder, ...] = (
    general.build_environment,
    build_ns_env,
    general.build_name,
    build_compat,
    general.build_stopped,
    general.build_master_key,
    general.build_machine,
    general.build_accel,
    cpu.build_cpu,
    memory.build_memory,
    cpu.build_smp,
    general.build_uuid,
    general.build_display_none,
    general.build_defaults,
    general.build_monitor,
    general.build_clock,
    general.build_lifecycle,
    general.build_pm,
    general.build_boot,
    controllers.build_controllers,
    disks.build_disks,
    net.build_network,
    chardev.build_serials,
    chardev.build_parallels,
    chardev.build_channels,
    chardev.build_consoles,
    misc.build_tpms,
    display.build_inputs,
    display.build_audio,
    display.build_graphics,
    display.build_video,
    display.build_sound,
    misc.build_watchdogs,
    misc.build_memballoon,
    misc.build_rngs,
    build_ns_args,
    general.build_sandbox,
    misc.build_panic,
    general.build_msg_timestamp,
)


def build(ctx: BuildContext) -> None:
    for stage in STAGES:
        stage(ctx)
