"""xml2argv's translator: libvirt domain XML -> the QEMU invocation libvirt would start."""

from __future__ import annotations

import gc as _gc

# Importing the translator makes a few hundred thousand long-lived objects and no garbage:
# the collections they trigger meanwhile cost a CLI call milliseconds and free nothing.
_COLLECTING = _gc.isenabled()
_gc.disable()
try:
    from .errors import (ErrorCode, InternalError, InvalidCapabilityError, TranslationError,
                         UnsupportedConfigError, XMLInputError)
    from .invocation import Invocation
    from . import effects as _effects  # noqa: F401 - registers the analysis behind Invocation.warnings
    from .translate import translate
    from .version import __version__
finally:
    if _COLLECTING:
        _gc.enable()

__all__ = ["ErrorCode", "InternalError", "Invocation", "InvalidCapabilityError", "TranslationError",
           "UnsupportedConfigError",
           "XMLInputError", "translate", "__version__"]
