"""The x86 guest CPU as libvirt updates it before building -cpu (src/cpu/cpu_x86.c,
qemuProcessUpdateGuestCPU, qemuBuildCpuModelArgStr), one branch per test, on capabilities
whose host CPU and model list each test writes itself."""

from __future__ import annotations

from dataclasses import replace

import capsdb
import translator
from capsdb.cpumap import X86Feature, X86Map, x86_map
from capsdb.model import Caps, CpuModel, CpuProp, HostCpu
from translator.cpu import x86
from translator.cpu.definition import DISABLE, REQUIRE, CpuDef

_QEMU = {v: k for k, v in {"pclmulqdq": "pclmuldq", "lahf-lm": "lahf_lm"}.items()}


def _features(model: str) -> list[str]:
    m = x86_map()
    return x86._features_of(m.model(model).bits, m)  # type: ignore[union-attr]


def _caps(features: list[str], *, vendor: str = "AuthenticAMD", family: int = 15,
          model: int = 6, models: list[CpuModel] | None = None, migratability: bool = True,
          extra: tuple[CpuProp, ...] = (), flags_del: tuple[str, ...] = ()) -> Caps:
    """The embedded newest profile with a host CPU made of `features` (libvirt's names);
    like QEMU, it reports every other feature of the map as a false property."""
    props = [CpuProp(x86.feature_to_qemu(f.name), "boolean",
                     "true" if f.name in features else "false", True if f.name in features
                     else None) for f in x86_map().features]
    props += [CpuProp("vendor", "string", vendor), CpuProp("family", "number", str(family)),
              CpuProp("model", "number", str(model)), CpuProp("stepping", "number", "1")]
    host = HostCpu("base", migratability, tuple(props) + extra)
    base = capsdb.get()
    cpus = dict(base.cpus)
    if models is not None:
        cpus = {"kvm": tuple(models), "tcg": tuple(models)}
    return replace(base, host_cpus={"kvm": host, "tcg": host}, cpus=cpus).with_changes(
        remove=flags_del)


def _cpu_arg(caps: Caps, cpu_xml: str, virt: str = "kvm") -> str:
    xml = f"""<domain type='{virt}'><name>t</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
      <memory unit='KiB'>219100</memory><vcpu>1</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type></os>{cpu_xml}
      <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>"""
    lines = translator.translate(xml, caps, profile="libvirt-test").render("args").splitlines()
    return next(line.rstrip(" \\") for line in lines if line.startswith("-cpu "))


def _models(*names: str, blockers: dict[str, tuple[str, ...]] | None = None) -> list[CpuModel]:
    return [CpuModel(n, f"{n}-x86_64-cpu", True, blockers=(blockers or {}).get(n, ()))
            for n in names]


def test_host_model_is_the_model_that_needs_fewest_changes() -> None:
    caps = _caps(_features("Opteron_G2"), models=_models("qemu64", "Opteron_G1", "Opteron_G2"))
    assert _cpu_arg(caps, "<cpu mode='host-model'/>") == "-cpu Opteron_G2"


def test_host_model_lists_extra_features_then_missing_ones() -> None:
    features = [f for f in _features("Opteron_G2") if f != "rdtscp"] + ["pclmuldq"]
    caps = _caps(features, models=_models("Opteron_G1", "Opteron_G2"))
    # libvirt's name pclmuldq is QEMU's pclmulqdq
    assert _cpu_arg(caps, "<cpu mode='host-model'/>") == \
        "-cpu Opteron_G2,pclmulqdq=on,rdtscp=off"


def test_host_model_prefers_the_model_of_the_host_signature() -> None:
    features = _features("Nehalem")
    unsigned = _caps(features, vendor="GenuineIntel", family=6, model=99,
                     models=_models("Nehalem", "Westmere"))
    signed = _caps(features, vendor="GenuineIntel", family=6, model=44,
                   models=_models("Nehalem", "Westmere"))
    assert _cpu_arg(unsigned, "<cpu mode='host-model'/>") == "-cpu Nehalem"
    # family 6 model 44 is Westmere's: taken even though it disables what Nehalem lacks
    assert _cpu_arg(signed, "<cpu mode='host-model'/>").startswith("-cpu Westmere,")


def test_host_model_skips_models_of_another_vendor() -> None:
    caps = _caps(_features("Nehalem"), vendor="AuthenticAMD", family=6, model=26,
                 models=_models("qemu64", "Nehalem"))
    assert _cpu_arg(caps, "<cpu mode='host-model'/>").startswith("-cpu qemu64,")


def test_host_model_disables_the_blockers_qemu_reported() -> None:
    caps = _caps(_features("Opteron_G2"),
                 models=_models("Opteron_G2", blockers={"Opteron_G2": ("svm",)}))
    assert _cpu_arg(caps, "<cpu mode='host-model'/>") == "-cpu Opteron_G2,svm=off"


