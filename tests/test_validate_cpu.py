"""libvirt's refusals of a guest <cpu> (translator/validate/cpu.py): the parser's
(virCPUDefParseXML) and the start-time update's (qemuProcessUpdateGuestCPU), each with its
accepted neighbour."""

from __future__ import annotations

from dataclasses import replace

import pytest

import capsdb
import translator
from capsdb.model import Caps


def _xml(cpu: str, virt: str = "kvm", arch: str = "x86_64", machine: str = "pc") -> str:
    return f"""<domain type='{virt}'><name>t</name><memory>262144</memory><vcpu>1</vcpu>
      <os><type arch='{arch}' machine='{machine}'>hvm</type></os>{cpu}
      <devices><emulator>/usr/bin/qemu-system-{arch}</emulator></devices></domain>"""


def _caps(arch: str = "x86_64") -> Caps:
    """An x86 capability file with QEMU's host CPU data (the corpus' newest)."""
    if arch != "x86_64":
        return capsdb.get(arch=arch)
    return capsdb.get("10.0.0")


def _ok(cpu: str, caps: Caps | None = None, **kw: str) -> str:
    inv = translator.translate(_xml(cpu, **kw), caps or _caps(kw.get("arch", "x86_64")),
                               profile="libvirt-test")
    return next((line for line in inv.render("args").splitlines() if line.startswith("-cpu")),
                "")


def _refusal(cpu: str, caps: Caps | None = None, **kw: str) -> str:
    with pytest.raises(translator.TranslationError) as exc:
        _ok(cpu, caps, **kw)
    return str(exc.value)


def test_feature_listed_twice() -> None:
    assert _refusal("""<cpu><model>qemu64</model><feature name='svm'/>
        <feature name='svm' policy='disable'/></cpu>""") == \
        "XML error: CPU feature 'svm' specified more than once"
    assert _ok("<cpu><model>qemu64</model><feature name='svm'/></cpu>")


def test_maxphysaddr_limit_needs_passthrough() -> None:
    assert _refusal("<cpu mode='host-passthrough'><maxphysaddr mode='emulate' limit='39'/>"
                    "</cpu>") == "unsupported configuration: attribute 'limit' is only " \
        "supported for maxphysaddr mode 'passthrough'"
    assert "host-phys-bits-limit=39" in _ok(
        "<cpu mode='host-passthrough'><maxphysaddr mode='passthrough' limit='39'/></cpu>")


def test_vendor_id_length_and_comma() -> None:
    assert _refusal("<cpu mode='host-model'><model vendor_id='short'/></cpu>") == \
        "XML error: vendor_id must be exactly 12 characters long"
    assert _refusal("<cpu mode='host-model'><model vendor_id='Libvirt,QEMU'/></cpu>") == \
        "XML error: vendor id is invalid"
    assert "vendor=Libvirt QEMU" in _ok("<cpu mode='host-model'>"
                                        "<model vendor_id='Libvirt QEMU'/></cpu>")
    # the parser ignores vendor_id for the host's own CPU
    assert "vendor=" not in _ok("<cpu mode='host-passthrough'><model vendor_id='x'/></cpu>")


def test_vendor_needs_a_model() -> None:
    assert _refusal("<cpu><vendor>Intel</vendor><topology sockets='1' cores='1' "
                    "threads='1'/></cpu>") == \
        "XML error: CPU vendor specified without CPU model"


def test_host_model_needs_a_host_cpu_model() -> None:
    no_host = replace(_caps(), host_cpus={})
    assert _refusal("<cpu mode='host-model'/>", no_host) == (
        "unsupported configuration: CPU mode 'host-model' for x86_64 kvm domain on x86_64 "
        "host is not supported by hypervisor")
    assert _ok("<cpu mode='host-model'/>").startswith("-cpu EPYC-Rome,")


def test_host_model_is_never_supported_on_arm() -> None:
    assert _refusal("<cpu mode='host-model'/>", arch="aarch64", machine="virt") == (
        "unsupported configuration: CPU mode 'host-model' for aarch64 kvm domain on aarch64 "
        "host is not supported by hypervisor")


def test_model_the_cpu_map_does_not_know() -> None:
    assert _refusal("<cpu><model>power7</model></cpu>") == \
        "internal error: Unknown CPU model power7"
    assert _refusal("<cpu mode='host-model'><model>power7</model></cpu>", virt="qemu") == \
        "internal error: Unknown CPU model power7"
    # without the comparison, host-model replaces the model before anyone looks it up
    assert _ok("<cpu mode='host-model' check='none'><model>power7</model></cpu>")


