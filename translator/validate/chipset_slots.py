"""The chipset functions whose PCI address is fixed (qemuDomainValidateDevicePCISlotsPIIX3
and qemuDomainValidateDevicePCISlotsQ35): a user address elsewhere is refused while the
addresses are assigned, after the given addresses were reserved."""

from __future__ import annotations

from ..errors import ErrorCode, refuse
from ..model import Controller, PciAddress

# where the chipset has its own controllers
PIIX3_IDE = PciAddress(slot=1, function=1)
PIIX3_USB = PciAddress(slot=1, function=2)
ICH9_SATA = PciAddress(slot=0x1F, function=2)

_MESSAGES = {
    PIIX3_IDE.key(): "Primary IDE controller must have PCI address 0:0:1.1",
    PIIX3_USB.key(): "PIIX3 USB controller at index 0 must have PCI address 0:0:1.2",
    ICH9_SATA.key(): "Primary SATA controller must have PCI address 0:0:1f.2",
}


def check_fixed_function(controller: Controller, home: PciAddress) -> None:
    """A chipset controller given a PCI address must be given its chipset's one; an
    address of 0000:00:00 counts as none (virDeviceInfoPCIAddressIsPresent)."""
    given = controller.info.address
    if not isinstance(given, PciAddress) or given.unset:
        return
    if given.key() != home.key():
        refuse(ErrorCode.INTERNAL_ERROR, _MESSAGES[home.key()])
