"""Smartcards: emulated from host certificates/NSS, or passed through a chardev; each one
is a card in a slot of a usb-ccid controller.

Branches (qemuBuildSmartcardCommandLine):
- [x] ccid-card-emulated (host NSS database or certificates), ccid-card-passthru over a
      chardev; usb-ccid controllers
"""

from __future__ import annotations

from ..context import BuildContext
from ..model import Chardev, GenericAddress
from ..model.misc_devices import Smartcard
from ..props import Props
from .chardev import chardev_backend
from .device import controller_alias, emit_device
from .misc import src

DEFAULT_NSS_DB = "/etc/pki/nssdb"


def _ccid_bus(ctx: BuildContext, s: Smartcard) -> str:
    a = s.info.address
    ctrl = a.int("controller") if isinstance(a, GenericAddress) else 0
    return f"{controller_alias(ctx, 'ccid', ctrl)}.0"


def smartcard_props(ctx: BuildContext, s: Smartcard) -> Props:
    if s.mode == "passthrough":
        props = Props(("driver", "ccid-card-passthru"), ("chardev", f"char{s.alias}"))
    else:
        props = Props(("driver", "ccid-card-emulated"))
        if s.mode == "host-certificates":
            props.add("backend", "certificates")
            for i, cert in enumerate(s.elem.findall("certificate"), start=1):
                props.add(f"cert{i}", cert.text or "")
            props.add("db", s.elem.findtext("database") or DEFAULT_NSS_DB)
        else:
            props.add("backend", "nss-emulated")
    props.add("id", s.alias)
    props.add("bus", _ccid_bus(ctx, s))
    return props


def build_smartcards(ctx: BuildContext) -> None:
    for s in (d for d in ctx.domain.devices.items if isinstance(d, Smartcard)):
        if s.mode == "passthrough":
            e = s.elem
            ch = Chardev(elem=e, kind="smartcard", type=e.get("type") or "pty",
                         sources=tuple(e.findall("source")), protocol=e.attr_at("type", "protocol"))
            ctx.cmd.add("-chardev", chardev_backend(ctx, ch, f"char{s.alias}"), src(s))
        emit_device(ctx, s, smartcard_props(ctx, s), src(s))
