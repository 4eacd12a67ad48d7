"""The pre-blockdev disk form: with the `blockdev` capability removed every disk, pflash
unit and SCSI hostdev is a `-drive` and nothing is a `-blockdev`.

(a) corpus check (skipped without ../shared/corpus): every storage-group case that is
exact in the normal run renders without any -blockdev once `blockdev` is deleted, and
with a -drive whenever the case has a disk, pflash firmware or SCSI hostdev;
(b) snapshots (top-level snapshots/) of the legacy form of the usual disk kinds, and the
same domains rendering -blockdev when the capability is present.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import capsdb
import translator

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
BASE = CORPUS / "libvirt-11.3"

DOMAIN = """<domain type='kvm'>
  <name>legacy</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
  <memory unit='KiB'>219136</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    {disks}
    <memballoon model='none'/>
  </devices>
</domain>"""

DISKS = {
    "file-qcow2": """<disk type='file' device='disk'>
        <driver name='qemu' type='qcow2' cache='none' io='native' discard='unmap'/>
        <source file='/var/lib/libvirt/images/a,b.qcow2'/>
        <target dev='vda' bus='virtio'/></disk>""",
    "block-raw": """<disk type='block' device='disk'>
        <driver name='qemu' type='raw' error_policy='stop'/>
        <source dev='/dev/HostVG/QEMUGuest1'/><target dev='hda' bus='ide'/></disk>""",
    "cdrom-medium": """<disk type='file' device='cdrom'>
        <driver name='qemu' type='raw'/><source file='/root/boot.iso'/>
        <target dev='hdc' bus='ide'/></disk>""",
    "cdrom-empty": """<disk type='file' device='cdrom'>
        <driver name='qemu' type='raw'/><target dev='hdd' bus='ide'/></disk>""",
    "network-nbd": """<disk type='network' device='disk'>
        <driver name='qemu' type='raw'/>
        <source protocol='nbd' name='bar'><host name='example.org' port='6000'/></source>
        <target dev='vdb' bus='virtio'/></disk>""",
    "scsi-lun": """<disk type='block' device='lun'>
        <driver name='qemu' type='raw'/><source dev='/dev/sdfake'/>
        <target dev='sda' bus='scsi'/></disk>""",
    "floppy": """<disk type='file' device='floppy'>
        <driver name='qemu' type='raw'/><source file='/tmp/fd.img'/>
        <target dev='fda' bus='fdc'/></disk>""",
    "iotune": """<disk type='file' device='disk'>
        <driver name='qemu' type='qcow2'/><source file='/a.qcow2'/>
        <target dev='vdc' bus='virtio'/>
        <iotune><total_bytes_sec>5000</total_bytes_sec><group_name>g1</group_name>
        </iotune></disk>""",
}


def render(disks: str, legacy: bool) -> str:
    inv = translator.translate(DOMAIN.format(disks=disks), capsdb.get(),
                               profile="libvirt-test",
                               caps_del=["blockdev"] if legacy else [])
    return inv.render("args")


def drives(text: str) -> list[str]:
    return [ln[len("-drive "):].rstrip(" \\").strip("'") for ln in text.splitlines()
            if ln.startswith("-drive ")]


# -- (b) snapshots of the legacy form --------------------------------------------------

@pytest.mark.parametrize("kind", sorted(DISKS))
def test_legacy_form_snapshot(kind: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    out = render(DISKS[kind], legacy=True)
    assert "-blockdev" not in out
    assert drives(out)
    # only the storage lines, so that unrelated builders do not churn the snapshot
    assert "\n".join(ln for ln in out.splitlines()
                     if "drive" in ln or "isa-fdc" in ln or "-secret0" in ln) == snapshot


@pytest.mark.parametrize("kind", sorted(k for k in DISKS if k != "cdrom-empty"))
def test_same_domain_uses_blockdev_with_the_capability(kind: str) -> None:
    out = render(DISKS[kind], legacy=False)
    assert "-blockdev" in out and not drives(out)


def test_empty_cdrom_has_a_drive_only_in_the_legacy_form() -> None:
    assert drives(render(DISKS["cdrom-empty"], legacy=True)) == \
        ["if=none,id=drive-ide0-1-1,readonly=on"]
    out = render(DISKS["cdrom-empty"], legacy=False)
    assert "-blockdev" not in out and not drives(out)


def test_legacy_option_order_and_device_reference() -> None:
    out = render(DISKS["file-qcow2"], legacy=True)
    assert drives(out) == ["file=/var/lib/libvirt/images/a,,b.qcow2,format=qcow2,if=none,"
                           "id=drive-virtio-disk0,cache=none,discard=unmap,aio=native"]
    dev = [ln for ln in out.splitlines() if "virtio-blk-pci" in ln][0]
    assert '"drive":"drive-virtio-disk0"' in dev and '"write-cache":"on"' in dev


def test_legacy_network_sources_use_qemu_filenames() -> None:
    nbd = drives(render(DISKS["network-nbd"], legacy=True))[0]
    assert nbd.startswith("file=nbd:example.org:6000:exportname=bar,format=raw,")
    rbd = drives(render("""<disk type='network'><driver name='qemu' type='raw'/>
        <source protocol='rbd' name='pool/image'><host name='::1' port='6321'/>
        <host name='mon2.example.org'/></source><target dev='vda' bus='virtio'/></disk>""",
                        legacy=True))[0]
    assert rbd.startswith("file=rbd:pool/image:auth_supported=none:"
                          "mon_host=[\\:\\:1]\\:6321\\;mon2.example.org,")
    gl = drives(render("""<disk type='network'><driver name='qemu' type='qcow2'/>
        <source protocol='gluster' name='Vol/Img'><host name='a.org'/><host name='b.org'/>
        </source><target dev='vda' bus='virtio'/></disk>""", legacy=True))[0]
    assert gl.startswith("file.driver=gluster,file.volume=Vol,file.path=Img,"
                         "file.server.0.type=tcp,file.server.0.host=a.org,")


def test_legacy_throttling_and_floppy_controller() -> None:
    assert drives(render(DISKS["iotune"], legacy=True))[0].endswith(
        "id=drive-virtio-disk2,throttling.bps-total=5000,throttling.group=g1")
    out = render(DISKS["floppy"], legacy=True)
    assert "-global isa-fdc.driveA=drive-fdc0-0-0" in out
    assert '"driver":"floppy"' not in out


def test_legacy_encrypted_qcow2_names_secret_after_the_disk() -> None:
    out = render("""<disk type='file'><driver name='qemu' type='qcow2'/>
        <source file='/enc.qcow2'><encryption format='luks'>
          <secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/>
        </encryption></source><target dev='vda' bus='virtio'/></disk>""", legacy=True)
    assert '"id":"virtio-disk0-encryption-secret0"' in out
    assert drives(out) == ["file=/enc.qcow2,encrypt.format=luks,encrypt.key-secret="
                           "virtio-disk0-encryption-secret0,format=qcow2,if=none,"
                           "id=drive-virtio-disk0"]


# -- (a) the corpus: every exact storage case has a legacy form ------------------------

def _conformance():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "tools"))
    import conformance  # type: ignore[import-not-found]
    return conformance


def _storage_cases() -> list[tuple[dict[str, object], str]]:
    conformance = _conformance()
    os.environ.setdefault("XML2ARGV_TEST_FIRMWARE_ROOT", str(BASE / "firmware"))
    report = conformance.run(CORPUS)
    exact = {r.id for r in report.results if r.group == "storage" and r.exact}
    manifest = json.loads((BASE / "manifest.json").read_text())["cases"]
    return [(c, (BASE / c["expected"]).read_text()) for c in manifest if c["id"] in exact]


def _has_storage(expected: str) -> bool:
    return any(tok in expected for tok in ("-blockdev", "-drive", "vhost-user-blk"))


@pytest.mark.skipif(not (BASE / "manifest.json").exists(), reason="corpus not available")
def test_exact_storage_cases_render_without_blockdev() -> None:
    cases = _storage_cases()
    assert len(cases) >= 60
    with_drive = without_storage = 0
    failures = []
    for case, expected in cases:
        caps = capsdb.load(BASE / str(case["caps"]))
        inv = translator.translate((BASE / str(case["input"])).read_bytes(), caps,
                                   profile="libvirt-test", caps_add=case["caps_add"],
                                   caps_del=[*case["caps_del"], "blockdev"],  # type: ignore[misc]
                                   **_conformance().harness_options(
                                       case.get("harness_extra") or []))
        out = inv.render("args")
        if "-blockdev" in out:
            failures.append(f"{case['id']}: -blockdev left")
        elif "-blockdev" in expected and "-drive" not in out:
            failures.append(f"{case['id']}: no -drive")
        elif "-drive" in out:
            with_drive += 1
        elif not _has_storage(expected) or "vhost-user-blk" in expected:
            without_storage += 1
        else:
            failures.append(f"{case['id']}: storage without -drive")
    assert not failures, failures
    assert with_drive + without_storage == len(cases)
    assert with_drive >= len(cases) * 3 // 4
