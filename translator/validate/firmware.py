"""The firmware refusal of qemuFirmwareFillDomain: `<os firmware='efi'|'bios'>` with no
descriptor that fits the domain.

The loader/NVRAM combinations libvirt refuses are virDomainDefOSValidate's
(domain_validate.py: `_validate_os`); the search itself is `prepare/firmware.py`, which
leaves `resolved_fw` empty when nothing fits so that this rule refuses at the moment libvirt
does (while preparing to start, after validation).
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse


def check_firmware_found(ctx: BuildContext) -> None:
    os_ = ctx.domain.os
    if os_.firmware in ("efi", "bios") and os_.resolved_fw is None:
        refuse(ErrorCode.OPERATION_FAILED, f"Unable to find '{os_.firmware}' firmware that is "
               "compatible with the current configuration")
