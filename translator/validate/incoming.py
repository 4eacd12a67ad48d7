"""The refusals of an incoming migration or restore's URI (qemuMigrationDstCheckProtocol,
made when libvirt sets the incoming side up, before the start is validated)."""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse

# the URI schemes QEMU's -incoming takes besides rdma (libvirt's `stdio` arrives as fd:N)
_PROTOCOLS = ("tcp", "exec", "fd", "unix")


def check_incoming(ctx: BuildContext) -> None:
    """An RDMA migration needs QEMU's support for it; any other URI one of QEMU's schemes."""
    uri = ctx.incoming
    if uri is None:
        return
    if uri.startswith("rdma"):
        if not ctx.has("migrate-rdma"):
            refuse(ErrorCode.OPERATION_UNSUPPORTED,
                   "incoming RDMA migration is not supported with this QEMU binary")
    elif not uri.startswith(_PROTOCOLS):
        refuse(ErrorCode.OPERATION_UNSUPPORTED, "unknown migration protocol")
