"""Storage sources of a disk: the backing chain and its `-blockdev` property maps.

libvirt describes every image of a disk's chain by a protocol ("storage") node and, unless
the image is plain raw, a format node on top of it; the format node points to the next
image's top node through `backing`. Nodes are named `libvirt-N-storage`/`libvirt-N-format`.

Branches (qemuBlockStorageSourceGetBackendProps and its per-protocol helpers):
- [x] file, host_device/host_cdrom (raw cdrom media), dir (vvfat), nvme
- [x] network: nbd (inet/unix, export, TLS, reconnect-delay), iscsi (portal, lun, auth,
      initiator), rbd (mon hosts, auth, config, snapshot, encryption), gluster, http/https/
      ftp/ftps (cookies, sslverify, readahead, timeout), ssh (user from <auth> or <identity>),
      nfs, vxhs
- [x] format nodes: raw (skipped when possible, offset/size slices), qcow2/qed/vmdk/...,
      LUKS encryption (qcow2 encrypt / luks driver), backing chains,
      discard/cache/auto-read-only
- [ ] nbdkit-served sources (http/ssh through nbdkit need the nbdkit capability of the host)
- [ ] qcow2 data-file nodes
- [ ] storage pool/volume sources (need the storage driver's answer)
"""

from __future__ import annotations

from dataclasses import field

from capsdb.records import dataclass
from ..host_lookup import host_id
from ..model import Disk, Elem
from ..props import Props

# QEMU's default port per network protocol (what libvirt fills in when <host> has none)
DEFAULT_PORTS = {"nbd": 10809, "iscsi": 3260, "gluster": 24007, "http": 80, "https": 443,
                 "ftp": 21, "ftps": 990, "ssh": 22, "tftp": 69, "sheepdog": 7000,
                 "vxhs": 9999}

# cache mode -> (direct, no-flush, write-cache)
CACHE_MODES = {
    "writeback": (False, False, True),
    "none": (True, False, True),
    "writethrough": (False, False, False),
    "directsync": (True, False, False),
    "unsafe": (False, True, True),
}

# formats whose QEMU driver accepts a `backing` reference
_BACKING_FORMATS = {"qcow2", "qcow", "qed", "vmdk", "cow", "vhdx", "vpc", "parallels"}


@dataclass
class Src:
    """One image of the chain (the disk's own source, or a <backingStore>)."""

    type: str
    format: str
    elem: Elem | None                 # the <source> element
    readonly: bool
    owner: Elem | None = None         # <disk> or <backingStore>
    backing: "Src | None" = None
    terminated: bool = False          # an explicit empty <backingStore/> follows
    host_cdrom: bool = False          # a block device the host reports as a CD-ROM drive
    index: int = 0
    slice: Elem | None = None         # <slice type='storage' offset= size=>
    encryption: Elem | None = None
    extra: dict[str, object] = field(default_factory=dict)
    # QEMU >= 9.0 (blockjob.backing-mask-protocol) lets libvirt open plain raw images
    # without a format node; older QEMU always gets one
    raw_without_format: bool = True

    @property
    def protocol(self) -> str:
        return (self.elem.get("protocol") if self.elem is not None else None) or ""

    @property
    def needs_format_layer(self) -> bool:
        """Raw images are opened by the protocol node alone, unless encrypted in QEMU."""
        return (self.format != "raw" or not self.raw_without_format
                or self.qemu_encryption is not None or self.type == "dir")

    @property
    def qemu_encryption(self) -> Elem | None:
        enc = self.encryption
        if enc is None or enc.get("engine") == "librbd":
            return None
        return enc

    @property
    def storage_name(self) -> str:
        return f"libvirt-{self.index}-storage"

    @property
    def slice_name(self) -> str:
        return f"libvirt-{self.index}-slice-sto"

    @property
    def format_name(self) -> str:
        return f"libvirt-{self.index}-format"

    @property
    def below_format(self) -> str:
        """What the format node (or the device) sits on: the slice or the storage node."""
        return self.slice_name if self.slice is not None else self.storage_name

    @property
    def top_name(self) -> str:
        return self.format_name if self.needs_format_layer else self.below_format


def _slice_of(source: Elem | None) -> Elem | None:
    if source is None:
        return None
    slices = source.find("slices")
    if slices is None:
        return None
    return next((s for s in slices.findall("slice") if s.get("type") == "storage"), None)


def _encryption_of(owner: Elem, source: Elem | None) -> Elem | None:
    if source is not None and source.find("encryption") is not None:
        return source.find("encryption")
    return owner.find("encryption")


def is_empty(d: Disk) -> bool:
    """A drive without medium: no source path/volume, or a network source without protocol."""
    s = d.source
    if s is None:
        return True
    if d.type == "network":
        return not s.get("protocol")
    if d.type == "nvme":
        return False
    return not any(s.get(a) for a in ("file", "dev", "dir", "pool"))


