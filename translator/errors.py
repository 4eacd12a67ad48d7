"""The error types `translate()` may raise.

`TranslationError` is a refusal: libvirt would reject the domain. It carries libvirt's error
code (`ErrorCode`, named after `virErrorNumber`) and the message; the text a user sees is the
code's prefix (as libvirt's virerror.c formats it) followed by the message, so a rule writes
`refuse(ErrorCode.CONFIG_UNSUPPORTED, "...")` and never types "unsupported configuration: ".

`InternalError` is not a refusal: it is a bug in xml2argv (an unexpected exception while
translating) and deliberately sits outside the `TranslationError` family, so that neither
tests nor users mistake it for something libvirt refuses.
"""

from __future__ import annotations

import enum
from typing import NoReturn


class ErrorCode(enum.Enum):
    """libvirt's error codes that a domain definition can provoke, with their message prefix."""

    XML_ERROR = ("VIR_ERR_XML_ERROR", "XML error: ")
    XML_DETAIL = ("VIR_ERR_XML_DETAIL", "")
    CONFIG_UNSUPPORTED = ("VIR_ERR_CONFIG_UNSUPPORTED", "unsupported configuration: ")
    INTERNAL_ERROR = ("VIR_ERR_INTERNAL_ERROR", "internal error: ")
    INVALID_ARG = ("VIR_ERR_INVALID_ARG", "invalid argument: ")
    OPERATION_UNSUPPORTED = ("VIR_ERR_OPERATION_UNSUPPORTED", "Operation not supported: ")
    OPERATION_FAILED = ("VIR_ERR_OPERATION_FAILED", "operation failed: ")
    OPERATION_INVALID = ("VIR_ERR_OPERATION_INVALID", "Requested operation is not valid: ")
    NO_SUPPORT = ("VIR_ERR_NO_SUPPORT",
                  "this function is not supported by the connection driver: ")
    OVERFLOW = ("VIR_ERR_OVERFLOW", "numerical overflow: ")
    ARGUMENT_UNSUPPORTED = ("VIR_ERR_ARGUMENT_UNSUPPORTED", "argument unsupported: ")
    CPU_INCOMPATIBLE = ("VIR_ERR_CPU_INCOMPATIBLE", "the CPU is incompatible with host CPU: ")
    NO_STORAGE_POOL = ("VIR_ERR_NO_STORAGE_POOL", "Storage pool not found: ")
    NO_STORAGE_VOL = ("VIR_ERR_NO_STORAGE_VOL", "Storage volume not found: ")
    # codes whose text is the message alone (the caller's format is the whole message)
    NO_NAME = ("VIR_ERR_NO_NAME", "")
    NO_SOURCE = ("VIR_ERR_NO_SOURCE", "")
    NO_TARGET = ("VIR_ERR_NO_TARGET", "")
    NO_SECURITY_MODEL = ("VIR_ERR_NO_SECURITY_MODEL", "")
    SYSTEM_ERROR = ("VIR_ERR_SYSTEM_ERROR", "")
    OTHER = ("VIR_ERR_OK", "")

    @property
    def libvirt_name(self) -> str:
        return self.value[0]

    @property
    def prefix(self) -> str:
        return self.value[1]

    @classmethod
    def from_text(cls, text: str) -> tuple["ErrorCode", str]:
        """Split a whole libvirt error text into its code and message (longest prefix wins)."""
        best = cls.OTHER
        for code in cls:
            if code.prefix and text.startswith(code.prefix) \
                    and len(code.prefix) > len(best.prefix):
                best = code
        return best, text[len(best.prefix):]


class TranslationError(Exception):
    """libvirt would refuse this domain: `code` is libvirt's error code, `message` its words.

    `TranslationError(ErrorCode.X, "msg")` is the form rules use; `TranslationError("whole
    text")` is accepted too and its code is read back from the text's prefix.
    """

    def __init__(self, code: "ErrorCode | str", message: str | None = None) -> None:
        if isinstance(code, ErrorCode):
            self.code: ErrorCode = code
            self.message: str = message or ""
        else:
            self.code, self.message = ErrorCode.from_text(code if message is None
                                                          else code + message)
        super().__init__(self.code.prefix + self.message)

    @property
    def text(self) -> str:
        """What libvirt prints (prefix and message), as `str(error)`."""
        return str(self)


class XMLInputError(TranslationError):
    """The input is not a well-formed, safe domain XML document."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(ErrorCode.OTHER, f"{message} (line {line})" if line else message)


class UnsupportedConfigError(TranslationError):
    """libvirt's VIR_ERR_CONFIG_UNSUPPORTED: valid XML the QEMU driver will not run."""

    def __init__(self, code: "ErrorCode | str", message: str | None = None) -> None:
        if isinstance(code, str) and message is None \
                and not code.startswith(ErrorCode.CONFIG_UNSUPPORTED.prefix):
            super().__init__(ErrorCode.CONFIG_UNSUPPORTED, code)
        else:
            super().__init__(code, message)


class InvalidCapabilityError(TranslationError):
    """A capability name libvirt does not know (from <qemu:add>/<qemu:del> or the CLI)."""


class InternalError(Exception):
    """A bug in xml2argv: an unexpected exception while translating. Never a refusal."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


def refuse(code: ErrorCode, message: str) -> NoReturn:
    """Raise libvirt's refusal `code` with `message` (the code supplies the prefix)."""
    raise TranslationError(code, message)


__all__ = ["ErrorCode", "InternalError", "InvalidCapabilityError", "TranslationError",
           "UnsupportedConfigError", "XMLInputError", "refuse"]
