"""Disk builders: blockdev chains, node numbering, frontends, secrets (inline domains)."""

from __future__ import annotations

import json

import capsdb
import translator
from translator.build.aes import _encrypt_block, _expand_key

DOMAIN = """<domain type='kvm'>
  <name>t</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
  <memory unit='KiB'>219136</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>{disks}<memballoon model='none'/></devices>
</domain>"""


def run(disks: str, **kw: object) -> list[str]:
    inv = translator.translate(DOMAIN.format(disks=disks), capsdb.get(), profile="libvirt-test",
                               **kw)  # type: ignore[arg-type]
    return inv.render("args").splitlines()


def objs(lines: list[str], option: str) -> list[dict[str, object]]:
    out = []
    for line in lines:
        if line.startswith(option + " '{"):
            out.append(json.loads(line[len(option) + 2:].rstrip(" \\").rstrip("'")))
    return out


def test_aes_matches_fips197() -> None:
    key, pt = bytes(range(32)), bytes.fromhex("00112233445566778899aabbccddeeff")
    assert bytes(_encrypt_block(list(pt), _expand_key(key))).hex() == \
        "8ea2b7ca516745bfeafc49904b496089"


def test_nodes_numbered_from_last_disk_and_raw_skips_format_layer() -> None:
    lines = run("""
      <disk type='file'><driver name='qemu' type='qcow2'/><source file='/a.qcow2'/>
        <target dev='vda' bus='virtio'/></disk>
      <disk type='file' device='cdrom'><driver name='qemu' type='raw'/>
        <source file='/b.iso'/><target dev='hdc' bus='ide'/></disk>""")
    bd = objs(lines, "-blockdev")
    assert bd[0]["node-name"] == "libvirt-2-storage" and bd[0]["auto-read-only"] is True
    assert bd[1] == {"node-name": "libvirt-2-format", "read-only": False, "driver": "qcow2",
                     "file": "libvirt-2-storage"}
    assert bd[2] == {"driver": "file", "filename": "/b.iso", "node-name": "libvirt-1-storage",
                     "read-only": True}


def test_backing_chain_bottom_first_with_explicit_terminator() -> None:
    lines = run("""
      <disk type='file'><driver name='qemu' type='qcow2'/><source file='/top'/>
        <backingStore type='file'><format type='qcow2'/><source file='/base'/>
          <backingStore/></backingStore>
        <target dev='vda' bus='virtio'/></disk>""")
    bd = objs(lines, "-blockdev")
    assert [b["node-name"] for b in bd] == ["libvirt-2-storage", "libvirt-2-format",
                                            "libvirt-1-storage", "libvirt-1-format"]
    assert bd[1]["backing"] is None and bd[1]["read-only"] is True
    assert bd[3]["backing"] == "libvirt-2-format"


def test_cache_mode_and_scsi_lsilogic_frontend() -> None:
    lines = run("""
      <disk type='file'><driver name='qemu' type='raw' cache='writethrough'/>
        <source file='/s.img'/><target dev='sda' bus='scsi'/><serial>ab c</serial></disk>""")
    bd = objs(lines, "-blockdev")[0]
    assert bd["cache"] == {"direct": False, "no-flush": False}
    dev = [d for d in objs(lines, "-device") if d["driver"] == "scsi-hd"][0]
    assert dev["bus"] == "scsi0.0" and dev["scsi-id"] == 0 and "lun" not in dev
    assert dev["id"] == "scsi0-0-0" and dev["device_id"] == "ab c"
    assert dev["write-cache"] == "off" and dev["serial"] == "ab\\ c"


def test_iscsi_auth_secret_object() -> None:
    lines = run("""
      <disk type='network'><driver name='qemu' type='raw'/>
        <source protocol='iscsi' name='iqn.1992-01.com.example/2'>
          <host name='example.org'/>
          <auth username='me'><secret type='iscsi' usage='x'/></auth></source>
        <target dev='vda' bus='virtio'/></disk>""")
    sec = [o for o in objs(lines, "-object") if o["id"] == "libvirt-1-storage-auth-secret0"]
    assert sec and sec[0]["keyid"] == "masterKey0"
    bd = objs(lines, "-blockdev")[0]
    assert bd["portal"] == "example.org:3260" and bd["lun"] == 2
    assert bd["user"] == "me" and bd["password-secret"] == "libvirt-1-storage-auth-secret0"


def test_floppy_boot_index_goes_to_controller_global() -> None:
    lines = run("""
      <disk type='file' device='floppy'><source file='/f.img'/>
        <target dev='fdb' bus='fdc'/><boot order='1'/></disk>""")
    assert "-global isa-fdc.bootindexB=1 \\" in lines
    dev = [d for d in objs(lines, "-device") if d["driver"] == "floppy"][0]
    assert dev["unit"] == 1 and "bootindex" not in dev


def test_disks_sorted_per_bus_by_target() -> None:
    lines = run("""
      <disk type='file'><source file='/b'/><target dev='vdb' bus='virtio'/></disk>
      <disk type='file'><source file='/a'/><target dev='vda' bus='virtio'/></disk>""")
    ids = [d["id"] for d in objs(lines, "-device") if d["driver"] == "virtio-blk-pci"]
    assert ids == ["virtio-disk0", "virtio-disk1"]


def test_legacy_drive_without_blockdev() -> None:
    lines = run("""<disk type='file'><source file='/a,b'/>
      <target dev='vda' bus='virtio'/></disk>""", caps_del=["blockdev"])
    drive = [ln for ln in lines if ln.startswith("-drive ")]
    assert drive and "file=/a,,b" in drive[0] and "id=drive-virtio-disk0" in drive[0]
