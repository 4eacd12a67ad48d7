"""Bounds on counts in the input that multiply the work or the output.

libvirt itself bounds most numbers while parsing (bitmaps by VIR_DOMAIN_CPUMASK_LEN, see
`translator.bitmap.parse_bitmap`; unsigned attributes by their C type). A few counts are only bounded by
what happens when they are used, and xml2argv refuses those before doing any work
proportional to them:

* `<iothreads>`: virDomainIOThreadIDDefArrayInit sizes its id bitmap as count + 1 in an
  unsigned int, which wraps to an empty bitmap for UINT_MAX, so no id can be handed out;
* the SCSI controllers libvirt adds up to the highest index a SCSI hostdev names;
* anything that makes QEMU's argument list longer than the kernel lets execve() take
  (one argument over MAX_ARG_STRLEN, or all of them over ARG_MAX): virCommand's exec of
  the emulator fails with E2BIG, so libvirt cannot start such a domain.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model import DriveAddress, Interface
from ..model.devices import Disk, Hostdev

UINT_MAX = (1 << 32) - 1
INT_LIMIT = 1 << 31
MAX_ARG_STRLEN = 32 * 4096  # the kernel's limit on one execve() argument
ARG_MAX = 2 * 1024 * 1024  # a quarter of the default 8 MiB stack: argv and environment

# the fewest bytes each unit of a count adds to QEMU's argument list
_IOTHREAD_BYTES = len('-object{"qom-type":"iothread","id":"iothread1"}') + 2
_DEVICE_BYTES = len('-device{"driver":"lsi","id":"scsi1"}') + 2
_TAP_FD_BYTES = 2  # one more descriptor number and its ':' in fds=... (and vhostfds=...)
_NET_TAP_TYPES = ("network", "bridge", "ethernet", "direct")


def check_counts(ctx: BuildContext) -> None:
    """Counts read at parse time, before libvirt fills anything in from them."""
    d = ctx.domain
    listed = len(d.iothreadids.findall("iothread")) if d.iothreadids is not None else 0
    if d.iothreads == UINT_MAX and listed < d.iothreads:
        # virDomainIOThreadIDDefArrayInit: an id bitmap of count + 1 bits (an unsigned int)
        refuse(ErrorCode.INTERNAL_ERROR, "failed to populate iothreadids")
    if d.iothreads * _IOTHREAD_BYTES > ARG_MAX:
        _too_long(ctx)
    # virDomainDefMaybeAddHostdevSCSIcontroller and virDomainDefAddDiskControllersForType
    # add every controller up to the highest index a SCSI hostdev or a disk names (compared
    # as a C int), each a -device of its own
    top = max((dev.info.address.controller for dev in d.devices.items
               if (isinstance(dev, Hostdev) and dev.type == "scsi"
                   or isinstance(dev, Disk) and dev.bus in ("scsi", "ide", "sata"))
               and isinstance(dev.info.address, DriveAddress)
               and dev.info.address.controller < INT_LIMIT), default=-1)
    if (top + 1) * _DEVICE_BYTES > ARG_MAX:
        _too_long(ctx)


def check_argument_list(ctx: BuildContext) -> None:
    """The exec of the emulator fails with E2BIG (virCommandRun's child) when a count
    alone makes one argument longer than the kernel accepts."""
    for net in ctx.domain.devices.interfaces:
        tap = net.type in _NET_TAP_TYPES or ctx.host.nets_as_ethernet
        if tap and _queues(net) * _TAP_FD_BYTES > MAX_ARG_STRLEN:
            _too_long(ctx)


def _queues(net: Interface) -> int:
    q = net.driver.get("queues") if net.driver is not None else None
    return int(q) if q and q.strip().isdigit() else 0


def _too_long(ctx: BuildContext) -> None:
    binary = ctx.domain.devices.emulator or ctx.caps.emulator \
        or f"/usr/bin/qemu-system-{ctx.arch}"
    refuse(ErrorCode.SYSTEM_ERROR, f"cannot execute binary {binary}: Argument list too long")


__all__ = ["check_counts", "check_argument_list", "ARG_MAX", "INT_LIMIT", "MAX_ARG_STRLEN"]