def test_host_model_leaves_out_non_migratable_properties() -> None:
    extra = (CpuProp("pclmulqdq", "boolean", "true", False),)
    caps = _caps(_features("Opteron_G2"), models=_models("Opteron_G2"), extra=extra)
    assert _cpu_arg(caps, "<cpu mode='host-model'/>") == "-cpu Opteron_G2"
    unknown = _caps(_features("Opteron_G2"), models=_models("Opteron_G2"), extra=extra,
                    migratability=False)
    # without migratability data libvirt keeps what its map calls migratable
    assert _cpu_arg(unknown, "<cpu mode='host-model'/>") == "-cpu Opteron_G2,pclmulqdq=on"


def test_host_model_without_migratability_drops_map_migration_blockers() -> None:
    caps = _caps(_features("Opteron_G2") + ["invtsc"], models=_models("Opteron_G2"),
                 migratability=False)
    assert _cpu_arg(caps, "<cpu mode='host-model'/>") == "-cpu Opteron_G2"


def test_msr_features_are_dropped_without_unavailable_features_support() -> None:
    features = _features("Opteron_G2") + ["arch-capabilities", "rdctl-no"]
    with_cap = _caps(features, models=_models("Opteron_G2"))
    without = _caps(features, models=_models("Opteron_G2"),
                    flags_del=("cpu-unavailable-features",))
    assert _cpu_arg(with_cap, "<cpu mode='host-model'/>") == \
        "-cpu Opteron_G2,arch-capabilities=on,rdctl-no=on"
    assert _cpu_arg(without, "<cpu mode='host-model'/>") == \
        "-cpu Opteron_G2,arch-capabilities=on"


def test_host_model_guest_features_and_vendor_id_apply_on_top() -> None:
    caps = _caps(_features("Opteron_G2"), models=_models("Opteron_G2"))
    assert _cpu_arg(caps, """<cpu mode='host-model'><model vendor_id='Libvirt QEMU'/>
        <feature policy='disable' name='svm'/><feature policy='require' name='pclmuldq'/>
        </cpu>""") == "-cpu 'Opteron_G2,vendor=Libvirt QEMU,svm=off,pclmulqdq=on'"


def test_custom_model_disables_the_features_its_model_removed() -> None:
    caps = _caps(_features("Opteron_G3"), models=_models("Opteron_G3"))
    assert _cpu_arg(caps, "<cpu><model>Opteron_G3</model></cpu>") == \
        "-cpu Opteron_G3,monitor=off"
    assert _cpu_arg(caps, """<cpu><model>Opteron_G3</model>
        <feature policy='require' name='monitor'/></cpu>""") == "-cpu Opteron_G3,monitor=on"


def test_optional_features_follow_the_host_cpu() -> None:
    caps = _caps(_features("Opteron_G2"), models=_models("Opteron_G2", "qemu64"))
    assert _cpu_arg(caps, """<cpu><model>qemu64</model>
        <feature policy='optional' name='rdtscp'/><feature policy='optional' name='aes'/>
        </cpu>""") == "-cpu qemu64,rdtscp=on,aes=off"


def test_match_minimum_takes_the_host_model() -> None:
    caps = _caps(_features("Opteron_G2"), models=_models("Opteron_G2", "qemu64"))
    assert _cpu_arg(caps, """<cpu match='minimum'><model>qemu64</model>
        <feature policy='disable' name='svm'/></cpu>""") == "-cpu Opteron_G2,svm=off"


def test_ignored_features_never_reach_qemu() -> None:
    caps = _caps(_features("Opteron_G2"), models=_models("Opteron_G2"))
    assert _cpu_arg(caps, """<cpu><model>Opteron_G2</model>
        <feature policy='require' name='osxsave'/><feature policy='disable' name='cmt'/>
        </cpu>""") == "-cpu Opteron_G2"


def test_disabled_features_qemu_does_not_know_are_left_out() -> None:
    caps = _caps(_features("Opteron_G2"), models=_models("Opteron_G2"))
    known = replace(caps, host_cpus={a: replace(h, props=tuple(
        p for p in h.props if p.name != "avx512f")) for a, h in caps.host_cpus.items()})
    cpu = """<cpu><model>Opteron_G2</model><feature policy='disable' name='svm'/>
        <feature policy='forbid' name='avx512f'/></cpu>"""
    assert _cpu_arg(caps, cpu) == "-cpu Opteron_G2,svm=off,avx512f=off"
    assert _cpu_arg(known, cpu) == "-cpu Opteron_G2,svm=off"
    no_host = replace(caps, host_cpus={})
    assert _cpu_arg(no_host, cpu) == "-cpu Opteron_G2,svm=off,avx512f=off"


