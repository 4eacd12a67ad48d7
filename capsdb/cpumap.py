"""libvirt's x86 CPU map (src/cpu_map), in the compact form tools/gen_cpu_map.py derives.

CPU data is held as one Python int per set of CPUID/MSR bits: every distinct bit of the map
gets an index, so libvirt's data operations (subset, add, subtract) are integer bit tests.
Vendor strings and signatures are kept apart from the feature bits, as the decoder
handles them on their own.
"""

from __future__ import annotations

import functools
import gzip
import json
import os

from .records import dataclass

_FILE = os.path.join(os.path.dirname(__file__), "data", "cpu_map", "x86.json.gz")


@dataclass(frozen=True)
class X86Feature:
    name: str
    bits: int
    migratable: bool
    msr: bool  # described by a model-specific register rather than a CPUID leaf


@dataclass(frozen=True)
class X86Model:
    name: str
    decode_host: bool
    decode_guest: bool
    vendor: str | None
    # (family, model, steppings or None for any)
    signatures: tuple[tuple[int, int, frozenset[int] | None], ...]
    bits: int
    removed: tuple[str, ...]
    compat_check: bool = False  # <check partial='compat'/>: checked against the host CPU

    def matches_signature(self, family: int, model: int, stepping: int) -> bool:
        """virCPUx86SignaturesMatch."""
        return any(f == family and m == model and (s is None or stepping in s)
                   for f, m, s in self.signatures)


@dataclass(frozen=True)
class X86Map:
    vendors: tuple[tuple[str, str], ...]   # (name, CPUID vendor string)
    features: tuple[X86Feature, ...]       # map order
    models: tuple[X86Model, ...]           # map order

    @functools.cached_property
    def _features_by_name(self) -> dict[str, X86Feature]:
        return {f.name: f for f in self.features}

    @functools.cached_property
    def _models_by_name(self) -> dict[str, X86Model]:
        return {m.name: m for m in self.models}

    def feature(self, name: str) -> X86Feature | None:
        return self._features_by_name.get(name)

    def model(self, name: str) -> X86Model | None:
        return self._models_by_name.get(name)

    def vendor_for_string(self, string: str) -> str | None:
        for name, vendor_string in self.vendors:
            if vendor_string == string:
                return name
        return None


@functools.lru_cache(maxsize=1)
def x86_map() -> X86Map:
    """The x86 CPU map of libvirt 11.3."""
    with open(_FILE, "rb") as f:
        doc = json.loads(gzip.decompress(f.read()))
    index: dict[str, int] = {}

    def mask(bits: list[str]) -> int:
        value = 0
        for bit in bits:
            value |= 1 << index.setdefault(bit, len(index))
        return value

    features = tuple(X86Feature(name, mask(bits), bool(migratable),
                                any(b.startswith("M") for b in bits))
                     for name, bits, migratable in doc["features"])
    by_name = {f.name: f for f in features}
    models = []
    for m in doc["models"]:
        bits = 0
        for name in m["features"]:
            bits |= by_name[name].bits
        sigs = tuple((int(f), int(mo), None if s is None else frozenset(s))
                     for f, mo, s in m["signatures"] or ())
        models.append(X86Model(m["name"], bool(m["decode"][0]), bool(m["decode"][1]),
                               m["vendor"], sigs, bits, tuple(m["removed"]),
                               bool(m.get("compat"))))
    return X86Map(tuple((str(n), str(s)) for n, s in doc["vendors"]), features, tuple(models))
