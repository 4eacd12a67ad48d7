"""The result of a translation: environment, binary and arguments."""

from __future__ import annotations

from dataclasses import dataclass, field

from .cmdline import EnvVar, Item
from .errors import TranslationError
from .render import FORMATS, RENDERERS


@dataclass
class Invocation:
    env: list[tuple[str, str | None]]
    binary: str
    args: list[str]
    items: list[Item] | None = field(default=None, repr=False)
    env_vars: list[EnvVar] | None = field(default=None, repr=False)
    warnings: list[str] = field(default_factory=list)

    def render(self, fmt: str = "args") -> str:
        try:
            return RENDERERS[fmt](self)
        except KeyError:
            raise TranslationError(
                f"unknown output format '{fmt}' (choose from {', '.join(FORMATS)})") from None
