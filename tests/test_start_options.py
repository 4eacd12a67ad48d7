"""The options of a start that the domain XML does not carry (translate(host_cpu=...,
incoming=..., vdpa_fds=...)): the host CPU libvirt probes, an incoming migration or restore,
descriptors opened for vhost-vdpa disks.  Each rule with its accepted neighbour."""

from __future__ import annotations

import pytest

import capsdb
import translator
from capsdb.model import ProbedHostCpu
from translator.profiles import LIBVIRT_TEST

_UUID = "c7a5fdbd-edaf-9455-926a-d65c16db1809"


def _xml(cpu: str = "", devices: str = "", virt: str = "kvm", memory: int = 219100,
         backing: str = "") -> str:
    return f"""<domain type='{virt}'><name>t</name><uuid>{_UUID}</uuid>
      <memory unit='KiB'>{memory}</memory>{backing}<vcpu>2</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type></os>{cpu}
      <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{devices}
      <memballoon model='virtio'/></devices></domain>"""


def _args(xml: str, profile: str = "libvirt-test", **kw: object) -> list[str]:
    inv = translator.translate(xml, capsdb.get(None, "x86_64"), profile=profile,
                               **kw)  # type: ignore[arg-type]
    return [line.rstrip(" \\") for line in inv.render("args").splitlines()]


def _cpu(xml: str, **kw: object) -> str:
    return next(line for line in _args(xml, **kw) if line.startswith("-cpu "))


def _refusal(xml: str, **kw: object) -> str:
    with pytest.raises(translator.TranslationError) as exc:
        _args(xml, **kw)
    return str(exc.value)


# -- the probed host CPU (virQEMUCapsUpdateHostCPUModel) ------------------------------------

def test_host_model_follows_the_probed_host_cpu() -> None:
    # the features libvirt never passes to QEMU (cmt, osxsave) and the migration blocker
    # invtsc are left out; the rest keep the probe's order
    cpu = _cpu(_xml("<cpu mode='host-model'/>"), host_cpu="Haswell")
    assert cpu.startswith("-cpu Haswell,vme=on,ds=on,acpi=on,")
    assert cpu.endswith(",pdpe1gb=on,abm=on,lahf-lm=on")
    assert "osxsave" not in cpu and "cmt" not in cpu and "invtsc" not in cpu
    # without it, QEMU's own expansion of the host CPU decides
    assert not _cpu(_xml("<cpu mode='host-model'/>")).startswith("-cpu Haswell,")


def test_tcg_domains_follow_the_probed_host_cpu_too() -> None:
    assert _cpu(_xml("<cpu mode='host-model'/>", virt="qemu"),
                host_cpu="Haswell").startswith("-cpu Haswell,vme=on,")


def test_optional_features_are_resolved_against_the_probed_host_cpu() -> None:
    xml = _xml("""<cpu match='exact'><model>core2duo</model>
      <feature name='tm' policy='optional'/><feature name='sse4a' policy='optional'/></cpu>""")
    assert _cpu(xml, host_cpu="Haswell") == "-cpu core2duo,tm=on,sse4a=off"


def test_a_host_cpu_the_profile_does_not_describe_is_the_cpu_maps_model() -> None:
    assert _cpu(_xml("<cpu mode='host-model'/>"),
                host_cpu="Skylake-Client").startswith("-cpu Skylake-Client")
    assert _cpu(_xml("<cpu mode='host-model'/>"),
                host_cpu=ProbedHostCpu("Haswell", "Intel", ("vme",))) == "-cpu Haswell,vme=on"
    assert "unknown host CPU model 'Pentium9'" in _refusal(_xml(), host_cpu="Pentium9")
    assert "Haswell" in LIBVIRT_TEST.host_cpu_models


# -- an incoming migration or restore --------------------------------------------------------

