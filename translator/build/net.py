"""Network interfaces: -netdev backend, then the NIC -device."""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Interface
from ..props import Props
from .device import address_props, emit_device
from .disks import boot_index

NIC_DRIVER = {"virtio": "virtio-net-pci", "virtio-transitional": "virtio-net-pci-transitional",
              "virtio-non-transitional": "virtio-net-pci-non-transitional",
              "e1000": "e1000", "e1000e": "e1000e", "rtl8139": "rtl8139", "vmxnet3": "vmxnet3",
              "ne2k_pci": "ne2k_pci", "pcnet": "pcnet", "usb-net": "usb-net"}


def default_nic_model(ctx: BuildContext) -> str:
    return "rtl8139" if ctx.is_x86 else "virtio"


def build_network(ctx: BuildContext) -> None:
    for i, net in enumerate(ctx.domain.devices.interfaces):
        _build_one(ctx, net, i)


def _build_one(ctx: BuildContext, net: Interface, i: int) -> None:
    src = xml_source(net.elem)
    alias = net.alias or f"net{i}"
    netdev_id = f"host{alias}"
    nd = Props()
    if net.type == "user":
        nd.add("type", "user")
    else:
        nd.add("type", "tap" if net.type in ("network", "bridge", "ethernet", "direct") else net.type)
    nd.add("id", netdev_id)
    ctx.cmd.add_json("-netdev", nd, src)
    model = net.model or default_nic_model(ctx)
    props = Props(("driver", NIC_DRIVER.get(model, model)))
    props.add("netdev", netdev_id)
    props.add("id", alias)
    props.add("mac", net.mac)
    props.update(address_props(ctx, net))
    props.add("bootindex", boot_index(ctx, net))
    emit_device(ctx, net, props, src)