def test_model_qemu_does_not_offer_is_translated_when_fallback_allows() -> None:
    caps = _caps(_features("Opteron_G2"), models=_models("Opteron_G1", "qemu64"))
    assert _cpu_arg(caps, "<cpu><model>Opteron_G2</model></cpu>").startswith(
        "-cpu Opteron_G1,")
    # fallback='forbid' is libvirt's refusal (tests/test_validate_cpu.py)
    assert x86.translate(CpuDef(model="Opteron_G2"), {"Opteron_G1": ()})


def test_host_passthrough_keeps_host_and_filters_ignored_features() -> None:
    caps = _caps(_features("Opteron_G2"))
    assert _cpu_arg(caps, """<cpu mode='host-passthrough' migratable='off'>
        <feature policy='require' name='ospke'/><feature policy='require' name='lahf_lm'/>
        </cpu>""") == "-cpu host,migratable=off,lahf-lm=on"


def test_broken_tsx_is_not_part_of_the_host_model() -> None:
    data = x86.CpuData(x86_map().model("Haswell").bits, "Intel", 6, 60, 1)  # type: ignore
    cpu = x86.decode(data, {"Haswell": (), "Haswell-noTSX": ()})
    assert cpu is not None and cpu.model == "Haswell-noTSX"


def test_candidate_cost_counts_disabled_features_with_growing_penalty() -> None:
    # libvirt's loop bound shrinks with each disabled feature it meets: the last of
    # three disabled features after one enabled is never reached
    cpu = CpuDef(features=[["a", REQUIRE], ["b", DISABLE], ["c", DISABLE], ["d", DISABLE]])
    assert x86._cost(cpu) == (2 + 2 + 3, 5)


def test_pmu_is_passed_except_on_ppc64() -> None:
    def cpu_line(arch: str, machine: str, state: str) -> str:
        xml = f"""<domain type='qemu'><name>t</name>
          <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
          <memory unit='KiB'>524288</memory><vcpu>1</vcpu>
          <os><type arch='{arch}' machine='{machine}'>hvm</type></os>
          <features><pmu state='{state}'/></features>
          <devices><emulator>/usr/bin/qemu-system-{arch}</emulator></devices></domain>"""
        inv = translator.translate(xml, capsdb.get(arch=arch), profile="libvirt-test")
        return next((line for line in inv.render("args").splitlines()
                     if line.startswith("-cpu ")), "")
    assert "pmu=off" in cpu_line("x86_64", "pc", "off")
    # (libvirt refuses pmu state='off' on ppc64)
    line = cpu_line("ppc64", "pseries", "on")
    assert line.startswith("-cpu ") and "pmu=" not in line


def test_hvf_domains_use_the_hvf_host_cpu_and_models() -> None:
    caps = capsdb.get("7.2.0+hvf")
    hvf = replace(caps, host_cpus={**caps.host_cpus, "hvf": replace(
        caps.host_cpus["hvf"], props=tuple(CpuProp(x86.feature_to_qemu(f), "boolean", "true")
                                           for f in _features("Opteron_G2")))})
    assert hvf.cpu_models("hvf") is hvf.cpus["hvf"]
    assert _cpu_arg(hvf, "<cpu mode='host-model'/>", virt="hvf").startswith("-cpu Opteron_G2")
    assert not _cpu_arg(hvf, "<cpu mode='host-model'/>", virt="qemu").startswith(
        "-cpu Opteron_G2")


def _features_by_walk(bits: int, m: X86Map) -> list[str]:
    """x86DataToCPUFeatures written as libvirt walks it: every map feature in order."""
    names = []
    for f in m.features:
        if f.bits and bits & f.bits == f.bits:
            bits &= ~f.bits
            names.append(f.name)
    return names


def test_features_of_matches_the_walk_over_the_map() -> None:
    """The per-bit index gives what walking the whole map gives, for libvirt's map (one
    bit per feature) and for one whose features share and span bits."""
    import random

    rng = random.Random(11)
    m = x86_map()
    tangled = X86Map(m.vendors, (X86Feature("ab", 0b11, True, False),
                                 X86Feature("a", 0b01, True, False),
                                 X86Feature("none", 0, True, False),
                                 X86Feature("c", 0b100, True, False),
                                 X86Feature("bc", 0b110, True, False)), m.models)
    for cpu_map in (m, tangled):
        width = len(cpu_map.features) + 3
        for _ in range(300):
            bits = rng.getrandbits(width)
            assert x86._features_of(bits, cpu_map) == _features_by_walk(bits, cpu_map)
    assert x86._features_of(0b111, tangled) == ["ab", "c"]
