"""The answers of the host's drivers for one domain reference, as pure lookups that both
prepare (which applies them) and validate (which refuses what they cannot answer) use:
a display's listen network, a volume disk's source (virDomainDiskTranslateSourcePool),
whether a disk whose source is missing may start without it, and the host's user and group
ids an NFS identity names."""

from __future__ import annotations

from dataclasses import replace

from .errors import ErrorCode
from .host_drivers import HostDrivers, StoragePool
from .model import Disk, Elem

# forward modes whose networks a display listens on by their first IP address
_ADDRESSED_FORWARDS = ("none", "nat", "route", "open")


def listen_network_address(drivers: HostDrivers, listen: Elem) -> str | None:
    """qemuProcessGetNetworkAddress: the first IP address of a network a display listens
    on (None: the network is not known, or it has none)."""
    network = drivers.network(listen.get("network") or "")
    if network is None or network.forward not in _ADDRESSED_FORWARDS or not network.ips:
        return None
    return network.ips[0]


Problem = tuple[ErrorCode, str]


UINT_MAX = (1 << 32) - 1
# the accounts every host has: the only names this simulator can resolve without the host
_HOST_IDS = {"root": 0}


def host_id(name: str) -> int | None:
    """virGetUserID / virGetGroupID: '+N' is the number N; another text is looked up by name
    and, when the host has no such account, read as a number (None: it is neither)."""
    if name.startswith("+"):
        name = name[1:]
    elif name in _HOST_IDS:
        return _HOST_IDS[name]
    if not (name.isascii() and name.isdigit()) or int(name) > UINT_MAX:
        return None
    return int(name)


def nfs_identity_problem(identity: Elem) -> Problem | None:
    """qemuDomainPrepareStorageSourceNFS: the user, then the group, must resolve."""
    for attr, what in (("user", "user"), ("group", "group")):
        value = identity.get(attr)
        if value is not None and host_id(value) is None:
            return ErrorCode.INVALID_ARG, f"Failed to parse {what} '{value.removeprefix('+')}'"
    return None


def may_drop(d: Disk, cold_boot: bool) -> bool:
    """qemuDomainCheckDiskStartupPolicy: whether a disk whose source is missing may start
    without it."""
    policy = d.source.get("startupPolicy") if d.source is not None else None
    if policy == "optional":
        return cold_boot or d.device in ("cdrom", "floppy")
    return policy == "requisite" and not cold_boot


def volume_source(drivers: HostDrivers, d: Disk) -> Disk | Problem:
    """virDomainStorageSourceTranslateSourcePool: the disk's actual type and source (as a
    Disk carrying just them), or the error that stops the translation."""
    assert d.source is not None
    pool_name = d.source.get("pool") or ""
    volume_name = d.source.get("volume") or ""
    pool = drivers.pool(pool_name)
    if pool is None:
        return (ErrorCode.NO_STORAGE_POOL,
                f"no storage pool with matching name '{pool_name}'")
    if not pool.active:
        return (ErrorCode.CONFIG_UNSUPPORTED, f"storage pool '{pool_name}' containing volume "
                f"'{volume_name}' is not active")
    volume = drivers.volume(pool_name, volume_name)
    if volume is None:
        return (ErrorCode.NO_STORAGE_VOL,
                f"no storage vol with matching name '{volume_name}'")
    mode = d.source.get("mode")
    if mode and pool.type != "iscsi":
        return (ErrorCode.XML_ERROR,
                "disk source mode is only valid when storage pool is of iscsi type")
    if pool.type == "iscsi-direct" or (pool.type == "iscsi" and mode == "direct"):
        return _iscsi_lun(d.source, pool, volume_name)
    if pool.type not in _LOCAL_POOLS:
        return (ErrorCode.CONFIG_UNSUPPORTED, f"using '{pool.type}' pools for backing "
                "'volume' disks isn't yet supported")
    kind = "block" if pool.type == "iscsi" else _VOLUME_KINDS.get(volume.type)
    if kind is None:
        return (ErrorCode.INTERNAL_ERROR, f"unexpected storage volume type '{volume.type}' "
                f"for storage pool type '{pool.type}'")
    attr = {"file": "file", "block": "dev", "dir": "dir"}[kind]
    return Disk(elem=d.elem, type=kind,
                source=replace(d.source, attrs={**_kept(d.source), attr: volume.path},
                               children=tuple(c for c in d.source.children
                                              if c.tag != "auth")))


# pools whose volumes are local paths (iscsi ones in the default 'host' mode too)
_LOCAL_POOLS = ("dir", "fs", "netfs", "logical", "disk", "scsi", "zfs", "vstorage", "iscsi")
_VOLUME_KINDS = {"file": "file", "ploop": "file", "dir": "dir", "block": "block"}


def _kept(source: Elem) -> dict[str, str]:
    """The source's attributes that outlive the translation (not the pool reference)."""
    return {k: v for k, v in source.attrs.items() if k not in ("pool", "volume", "mode")}


def _iscsi_lun(source: Elem, pool: StoragePool, volume_name: str) -> Disk | Problem:
    """virDomainDiskTranslateISCSIDirect: the pool's one host and device, the LUN the
    volume's name ends with ('unit:0:0:LUN')."""
    if len(pool.hosts) != 1:
        return (ErrorCode.CONFIG_UNSUPPORTED, "Expected exactly 1 host for the storage pool")
    tokens = volume_name.split(":")
    if len(tokens) != 4:
        return (ErrorCode.INTERNAL_ERROR, f"unexpected iscsi volume name '{volume_name}'")
    name, port = pool.hosts[0]
    host = Elem("host", {"name": name, "port": str(port or 3260), "transport": "tcp"})
    # the disk's own authentication gives way to the pool's (virDomainDiskTranslateSource-
    # PoolAuth), whose secret is an iSCSI one
    children = [host, *(c for c in source.children if c.tag not in ("host", "auth"))]
    if pool.auth is not None:
        user, key, value = pool.auth
        children.append(Elem("auth", {"username": user},
                             (Elem("secret", {"type": "iscsi", key: value}),)))
    if pool.initiator_iqn and source.find("initiator") is None:
        children.append(Elem("initiator", children=(Elem("iqn", {"name": pool.initiator_iqn}),)))
    return Disk(elem=source, type="network", source=replace(
        source, attrs={**_kept(source), "protocol": "iscsi",
                       "name": f"{pool.devices[0] if pool.devices else ''}/{tokens[3]}"},
        children=tuple(children)))