def test_optional_features_need_a_host_cpu() -> None:
    no_host = replace(_caps(), host_cpus={})
    cpu = "<cpu><model>qemu64</model><feature policy='optional' name='svm'/></cpu>"
    assert _refusal(cpu, no_host) == "unsupported configuration: unknown host CPU model"
    assert _ok(cpu).startswith("-cpu qemu64,svm=")


def test_model_qemu_does_not_offer_with_fallback_forbid() -> None:
    caps = _caps()
    few = replace(caps, cpus={a: tuple(c for c in cs if c.name != "Opteron_G2")
                              for a, cs in caps.cpus.items()})
    assert _refusal("<cpu><model fallback='forbid'>Opteron_G2</model></cpu>", few) == \
        "unsupported configuration: CPU model Opteron_G2 is not supported by hypervisor"
    assert _ok("<cpu><model fallback='allow'>Opteron_G2</model></cpu>", few)


def _vcpus(count: int, cpu: str, machine: str = "pc", devices: str = "",
           caps: Caps | None = None) -> str:
    xml = f"""<domain type='kvm'><name>t</name><memory>262144</memory><vcpu>{count}</vcpu>
      <os><type arch='x86_64' machine='{machine}'>hvm</type></os>{cpu}
      <features><ioapic driver='qemu'/></features>
      <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{devices}</devices></domain>"""
    try:
        inv = translator.translate(xml, caps or _caps(), profile="libvirt-test")
    except translator.TranslationError as exc:
        return str(exc)
    return next(line for line in inv.render("args").splitlines() if line.startswith("-smp"))


def test_topology_must_match_the_maximum_vcpu_count() -> None:
    topo = "<cpu><topology sockets='2' dies='1' cores='2' threads='1'/></cpu>"
    assert _vcpus(6, topo) == \
        "unsupported configuration: CPU topology doesn't match maximum vcpu count"
    assert _vcpus(4, topo).startswith("-smp 4,sockets=2,dies=1,")


def test_dies_and_clusters_need_qemu_support() -> None:
    topo = "<cpu><topology sockets='1' dies='2' cores='1' threads='1'/></cpu>"
    no_dies = _caps().with_changes(remove=("smp-dies",))
    assert _vcpus(2, topo, caps=no_dies) == \
        "unsupported configuration: Only 1 die per socket is supported"
    assert "dies=2" in _vcpus(2, topo)
    clusters = "<cpu><topology sockets='1' clusters='2' cores='1' threads='1'/></cpu>"
    assert _vcpus(2, clusters, caps=_caps().with_changes(remove=("smp-clusters",))) == \
        "unsupported configuration: Only 1 cluster per die is supported"


def test_more_than_255_vcpus_need_q35_and_eim() -> None:
    # (pc machine types stop at 255 vCPUs before this check)
    assert _vcpus(288, "", machine="q35", devices="<iommu model='virtio'/>") == (
        "unsupported configuration: more than 255 vCPUs require extended interrupt mode "
        "enabled on the iommu device")
    # libvirt gives q35 an intel IOMMU with EIM by itself
    assert _vcpus(288, "", machine="q35").startswith("-smp 288")


def _s390(cpu: str, caps: Caps | None = None) -> str:
    xml = f"""<domain type='kvm'><name>t</name><memory>262144</memory><vcpu>1</vcpu>
      <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>{cpu}
      <devices><emulator>/usr/bin/qemu-system-s390x</emulator></devices></domain>"""
    try:
        inv = translator.translate(xml, caps or capsdb.get(arch="s390x"),
                                   profile="libvirt-test")
    except translator.TranslationError as exc:
        return str(exc)
    return next(line for line in inv.render("args").splitlines() if line.startswith("-cpu"))


def test_s390_custom_cpus_cannot_be_relative_to_the_host() -> None:
    model = capsdb.get(arch="s390x").host_cpu("kvm").model  # type: ignore[union-attr]
    assert _s390(f"<cpu match='minimum'><model>{model}</model></cpu>") == \
        "unsupported configuration: match mode minimum not supported"
    assert _s390(f"<cpu><model>{model}</model><feature policy='optional' name='msa'/>"
                 "</cpu>") == "unsupported configuration: optional CPU features are not supported"
    assert _s390(f"<cpu><model>{model}</model><feature name='msa'/></cpu>") == \
        f"-cpu {model},msa=on \\"


def test_s390_host_model_needs_the_host_cpu_and_keeps_guest_features() -> None:
    caps = capsdb.get(arch="s390x")
    host = caps.host_cpu("kvm")
    assert host is not None
    line = _s390("<cpu mode='host-model'><feature policy='disable' name='msa'/>"
                 "<feature name='libvirt-new'/></cpu>")
    parts = line.rstrip(" \\").split(",")
    assert parts[0] == f"-cpu {host.model}" and "msa=off" in parts
    assert parts[-1] == "libvirt-new=on"
    no_host = replace(caps, host_cpus={})
    assert _s390("<cpu mode='host-model'/>", no_host) == (
        "unsupported configuration: CPU mode 'host-model' for s390x kvm domain on s390x host "
        "is not supported by hypervisor")


