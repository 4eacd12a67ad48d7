"""Typed models of the smaller device families: TPM, watchdog, RNG, filesystems, smartcards,
panic, shared memory, vsock, IOMMU and crypto.

They keep the few facts the prepare and build steps decide on as attributes; the rest is
read from `elem` where it is used, so rarely used options still carry their source line.
"""

from __future__ import annotations

from typing import Callable

from capsdb.records import dataclass
from .device import Device, info_from_elem
from .elem import Elem


@dataclass
class Tpm(Device):
    """A <tpm> device and its backend."""

    family: str = "tpm"
    model: str | None = None          # tpm-tis, tpm-crb, tpm-spapr, spapr-tpm-proxy
    backend_type: str = "passthrough"  # passthrough | emulator | external
    backend: Elem | None = None


@dataclass
class Watchdog(Device):
    """A <watchdog> device."""

    family: str = "watchdog"
    model: str | None = None
    action: str = "reset"


@dataclass
class Rng(Device):
    """An <rng> device and its backend."""

    family: str = "rng"
    model: str = "virtio"
    backend_model: str = "random"     # random | egd | builtin
    backend: Elem | None = None


@dataclass
class Filesystem(Device):
    """A <filesystem> shared with the guest (9p, virtiofs, ...)."""

    family: str = "filesystem"
    type: str = "mount"
    fsdriver: str | None = None       # driver/@type: path, handle, virtiofs, mtp, ...
    accessmode: str | None = None
    source_dir: str | None = None
    target_dir: str | None = None
    readonly: bool = False


@dataclass
class Smartcard(Device):
    """A <smartcard> device."""

    family: str = "smartcard"
    mode: str = "host"                # host | host-certificates | passthrough


@dataclass
class Panic(Device):
    """A <panic> notifier device."""

    family: str = "panic"
    model: str | None = None


@dataclass
class Shmem(Device):
    """A <shmem> shared memory device."""

    family: str = "shmem"
    name: str = ""
    model: str = "ivshmem-plain"


@dataclass
class Vsock(Device):
    """A <vsock> device."""

    family: str = "vsock"
    model: str | None = None


@dataclass
class Iommu(Device):
    """An <iommu> device."""

    family: str = "iommu"
    model: str = "intel"


@dataclass
class Crypto(Device):
    """A <crypto> device."""

    family: str = "crypto"
    model: str = "virtio"


def _tpm(e: Elem) -> Tpm:
    b = e.find("backend")
    return Tpm(elem=e, info=info_from_elem(e), model=e.get("model"), backend=b,
               backend_type=(b.get("type") if b is not None else None) or "passthrough")


def _rng(e: Elem) -> Rng:
    b = e.find("backend")
    return Rng(elem=e, info=info_from_elem(e), model=e.get("model") or "virtio", backend=b,
               backend_model=(b.get("model") if b is not None else None) or "random")


def _filesystem(e: Elem) -> Filesystem:
    return Filesystem(elem=e, info=info_from_elem(e), type=e.get("type") or "mount",
                      fsdriver=e.attr_at("type", "driver"), accessmode=e.get("accessmode"),
                      source_dir=e.attr_at("dir", "source") or e.attr_at("name", "source"),
                      target_dir=e.attr_at("dir", "target"),
                      readonly=e.find("readonly") is not None)


MISC_FACTORIES: dict[str, Callable[[Elem], Device]] = {
    "tpm": _tpm,
    "watchdog": lambda e: Watchdog(elem=e, info=info_from_elem(e), model=e.get("model"),
                                   action=e.get("action") or "reset"),
    "rng": _rng,
    "filesystem": _filesystem,
    "smartcard": lambda e: Smartcard(elem=e, info=info_from_elem(e),
                                     mode=e.get("mode") or "host"),
    "panic": lambda e: Panic(elem=e, info=info_from_elem(e), model=e.get("model")),
    "shmem": lambda e: Shmem(elem=e, info=info_from_elem(e), name=e.get("name") or "",
                             model=e.attr_at("type", "model") or "ivshmem-plain"),
    "vsock": lambda e: Vsock(elem=e, info=info_from_elem(e), model=e.get("model")),
    "iommu": lambda e: Iommu(elem=e, info=info_from_elem(e), model=e.get("model") or "intel"),
    "crypto": lambda e: Crypto(elem=e, info=info_from_elem(e), model=e.get("model") or "virtio"),
}
