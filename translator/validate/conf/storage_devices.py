"""Parse refusals of disks' and filesystems' drivers (virDomainDiskDefDriverParseXML,
virDomainDiskDefDriverSourceParseXML and virDomainFSDefParseXML in domain_conf.c).
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .enums import STORAGE_FORMAT
from .numbers import number
from .xmlprop import to_uint

XML, UNSUPPORTED = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED
MODE_MAX = 0o777


def _image_format_known(value: str) -> bool:
    """virStorageFileFormatTypeFromString above 'none'."""
    return value in STORAGE_FORMAT[1:]


def disk_driver(e: Elem, chain: list[Elem]) -> None:
    """A read error cannot be 'enospace'; the image format is one libvirt knows (or Xen's
    old 'aio', read as raw)."""
    if e.get("rerror_policy") == "enospace":
        refuse(UNSUPPORTED, "Invalid disk read error policy: 'enospace'")
    fmt = e.get("type")
    if fmt is not None and fmt != "aio" and not _image_format_known(fmt):
        refuse(UNSUPPORTED, f"unknown driver format value '{fmt}'")


def filesystem(e: Elem, chain: list[Elem]) -> None:
    """File and directory modes within 0777; a RAM filesystem's usage."""
    for attr, message in (("fmode", "invalid fmode: '0{:o}'"),
                          ("dmode", "invalid dmode: '0{:o}'")):
        text = e.get(attr)
        mode = to_uint(text, 8) if text else None
        if mode is not None and mode > MODE_MAX:
            refuse(XML, message.format(mode))
    if e.get("type") == "ram":
        source = e.find("source")
        usage = source.get("usage") if source is not None else None
        if usage is None:
            refuse(XML, "missing 'usage' attribute for RAM filesystem")
        elif number(usage, "ull") is None:
            refuse(XML, f"cannot parse usage '{usage}' for RAM filesystem")


def filesystem_driver(e: Elem, chain: list[Elem]) -> None:
    """The driver's image format; the virtiofs daemon's numbers."""
    fmt = e.get("format")
    if fmt is not None and not _image_format_known(fmt):
        refuse(UNSUPPORTED, f"unknown driver format value '{fmt}'")
    if e.get("type") == "virtiofs":
        _virtiofs(chain[-1], e)


def _virtiofs(e: Elem, driver: Elem) -> None:
    binary = e.find("binary")
    pool = binary.find("thread_pool") if binary is not None else None
    openfiles = binary.find("openfiles") if binary is not None else None
    for text, kind, message in (
            (driver.get("queue"), "ull", "cannot parse queue size '{}' for virtiofs"),
            (pool.get("size") if pool is not None else None, "i",
             "cannot parse thread pool size '{}' for virtiofs"),
            (openfiles.get("max") if openfiles is not None else None, "ull",
             "cannot parse openfiles '{}' for virtiofs")):
        if text and number(text, kind) is None:
            refuse(XML, message.format(text))


STORAGE_DEVICE_RULES = {
    ("devices", "disk", "driver"): (disk_driver,),
    ("devices", "filesystem"): (filesystem,),
    ("devices", "filesystem", "driver"): (filesystem_driver,),
}
