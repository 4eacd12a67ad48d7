"""Secret and TLS objects a disk source needs (auth, HTTP cookies, encryption, TLS).

libvirt never puts a secret on the command line in clear: it encrypts the value with the
domain's master key (`masterKey0`) and passes `data`+`iv`. The real key and IV are random;
like libvirt's test harness we use fixed ones (key bytes 0..31, IV bytes 0..15) and the
harness's stand-in secret value, so the output is reproducible.
"""

from __future__ import annotations

import base64

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Disk, Elem
from ..props import Props
from .aes import aes_cbc_encrypt
from .storage_source import Src

MASTER_KEY = bytes(range(32))
IV = bytes(range(16))
# what libvirt's test secret driver answers for every secret lookup
STAND_IN_SECRET = b"AQCVn5hO6HzFAhAAq0NCv8jtJcIcE+HOBlMQ1A"

NBD_TLS_DIR = "/etc/pki/libvirt-nbd"


def secret_object(secret_id: str, value: bytes) -> Props:
    data = base64.b64encode(aes_cbc_encrypt(MASTER_KEY, IV, value)).decode()
    return Props(("qom-type", "secret"), ("id", secret_id), ("data", data),
                 ("keyid", "masterKey0"), ("iv", base64.b64encode(IV).decode()),
                 ("format", "base64"))


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


def emit_source_secrets(ctx: BuildContext, d: Disk, src: Src) -> dict[str, str]:
    """Emit the -object lines for `src` and return the ids the blockdev props refer to."""
    ids: dict[str, str] = {}
    where = xml_source(src.elem or d.elem)
    auth = _auth_elem(d, src)
    if auth is not None and src.type == "network":
        sid = f"{src.storage_name}-auth-secret0"
        ctx.cmd.add_json("-object", secret_object(sid, STAND_IN_SECRET), xml_source(auth))
        ids["auth"] = sid
        ids["auth_user"] = auth.get("username") or ""
    cookie = _cookie_value(src) if src.type == "network" else None
    if cookie is not None:
        sid = f"{src.storage_name}-httpcookie-secret0"
        ctx.cmd.add_json("-object", secret_object(sid, cookie), where)
        ids["cookie"] = sid
    enc = src.encryption
    if enc is not None and enc.find("secret") is not None:
        # librbd decrypts in the protocol node, QEMU's luks in the format node
        node = src.top_name if enc.get("engine") == "librbd" else src.format_name
        sid = f"{node}-encryption-secret0"
        ctx.cmd.add_json("-object", secret_object(sid, STAND_IN_SECRET), xml_source(enc))
        ids["encryption"] = sid
    if src.type == "network" and src.elem is not None and src.elem.get("tls") == "yes":
        _emit_tls(ctx, src, ids, where)
    return ids


def _emit_tls(ctx: BuildContext, src: Src, ids: dict[str, str], where: object) -> None:
    alias = f"obj{src.storage_name}_tls0"
    secret_id = f"{alias}-secret0"
    ctx.cmd.add_json("-object", secret_object(secret_id, STAND_IN_SECRET), where)  # type: ignore[arg-type]
    creds = Props(("qom-type", "tls-creds-x509"), ("id", alias), ("dir", NBD_TLS_DIR),
                  ("endpoint", "client"), ("verify-peer", True), ("passwordid", secret_id))
    ctx.cmd.add_json("-object", creds, where)  # type: ignore[arg-type]
    ids["tls"] = alias
