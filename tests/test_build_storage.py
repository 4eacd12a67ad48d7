"""Disk builders: blockdev chains, node numbering, frontends, secrets (inline domains)."""

from __future__ import annotations

import json

import pytest

import capsdb
import translator
from translator.command.aes import _encrypt_block, _expand_key

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
    # per-device <boot order> excludes <os><boot dev>
    xml = DOMAIN.replace("<boot dev='hd'/>", "").format(disks="""
      <disk type='file' device='floppy'><source file='/f.img'/>
        <target dev='fdb' bus='fdc'/><boot order='1'/></disk>""")
    lines = translator.translate(xml, capsdb.get(), profile="libvirt-test").render(
        "args").splitlines()
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


def test_virtio_blk_options_precede_the_address() -> None:
    lines = run("""<disk type='file'><driver name='qemu' type='raw' iommu='on' event_idx='on'
        ioeventfd='off' queues='2'/><source file='/a'/><target dev='vda' bus='virtio'/></disk>""")
    dev = [d for d in objs(lines, "-device") if d["driver"] == "virtio-blk-pci"][0]
    assert list(dev)[:6] == ["driver", "iommu_platform", "ioeventfd", "event_idx", "num-queues",
                             "bus"]
    assert dev["event_idx"] is True and dev["ioeventfd"] is False


def test_boot_dev_index_is_its_position_even_without_a_cdrom() -> None:
    dom = DOMAIN.replace("<boot dev='hd'/>", "<boot dev='cdrom'/><boot dev='hd'/>")
    inv = translator.translate(dom.format(disks="""<disk type='file'><source file='/a'/>
        <target dev='vda' bus='virtio'/></disk>"""), capsdb.get(), profile="libvirt-test")
    dev = [d for d in objs(inv.render("args").splitlines(), "-device")
           if d["driver"] == "virtio-blk-pci"][0]
    assert dev["bootindex"] == 2


def test_bus_defaults_from_target_name() -> None:
    lines = run("""<disk type='file'><source file='/a'/><target dev='sda'/></disk>""")
    assert any(d["driver"] == "scsi-hd" for d in objs(lines, "-device"))


def test_rbd_layered_encryption_nests_parents() -> None:
    lines = run("""<disk type='network'><driver name='qemu' type='raw'/>
      <source protocol='rbd' name='pool/image'><host name='mon1' port='6321'/>
        <encryption format='luks' engine='librbd'>
          <secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80fb0'/>
          <secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/>
        </encryption></source><target dev='vda' bus='virtio'/></disk>""")
    secrets = [o["id"] for o in objs(lines, "-object") if o["qom-type"] == "secret"]
    assert secrets[-2:] == ["libvirt-1-storage-encryption-secret0",
                            "libvirt-1-storage-encryption-secret1"]
    enc = objs(lines, "-blockdev")[0]["encrypt"]
    assert enc == {"format": "luks", "key-secret": "libvirt-1-storage-encryption-secret0",
                   "parent": {"format": "luks",
                              "key-secret": "libvirt-1-storage-encryption-secret1"}}


def test_persistent_reservations_managed_and_unmanaged() -> None:
    lines = run("""
      <disk type='block' device='lun'><driver name='qemu' type='raw'/>
        <source dev='/dev/a'><reservations managed='yes'/></source>
        <target dev='sda' bus='scsi'/></disk>
      <disk type='block' device='lun'><driver name='qemu' type='raw'/>
        <source dev='/dev/b'><reservations managed='no'>
          <source type='unix' path='/pr.sock' mode='client'/></reservations></source>
        <target dev='sdb' bus='scsi'/></disk>""")
    prs = [o for o in objs(lines, "-object") if o["qom-type"] == "pr-manager-helper"]
    assert [p["id"] for p in prs] == ["pr-helper0", "pr-helper-libvirt-1-storage"]
    assert prs[1]["path"] == "/pr.sock"
    assert [b.get("pr-manager") for b in objs(lines, "-blockdev")] == \
        ["pr-helper0", "pr-helper-libvirt-1-storage"]
    legacy = "\n".join(run("""<disk type='block' device='lun'><driver name='qemu' type='raw'/>
        <source dev='/dev/a'><reservations managed='yes'/></source>
        <target dev='sda' bus='scsi'/></disk>""", caps_del=["blockdev"]))
    assert "file=/dev/a,file.pr-manager=pr-helper0,format=raw," in legacy


