"""What libvirt's storage source parser refuses (storage_source_conf.c): a disk's <auth>
(`virStorageAuthDefParse`), its <reservations> (`virStoragePRDefParseXML`), and HTTP cookies
(`virStorageSourceNetCookiesValidate`, called by the storage source validation)."""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.elem import Elem

_AUTH_TYPES = ("none", "chap", "ceph")
_COOKIE_VALUE_BAD = set(chr(c) for c in range(1, 0x20)) | set(" \",;\\")
_COOKIE_NAME_BAD = _COOKIE_VALUE_BAD | set("()<>@:/[]?={}")


def check_storage_parse(ctx: BuildContext) -> None:
    """The <auth> and <reservations> of every disk source and backing layer."""
    for disk in ctx.domain.devices.disks:
        auth = disk.elem.find("auth")
        if auth is not None:
            check_auth(auth)
        for src in _sources(disk.elem):
            src_auth, pr = src.find("auth"), src.find("reservations")
            if src_auth is not None:
                check_auth(src_auth)
            if pr is not None:
                check_reservations(pr)


def _sources(e: Elem) -> list[Elem]:
    out: list[Elem] = []
    layer: Elem | None = e
    while layer is not None:
        src = layer.find("source")
        if src is not None:
            out.append(src)
        layer = layer.find("backingStore")
    return out


def check_auth(auth: Elem) -> None:
    """virStorageAuthDefParse: a user name, a known auth type, a <secret>."""
    if not auth.get("username"):
        refuse(ErrorCode.XML_ERROR, "missing username for auth")
    atype = auth.get("type")
    if atype and atype not in _AUTH_TYPES:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"unknown auth type '{atype}'")
    if auth.find("secret") is None:
        refuse(ErrorCode.XML_ERROR, "Missing <secret> element in auth")


def check_reservations(pr: Elem) -> None:
    """virStoragePRDefParseXML: an unmanaged helper needs its socket (unix, client mode)."""
    managed = pr.get("managed")
    if managed is None:
        refuse(ErrorCode.XML_ERROR,
               "Missing required attribute 'managed' in element 'reservations'")
    if managed not in ("yes", "no"):
        refuse(ErrorCode.XML_ERROR, "Invalid value for attribute 'managed' in element "
               f"'reservations': '{managed}'.")
    src = pr.find("source")
    ptype = src.get("type") if src is not None else None
    path = src.get("path") if src is not None else None
    mode = src.get("mode") if src is not None else None
    if managed == "no" or ptype or path or mode:
        if not ptype:
            refuse(ErrorCode.XML_ERROR, "missing connection type for <reservations/>")
        if not path:
            refuse(ErrorCode.XML_ERROR, "missing path for <reservations/>")
        if not mode:
            refuse(ErrorCode.XML_ERROR, "missing connection mode for <reservations/>")
    if ptype and ptype != "unix":
        refuse(ErrorCode.XML_ERROR, f"unsupported connection type for <reservations/>: {ptype}")
    if mode and mode != "client":
        refuse(ErrorCode.XML_ERROR, f"unsupported connection mode for <reservations/>: {mode}")


def check_cookies(cookies: Elem) -> None:
    """virStorageSourceNetCookiesValidate: names and values HTTP accepts, each name once."""
    seen: set[str] = set()
    for cookie in cookies.findall("cookie"):
        name = cookie.get("name") or ""
        value = cookie.text or ""
        if not name:
            refuse(ErrorCode.XML_ERROR, "cookie name must not be empty")
        if set(name) & _COOKIE_NAME_BAD:
            refuse(ErrorCode.XML_ERROR, f"cookie name '{name}' contains invalid characters")
        check = value
        if value.startswith('"'):
            if len(value) < 2 or not value.endswith('"'):
                refuse(ErrorCode.XML_ERROR,
                       f"value of cookie '{name}' contains invalid characters")
            check = value[1:-1]
        if set(check) & _COOKIE_VALUE_BAD:
            refuse(ErrorCode.XML_ERROR, f"value of cookie '{name}' contains invalid characters")
        if name in seen:
            refuse(ErrorCode.XML_ERROR, f"duplicate cookie '{name}'")
        seen.add(name)
