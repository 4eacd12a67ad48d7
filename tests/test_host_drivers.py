"""What the host's storage and network drivers answer (HostProfile.drivers): volume disks
translated through their pool, interfaces plugged into a network's host device, displays
listening on a network's address.  The harness's fake drivers are facts of the
`libvirt-test` profile only; a real host's profile knows no pool or network."""

from __future__ import annotations

from dataclasses import replace

import pytest

import capsdb
import translator
from translator.host_drivers import HostDrivers, StoragePool, Volume
from translator.profiles import HOST, LIBVIRT_TEST

_UUID = "c7a5fdbd-edaf-9455-926a-d65c16db1809"


def _xml(devices: str) -> str:
    return f"""<domain type='qemu'><name>t</name><uuid>{_UUID}</uuid>
      <memory unit='KiB'>219100</memory><vcpu>1</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type></os>
      <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{devices}</devices></domain>"""


def _args(devices: str, profile: object = "libvirt-test") -> list[str]:
    inv = translator.translate(_xml(devices), capsdb.get(None, "x86_64"),
                               profile=profile)  # type: ignore[arg-type]
    return [line.rstrip(" \\") for line in inv.render("args").splitlines()]


def _refusal(devices: str, profile: object = "libvirt-test") -> str:
    with pytest.raises(translator.TranslationError) as exc:
        _args(devices, profile)
    return str(exc.value)


def _volume(pool: str, volume: str, extra: str = "", device: str = "disk",
            target: str = "vda' bus='virtio") -> str:
    return f"""<disk type='volume' device='{device}'><driver name='qemu' type='raw'/>
      <source pool='{pool}' volume='{volume}'{extra}/><target dev='{target}'/></disk>"""


# -- storage pools -------------------------------------------------------------------------

def test_iscsi_pool_in_direct_mode_is_the_lun_over_the_network() -> None:
    args = _args(_volume("pool-iscsi", "unit:0:0:3", " mode='direct'"))
    assert any('"driver":"iscsi","portal":"iscsi.example.com:3260","target":"demo-target",'
               '"lun":3,"transport":"tcp"' in a for a in args)


def test_iscsi_pool_in_host_mode_is_the_volumes_block_device() -> None:
    args = _args(_volume("pool-iscsi", "unit:0:0:3"))
    assert any('"driver":"host_device","filename":"/some/block/device/unit:0:0:3"' in a
               for a in args)


def test_local_pool_volumes_take_the_drivers_path() -> None:
    drivers = HostDrivers(pools={"p": StoragePool("dir")},
                          volumes={"p": {"v": Volume("file", "/var/lib/images/v.img")}})
    args = _args(_volume("p", "v"), replace(HOST, drivers=drivers))
    assert any('"driver":"file","filename":"/var/lib/images/v.img"' in a for a in args)


def test_unknown_pool_and_volume() -> None:
    assert _refusal(_volume("nope", "v"), "host") == \
        "Storage pool not found: no storage pool with matching name 'nope'"
    drivers = HostDrivers(pools={"p": StoragePool("dir")})
    assert _refusal(_volume("p", "v"), replace(HOST, drivers=drivers)) == \
        "Storage volume not found: no storage vol with matching name 'v'"


def test_mode_needs_an_iscsi_pool() -> None:
    drivers = HostDrivers(pools={"p": StoragePool("dir")},
                          volumes={"p": {"v": Volume("file", "/v.img")}})
    assert _refusal(_volume("p", "v", " mode='host'"), replace(HOST, drivers=drivers)) == \
        "XML error: disk source mode is only valid when storage pool is of iscsi type"


def test_inactive_pool_is_refused_unless_the_disk_is_optional() -> None:
    assert _refusal(_volume("inactive", "inactive")) == (
        "unsupported configuration: storage pool 'inactive' containing volume 'inactive' "
        "is not active")
    args = _args(_volume("inactive", "inactive", " startupPolicy='optional'"))
    assert not any("virtio-blk" in a for a in args)  # the disk is dropped
    cdrom = _volume("inactive", "inactive", " startupPolicy='optional'", device="cdrom",
                    target="hdc' bus='ide")
    assert any('"driver":"ide-cd"' in a for a in _args(cdrom))  # an empty drive stays


# -- virtual networks ----------------------------------------------------------------------

_TEAM = """<interface type='network'><mac address='00:11:22:33:44:55'/>
  <source network='nat-network;plug-bridge-basic'/><model type='virtio'/>
  <teaming type='persistent'/><alias name='ua-backup0'/></interface>
<interface type='network'><mac address='00:11:22:33:44:55'/>
  <source network='hostdev;plug-hostdev-pci'/><model type='virtio'/>
  <teaming type='transient' persistent='ua-backup0'/></interface>"""


def test_a_network_port_plugging_a_host_device_makes_the_interface_that_device() -> None:
    args = _args(_TEAM)
    assert sum(a.startswith("-netdev") for a in args) == 1
    assert any('"driver":"vfio-pci","host":"0001:02:03.4","id":"hostdev0",'
               '"failover_pair_id":"ua-backup0"' in a for a in args)


def test_a_display_listening_on_a_network_listens_on_its_first_address() -> None:
    vnc = """<graphics type='vnc' port='5903' autoport='no'>
      <listen type='network' network='nat-network;'/></graphics>"""
    assert any(a.startswith("-vnc 192.168.122.1:3") for a in _args(vnc))
    # a host whose networks are not known keeps qemu.conf's listen address
    assert any(a.startswith("-vnc 127.0.0.1:3") for a in _args(vnc, "host"))


def test_only_the_harness_profile_has_fake_drivers() -> None:
    assert "pool-iscsi" in LIBVIRT_TEST.drivers.pools
    assert not HOST.drivers.pools and HOST.drivers.networks is None


def test_a_direct_iscsi_volume_authenticates_as_its_pool_says() -> None:
    disk = """<disk type='volume' device='disk'><driver name='qemu' type='raw'/>
      <auth username='mine'><secret type='iscsi' usage='mycluster_myname'/></auth>
      <source pool='p' volume='unit:0:0:1' mode='direct'/>
      <target dev='vda' bus='virtio'/></disk>"""
    bare = HostDrivers(pools={"p": StoragePool("iscsi", hosts=(("h", 0),), devices=("t",))},
                       harness_volume_names=True)
    args = _args(disk, replace(LIBVIRT_TEST, drivers=bare))
    assert not any('"user"' in a for a in args)  # the disk's own auth gives way
    with_auth = HostDrivers(pools={"p": StoragePool(
        "iscsi", hosts=(("h", 0),), devices=("t",),
        auth=("pooluser", "usage", "mycluster_myname"))}, harness_volume_names=True)
    args = _args(disk, replace(LIBVIRT_TEST, drivers=with_auth))
    assert any('"user":"pooluser","password-secret":"libvirt-1-storage-auth-secret0"' in a
               for a in args)
