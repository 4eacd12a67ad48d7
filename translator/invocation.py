"""The result of a translation: environment, binary and arguments."""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Callable

from capsdb.records import dataclass
from .cmdline import EnvVar, Item
from .errors import ErrorCode, TranslationError
from .render import FORMATS, RENDERERS

if TYPE_CHECKING:
    from capsdb import Caps

    from .effects import EffectWarning
    from .model import Domain
    from .profiles import HostProfile


@dataclass
class Invocation:
    """The QEMU process libvirt would start: environment, binary and arguments."""

    env: list[tuple[str, str | None]]
    binary: str
    args: list[str]
    items: list[Item] | None = field(default=None, repr=False)
    env_vars: list[EnvVar] | None = field(default=None, repr=False)
    # what the translation saw, for explaining and diffing: the prepared domain (defaults,
    # aliases and addresses filled in), the effective capabilities, the host profile name
    # and the input document itself
    domain: "Domain | None" = field(default=None, repr=False)
    caps: "Caps | None" = field(default=None, repr=False)
    profile: str = "host"
    host: "HostProfile | None" = field(default=None, repr=False)
    source_xml: bytes | None = field(default=None, repr=False)
    # the start's own options (translate's incoming URI, vdpa_fds), for translating the
    # same start again; the probed host CPU is already part of `caps`
    start_options: dict[str, object] = field(default_factory=dict, repr=False)
    _findings: "list[EffectWarning] | None" = field(default=None, init=False, repr=False,
                                                    compare=False)

    @property
    def warnings(self) -> "list[EffectWarning]":
        """The effect analysis of this translation (`translator.effects.analyse`), computed
        once: objects with `code`, `severity`, `line` and `message` (and `as_dict()`)."""
        if self._findings is None:
            self._findings = _ANALYSER[0](self) if _ANALYSER else []
        return self._findings

    def render(self, fmt: str = "args") -> str:
        renderer = RENDERERS.get(fmt)  # looked up first: a renderer's own KeyError is a bug
        if renderer is None:
            raise TranslationError(ErrorCode.OTHER, f"unknown output format '{fmt}' (choose "
                                   f"from {', '.join(FORMATS)})")
        return renderer(self)


# The effect analysis registers itself here when `translator` is imported: it reads
# translations (and translates again), so this module cannot import it without a cycle.
_ANALYSER: "list[Callable[[Invocation], list[EffectWarning]]]" = []


def register_analyser(analyse: "Callable[[Invocation], list[EffectWarning]]") -> None:
    _ANALYSER[:] = [analyse]