def test_throttle_groups_and_filter_nodes() -> None:
    dom = DOMAIN.replace("<os>", """<throttlegroups><throttlegroup>
        <total_bytes_sec>4000</total_bytes_sec><group_name>g0</group_name>
      </throttlegroup></throttlegroups><os>""")
    inv = translator.translate(dom.format(disks="""
      <disk type='file'><driver name='qemu' type='qcow2'/><source file='/a'/>
        <target dev='vda' bus='virtio'/>
        <throttlefilters><throttlefilter group='g0'/></throttlefilters></disk>
      <disk type='file'><driver name='qemu' type='raw'/><source file='/b'/>
        <target dev='vdb' bus='virtio'/></disk>"""), capsdb.get(), profile="libvirt-test")
    lines = inv.render("args").splitlines()
    group = [o for o in objs(lines, "-object") if o["qom-type"] == "throttle-group"][0]
    assert group["id"] == "throttle-g0" and group["limits"]["bps-total"] == 4000
    assert group["limits"]["iops-size"] == 0 and len(group["limits"]) == 13
    # vdb (numbered first) is 1; vda's image 2, its filter 3
    assert objs(lines, "-blockdev")[2] == {"driver": "throttle", "node-name": "libvirt-3-filter",
                                           "throttle-group": "throttle-g0",
                                           "file": "libvirt-2-format"}
    vda = [d for d in objs(lines, "-device") if d.get("id") == "virtio-disk0"][0]
    assert vda["drive"] == "libvirt-3-filter"


def test_optional_volume_disk_is_dropped() -> None:
    lines = run("""<disk type='volume'><source pool='p' volume='v' startupPolicy='optional'/>
        <target dev='vda' bus='virtio'/></disk>""")
    assert not objs(lines, "-blockdev")
    assert not any(d["driver"] == "virtio-blk-pci" for d in objs(lines, "-device"))


def test_a_disk_needs_every_controller_up_to_its_own() -> None:
    """virDomainDefAddDiskControllersForType: a SCSI disk on controller 3 adds SCSI
    controllers 0 to 3 (the default model), not only the one it names."""
    xml = ("<domain type='qemu'><name>t</name><memory>262144</memory><os><type arch='x86_64' "
           "machine='pc'>hvm</type></os><devices><disk type='file' device='disk'><source "
           "file='/a'/><target dev='sda' bus='scsi'/><address type='drive' controller='3' "
           "bus='0' target='0' unit='0'/></disk></devices></domain>")
    args = translator.translate(xml, capsdb.get(), profile="libvirt-test").args
    ids = [json.loads(v)["id"] for i, v in enumerate(args)
           if args[i - 1] == "-device" and '"driver":"lsi"' in v]
    assert ids == ["scsi0", "scsi1", "scsi2", "scsi3"]


NFS_DISK = ("<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
            "<source protocol='nfs' name='/export/img'><host name='example.com'/>"
            "<identity {}/></source><target dev='vda' bus='virtio'/></disk>")


def test_nfs_identity_is_the_hosts_ids() -> None:
    """qemuDomainPrepareStorageSourceNFS resolves the identity to ids ('+N' is N, 'root' is
    0 everywhere); an account the host cannot resolve fails the start."""
    storage = objs(run(NFS_DISK.format("user='+107' group='root'")), "-blockdev")[0]
    assert storage["driver"] == "nfs" and storage["user"] == 107 and storage["group"] == 0
    assert "user" not in objs(run(NFS_DISK.format("group='+0'")), "-blockdev")[0]
    for identity, message in (("user='USER' group='+0'", "Failed to parse user 'USER'"),
                              ("user='+0' group='+GROUP'", "Failed to parse group 'GROUP'")):
        with pytest.raises(translator.TranslationError) as exc:
            run(NFS_DISK.format(identity))
        assert str(exc.value) == f"invalid argument: {message}"
