"""libvirt's x86 CPU driver (src/cpu/cpu_x86.c) on the map capsdb derives from src/cpu_map.

- `host_model`: the host-model CPU libvirt builds from QEMU's `<hostCPU>` expansion
  (virQEMUCapsInitHostCPUModel with virQEMUCapsGetCPUModelX86Data and x86Decode), the
  migratable variant virQEMUCapsGetHostModel(..., MIGRATABLE) hands to virCPUUpdate.
- `update`: virCPUx86Update (optional features resolved against the host, host-model and
  match='minimum' replaced by the host model, removed features of the model disabled).
- `translate`: virCPUx86Translate, for a model QEMU does not know (fallback='allow').
"""

from __future__ import annotations


from capsdb import Caps
from capsdb.model import HostCpu, ProbedHostCpu
from capsdb.cpumap import X86Map, X86Model, x86_map

from capsdb.records import dataclass
from .definition import DISABLE, FORBID, FORCE, OPTIONAL, REQUIRE, CpuDef

# virQEMUCapsCPUFeaturesX86: libvirt's feature names QEMU spells differently
_TO_QEMU = {
    "cmp_legacy": "cmp-legacy", "ds_cpl": "ds-cpl", "fxsr_opt": "fxsr-opt",
    "kvm_pv_eoi": "kvm-pv-eoi", "kvm_pv_unhalt": "kvm-pv-unhalt", "lahf_lm": "lahf-lm",
    "nodeid_msr": "nodeid-msr", "pclmuldq": "pclmulqdq", "perfctr_core": "perfctr-core",
    "perfctr_nb": "perfctr-nb", "tsc_adjust": "tsc-adjust",
    "vmx-invvpid-single-context-noglobals": "vmx-invept-single-context-noglobals",
    "hv-vendor_id": "hv-vendor-id", "hv-emsr_bitmap": "hv-emsr-bitmap",
    "hv-xmm_input": "hv-xmm-input",
}
_FROM_QEMU = {q: lv for lv, q in _TO_QEMU.items()}

# virQEMUCapsCPUFilterFeatures: features libvirt never passes to QEMU
IGNORED_FEATURES = frozenset({"cmt", "mbm_total", "mbm_local", "osxsave", "ospke",
                              "vmx-ept-uc", "vmx-ept-wb", "vmx-invvpid-single-context"})


def feature_to_qemu(name: str) -> str:
    return _TO_QEMU.get(name, name)


def feature_from_qemu(name: str) -> str:
    return _FROM_QEMU.get(name, name)


@dataclass(frozen=True)
class CpuData:
    """x86 CPU data: feature bits, the vendor (map name) and the signature."""

    bits: int
    vendor: str | None = None
    family: int = 0
    model: int = 0
    stepping: int = 0

    @property
    def has_signature(self) -> bool:
        return bool(self.family or self.model or self.stepping)


def _signature_parts(family: int, model: int, stepping: int) -> tuple[int, int, int]:
    """What survives encoding a signature into CPUID leaf 1 (x86MakeSignature) and reading it
    back (virCPUx86SignatureFromCPUID)."""
    ext_family = family - 0xF if family > 0xF else 0
    base_family = min(family, 0xF)
    return ((ext_family & 0xFF) + base_family, ((model >> 4) & 0xF) << 4 | (model & 0xF),
            stepping & 0xF)


def _features_of(bits: int, m: X86Map) -> list[str]:
    """x86DataToCPUFeatures: every map feature whose bits are all in `bits`, in map order.

    Decoding a host CPU asks this twice for every model, so it does not walk the few
    hundred features of the map: only a feature sharing a bit with `bits` can be among
    them, and those are found per set bit (`_BitIndex`)."""
    index = _bit_index(m)
    if index.one_bit_each:  # feature i is bit i: the set bits are the answer
        names = index.names
        return [names[pos] for pos in _set_bits(bits & index.all_bits)]
    candidates: set[int] = set()
    owners = index.owners
    for bit in _set_bits(bits):
        if bit < len(owners):
            candidates.update(owners[bit])
    found = []
    features = m.features
    for pos in sorted(candidates):
        f = features[pos]
        if bits & f.bits == f.bits:
            bits &= ~f.bits
            found.append(f.name)
    return found