def test_unusable_model_is_compared_with_the_reported_host_cpu() -> None:
    # EPYC-Milan-v1 has no compat check: libvirt compares it with QEMU's report
    caps = _caps()
    model = next(c for c in caps.cpu_models("kvm") if c.name == "EPYC-Milan-v1")
    assert not model.usable and model.blockers
    assert _refusal("<cpu><model>EPYC-Milan-v1</model></cpu>") == (
        "the CPU is incompatible with host CPU: Host CPU does not provide required features: "
        + ", ".join(model.blockers))
    disabled = "".join(f"<feature policy='disable' name='{b}'/>" for b in model.blockers)
    assert _ok(f"<cpu><model>EPYC-Milan-v1</model>{disabled}</cpu>").startswith(
        "-cpu EPYC-Milan-v1,")
    assert _refusal(f"<cpu><model>EPYC-Milan-v1</model>{disabled}"
                    "<feature name='avx512f'/></cpu>").endswith("features: avx512f")
    # TCG domains skip the check by default; check='none' skips it too
    assert _ok("<cpu><model>EPYC-Milan-v1</model></cpu>", virt="qemu")
    assert _ok("<cpu check='none'><model>EPYC-Milan-v1</model></cpu>")


def test_deprecated_features_off_disables_what_qemu_reports_deprecated() -> None:
    caps = capsdb.get(arch="s390x")
    host = caps.host_cpu("kvm")
    assert host is not None and host.deprecated
    parts = _s390("<cpu mode='host-model' deprecated_features='off'/>").rstrip(" \\").split(",")
    assert all(f"{name}=off" in parts for name in host.deprecated)
    assert "bpb=on" in _s390("<cpu mode='host-model'/>").split(",")  # on by default
    on = _s390("<cpu mode='host-model' deprecated_features='on'/>").rstrip(" \\").split(",")
    assert "bpb=on" in on
    custom = _s390(f"<cpu deprecated_features='off'><model>{host.model}</model></cpu>")
    assert custom.rstrip(" \\") == f"-cpu {host.model}," + ",".join(
        f"{n}=off" for n in host.deprecated)
    old = caps.with_changes(remove=("query-cpu-model-expansion.deprecated-props",))
    assert _s390("<cpu mode='host-model' deprecated_features='on'/>", old) == \
        "unsupported configuration: toggling deprecated features for CPU model is unsupported"


@pytest.mark.parametrize("cpu, message", [
    ("<cpu mode='host-modle'/>", "unsupported configuration: Invalid mode attribute "
     "'host-modle'"),
    ("<cpu mode='host-model' migratable='on'/>", "unsupported configuration: Attribute "
     "migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode"),
    ("<cpu><model fallback='maybe'>qemu64</model></cpu>",
     "unsupported configuration: Invalid fallback attribute"),
    ("<cpu><feature name='svm'/><topology sockets='1' cores='1' threads='1'/></cpu>",
     "XML error: Non-empty feature list specified without CPU model"),
    ("<cpu><model>qemu64</model><feature name='svm' policy='maybe'/></cpu>",
     "unsupported configuration: Invalid CPU feature policy"),
    ("<cpu><model>qemu64</model><feature name=''/></cpu>",
     "XML error: Invalid CPU feature name"),
    ("<cpu mode='host-passthrough'><cache mode='disable'/><cache mode='disable'/></cpu>",
     "XML error: at most one CPU cache element may be specified"),
    ("<cpu mode='host-passthrough'><cache level='4' mode='emulate'/></cpu>",
     "XML error: invalid CPU cache level, must be in range [1,3]"),
])
def test_cpu_parser_refusals(cpu: str, message: str) -> None:
    assert _refusal(cpu) == message


@pytest.mark.parametrize("cpu", [
    "<cpu mode='host-passthrough' migratable='off'/>",
    "<cpu><model fallback='forbid'>qemu64</model><feature name='svm' policy='force'/></cpu>",
    "<cpu mode='host-model'><feature name='svm' policy='disable'/></cpu>",
    "<cpu mode='host-passthrough'><cache level='3' mode='emulate'/></cpu>",
    # the parser ignores fallback of the host's own CPU
    "<cpu mode='host-passthrough'><model fallback='maybe'/></cpu>",
])
def test_cpu_parser_neighbours_are_accepted(cpu: str) -> None:
    assert _ok(cpu).startswith("-cpu ")
