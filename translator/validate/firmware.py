"""The firmware refusals of starting: `<os firmware='efi'|'bios'>` with no descriptor that
fits the domain (qemuFirmwareFillDomain), and an NVRAM store no format was given to.

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


def check_nvram_format(ctx: BuildContext) -> None:
    """qemuFirmwareEnsureNVRAM gives the NVRAM the loader's format only for a read-only
    loader: next to a read-write one, an `<nvram>` written without a format has none, and
    building its pflash unit fails (qemuBlockStorageSourceGetBlockdevFormatProps)."""
    os_ = ctx.domain.os
    loader, nvram = os_.loader, os_.nvram
    if os_.firmware is not None or loader is None or nvram is None:
        return
    if loader.get("type") == "pflash" and loader.get("readonly") == "no" \
            and loader.get("stateless") != "yes" and not nvram.get("format"):
        refuse(ErrorCode.INTERNAL_ERROR, "mishandled storage format 'none'")
