"""Parse refusals of disks' and filesystems' drivers (virDomainDiskDefDriverParseXML,
virDomainDiskDefDriverSourceParseXML and virDomainFSDefParseXML in domain_conf.c), and of the
parts of a disk's storage source (virDomainStorageSourceParse and its helpers: pool volumes,
slices, the data file store and the backing chain) and of its encryption
(storage_encryption_conf.c virStorageEncryptionParseNode).

libvirt parses a domain definition as inactive, so it never reads a disk's <mirror> or the
'index' of a source (both are the running domain's state): neither is checked here.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .enums import STORAGE_FORMAT, STORAGE_TYPE
from .xmlprop import prop_enum, prop_uint, required
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


def _source_base(kind: str | None, fmt: str | None) -> None:
    """virDomainStorageSourceParseBase: the type and format of a further image of a disk."""
    if kind is not None and kind not in STORAGE_TYPE[1:]:
        refuse(XML, f"unknown storage source type '{kind}'")
    if fmt is not None and not _image_format_known(fmt):
        refuse(XML, f"unknown storage source format '{fmt}'")


def _in_disk_chain(chain: list[Elem]) -> bool:
    """Whether the element under `chain` is a disk's backing store (at any depth)."""
    k = len(chain) - 1
    while k >= 0 and chain[k].tag == "backingStore":
        k -= 1
    return k >= 1 and chain[k].tag == "disk" and chain[k - 1].tag == "devices"


def backing_store(e: Elem, chain: list[Elem]) -> None:
    """virDomainDiskBackingStoreParse: a typed backing store (one without a type ends the
    chain) names its format and has a source."""
    kind = e.get("type")
    if kind is None or not _in_disk_chain(chain):
        return
    fmt = e.attr_at("type", "format") or None
    if fmt is None:
        refuse(XML, "missing disk backing store format")
    if e.find("source") is None:
        refuse(XML, "missing disk backing store source")
    _source_base(kind, fmt)


def data_store(e: Elem, chain: list[Elem]) -> None:
    """virDomainDiskDataStoreParse: a data file store has a type, a format and a source."""
    kind = required(e, "type")
    fmt = e.attr_at("type", "format") or None
    if fmt is None:
        refuse(XML, "missing data file store format")
    if e.find("source") is None:
        refuse(XML, "missing disk data file store source")
    _source_base(kind, fmt)


def pool_source(e: Elem, chain: list[Elem]) -> None:
    """virDomainDiskSourcePoolDefParse: a volume names both its pool and itself (or neither,
    a removable drive without media)."""
    if (e.get("pool") is None) != (e.get("volume") is None):
        refuse(XML, "'pool' and 'volume' must be specified together for 'pool' type source")


def storage_slice(e: Elem, chain: list[Elem]) -> None:
    """virDomainStorageSourceParseSlice: the (first) storage slice has an offset and a size."""
    if e.get("type") != "storage" or \
            next(s for s in chain[-1].findall("slice") if s.get("type") == "storage") is not e:
        return
    if not e.get("offset") or not e.get("size"):
        refuse(XML, "missing offset or size attribute of slice")


# virStorageEncryptionFormat, virStorageEncryptionEngine, virStorageEncryptionSecret
ENCRYPTION_FORMATS = ("default", "qcow", "luks", "luks2", "luks-any")
ENCRYPTION_ENGINES = ("default", "qemu", "librbd")
ENCRYPTION_SECRET_TYPES = ("passphrase",)


def encryption(e: Elem, chain: list[Elem]) -> None:
    """virStorageEncryptionParseNode: a known format and engine, secrets of a known type;
    a LUKS cipher has a name and size, and an ivgen needs the cipher and a name. (A disk's
    <mirror> is never read.)"""
    if any(a.tag == "mirror" for a in chain):
        return
    fmt = e.get("format") or None
    if fmt is None:
        refuse(XML, "unknown volume encryption format")
    if fmt not in ENCRYPTION_FORMATS:
        refuse(UNSUPPORTED, f"unknown volume encryption format type {fmt}")
    prop_enum(e, "engine", ENCRYPTION_ENGINES, nonzero=True)
    for secret in e.findall("secret"):
        kind = secret.get("type") or None
        if kind is None:
            refuse(XML, "unknown volume encryption secret type")
        if kind not in ENCRYPTION_SECRET_TYPES:
            refuse(UNSUPPORTED, f"unknown volume encryption secret type {kind}")
    if fmt != "luks":
        return
    cipher = e.find("cipher")
    if cipher is not None:
        if cipher.get("name") is None:
            refuse(XML, "cipher info missing 'name' attribute")
        prop_uint(cipher, "size", required_=True)
    ivgen = e.find("ivgen")
    if ivgen is not None:
        if cipher is None or cipher.get("name") is None:
            refuse(XML, "ivgen element found, but cipher is missing")
        if ivgen.get("name") is None:
            refuse(XML, "missing ivgen info name string")


STORAGE_DEVICE_RULES = {
    ("disk", "encryption"): (encryption,),
    ("source", "encryption"): (encryption,),
    ("backingStore",): (backing_store,),
    ("devices", "disk", "source", "dataStore"): (data_store,),
    ("devices", "disk[volume]", "source"): (pool_source,),
    ("devices", "disk", "source", "slices", "slice"): (storage_slice,),
    ("devices", "disk", "driver"): (disk_driver,),
    ("devices", "filesystem"): (filesystem,),
    ("devices", "filesystem", "driver"): (filesystem_driver,),
}
