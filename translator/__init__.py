"""xml2argv's translator: libvirt domain XML -> the QEMU invocation libvirt would start."""

from __future__ import annotations

from .errors import (ErrorCode, InternalError, InvalidCapabilityError, TranslationError,
                     UnsupportedConfigError, XMLInputError)
from .invocation import Invocation
from .translate import translate
from .version import __version__

__all__ = ["ErrorCode", "InternalError", "Invocation", "InvalidCapabilityError", "TranslationError",
           "UnsupportedConfigError",
           "XMLInputError", "translate", "__version__"]
