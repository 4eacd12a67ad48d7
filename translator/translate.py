"""translate(): parse -> effective caps -> prepare -> build -> Invocation."""

from __future__ import annotations

from typing import Iterable

from capsdb import Caps

from .command import build
from .context import BuildContext
from .errors import InternalError, TranslationError, XMLInputError
from .invocation import Invocation
from .model import QemuNamespace
from .namespace import effective_caps
from .parse import parse_domain
from .prepare import prepare
from .profiles import DEFAULT_PROFILE, HostProfile, get_host_profile


def translate(xml: str | bytes, caps: Caps, *, profile: "str | HostProfile" = DEFAULT_PROFILE,
              caps_add: Iterable[str] = (), caps_del: Iterable[str] = (),
              namespace: bool = True, abi_update: bool = False) -> Invocation:
    """Translate a domain XML into the QEMU invocation libvirt would start.

    Raises `TranslationError` (with libvirt's code and message) for anything libvirt would
    refuse; `XMLInputError`, a subclass, for malformed or unsafe XML; `InternalError` (not a
    `TranslationError`) when xml2argv itself fails, which is a bug and never a refusal.
    """
    try:
        return _translate(xml, caps, profile, caps_add, caps_del, namespace, abi_update)
    except TranslationError:
        raise
    except RecursionError:
        raise XMLInputError("XML document is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - anything else is a bug, never a refusal
        raise InternalError(f"{type(exc).__name__}: {exc}") from exc


def _translate(xml: str | bytes, caps: Caps, profile: "str | HostProfile",
               caps_add: Iterable[str], caps_del: Iterable[str], namespace: bool,
               abi_update: bool) -> Invocation:
    host = get_host_profile(profile)
    abi_update = abi_update or host.parses_as_new_definition
    domain = parse_domain(xml)
    if not namespace:
        # the same domain as if its qemu: elements were not there (for --diff)
        domain.qemu = QemuNamespace()
    eff = effective_caps(caps, domain.qemu, caps_add, caps_del)
    ctx = BuildContext(domain=domain, caps=eff, host=host, abi_update=abi_update)
    prepare(ctx)
    build(ctx)
    binary = domain.devices.emulator or caps.emulator or f"/usr/bin/qemu-system-{ctx.arch}"
    return Invocation(
        env=[(e.name, e.value) for e in ctx.cmd.env],
        binary=binary,
        args=ctx.cmd.args(),
        items=ctx.cmd.items,
        env_vars=ctx.cmd.env,
        domain=domain,
        caps=eff,
        profile=host.name,
        host=host,
        source_xml=xml.encode("utf-8") if isinstance(xml, str) else xml,
    )
