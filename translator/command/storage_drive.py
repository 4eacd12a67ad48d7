"""The legacy disk backend: `-drive file=...,format=...,if=none,id=drive-ALIAS,...`.

Used when the `blockdev` capability is absent (libvirt before 9.0 with such a QEMU);
the frontend `-device` then names the drive with `drive=drive-ALIAS`. One -drive
describes the whole disk: QEMU opens the backing chain itself from the image metadata,
so only the top image appears. Options follow libvirt's pre-blockdev order: source,
encryption, format, if/id, readonly, then (for a drive with medium) cache, copy-on-read,
discard, detect-zeroes, aio, and last the `throttling.*` limits of <iotune>.

Sources are written as QEMU's legacy filenames (`/path`, `fat:`, `nbd:host:port`,
`rbd:pool/image:...`, URIs) except where only the structured form can express them
(gluster with several hosts, iSCSI, NBD over TLS, NVMe): those become `file.KEY=...`
options flattened from the same property map -blockdev would use.

Branches (qemuBuildDriveStr, QEMU without `blockdev`):
- [x] file/format/if=none/id, cache, aio, discard, detect-zeroes, werror/rerror,
      readonly, snapshot, network URIs and rbd/gluster strings, secrets, throttling on -drive
"""

from __future__ import annotations

from typing import Any

from ..cmdline import xml_source
from ..context import BuildContext
from ..disk_names import disk_index
from ..model import Disk, Elem
from ..props import Props, escape_comma, keyval_value
from .storage_source import DEFAULT_PORTS, Src, storage_props

# <iotune> element -> QEMU `throttling.` key, in libvirt's order (group and the
# *-max-length keys follow the rates)
IOTUNE_RATES = (
    ("total_bytes_sec", "bps-total"), ("read_bytes_sec", "bps-read"),
    ("write_bytes_sec", "bps-write"), ("total_iops_sec", "iops-total"),
    ("read_iops_sec", "iops-read"), ("write_iops_sec", "iops-write"),
    ("total_bytes_sec_max", "bps-total-max"), ("read_bytes_sec_max", "bps-read-max"),
    ("write_bytes_sec_max", "bps-write-max"), ("total_iops_sec_max", "iops-total-max"),
    ("read_iops_sec_max", "iops-read-max"), ("write_iops_sec_max", "iops-write-max"),
    ("size_iops_sec", "iops-size"),
)
IOTUNE_LENGTHS = (
    ("total_bytes_sec_max_length", "bps-total-max-length"),
    ("read_bytes_sec_max_length", "bps-read-max-length"),
    ("write_bytes_sec_max_length", "bps-write-max-length"),
    ("total_iops_sec_max_length", "iops-total-max-length"),
    ("read_iops_sec_max_length", "iops-read-max-length"),
    ("write_iops_sec_max_length", "iops-write-max-length"),
)


def drive_alias(d: Disk) -> str:
    return f"drive-{d.alias}"


# -- the source --------------------------------------------------------------------------

def needs_structured_source(src: Src) -> bool:
    """Sources QEMU's legacy filename syntax cannot describe."""
    if src.type == "nvme":
        return True
    if src.type != "network":
        return False
    hosts = src.elem.findall("host") if src.elem is not None else []
    if src.protocol == "gluster":
        return len(hosts) > 1
    if src.protocol == "nbd":
        return src.elem is not None and src.elem.get("tls") == "yes"
    return src.protocol in ("iscsi", "vxhs")


def flatten(props: Props | dict[str, Any], prefix: str) -> list[str]:
    """`{"a":{"b":1},"c":[x,y]}` -> `prefix.a.b=1`, `prefix.c.0=x`, ... (QEMU's dotted keys)."""
    out: list[str] = []
    for k, v in props.items():
        key = f"{prefix}.{k}"
        if isinstance(v, (Props, dict)):
            out += flatten(v, key)
        elif isinstance(v, (list, tuple)):
            for i, x in enumerate(v):
                out += flatten(x, f"{key}.{i}") if isinstance(x, (Props, dict)) \
                    else [f"{key}.{i}={keyval_value(x)}"]
        else:
            out.append(f"{key}={keyval_value(v)}")
    return out


def _legacy_server(server: Props) -> Props:
    """Gluster's legacy keys: an inet server is `tcp`, a unix one has `socket`."""
    p = Props()
    for k, v in server.items():
        if k == "type":
            v = "tcp" if v == "inet" else v
        p.add("socket" if k == "path" else k, v)
    return p


