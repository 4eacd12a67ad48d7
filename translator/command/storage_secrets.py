"""Secret and TLS objects a disk source needs (auth, HTTP cookies, encryption, TLS).

libvirt never puts a secret on the command line in clear: it encrypts the value with the
domain's master key (`masterKey0`) and passes `data`+`iv`. The real key and IV are random;
like libvirt's test harness we use fixed ones (key bytes 0..31, IV bytes 0..15) and the
harness's stand-in secret value, so the output is reproducible.

Branches (qemuBuildDiskSecinfoCommandLine and friends):
- [x] secret objects for iSCSI/RBD auth, HTTP cookies, LUKS/qcow2 encryption
- [x] tls-creds-x509 for NBD/VxHS sources (with the configured secret)
- [x] pr-manager-helper objects (managed and unmanaged reservations)
"""

from __future__ import annotations

import functools

from ..cmdline import Source, xml_source
from ..context import BuildContext
from ..model import Disk, Elem
from ..props import Props
from .storage_source import Src

MASTER_KEY = bytes(range(32))
IV = bytes(range(16))
# what libvirt's test secret driver answers for every secret lookup
STAND_IN_SECRET = b"AQCVn5hO6HzFAhAAq0NCv8jtJcIcE+HOBlMQ1A"

def secret_object(secret_id: str, value: bytes) -> Props:
    data = _stand_in_data() if value == STAND_IN_SECRET else _encrypted(value)
    return Props(("qom-type", "secret"), ("id", secret_id), ("data", data),
                 ("keyid", "masterKey0"), ("iv", _encoded_iv()), ("format", "base64"))


def _encrypted(value: bytes) -> str:
    """`value` encrypted with the fixed master key and IV, base64 encoded."""
    import base64  # only for domains with secrets

    from .aes import aes_cbc_encrypt

    return base64.b64encode(aes_cbc_encrypt(MASTER_KEY, IV, value)).decode()


@functools.cache
def _stand_in_data() -> str:
    """The stand-in secret encrypted: static data, so the cipher runs once per process
    (only a value from the domain, an HTTP cookie, is encrypted each time)."""
    return _encrypted(STAND_IN_SECRET)


@functools.cache
def _encoded_iv() -> str:
    import base64

    return base64.b64encode(IV).decode()


def _auth_elem(d: Disk, src: Src) -> Elem | None:
    if src.elem is not None and src.elem.find("auth") is not None:
        return src.elem.find("auth")
    if src.owner is d.elem:
        return d.elem.find("auth")
    return None


def _cookie_value(src: Src) -> bytes | None:
    cookies = src.elem.find("cookies") if src.elem is not None else None
    if cookies is None:
        return None
    parts = [f"{c.get('name')}={c.text or ''}" for c in cookies.findall("cookie")]
    return "; ".join(parts).encode() if parts else None


def emit_source_secrets(ctx: BuildContext, d: Disk, src: Src,
                        legacy_alias: str | None = None) -> dict[str, str]:
    """Emit the -object lines for `src` and return the ids its props refer to.

    With -blockdev the objects are named after the node (`libvirt-N-storage-...`); a
    legacy -drive names them after the disk alias (`ALIAS-auth-secret0`, `objALIAS_tls0`).
    """
    ids: dict[str, str] = {}
    where = xml_source(src.elem or d.elem)
    base = legacy_alias or src.storage_name
    auth = _auth_elem(d, src)
    if auth is not None and src.type == "network":
        sid = f"{base}-auth-secret0"
        ctx.cmd.add_json("-object", secret_object(sid, STAND_IN_SECRET), xml_source(auth))
        ids["auth"] = sid
        ids["auth_user"] = auth.get("username") or ""
    cookie = _cookie_value(src) if src.type == "network" else None
    if cookie is not None:
        sid = f"{base}-httpcookie-secret0"
        ctx.cmd.add_json("-object", secret_object(sid, cookie), where)
        ids["cookie"] = sid
    enc = src.encryption
    if enc is not None and enc.find("secret") is not None:
        # librbd decrypts in the protocol node, QEMU's luks in the format node
        node = src.top_name if enc.get("engine") == "librbd" else src.format_name
        # one object per <secret>: librbd's layered images take a passphrase per layer
        for i, secret in enumerate(enc.findall("secret")):
            sid = f"{legacy_alias or node}-encryption-secret{i}"
            ctx.cmd.add_json("-object", secret_object(sid, STAND_IN_SECRET), xml_source(secret))
            ids["encryption" if i == 0 else f"encryption{i}"] = sid
    if src.type == "network" and src.elem is not None and src.elem.get("tls") == "yes":
        _emit_tls(ctx, base, ids, where)
    return ids


def _emit_tls(ctx: BuildContext, base: str, ids: dict[str, str], where: Source) -> None:
    """The client TLS credentials of an NBD disk from qemu.conf's nbd_tls_x509_cert_dir;
    a key secret (nbd_tls_x509_secret_uuid) goes first as its own object."""
    alias = f"obj{base}_tls0"
    conf = ctx.host.qemu_conf
    secret_id = None
    if conf.nbd_tls_x509_secret_uuid:
        secret_id = f"{alias}-secret0"
        ctx.cmd.add_json("-object", secret_object(secret_id, STAND_IN_SECRET), where)
    creds = Props(("qom-type", "tls-creds-x509"), ("id", alias),
                  ("dir", conf.nbd_tls_x509_cert_dir), ("endpoint", "client"),
                  ("verify-peer", True), ("passwordid", secret_id))
    ctx.cmd.add_json("-object", creds, where)
    ids["tls"] = alias


# -- persistent reservations (qemu-pr-helper) --------------------------------------------

MANAGED_PR_ALIAS = "pr-helper0"


def _reservations(src: Src | None) -> Elem | None:
    """<reservations> of a block device source (the only kind QEMU forwards PR for)."""
    if src is None or src.elem is None or src.type != "block":
        return None
    r = src.elem.find("reservations")
    return r if r is not None and r.get("enabled", "yes") == "yes" else None


def pr_manager_alias(src: Src, owner: str) -> str | None:
    """libvirt's own helper is shared (`pr-helper0`); a user's socket is per source."""
    r = _reservations(src)
    if r is None:
        return None
    return MANAGED_PR_ALIAS if r.get("managed", "yes") == "yes" else f"pr-helper-{owner}"


def emit_unmanaged_pr(ctx: BuildContext, src: Src, owner: str) -> None:
    """A user-run qemu-pr-helper is reached through its socket, one object per source."""
    r = _reservations(src)
    if r is None or r.get("managed", "yes") == "yes":
        return
    path = r.attr_at("path", "source")
    ctx.cmd.add_json("-object", Props(("qom-type", "pr-manager-helper"),
                                      ("id", f"pr-helper-{owner}"), ("path", path)),
                     xml_source(r))


def build_managed_pr(ctx: BuildContext) -> None:
    """One libvirt-managed qemu-pr-helper serves every disk asking for it; its object
    comes early, right after the master key."""
    for d in ctx.domain.devices.disks:
        s = d.source
        r = s.find("reservations") if s is not None and d.type == "block" else None
        if r is not None and r.get("enabled", "yes") == "yes" and \
                r.get("managed", "yes") == "yes":
            path = f"{ctx.domain_dir}/{MANAGED_PR_ALIAS}.sock"
            ctx.cmd.add_json("-object", Props(("qom-type", "pr-manager-helper"),
                                              ("id", MANAGED_PR_ALIAS), ("path", path)),
                             xml_source(r))
            return