def _set_bits(bits: int) -> list[int]:
    """The positions of the set bits of `bits`, lowest first."""
    out = []
    while bits:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out


@dataclass(frozen=True)
class _BitIndex:
    """Which features use each bit of a map: a pure function of the static map."""

    owners: tuple[tuple[int, ...], ...]  # per bit, the positions (map order) of its features
    names: tuple[str, ...]               # the features' names in map order
    one_bit_each: bool                   # feature i is exactly bit i (libvirt's x86 map)
    all_bits: int                        # every bit some feature uses


_INDEX: tuple[X86Map, _BitIndex] | None = None


def _bit_index(m: X86Map) -> _BitIndex:
    """The map's `_BitIndex`, built once (kept for the map object it was built from)."""
    global _INDEX
    if _INDEX is None or _INDEX[0] is not m:
        owners: list[list[int]] = []
        for pos, f in enumerate(m.features):
            for bit in _set_bits(f.bits):
                owners.extend([] for _ in range(bit + 1 - len(owners)))
                owners[bit].append(pos)
        one_bit_each = len(owners) == len(m.features) and all(
            f.bits == 1 << pos for pos, f in enumerate(m.features))
        _INDEX = (m, _BitIndex(tuple(map(tuple, owners)), tuple(f.name for f in m.features),
                               one_bit_each, (1 << len(owners)) - 1))
    return _INDEX[1]


def _data_to_cpu(data: CpuData, model: X86Model, m: X86Map,
                 blockers: tuple[str, ...]) -> CpuDef:
    """x86DataToCPU for a guest CPU: the model, the extra features required, the model's
    missing ones (and the hypervisor's blockers of it) disabled, its removed ones disabled."""
    extra = data.bits & ~model.bits
    missing = model.bits & ~data.bits
    for name in blockers:
        f = m.feature(name)
        if f is not None and extra & f.bits != f.bits:
            missing |= f.bits
    cpu = CpuDef(model=model.name)
    cpu.features = ([[n, REQUIRE] for n in _features_of(extra, m)]
                    + [[n, DISABLE] for n in _features_of(missing, m)])
    for name in model.removed:
        cpu.add_feature_if_missing(name, DISABLE)
    return cpu


def _cost(cpu: CpuDef) -> tuple[int, int]:
    """The (weighted count, disabled penalty) virCPUx86CompareCandidateFeatureList compares;
    its loop bound shrinks with every disabled feature it meets, and so does this one."""
    enabled, disabled, penalty, i = len(cpu.features), 0, 2, 0
    while i < enabled:
        if cpu.features[i][1] == DISABLE:
            enabled -= 1
            disabled += penalty
            penalty += 1
        i += 1
    return enabled + disabled, disabled


def _better(current: tuple[X86Model, CpuDef] | None, model: X86Model, cpu: CpuDef,
            data: CpuData) -> bool:
    """x86DecodeUseCandidate for a guest CPU without preferred models."""
    if not model.decode_guest:
        return False
    if current is None:
        return True
    cur_model, cur_cpu = current
    if data.has_signature:
        sig = (data.family, data.model, data.stepping)
        cur_match, cand_match = cur_model.matches_signature(*sig), model.matches_signature(*sig)
        if cur_match and not cand_match:
            return False
        if cand_match and not cur_match:
            return True
    cand, cand_disabled = _cost(cpu)
    cur, cur_disabled = _cost(cur_cpu)
    return cand < cur or (cand == cur and cand_disabled < cur_disabled)


def _filter_tsx(data: CpuData, m: X86Map) -> int:
    """x86DataFilterTSX: Intel CPUs whose TSX is broken do not offer hle/rtm."""
    bits = data.bits
    if data.vendor == "Intel" and data.family == 6 and (
            (data.model == 63 and data.stepping < 4) or data.model in (60, 69, 70)):
        for name in ("hle", "rtm"):
            f = m.feature(name)
            if f is not None:
                bits &= ~f.bits
    return bits