def structured_source(src: Src, ids: dict[str, str], modern: bool = False) -> list[str]:
    """`file.driver=...,file.KEY=...`; before -blockdev gluster spelled its servers
    the old way (`tcp`, `socket`)."""
    p = storage_props(src, ids)
    if not modern and src.protocol == "gluster" and isinstance(p.get("server"), list):
        p["server"] = [_legacy_server(s) for s in p["server"]]
    return flatten(p, "file")


def _host_port(host: Elem, protocol: str) -> str:
    return host.get("port") or str(DEFAULT_PORTS.get(protocol, 0))


def network_uri(src: Src) -> str:
    """`proto[+unix]://host:port/path[?query]`: nbd, gluster and the curl protocols."""
    from urllib.parse import quote  # (and ipaddress): only network disks need it

    s = src.elem
    assert s is not None
    proto = src.protocol
    host = s.find("host")
    unix = host is not None and host.get("transport") == "unix"
    name = s.get("name") or ""
    hostpart = ""
    if host is not None and not unix:
        hn = host.get("name") or ""
        hostpart = f"[{hn}]:" if ":" in hn else f"{hn}:"
        hostpart += _host_port(host, proto)
    path = ("/" + name.lstrip("/")) if name else ""
    uri = f"{proto}{'+unix' if unix else ''}://{hostpart}{quote(path, safe='/:@!$&()*+,;=-._~')}"
    query = f"socket={host.get('socket')}" if unix and host is not None else s.get("query")
    return uri + (f"?{query}" if query else "")


def _nbd_filename(src: Src) -> str:
    """QEMU's own `nbd:host:port[:exportname=X]` unless only a URI can say it."""
    s = src.elem
    assert s is not None
    host = s.find("host")
    if host is None:
        return network_uri(src)
    unix = host.get("transport") == "unix"
    sock = host.get("socket") or ""
    hn = host.get("name")
    if (hn and ":" in hn) or (not unix and not hn) or (unix and not sock.startswith("/")):
        return network_uri(src)
    out = f"nbd:unix:{sock}" if unix else f"nbd:{hn}:{_host_port(host, 'nbd')}"
    export = s.get("name")
    return out + (f":exportname={export}" if export else "")


def _esc_colon(text: str) -> str:
    return text.replace(":", "\\:")


def _rbd_filename(src: Src, ids: dict[str, str]) -> str:
    """`rbd:pool/image[@snap]:id=U:auth_supported=...:mon_host=h\\:p\\;...[:conf=F]`."""
    s = src.elem
    assert s is not None
    name = s.get("name") or ""
    snap = s.attr_at("name", "snapshot")
    if "@" in name:
        name, snap = name.split("@", 1)
    out = f"rbd:{name}"
    if snap:
        out += "@" + _esc_colon(snap)
    if "auth" in ids:
        out += f":id={_esc_colon(ids.get('auth_user', ''))}:auth_supported=cephx\\;none"
    else:
        out += ":auth_supported=none"
    hosts = s.findall("host")
    if hosts:
        mons = []
        for h in hosts:
            hn = h.get("name") or ""
            mon = _esc_colon(f"[{hn}]") if ":" in hn else hn
            if h.get("port"):
                mon += f"\\:{h.get('port')}"
            mons.append(mon)
        out += ":mon_host=" + "\\;".join(mons)
    conf = s.attr_at("file", "config")
    if conf:
        out += ":conf=" + _esc_colon(conf)
    return out


def _sheepdog_filename(src: Src) -> str:
    """`sheepdog:[host:port:]image`."""
    s = src.elem
    assert s is not None
    host = s.find("host")
    name = s.get("name") or ""
    if host is None:
        return f"sheepdog:{name}"
    return f"sheepdog:{host.get('name') or ''}:{_host_port(host, 'sheepdog')}:{name}"


def filename(d: Disk | None, src: Src, ids: dict[str, str]) -> str | None:
    """The legacy `file=` value (before comma escaping), None when there is none."""
    s = src.elem
    if src.type == "network":
        if src.protocol == "nbd":
            return _nbd_filename(src)
        if src.protocol == "rbd":
            return _rbd_filename(src, ids)
        if src.protocol == "sheepdog":
            return _sheepdog_filename(src)
        return network_uri(src)
    if s is None:
        return None
    if src.type == "dir":
        floppy = d is not None and d.device == "floppy"
        return f"fat:{'floppy:' if floppy else ''}{s.get('dir') or ''}"
    return s.get("file") or s.get("dev")


