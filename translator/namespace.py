"""The qemu: namespace step: capabilities, -compat, <qemu:env> and <qemu:arg>.

<qemu:override> is not here: it is applied where every -device leaves the builders
(`build.device.emit_device`), because it edits the device's own properties.
"""

from __future__ import annotations

from typing import Iterable

from capsdb import Caps

from .cmdline import Source
from .context import BuildContext
from .errors import ErrorCode, InvalidCapabilityError
from .model import QemuNamespace
from .props import Props


def known_capability(name: str) -> bool:
    try:
        from capsdb.names import is_known
    except ImportError:  # pragma: no cover - the names table is part of capsdb
        return True
    return is_known(name)


def effective_caps(caps: Caps, ns: QemuNamespace, cli_add: Iterable[str] = (),
                   cli_del: Iterable[str] = ()) -> Caps:
    """Profile -> adds (namespace, then CLI) -> deletes (namespace, then CLI).

    A name the caller gives that no QEMU capability has is refused here (a usage error); the
    namespace's own unknown names are libvirt's refusal, made after validation
    (validate/qemu_namespace.py: check_capability_names) and harmless until then.
    """
    for name in [*cli_add, *cli_del]:
        if not known_capability(name):
            # worded like libvirt's refusal of the same name in <qemu:capabilities>
            raise InvalidCapabilityError(ErrorCode.OTHER,
                                         f"invalid qemu namespace capability '{name}'")
    adds = [t.name for t in ns.caps_add] + list(cli_add)
    dels = [t.name for t in ns.caps_del] + list(cli_del)
    return caps.with_changes(add=adds, remove=dels)


def build_compat(ctx: BuildContext) -> None:
    behavior = ctx.domain.qemu.deprecation
    if behavior not in ("omit", "reject", "crash"):
        return  # 'none' asks for nothing; libvirt only warns about an unknown behaviour
    props = Props(("deprecated-output", "hide" if behavior != "none" else "accept"))
    if behavior in ("reject", "crash"):
        props.add("deprecated-input", behavior)
    ctx.cmd.add("-compat", props.to_json(),
                Source("qemu", f"qemu:deprecation[@behavior='{behavior}']",
                       ctx.domain.qemu.deprecation_line), props)


def build_ns_env(ctx: BuildContext) -> None:
    for e in ctx.domain.qemu.env:
        ctx.cmd.setenv(e.name, e.value, Source("qemu", f"qemu:commandline/qemu:env[@name='{e.name}']",
                                                e.line))


def build_ns_args(ctx: BuildContext) -> None:
    for a in ctx.domain.qemu.args:
        ctx.cmd.add_raw((a.value,), Source("qemu", "qemu:commandline/qemu:arg", a.line))
