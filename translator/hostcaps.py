"""`--caps auto`: the capabilities the host's own libvirt probed, from its cache.

libvirtd/virtqemud keeps one `<qemuCaps>` file per QEMU binary in
/var/cache/libvirt/qemu/capabilities/ (named after a hash of the binary's path; each file
names its `<emulator>`). The domain's `<emulator>` picks the file; without one, the binary
libvirt would use for the domain's arch. The files are readable by root only, so an
unreadable cache is reported plainly instead of as a missing file.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from capsdb import Caps, CapsFileError

from capsdb.records import dataclass

if TYPE_CHECKING:  # pathlib only where the cache is read: its import costs every CLI call
    from pathlib import Path

# libvirt's capability cache of the system daemon (qemu:///system)
CACHE_DIR = "/var/cache/libvirt/qemu/capabilities"
AUTO = "auto"


class HostCapsError(Exception):
    """The host's capability cache cannot answer (missing, unreadable, no such binary)."""


@dataclass(frozen=True)
class DomainTarget:
    """What a domain says about where it runs: `<os><type arch>` and `<emulator>`."""

    arch: str | None
    emulator: str | None


def domain_target(xml: bytes) -> DomainTarget:
    """The domain's arch and emulator, read leniently (a broken document is the
    translator's to report, with libvirt's message, so this answers (None, None))."""
    from .xmlsafe import parse_document

    try:
        root = parse_document(xml)
    except Exception:  # noqa: BLE001 - the translation reports the real error
        return DomainTarget(None, None)
    os_type = root.find("os/type")
    arch = os_type.get("arch") if os_type is not None else None
    emulator = (root.findtext("devices/emulator") or "").strip() or None
    return DomainTarget(arch or None, emulator)


# guest arches QEMU runs with the binary (and embedded profile) of a wider one
_ARCH_FAMILY = {"i686": "x86_64", "ppc64le": "ppc64", "armv6l": "armv7l"}


def default_emulators(arch: str) -> list[str]:
    """The binaries libvirt tries for an arch (virQEMUCapsFindBinaryForArch): its own
    qemu-system-ARCH first, then the one of the wider arch that also runs it."""
    own = "i386" if arch == "i686" else arch
    names = [own] + ([_ARCH_FAMILY[arch]] if arch in _ARCH_FAMILY else [])
    return [f"/usr/bin/qemu-system-{n}" for n in names]


def _emulator_of(path: "Path") -> str | None:
    """The `<emulator>` a cache file names (read as text: the files are small)."""
    text = path.read_text(errors="replace")
    start = text.find("<emulator>")
    end = text.find("</emulator>", start)
    if start < 0 or end < 0:
        return None
    return text[start + len("<emulator>"):end].strip()


def find_cache_file(emulator: str, cache_dir: "str | Path" = CACHE_DIR) -> "Path":
    """The cache file libvirt keeps for `emulator`."""
    from pathlib import Path

    cache_dir = Path(cache_dir)
    try:
        entries = sorted(p for p in cache_dir.iterdir() if p.suffix == ".xml")
    except FileNotFoundError:
        raise HostCapsError(f"no libvirt capability cache at {cache_dir} (is libvirt's QEMU "
                            "driver installed and has it run once?)") from None
    except PermissionError:
        raise HostCapsError(f"cannot read libvirt's capability cache {cache_dir}: it is "
                            "readable by root only (run as root, or copy the file for "
                            f"{emulator} and pass --caps FILE)") from None
    unreadable: list["Path"] = []
    for path in entries:
        try:
            if _emulator_of(path) == emulator:
                return path
        except PermissionError:
            unreadable.append(path)
    if unreadable:
        raise HostCapsError(f"cannot read {len(unreadable)} file(s) of libvirt's capability "
                            f"cache {cache_dir}: they are readable by root only (run as "
                            f"root, or copy the file for {emulator} and pass --caps FILE)")
    raise HostCapsError(f"libvirt's capability cache {cache_dir} has no entry for "
                        f"{emulator} (start a domain with it once, or run "
                        "`virsh domcapabilities --emulatorbin` to make libvirt probe it)")


def load_host_caps(xml: bytes, arch: str | None, cache_dir: "str | Path" = CACHE_DIR) -> Caps:
    """The cached capabilities of the binary the domain would run on."""
    import capsdb

    target = domain_target(xml)
    if target.emulator:
        path = find_cache_file(target.emulator, cache_dir)
    else:
        path = _first_cached(default_emulators(arch or target.arch or os.uname().machine),
                             cache_dir)
    try:
        return capsdb.load(path)
    except CapsFileError as exc:
        raise HostCapsError(str(exc)) from None


def _first_cached(emulators: list[str], cache_dir: "str | Path") -> "Path":
    for emulator in emulators[:-1]:
        try:
            return find_cache_file(emulator, cache_dir)
        except HostCapsError:
            continue
    return find_cache_file(emulators[-1], cache_dir)


def effective_arch(requested: str | None, xml: bytes | None) -> str:
    """--arch when given, else the embedded profile for the domain's `<os><type arch>`
    (its wider arch when it has none of its own), else x86_64."""
    if requested:
        return requested
    import capsdb

    arch = domain_target(xml).arch if xml else None
    if not arch:
        return "x86_64"
    if arch in {a for _, a in capsdb.profiles()}:
        return arch
    return _ARCH_FAMILY.get(arch, "x86_64")


def select_caps(caps_opt: str | None, qemu: str | None, arch: str | None,
                xml: bytes | None) -> Caps:
    """The capabilities the CLI options ask for: a file, the host's cache (`auto`), or
    an embedded profile of the domain's arch (unless --arch says otherwise)."""
    import capsdb

    if caps_opt == AUTO:
        return load_host_caps(xml or b"", arch)
    if caps_opt:
        return capsdb.load(caps_opt)
    return capsdb.get(qemu, effective_arch(arch, xml))
