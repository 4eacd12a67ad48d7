"""xml2argv's capability database: what each QEMU version can do, as libvirt probes it.

`load(path)` reads a libvirt capability file; `get(version, arch)` returns an embedded
profile. Nothing heavy happens at import time: profiles load on first use.
"""

from __future__ import annotations

import os

# Imported for its side effect only: loading the submodule now sets the package
# attribute `profiles`, so `def profiles` below replaces it for good (a later first
# import of the submodule would overwrite the function).
from . import profiles as _profiles  # noqa: F401
from .model import Caps, CapsFileError, CpuModel, Machine
from .profiles import UnknownProfileError

__all__ = ["Caps", "CapsFileError", "CpuModel", "Machine", "UnknownProfileError", "load", "get",
           "profiles"]

# what a user's choice of capabilities can fail with; anything else is a bug
USAGE_ERRORS: tuple[type[Exception], ...] = (CapsFileError, UnknownProfileError, OSError)


def load(path: str | os.PathLike[str]) -> Caps:
    """Read a libvirt `<qemuCaps>` capability file."""
    from .libvirt_xml import load_caps_file  # lxml only when a file is parsed
    from .names import IMPLIED_FLAGS

    return load_caps_file(path).with_changes(add=IMPLIED_FLAGS)


def get(version: str | None = None, arch: str = "x86_64") -> Caps:
    """Return the embedded profile for a QEMU `version` ('9.2', '9.2.0'); None = newest."""
    from .profiles import get_profile

    return get_profile(version, arch)


def profiles() -> list[tuple[str, str]]:
    """(version, arch) of every embedded profile, oldest first."""
    from .profiles import list_profiles

    return list_profiles()
