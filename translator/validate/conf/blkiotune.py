"""<blkiotune><device> entries (virDomainBlkioDeviceParseXML in domain_conf.c): each names
its block device, and its limits are numbers."""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .numbers import number

# the per-device limits in libvirt's order: element, number kind, message
_LIMITS = (("weight", "ui", "could not parse weight {}"),
           ("read_bytes_sec", "ull", "could not parse read bytes sec {}"),
           ("write_bytes_sec", "ull", "could not parse write bytes sec {}"),
           ("read_iops_sec", "ui", "could not parse read iops sec {}"),
           ("write_iops_sec", "ui", "could not parse write iops sec {}"))


def _text(e: Elem, tag: str) -> str:
    """virXPathString of string(./tag)."""
    child = e.find(tag)
    return (child.text or "") if child is not None else ""


def blkio_device(e: Elem, chain: list[Elem]) -> None:
    if not _text(e, "path"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "missing per-device path")
    for tag, kind, message in _LIMITS:
        text = _text(e, tag)
        if text and number(text, kind) is None:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, message.format(text))


BLKIOTUNE_RULES = {("domain", "blkiotune", "device"): (blkio_device,)}
