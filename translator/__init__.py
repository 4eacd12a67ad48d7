"""xml2argv's translator: libvirt domain XML -> the QEMU invocation libvirt would start."""

from __future__ import annotations

from .errors import (ErrorCode, InternalError, InvalidCapabilityError, TranslationError,
                     UnsupportedConfigError, XMLInputError)
from .invocation import Invocation
from . import effects as _effects  # noqa: F401 - registers the analysis behind Invocation.warnings
from .translate import translate
from .version import __version__

__all__ = ["ErrorCode", "InternalError", "Invocation", "InvalidCapabilityError", "TranslationError",
           "UnsupportedConfigError",
           "XMLInputError", "translate", "__version__"]
