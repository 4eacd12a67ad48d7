"""Input devices: USB and virtio HID devices, virtio/evdev passthrough (PS/2 is built in).

Branches (qemuBuildInputCommandLine):
- [x] usb-mouse/tablet/kbd, virtio-mouse/tablet/keyboard (pci/ccw/device), virtio-input-host
      (passthrough), input-linux (evdev: grab, repeat, grabToggle); PS/2 is built in
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import Input
from ..props import Props
from .device import address_props, emit_device
from .display_common import device_source, virtio_bus_suffix, virtio_options

_USB = {"tablet": "usb-tablet", "mouse": "usb-mouse", "keyboard": "usb-kbd"}
_VIRTIO = {"tablet": "virtio-tablet", "mouse": "virtio-mouse", "keyboard": "virtio-keyboard",
           "passthrough": "virtio-input-host"}


def _virtio_driver(ctx: BuildContext, dev: Input) -> str | None:
    base = _VIRTIO.get(dev.type)
    if base is None:
        return None
    # no (non-)transitional variant: qemuBuildVirtioDevGetConfig reads no model for an
    # input, and validation refuses one (qemu_devices)
    return base + virtio_bus_suffix(ctx, dev, "-pci")


def _build_evdev(ctx: BuildContext, dev: Input) -> None:
    """<input type='evdev'>: the host device is grabbed by an input-linux object."""
    src = dev.elem.find("source")
    props = Props(("qom-type", "input-linux"), ("id", dev.alias))
    if src is not None:
        props.add("evdev", src.get("dev"))
        props.tristate("repeat", src.yes("repeat"))
        if src.get("grab") == "all":
            props.add("grab_all", True)
        props.str("grab-toggle", src.get("grabToggle"))
    ctx.cmd.add_json("-object", props, device_source(dev))


def build_inputs(ctx: BuildContext) -> None:
    for dev in ctx.domain.devices.items:
        if not isinstance(dev, Input) or dev.bus in ("ps2", None) and dev.type != "evdev":
            continue
        if dev.type == "evdev":
            _build_evdev(ctx, dev)
            continue
        if dev.bus == "usb":
            driver = _USB.get(dev.type)
            props = Props(("driver", driver), ("id", dev.alias))
        elif dev.bus == "virtio":
            driver = _virtio_driver(ctx, dev)
            props = Props(("driver", driver))
            props.update(virtio_options(dev))
            props.add("id", dev.alias)
            if dev.type == "passthrough":
                props.add("evdev", dev.elem.attr_at("evdev", "source"))
        else:
            continue
        if driver is None:
            continue
        props.update(address_props(ctx, dev))
        emit_device(ctx, dev, props, device_source(dev))