def decode(data: CpuData, allowed: dict[str, tuple[str, ...]] | None) -> CpuDef | None:
    """x86Decode for a guest CPU: the newest map model (walking the map backwards) that
    QEMU offers (`allowed`: name -> blockers, None for any), of the data's vendor, best
    matching the data's signature and needing the fewest feature changes."""
    m = x86_map()
    data = CpuData(_filter_tsx(data, m), data.vendor, data.family, data.model, data.stepping)
    best: tuple[X86Model, CpuDef] | None = None
    for model in reversed(m.models):
        if allowed is not None and model.name not in allowed:
            continue
        if data.vendor and model.vendor and data.vendor != model.vendor:
            continue
        cpu = _data_to_cpu(data, model, m, allowed.get(model.name, ()) if allowed else ())
        if _better(best, model, cpu, data):
            best = (model, cpu)
    if best is None:
        return None
    cpu = best[1]
    cpu.vendor = data.vendor
    return cpu


def allowed_models(caps: Caps, virt_type: str) -> dict[str, tuple[str, ...]] | None:
    """virQEMUCapsGetCPUModels: the models QEMU reported for the accelerator, with their
    blockers (None when the capabilities list none)."""
    models = caps.cpu_models(virt_type)
    if not models:
        return None
    # a pure function of the capabilities' static model list, kept per list object;
    # callers only read it
    hit = _ALLOWED.get(id(models))
    if hit is None or hit[0] is not models:
        if len(_ALLOWED) >= 32:
            _ALLOWED.clear()
        hit = _ALLOWED[id(models)] = (models, {c.name: c.blockers for c in models})
    return hit[1]


_ALLOWED: dict[int, tuple[object, dict[str, tuple[str, ...]]]] = {}


def _host_data(host: HostCpu, migratable: bool) -> CpuData:
    """virQEMUCapsGetCPUModelX86Data: the enabled boolean properties of QEMU's host CPU
    expansion as map features (unknown names ignored), its vendor and signature."""
    m = x86_map()
    bits, vendor, sig = 0, None, {"family": 0, "model": 0, "stepping": 0}
    for prop in host.props:
        name = feature_from_qemu(prop.name)
        if prop.type == "boolean":
            if prop.value != "true" or (migratable and prop.migratable is False):
                continue
            f = m.feature(name)
            bits |= f.bits if f is not None else 0
        elif prop.type == "string" and name == "vendor":
            vendor = m.vendor_for_string(prop.value)
        elif prop.type == "number" and name in sig:
            sig[name] = int(prop.value)
    family, model, stepping = _signature_parts(sig["family"], sig["model"], sig["stepping"])
    return CpuData(bits, vendor, family, model, stepping)


def host_model(caps: Caps, virt_type: str, migratable: bool = True) -> CpuDef | None:
    """The host-model CPU of virQEMUCapsInitHostCPUModel: the migratable one virCPUUpdate
    uses, or (`migratable` False) the one QEMU reported, which CPU checks compare with.
    None: no `<hostCPU>` for the accelerator, or no model fits it.  A fresh copy."""
    host = caps.host_cpu(virt_type)
    drop_msr = not caps.has("cpu-unavailable-features")
    if host is None:
        probed = caps.probed_host_cpu
        return _probed_host_model(probed, drop_msr, migratable) if probed else None
    models = caps.cpu_models(virt_type)
    # keyed by the identity of the capability data: hashing it by value for an lru_cache
    # cost more than decoding it again
    key = (id(host), id(models), drop_msr, migratable)
    hit = _HOST_MODELS.get(key)
    if hit is None or hit[0] is not host or hit[1] is not models:
        if len(_HOST_MODELS) >= 32:
            _HOST_MODELS.clear()
        cpu = _host_model(host, tuple((c.name, c.blockers) for c in models) if models else None,
                          drop_msr, migratable)
        hit = _HOST_MODELS[key] = (host, models, cpu)
    return hit[2].copy() if hit[2] is not None else None


_HOST_MODELS: dict[tuple[int, int, bool, bool], tuple[HostCpu, object, CpuDef | None]] = {}


def _host_model(host: HostCpu, models: tuple[tuple[str, tuple[str, ...]], ...] | None,
                drop_msr: bool, migratable: bool) -> CpuDef | None:
    m = x86_map()
    allowed = dict(models) if models is not None else None
    # without QEMU's migratability, libvirt copies the full model's migratable features
    cpu = decode(_host_data(host, migratable=migratable and host.migratability), allowed)
    if cpu is not None and migratable and not host.migratability:
        cpu.features = [f for f in cpu.features
                        if (feat := m.feature(f[0])) is None or feat.migratable]
    if cpu is not None and drop_msr:
        cpu.features = [f for f in cpu.features
                        if (feat := m.feature(f[0])) is None or not feat.msr]
    return cpu


