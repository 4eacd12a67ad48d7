"""Post-parse step: what libvirt fills in before building (defaults, aliases, addresses)."""

from __future__ import annotations

from ..context import BuildContext
from .addresses import assign_drive_addresses, assign_pci_addresses
from .aliases import assign_aliases
from .defaults import add_hostdev_scsi_controllers, apply_defaults
from .machine import prepare_machine
from .memory import add_numa_node_for_hotplug, prepare_memory
from .ports import assign_usb_ports, assign_virtio_serial
from .firmware import prepare_firmware
from .host_resources import allocate_network_hostdevs, resolve_listen_networks, translate_volumes
from .pretend import rewrite_interfaces
from ..validate.checks import validate, validate_parsed
from ..validate.actual_net import validate_actual_nets
from ..validate.controllers import check_bridge_buses
from ..validate.limits import check_argument_list, check_counts
from ..validate.firmware import check_firmware_found
from ..validate.postparse import validate_postparse
from ..validate.qemu_domain_address import validate_written_addresses
from ..validate.seclabel import check_seclabels
from ..validate.qemu_prepare import validate_prepare, validate_start


def prepare(ctx: BuildContext) -> None:
    validate_parsed(ctx)  # libvirt's XML parser refusals come before anything else
    check_counts(ctx)  # before any work proportional to a count in the input
    check_seclabels(ctx)  # the seclabel parser's rules
    prepare_machine(ctx)
    apply_defaults(ctx)
    add_numa_node_for_hotplug(ctx)  # post-parse, so validation sees the added node
    validate_postparse(ctx)  # libvirt's post-parse refusals, once the defaults are in
    validate_written_addresses(ctx)  # its address pass ends post-parse, before validation
    assign_drive_addresses(ctx)
    add_hostdev_scsi_controllers(ctx)
    assign_virtio_serial(ctx)
    allocate_network_hostdevs(ctx)  # a network's host device is one from here on
    assign_aliases(ctx)
    validate(ctx)  # libvirt's validation; reads user-given PCI addresses only
    check_argument_list(ctx)
    validate_start(ctx)  # qemuProcessStartValidate's own checks
    prepare_firmware(ctx)
    check_firmware_found(ctx)  # qemuFirmwareFillDomain's refusal
    assign_pci_addresses(ctx)
    if rewrite_interfaces(ctx):  # domxml-to-native: interfaces readdressed after the rest
        assign_pci_addresses(ctx)
    check_bridge_buses(ctx)
    validate_actual_nets(ctx)  # libvirt checks the actual interface types this late
    assign_usb_ports(ctx)
    prepare_memory(ctx)
    resolve_listen_networks(ctx)
    translate_volumes(ctx)
    validate_prepare(ctx)  # qemuProcessPrepareDomain's and the command line's refusals
