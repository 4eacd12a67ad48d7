"""The result of a translation: environment, binary and arguments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .cmdline import EnvVar, Item
from .errors import TranslationError
from .render import FORMATS, RENDERERS

if TYPE_CHECKING:
    from capsdb import Caps

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
    warnings: list[str] = field(default_factory=list)
    # what the translation saw, for explaining and diffing: the prepared domain (defaults,
    # aliases and addresses filled in), the effective capabilities, the host profile name
    # and the input document itself
    domain: "Domain | None" = field(default=None, repr=False)
    caps: "Caps | None" = field(default=None, repr=False)
    profile: str = "host"
    host: "HostProfile | None" = field(default=None, repr=False)
    source_xml: bytes | None = field(default=None, repr=False)

    def render(self, fmt: str = "args") -> str:
        try:
            return RENDERERS[fmt](self)
        except KeyError:
            raise TranslationError(
                f"unknown output format '{fmt}' (choose from {', '.join(FORMATS)})") from None