def test_incoming_uri_comes_after_the_host_devices() -> None:
    args = _args(_xml(), incoming="exec:cat")
    assert args.index("-incoming exec:cat") + 1 == next(
        i for i, a in enumerate(args) if a.startswith("-device") and "balloon" in a)
    assert not any(a.startswith("-incoming") for a in _args(_xml()))


def test_stdio_is_the_descriptor_the_state_is_read_from() -> None:
    assert "-incoming fd:7" in _args(_xml(), incoming="stdio", incoming_fd=7)
    with pytest.raises(ValueError, match="incoming_fd"):
        _args(_xml(), incoming="stdio")


def test_a_real_start_defers_the_incoming_uri_to_qmp() -> None:
    assert "-incoming defer" in _args(_xml(), profile="host", incoming="tcp:10.0.0.1:5000")


def test_unknown_migration_protocol() -> None:
    assert _refusal(_xml(), incoming="ftp://x") == \
        "Operation not supported: unknown migration protocol"
    assert "-incoming unix:/tmp/s" in _args(_xml(), incoming="unix:/tmp/s")


def test_rdma_needs_qemu_support() -> None:
    caps = capsdb.get(None, "x86_64")
    xml = _xml()
    if caps.has("migrate-rdma"):
        assert "-incoming rdma:1.2.3.4:5" in _args(xml, incoming="rdma:1.2.3.4:5")
        caps = caps.with_changes(remove=["migrate-rdma"])
    with pytest.raises(translator.TranslationError) as exc:
        translator.translate(xml, caps, profile="libvirt-test", incoming="rdma:1.2.3.4:5")
    assert str(exc.value) == ("Operation not supported: incoming RDMA migration is not "
                              "supported with this QEMU binary")


def test_a_guest_migrated_in_keeps_its_memory_sizes() -> None:
    numa = """<cpu><numa><cell id='0' cpus='0-1' memory='20002' unit='KiB'/></numa></cpu>"""
    fresh = _args(_xml(numa, memory=20002))
    assert "-m size=20480k" in fresh  # aligned to 1 MiB by a new start
    restored = _args(_xml(numa, memory=20002), incoming="exec:cat")
    assert "-m size=19968k" in restored  # as defined, the low nine bits cleared
    assert any('"size":20482048' in a for a in restored)


def test_a_restored_host_model_cpu_keeps_its_model() -> None:
    xml = _xml("<cpu mode='host-model'><model>core2duo</model></cpu>")
    assert _cpu(xml, host_cpu="Haswell", incoming="exec:cat") == "-cpu core2duo"
    assert _cpu(xml, host_cpu="Haswell").startswith("-cpu Haswell,")


# -- vhost-vdpa disks ----------------------------------------------------------------------

_SHARED = "<memoryBacking><access mode='shared'/></memoryBacking>"
_VDPA = """<disk type='vhostvdpa' device='disk'><driver name='qemu' type='raw' cache='none'/>
  <source dev='/dev/vhost-vdpa-0'/><target dev='vda' bus='virtio'/></disk>"""


def test_vdpa_disk_is_the_descriptor_given_for_its_device() -> None:
    args = _args(_xml(devices=_VDPA, backing=_SHARED), vdpa_fds={"/dev/vhost-vdpa-0": 201})
    i = args.index("-add-fd set=0,fd=201,opaque=libvirt-1-storage-vdpa")
    assert args[i + 1].startswith(
        """-blockdev '{"driver":"virtio-blk-vhost-vdpa","path":"/dev/fdset/0",""")


def test_vdpa_disk_without_a_descriptor_in_a_pretend_build() -> None:
    assert _refusal(_xml(devices=_VDPA, backing=_SHARED)) == \
        "internal error: argument key 'path' must not have null value"
    # a real start opens the device itself
    assert any(a.startswith("-add-fd set=0,fd=") and "storage-vdpa" in a
               for a in _args(_xml(devices=_VDPA, backing=_SHARED), profile="host"))
