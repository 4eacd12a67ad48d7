"""The error types `translate()` may raise; nothing else escapes it."""

from __future__ import annotations


class TranslationError(Exception):
    """libvirt would refuse this domain (the message is libvirt's own wording)."""


class XMLInputError(TranslationError):
    """The input is not a well-formed, safe domain XML document."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"{message} (line {line})" if line else message)


class UnsupportedConfigError(TranslationError):
    """libvirt's VIR_ERR_CONFIG_UNSUPPORTED: valid XML the QEMU driver will not run."""


class InvalidCapabilityError(TranslationError):
    """A capability name libvirt does not know (from <qemu:add>/<qemu:del> or the CLI)."""
