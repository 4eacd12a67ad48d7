"""translate(): parse -> effective caps -> prepare -> build -> Invocation."""

from __future__ import annotations

import sys
from typing import Iterable, Mapping

from capsdb import Caps
from capsdb.model import ProbedHostCpu

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
              namespace: bool = True, abi_update: bool = False,
              host_cpu: "str | ProbedHostCpu | None" = None, incoming: str | None = None,
              incoming_fd: int | None = None,
              vdpa_fds: Mapping[str, int] | None = None) -> Invocation:
    """Translate a domain XML into the QEMU invocation libvirt would start.

    `host_cpu`: the host CPU libvirt probes (a name the profile knows, a CPU map model, or
    a ProbedHostCpu) instead of QEMU's own expansion of it: the host-model CPU, optional
    features and match='minimum' follow it.  `incoming`: where an incoming migration or
    restore comes from (QEMU's `-incoming` URI, or `stdio` for the descriptor
    `incoming_fd`, as libvirt restores a save file), which makes the start one of an
    existing guest.  `vdpa_fds`: descriptors already opened for vhost-vdpa disk devices,
    by device path.

    Raises `TranslationError` (with libvirt's code and message) for anything libvirt would
    refuse; `XMLInputError`, a subclass, for malformed or unsafe XML; `InternalError` (not a
    `TranslationError`) when xml2argv itself fails, which is a bug and never a refusal.
    """
    uri = _incoming_uri(incoming, incoming_fd)
    try:
        return _translate(xml, caps, profile, caps_add, caps_del, namespace, abi_update,
                          host_cpu, uri, dict(vdpa_fds or {}))
    except TranslationError:
        raise
    except RecursionError:
        raise XMLInputError("XML document is nested too deeply") from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise InternalError(f"{type(exc).__name__}: {exc}") from exc
        # Python converts at most sys.get_int_max_str_digits() digits: a value read as a
        # number that long is hostile input (libvirt would refuse it as an overflow)
        raise XMLInputError(f"a number in the XML document has more than "
                            f"{sys.get_int_max_str_digits()} digits") from None
    except Exception as exc:  # noqa: BLE001 - anything else is a bug, never a refusal
        raise InternalError(f"{type(exc).__name__}: {exc}") from exc


def _incoming_uri(incoming: str | None, fd: int | None) -> str | None:
    """qemuMigrationDstGetURI: `stdio` is the descriptor the state is read from."""
    if incoming != "stdio":
        return incoming
    if fd is None:  # the caller's mistake, not libvirt's refusal
        raise ValueError("an incoming migration from 'stdio' needs the descriptor it reads "
                         "(incoming_fd)")
    return f"fd:{fd}"


def _translate(xml: str | bytes, caps: Caps, profile: "str | HostProfile",
               caps_add: Iterable[str], caps_del: Iterable[str], namespace: bool,
               abi_update: bool, host_cpu: "str | ProbedHostCpu | None", incoming: str | None,
               vdpa_fds: dict[str, int]) -> Invocation:
    host = get_host_profile(profile)
    if host_cpu is not None:
        caps = caps.with_probed_host_cpu(
            host.probed_host_cpu(host_cpu) if isinstance(host_cpu, str) else host_cpu)
    abi_update = abi_update or host.parses_as_new_definition
    domain = parse_domain(xml)
    if not namespace:
        # the same domain as if its qemu: elements were not there (for --diff)
        domain.qemu = QemuNamespace()
    eff = effective_caps(caps, domain.qemu, caps_add, caps_del)
    ctx = BuildContext(domain=domain, caps=eff, host=host, abi_update=abi_update,
                       incoming=incoming, vdpa_fds=vdpa_fds)
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
        start_options={"incoming": incoming, "vdpa_fds": vdpa_fds},
    )
