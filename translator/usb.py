"""libvirt's USB bus facts: how many ports each controller model and each hub has.

One table (virDomainUSBAddressControllerModelToPorts) for the validators that check a
user's USB address and for the port assignment that picks the free ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Controller

# root hub ports of each USB controller model; ICH9 UHCI companions add none (they
# share the ports of the EHCI master they follow)
CONTROLLER_PORTS = {"piix3-uhci": 2, "piix4-uhci": 2, "vt82c686b-uhci": 2, "ehci": 6,
                    "ich9-ehci1": 6, "ich9-uhci1": 0, "ich9-uhci2": 0, "ich9-uhci3": 0,
                    "pci-ohci": 3, "nec-xhci": 4, "qemu-xhci": 4, "qusb1": 8, "qusb2": 8}
# models whose port count the XML may set (<controller ports=...>)
SIZABLE_MODELS = frozenset({"nec-xhci", "qemu-xhci", "qusb1", "qusb2"})
XHCI_MAX_PORTS = 15  # QEMU's limit for an XHCI controller's ports=
HUB_PORTS = 8
MAX_PORT_DEPTH = 4  # a port path like 1.2.3.4: the root hub and three levels of hubs


def controller_ports(c: Controller) -> int | None:
    """The ports of a USB controller's root hub; None when libvirt knows no such model."""
    if c.model is None or c.model not in CONTROLLER_PORTS:
        return None
    if c.model in SIZABLE_MODELS and c.ports:
        return c.ports
    return CONTROLLER_PORTS[c.model]