def source_options(d: Disk, src: Src, ids: dict[str, str], modern: bool = False,
                   pr_manager: str | None = None) -> list[str]:
    """`file=...` (or `file.KEY=...`), secrets, encryption and `format=`.

    `modern`: libvirt's current SD-card -drive, which writes every network source in
    the structured form.
    """
    parts: list[str] = []
    if needs_structured_source(src) or (modern and src.type == "network"):
        parts += structured_source(src, ids, modern)
    else:
        path = filename(d, src, ids)
        if path is None:
            return []
        parts.append(f"file={escape_comma(path)}")
        if "auth" in ids:
            parts.append(f"file.password-secret={ids['auth']}")
        if src.protocol == "gluster":
            parts.append("file.debug=4")
        if pr_manager:
            parts.append(f"file.pr-manager={pr_manager}")
    fmt = src.format
    enc = ids.get("encryption")
    if enc and src.qemu_encryption is not None:
        if fmt in ("raw", "luks"):
            parts.append(f"key-secret={enc}")
            fmt = "luks"
        elif fmt == "qcow2":
            parts += ["encrypt.format=luks", f"encrypt.key-secret={enc}"]
    if src.type != "dir":
        parts.append(f"format={fmt}")
    return parts


# -- the drive ---------------------------------------------------------------------------

def _drv(d: Disk, name: str) -> str | None:
    return d.driver.get(name) if d.driver is not None else None


def throttling_options(d: Disk) -> list[str]:
    """<iotune> as `throttling.KEY=N` (zero limits are left out) plus the group name."""
    io = d.elem.find("iotune")
    if io is None:
        return []
    out: list[str] = []
    for tag, key in IOTUNE_RATES:
        v = io.findtext(tag)
        if v and int(v):
            out.append(f"throttling.{key}={int(v)}")
    group = io.findtext("group_name")
    if group:
        out.append(f"throttling.group={escape_comma(group)}")
    for tag, key in IOTUNE_LENGTHS:
        v = io.findtext(tag)
        if v and int(v):
            out.append(f"throttling.{key}={int(v)}")
    return out


def _media_options(d: Disk, cache: str | None, detect_zeroes: str | None) -> list[str]:
    """Options QEMU only accepts on a drive with medium."""
    out: list[str] = []
    if cache and cache != "default":
        out.append(f"cache={cache}")
    cor = _drv(d, "copy_on_read")
    if cor in ("on", "off"):
        out.append(f"copy-on-read={cor}")
    discard = _drv(d, "discard")
    if discard and discard != "default":
        out.append(f"discard={discard}")
    if detect_zeroes and detect_zeroes != "default":
        out.append(f"detect-zeroes={detect_zeroes}")
    io = _drv(d, "io")
    if io and io != "default":
        out.append(f"aio={io}")
    return out


def drive_options(ctx: BuildContext, d: Disk, top: Src | None, cache: str | None,
                  detect_zeroes: str | None) -> list[str]:
    """The whole `-drive` value of a disk, its secrets emitted first."""
    from .storage_secrets import emit_source_secrets, emit_unmanaged_pr, pr_manager_alias
    modern = ctx.has("blockdev")  # only SD cards get a -drive then
    parts: list[str] = []
    tray_open = d.tray == "open" and d.device in ("cdrom", "floppy")
    if top is not None and not tray_open:  # an open tray holds no medium for QEMU
        assert d.alias is not None, "prepare/aliases names every disk"
        emit_unmanaged_pr(ctx, top, d.alias)
        ids = emit_source_secrets(ctx, d, top, legacy_alias=d.alias)
        parts += source_options(d, top, ids, modern, pr_manager_alias(top, d.alias))
    if d.bus == "sd":
        parts += ["if=sd", f"index={disk_index(d.dev)}"]
    else:
        parts += ["if=none", f"id={drive_alias(d)}"]
    if d.readonly or d.device == "cdrom":
        parts.append("readonly=on")
    if top is not None:
        parts += _media_options(d, cache, detect_zeroes)
    if not modern:  # libvirt sets an SD card's limits over QMP nowadays
        parts += throttling_options(d)
    return parts


def build_drive(ctx: BuildContext, d: Disk, top: Src | None, cache: str | None = None,
                detect_zeroes: str | None = None) -> str:
    """Emit `-drive` for a disk (SD cards included: they never get a -device);
    returns the id a frontend's `drive` names."""
    ctx.cmd.add("-drive", ",".join(drive_options(ctx, d, top, cache, detect_zeroes)),
                xml_source(d.source or d.elem))
    return drive_alias(d)