def _probed_host_model(probed: ProbedHostCpu, drop_msr: bool, migratable: bool) -> CpuDef:
    """virQEMUCapsInitHostCPUModel without QEMU's expansion: the probed CPU copied as it is
    (virCPUDefCopyModelFilter without the features libvirt never passes to QEMU), its
    migratable variant without the map's migration blockers (virCPUx86CopyMigratable),
    MSR features dropped when QEMU cannot report unavailable features."""
    m = x86_map()

    def kept(name: str) -> bool:
        feat = m.feature(name)
        if feat is None:
            return True
        return not ((migratable and not feat.migratable) or (drop_msr and feat.msr))

    return CpuDef(model=probed.model, vendor=probed.vendor,
                  features=[[n, REQUIRE] for n in probed.features
                            if n not in IGNORED_FEATURES and kept(n)])


def provided_features(host: CpuDef) -> set[str]:
    """virCPUx86ExpandFeatures of a guest-type CPU, as a set: the features of its model
    plus the ones it requires, minus the ones it disables (and the model's removed ones)."""
    m = x86_map()
    model = m.model(host.model or "")
    names = set(_features_of(model.bits, m)) if model is not None else set()
    for name, policy in host.features:
        if policy == REQUIRE:
            names.add(name)
        elif policy == DISABLE:
            names.discard(name)
    return names - set(model.removed if model is not None else ())


def _model_data(cpu: CpuDef) -> CpuData | None:
    """x86ModelFromCPU(cpu, -1) with the model's vendor and first signature: the model's
    bits plus required/forced features minus disabled/forbidden ones."""
    m = x86_map()
    model = m.model(cpu.model or "")
    if model is None:
        return None
    bits = model.bits
    for name, policy in cpu.features:
        f = m.feature(name)
        if f is None:
            return None
        if policy in (REQUIRE, FORCE):
            bits |= f.bits
        elif policy in (DISABLE, FORBID):
            bits &= ~f.bits
    fam, mod, steppings = model.signatures[0] if model.signatures else (0, 0, None)
    return CpuData(bits, model.vendor, fam, mod, min(steppings) if steppings else 0)


def update(guest: CpuDef, host: CpuDef | None, relative: bool, removed_policy: str) -> bool:
    """virCPUx86Update; False where libvirt fails (no host CPU to be relative to, a
    model or feature the map does not know)."""
    m = x86_map()
    if relative:
        if host is None:
            return False
        host_data = _model_data(host)
        if host_data is None:
            return False
        for f in guest.features:
            if f[1] == OPTIONAL:
                feat = m.feature(f[0])
                if feat is None:
                    return False
                f[1] = REQUIRE if host_data.bits & feat.bits == feat.bits else DISABLE
        if guest.mode == "host-model" or guest.match == "minimum":
            _update_host_model(guest, host)
    model = m.model(guest.model or "")
    if model is None:
        return False
    for name in model.removed:
        guest.add_feature_if_missing(name, removed_policy)
    return True


def _update_host_model(guest: CpuDef, host: CpuDef) -> None:
    """x86UpdateHostModel: the host's model and features, the guest's own features on top;
    a custom (match='minimum') guest keeps its vendor."""
    updated = host.copy()
    if guest.vendor_id:
        updated.vendor_id = guest.vendor_id
    for name, policy in guest.features:
        updated.update_feature(name, policy)
    keep_vendor = guest.mode == "custom"
    guest.model, guest.features = updated.model, updated.features
    if not keep_vendor:
        guest.vendor, guest.vendor_id = updated.vendor, updated.vendor_id
    guest.mode, guest.match = "custom", "exact"


def translate(cpu: CpuDef, allowed: dict[str, tuple[str, ...]] | None) -> bool:
    """virCPUx86Translate: the closest allowed model to the definition, with the
    definition's own features on top."""
    data = _model_data(cpu)
    if data is None:
        return False
    translated = decode(data, allowed)
    if translated is None:
        return False
    for name, policy in cpu.features:
        translated.update_feature(name, policy)
    cpu.model, cpu.features = translated.model, translated.features
    return True