def _format_name(fmt: str | None) -> str:
    """'fat' is libvirt's name for a vvfat directory exposed raw; 'none' means unset."""
    if not fmt or fmt in ("fat", "none"):
        return "raw"
    return fmt


_LOCAL_TYPES = ("file", "block", "dir")


@dataclass(frozen=True)
class HostStorage:
    """What a real start learns about the host's images before building
    (qemuDomainDetermineDiskChain): nothing in pretend mode."""

    probes_images: bool = False       # each local image is probed (no backing file found)
    cdrom_devices: frozenset[str] = frozenset()   # block devices that are CD-ROM drives


def disk_chain(d: Disk, raw_without_format: bool = True,
               host: HostStorage = HostStorage()) -> Src | None:
    """The disk's source chain, top first; None for an empty drive."""
    if is_empty(d):
        return None
    top = Src(type=d.type, format=_format_name(d.format), elem=d.source,
              readonly=d.readonly or d.device == "cdrom", owner=d.elem,
              slice=_slice_of(d.source), encryption=_encryption_of(d.elem, d.source),
              raw_without_format=raw_without_format)
    path = d.source.get("dev") if d.source is not None else None
    top.host_cdrom = (d.device == "cdrom" and d.type == "block" and top.format == "raw"
                      and path in host.cdrom_devices)
    _attach_backing(top, d.elem.find("backingStore"))
    if host.probes_images:
        _terminate_probed_chain(top)
    return top


def _terminate_probed_chain(top: Src) -> None:
    """A probed local image without a known backing image ends its chain: libvirt then
    tells QEMU not to look for one (`"backing":null`)."""
    last = chain_list(top)[-1]
    if last.type in _LOCAL_TYPES and not last.terminated and last.format in _BACKING_FORMATS:
        last.terminated = True


def _attach_backing(parent: Src, bs: Elem | None) -> None:
    while bs is not None:
        if not bs.get("type"):
            parent.terminated = True
            return
        fmt = bs.find("format")
        src = bs.find("source")
        child = Src(type=bs.get("type") or "file",
                    format=_format_name(fmt.get("type") if fmt is not None else None),
                    elem=src, readonly=True, owner=bs, slice=_slice_of(src),
                    encryption=_encryption_of(bs, src),
                    raw_without_format=parent.raw_without_format)
        parent.backing = child
        parent = child
        bs = bs.find("backingStore")


def chain_list(top: Src | None) -> list[Src]:
    out: list[Src] = []
    while top is not None:
        out.append(top)
        top = top.backing
    return out


# -- the protocol ("storage") node -------------------------------------------------------

def _hosts(src: Src) -> list[Elem]:
    return src.elem.findall("host") if src.elem is not None else []


def _port(host: Elem, protocol: str) -> str:
    return host.get("port") or str(DEFAULT_PORTS.get(protocol, 0))


def _inet_or_unix(host: Elem, protocol: str, typed: bool = True) -> Props:
    if host.get("transport") == "unix":
        return Props(("type", "unix"), ("path", host.get("socket")))
    p = Props()
    if typed:
        p.add("type", "inet")
    p.add("host", host.get("name"))
    p.add("port", _port(host, protocol))
    return p


def _url(src: Src, protocol: str) -> str:
    from urllib.parse import quote  # (and ipaddress): only network disks need it

    host = _hosts(src)[0] if _hosts(src) else None
    name = src.elem.get("name", "") if src.elem is not None else ""
    hostpart = ""
    if host is not None:
        hn = host.get("name") or ""
        if ":" in hn:
            hn = f"[{hn}]"
        hostpart = f"{hn}:{_port(host, protocol)}"
    path = name if name.startswith("/") else "/" + name
    url = f"{protocol}://{hostpart}{quote(path, safe='/:@!$&()*+,;=-._~')}"
    query = src.elem.get("query") if src.elem is not None else None
    if query:
        url += "?" + query
    return url


def storage_props(src: Src, secret_ids: dict[str, str]) -> Props:
    """The protocol node's own properties (before the common node-name/read-only part)."""
    s = src.elem
    t = src.type
    if t == "block":
        path = s.get("dev") if s is not None else None
        return Props(("driver", "host_cdrom" if src.host_cdrom else "host_device"),
                     ("filename", path))
    if t == "dir":
        return Props(("driver", "vvfat"), ("dir", s.get("dir") if s else None),
                     ("floppy", src.extra.get("floppy", False)), ("rw", not src.readonly))
    if t == "nvme":
        addr = s.find("address") if s is not None else None
        dev = None
        if addr is not None:
            dev = (f"{int(addr.get('domain', '0'), 0):04x}:{int(addr.get('bus', '0'), 0):02x}:"
                   f"{int(addr.get('slot', '0'), 0):02x}.{int(addr.get('function', '0'), 0):x}")
        return Props(("driver", "nvme"), ("device", dev),
                     ("namespace", int(s.get("namespace", "1")) if s is not None else 1))
    if t == "network":
        return _network_props(src, secret_ids)
    if t == "vhostvdpa":
        return Props(("driver", "virtio-blk-vhost-vdpa"), ("path", src.extra.get("fdset")))
    p = Props(("driver", "file"), ("filename", s.get("file") if s is not None else None))
    return p


