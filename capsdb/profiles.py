"""The embedded capability profiles (capsdb/data/*.json.gz), looked up by version.

A profile is named by the QEMU version of the libvirt test file it came from
('10.0.0', optionally with a variant such as '+amdsev') and its architecture.
Loading one reads a few kilobytes of gzip'd JSON: no XML, no lxml.

Every profile returned here has `names.IMPLIED_FLAGS` added (libvirt 11.3 always
uses -blockdev, so `blockdev` is set unless a `<qemu:del>` removes it); the data
files themselves hold the flags exactly as libvirt's capability file lists them.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
from typing import Any, NamedTuple

from .model import Caps
from .names import IMPLIED_FLAGS

__all__ = ["UnknownProfileError", "get_profile", "list_profiles", "parse_version"]

_FILE_RE = re.compile(
    r"^(?P<arch>[^-+]+)-(?P<version>\d+\.\d+\.\d+)(?:\+(?P<variant>[^.]+))?\.json\.gz$"
)
_VERSION_RE = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?$")


class UnknownProfileError(LookupError):
    """No embedded profile matches the requested version / arch / variant."""


class _Entry(NamedTuple):
    version: tuple[int, int, int]
    arch: str
    variant: str | None
    filename: str

    @property
    def label(self) -> str:
        v = ".".join(map(str, self.version))
        return f"{v}+{self.variant}" if self.variant else v


def parse_version(text: str) -> tuple[tuple[int, int, int], str | None]:
    """'9.2' / '9.2.0' / '10' / '10.0.0+amdsev' -> ((major, minor, micro), variant)."""
    version, _, variant = text.strip().partition("+")
    m = _VERSION_RE.match(version)
    if m is None:
        raise UnknownProfileError(
            f"invalid QEMU version {text!r}: expected MAJOR.MINOR[.MICRO][+VARIANT], e.g. '9.2'"
        )
    return (int(m[1]), int(m[2] or 0), int(m[3] or 0)), (variant or None)


# The data files sit in a plain folder when the package is on disk, as an installed one
# is: read with os alone, since importlib.resources (pathlib, tempfile, zipfile, ...) costs
# ~15 ms of every CLI call. It only serves a package imported from a zip file.
_DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


def _data_names() -> list[str]:
    if os.path.isdir(_DATA_DIR):
        return os.listdir(_DATA_DIR)
    return [item.name for item in _packaged_data().iterdir()]


def _data_bytes(filename: str) -> bytes:
    if os.path.isdir(_DATA_DIR):
        with open(os.path.join(_DATA_DIR, filename), "rb") as f:
            return f.read()
    return _packaged_data().joinpath(filename).read_bytes()


def _packaged_data() -> Any:  # an importlib.resources Traversable
    from importlib import resources

    return resources.files(__package__).joinpath("data")


@functools.lru_cache(maxsize=1)
def _index() -> tuple[_Entry, ...]:
    entries = []
    for name in _data_names():
        m = _FILE_RE.match(name)
        if m is None:
            continue
        version, _ = parse_version(m["version"])
        entries.append(_Entry(version, m["arch"], m["variant"], name))
    return tuple(sorted(entries, key=lambda e: (e.version, e.arch, e.variant or "")))


def list_profiles() -> list[tuple[str, str]]:
    """(version['+variant'], arch) of every embedded profile, oldest first."""
    return [(e.label, e.arch) for e in _index()]


def _describe(arch: str) -> str:
    entries = _index()
    labels = [e.label for e in entries if e.arch == arch]
    if labels:
        return f"available for {arch}: {', '.join(labels)}"
    arches = sorted({e.arch for e in entries})
    return f"no profiles for arch {arch!r}; available arches: {', '.join(arches) or 'none'}"


@functools.lru_cache(maxsize=None)
def _load(filename: str) -> Caps:
    from .importer import doc_to_caps

    data = _data_bytes(filename)
    caps = doc_to_caps(json.loads(gzip.decompress(data)))
    return caps.with_changes(add=IMPLIED_FLAGS)


def _resolve(version: str | None, arch: str, variant: str | None) -> _Entry:
    wanted: tuple[int, int, int] | None = None
    if version is not None:
        wanted, v_variant = parse_version(version)
        if v_variant is not None:
            if variant is not None and variant != v_variant:
                raise UnknownProfileError(
                    f"conflicting variants {v_variant!r} (in {version!r}) and {variant!r}"
                )
            variant = v_variant
    candidates = [e for e in _index() if e.arch == arch and e.variant == variant]
    if wanted is not None:
        candidates = [e for e in candidates if e.version == wanted]
    if not candidates:
        what = ".".join(map(str, wanted)) if wanted else "any version"
        if variant:
            what += f"+{variant}"
        raise UnknownProfileError(f"no embedded QEMU profile {what} for {arch}; {_describe(arch)}")
    return candidates[-1]  # newest (the index is sorted oldest first)


def get_profile(version: str | None = None, arch: str = "x86_64",
                variant: str | None = None) -> Caps:
    """The embedded profile for QEMU `version` on `arch` (None = newest plain one).

    `version` accepts '9.2', '9.2.0', '10' and a variant suffix ('9.2.0+amdsev').
    The result is cached and shared: treat it as read-only (use `with_changes`).
    """
    return _load(_resolve(version, arch, variant).filename)