def _network_props(src: Src, secret_ids: dict[str, str]) -> Props:
    s = src.elem
    assert s is not None
    proto = src.protocol or "nbd"
    name = s.get("name") or ""
    hosts = _hosts(src)
    p = Props(("driver", proto))
    if proto == "nbd":
        if hosts:
            p.add("server", _inet_or_unix(hosts[0], proto))
        p.str("export", name)
        p.add("tls-creds", secret_ids.get("tls"))
        p.add("tls-hostname", s.get("tlsHostname"))
        rec = s.find("reconnect")
        if rec is not None:
            p.add("reconnect-delay", int(rec.get("delay", "0")))
    elif proto == "iscsi":
        target, _, lun = name.partition("/")
        h = hosts[0] if hosts else None
        if h is not None:
            hn = h.get("name") or ""
            if ":" in hn:
                hn = f"[{hn}]"
            p.add("portal", f"{hn}:{_port(h, proto)}")
        p.add("target", target)
        p.add("lun", int(lun) if lun else 0)
        p.add("transport", "tcp")
        _auth(p, secret_ids, "user", "password-secret")
        p.add("initiator-name", s.attr_at("name", "initiator", "iqn"))
    elif proto == "rbd":
        pool, _, image = name.partition("/")
        snap = None
        if "@" in image:
            image, snap = image.split("@", 1)
        p.add("pool", pool)
        ns = s.get("namespace")
        p.add("namespace", ns)
        p.add("image", image)
        p.add("snapshot", snap or s.get("snapshot"))
        if hosts:
            p.add("server", [_inet_or_unix(h, proto, typed=False) for h in hosts])
        cfg = s.attr_at("file", "config")
        p.add("conf", cfg)
        enc = src.encryption
        if enc is not None and enc.get("engine") == "librbd":
            p.add("encrypt", _rbd_encrypt(enc, secret_ids))
        if "auth" in secret_ids:
            p.add("user", secret_ids.get("auth_user"))
            p.add("auth-client-required", ["cephx", "none"])
            p.add("key-secret", secret_ids["auth"])
    elif proto == "gluster":
        vol, _, path = name.lstrip("/").partition("/")
        p.add("volume", vol)
        p.add("path", path)
        p.add("server", [_inet_or_unix(h, proto) for h in hosts])
        p.add("debug", 4)
    elif proto in ("http", "https", "ftp", "ftps", "tftp"):
        p.add("url", _url(src, proto))
        _auth(p, secret_ids, "username", "password-secret")
        ssl = s.find("ssl")
        if ssl is not None and ssl.get("verify"):
            p.add("sslverify", ssl.get("verify") == "yes")
        p.add("cookie-secret", secret_ids.get("cookie"))
        ra = s.find("readahead")
        if ra is not None:
            p.add("readahead", int(ra.get("size", "0")))
        to = s.find("timeout")
        if to is not None:
            p.add("timeout", int(to.get("seconds", "0")))
    elif proto == "ssh":
        p.add("path", name)
        if hosts:
            p.add("server", _inet_or_unix(hosts[0], proto, typed=False))
        # the <auth> user, else the <identity> one (qemuBlockStorageSourceGetSshProps)
        ident = s.find("identity")
        p.add("user", secret_ids.get("auth_user")
              or (ident.get("username") if ident is not None else None))
    elif proto == "vxhs":
        p.add("tls-creds", secret_ids.get("tls"))
        p.add("vdisk-id", name)
        if hosts:
            p.add("server", Props(("host", hosts[0].get("name")),
                                  ("port", _port(hosts[0], proto))))
    elif proto == "nfs":
        if hosts:
            p.add("server", Props(("type", "inet"), ("host", hosts[0].get("name"))))
        p.add("path", name)
        ident = s.find("identity")
        if ident is not None:  # the host's ids (qemuBlockStorageSourceGetNFSProps)
            for key in ("user", "group"):
                value = ident.get(key)
                p.add(key, host_id(value) if value is not None else None)
    return p


def _rbd_encrypt(enc: Elem, secret_ids: dict[str, str]) -> Props:
    """The image's own key first; each further secret opens the parent layer below."""
    keys = [secret_ids.get("encryption")]
    keys += [secret_ids[f"encryption{i}"] for i in range(1, len(enc.findall("secret")))
             if f"encryption{i}" in secret_ids]
    out: Props | None = None
    for key in reversed(keys):
        layer = Props(("format", enc.get("format") or "luks"), ("key-secret", key))
        layer.add("parent", out)
        out = layer
    assert out is not None
    return out


def _auth(p: Props, secret_ids: dict[str, str], user_key: str, secret_key: str) -> None:
    if "auth" in secret_ids:
        p.add(user_key, secret_ids.get("auth_user"))
        p.add(secret_key, secret_ids["auth"])
