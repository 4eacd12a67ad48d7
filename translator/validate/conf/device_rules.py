"""More of libvirt's device parse refusals (domain_conf.c): inputs, hubs, redirection,
panic, NICs' MAC and link, character devices, TPM, shared memory, leases, virtio-s390
addresses.

Hooks like those of `rules.py`: each runs when the walker reaches its element, after the
element's typed reads; docstrings name the libvirt function.
"""

from __future__ import annotations

import re
from typing import Callable

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .enums import ADDRESS_TYPE

XML, UNSUPPORTED, INTERNAL = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED, \
    ErrorCode.INTERNAL_ERROR
Hook = Callable[[Elem, list[Elem]], "dict[str, str] | None"]

INPUT_TYPES = ("mouse", "tablet", "keyboard", "passthrough", "evdev")
INPUT_MODELS = ("default", "virtio", "virtio-transitional", "virtio-non-transitional")
INPUT_BUSES = ("default", "ps2", "usb", "xen", "parallels", "virtio", "none")
PANIC_MODELS = ("default", "isa", "pseries", "hyperv", "s390", "pvpanic")
CHR_TYPES = ("null", "vc", "pty", "dev", "file", "pipe", "stdio", "udp", "tcp", "unix",
             "spicevmc", "spiceport", "nmdm", "qemu-vdagent", "dbus")
CHR_TARGETS = {
    "serial": ("none", "isa-serial", "usb-serial", "pci-serial", "spapr-vio-serial",
               "system-serial", "sclp-serial", "isa-debug"),
    "channel": ("none", "guestfwd", "virtio", "xen"),
    "console": ("none", "serial", "xen", "uml", "virtio", "lxc", "openvz", "sclp", "sclplm"),
    "parallel": ("none",),
}
SERIAL_TARGET_MODELS = ("none", "isa-serial", "usb-serial", "pci-serial", "spapr-vty", "pl011",
                        "sclpconsole", "sclplmconsole", "16550a", "isa-debugcon")
TEAMING_TYPES = ("none", "persistent", "transient")
LINK_STATES = ("up", "down")
TPM_PCR_BANKS = ("sha1", "sha256", "sha384", "sha512")


def _address_type(e: Elem) -> str | None:
    """The device's address type once libvirt has read it (None: none, or one the address
    reads will refuse first)."""
    address = e.find("address")
    kind = address.get("type") if address is not None else None
    return kind if kind in ADDRESS_TYPE[1:] else None


def input_device(e: Elem, chain: list[Elem]) -> None:
    """virDomainInputDefParseXML: type, model and bus names; USB inputs on USB addresses;
    passthrough/evdev inputs name their device."""
    kind, model, bus = e.get("type"), e.get("model"), e.get("bus")
    if kind is None:
        refuse(INTERNAL, "missing input device type")
    if kind not in INPUT_TYPES:
        refuse(UNSUPPORTED, f"unknown input device type '{kind}'")
    if model is not None and model not in INPUT_MODELS[1:]:
        refuse(UNSUPPORTED, f"unknown input model '{model}'")
    if bus is not None and bus not in INPUT_BUSES[1:]:
        refuse(UNSUPPORTED, f"unknown input bus type '{bus}'")
    if bus == "usb" and _address_type(e) not in (None, "usb"):
        refuse(XML, "Invalid address for a USB device")
    source = e.find("source")
    if source is not None and kind in ("passthrough", "evdev"):
        if not source.get("evdev" if kind == "passthrough" else "dev"):
            refuse(XML, "Missing evdev path for input device")


def hub(e: Elem, chain: list[Elem]) -> None:
    """virDomainHubDefParseXML: the only hub type is 'usb'."""
    kind = e.get("type")
    if kind is None:
        refuse(INTERNAL, "missing hub device type")
    if kind != "usb":
        refuse(UNSUPPORTED, f"unknown hub device type '{kind}'")


def redirdev(e: Elem, chain: list[Elem]) -> None:
    """virDomainRedirdevDefParseXML: a USB bus and a character device type."""
    bus = e.get("bus")
    if bus is not None and bus != "usb":
        refuse(UNSUPPORTED, f"unknown redirdev bus '{bus}'")
    kind = e.get("type")
    if kind is None:
        refuse(XML, "missing type in redirdev")
    if kind not in CHR_TYPES:
        refuse(UNSUPPORTED, f"unknown redirdev character device type '{kind}'")


def panic(e: Elem, chain: list[Elem]) -> None:
    """virDomainPanicDefParseXML: the panic models libvirt knows."""
    model = e.get("model")
    if model is not None and model not in PANIC_MODELS:
        refuse(UNSUPPORTED, f"unknown panic model '{model}'")


_MAC_BYTE = re.compile(r"[0-9a-fA-F]{1,2}")


def mac_or_none(text: str) -> bytes | None:
    """virMacAddrParse: six bytes of one or two hex digits, separated by colons."""
    parts = text.split(":")
    if len(parts) != 6 or not all(_MAC_BYTE.fullmatch(p) for p in parts):
        return None
    return bytes(int(p, 16) for p in parts)


def nic_mac(e: Elem, chain: list[Elem]) -> None:
    """virDomainNetDefParseXML: a MAC address libvirt can read, and a unicast one."""
    address = e.get("address")
    if address is None:
        return
    mac = mac_or_none(address)
    if mac is None:
        refuse(XML, f"unable to parse mac address '{address}'")
    if mac[0] & 1:
        refuse(XML, f"expected unicast mac address, found multicast '{address}'")


def nic_link(e: Elem, chain: list[Elem]) -> None:
    """virDomainNetDefParseXML: the link state (of the first <link>) is up or down."""
    state = e.get("state")
    if state and chain[-1].find("link") is e and state not in LINK_STATES:
        refuse(UNSUPPORTED, f"unknown interface link state '{state}'")


def nic_teaming(e: Elem, chain: list[Elem]) -> None:
    """virDomainNetTeamingInfoParseXML: the teaming types."""
    kind = e.get("type")
    if kind is not None and kind not in TEAMING_TYPES[1:]:
        refuse(XML, f"unknown teaming type '{kind}'")


def chardev(e: Elem, chain: list[Elem]) -> None:
    """virDomainChrDefParseXML: the source type, the target type the device kind knows,
    the number of <source>, <log> and <protocol> elements."""
    kind = e.get("type") or "pty"
    if kind not in CHR_TYPES:
        refuse(UNSUPPORTED, f"unknown type presented to host for character device: {kind}")
    target = e.find("target")
    if target is not None:
        ttype = target.get("type")
        if ttype is None and e.tag == "channel":
            refuse(XML, "target type must be specified for channel device")
        if ttype is not None and ttype not in CHR_TARGETS[e.tag]:
            refuse(UNSUPPORTED, f"unknown target type '{ttype}' specified for character "
                   "device")
        model = target.find("model")
        name = model.get("name") if model is not None else None
        if name is not None and e.tag == "serial" and name not in SERIAL_TARGET_MODELS:
            refuse(UNSUPPORTED, f"unknown target model '{name}' specified for character "
                   "device")
    sources = e.findall("source")
    if len(sources) > 1 and kind != "udp":
        refuse(XML, "only one source element is allowed for character device")
    if len(sources) > 2:
        refuse(XML, "only two source elements are allowed for character device")
    if len(e.findall("log")) > 1:
        refuse(XML, "only one log element is allowed for character device")
    if len(e.findall("protocol")) > 1:
        refuse(XML, "only one protocol element is allowed for character device")
    ttype = target.get("type") if target is not None else None
    if kind == "spicevmc" and ttype != "virtio":
        refuse(UNSUPPORTED, "spicevmc device type only supports virtio")
    if e.tag == "serial" and ttype == "usb-serial" and _address_type(e) not in (None, "usb"):
        refuse(UNSUPPORTED, "usb-serial requires address of usb type")


def tpm(e: Elem, chain: list[Elem]) -> None:
    """virDomainTPMDefParseXML: one backend; the PCR banks libvirt knows."""
    if len(e.findall("backend")) > 1:
        refuse(XML, "only one TPM backend is supported")
    backend = e.find("backend")
    banks = backend.find("active_pcr_banks") if backend is not None else None
    for bank in banks.children if banks is not None else ():
        if bank.tag not in TPM_PCR_BANKS:
            refuse(XML, f"Unsupported PCR banks '{bank.tag}'")
    state = backend.get("persistent_state") if backend is not None else None
    if state is not None and state not in ("yes", "no"):
        refuse(XML, "Invalid persistent_state value, either 'yes' or 'no'")


def shmem(e: Elem, chain: list[Elem]) -> None:
    """virDomainShmemDefParseXML: a shared memory region is named."""
    if e.get("name") is None:
        refuse(XML, "shmem element must contain 'name' attribute")


def lease(e: Elem, chain: list[Elem]) -> None:
    """virDomainLeaseDefParseXML: a key and a target with a path."""
    if not e.findtext("key"):
        refuse(XML, "Missing 'key' element for lease")
    target = e.find("target")
    if target is None:
        refuse(XML, "Missing 'target' element for lease")
    if target.get("path") is None:
        refuse(XML, "Missing 'path' attribute to 'target' element for lease")


def usb_source_ids(e: Elem, chain: list[Elem]) -> None:
    """virDomainHostdevSubsysUSBDefParseXML: vendor and product come together."""
    if chain[-1].get("type") != "usb":
        return
    if e.find("vendor") is not None and e.find("product") is None:
        refuse(INTERNAL, "missing product")
    if e.find("product") is not None and e.find("vendor") is None:
        refuse(INTERNAL, "missing vendor")


def rom(e: Elem, chain: list[Elem]) -> None:
    """virDomainDeviceInfoParseXML: no ROM tuning when the ROM is disabled."""
    if e.get("enabled") == "no" and (e.get("bar") is not None or e.get("file") is not None):
        refuse(UNSUPPORTED, "ROM tuning is not supported when ROM is disabled")


def perf_event(e: Elem, chain: list[Elem]) -> None:
    """virDomainPerfEventDefParseXML: each event once."""
    name = e.get("name")
    for earlier in chain[-1].children:
        if earlier is e:
            return
        if earlier.tag == "event" and earlier.get("name") == name:
            refuse(XML, f"perf event '{name}' was already specified")


def virtio_s390_address(e: Elem, chain: list[Elem]) -> None:
    """virDomainDeviceAddressParseXML: the old virtio-s390 bus has no addresses to give."""
    refuse(XML, "virtio-s390 bus doesn't have an address")


DEVICE_RULES: dict[tuple[str, ...], tuple[Hook, ...]] = {
    ("devices", "*", "address[virtio-s390]"): (virtio_s390_address,),
    ("devices", "input"): (input_device,),
    ("devices", "hub"): (hub,),
    ("devices", "redirdev"): (redirdev,),
    ("devices", "panic"): (panic,),
    ("devices", "interface", "mac"): (nic_mac,),
    ("devices", "interface", "link"): (nic_link,),
    ("devices", "interface", "teaming"): (nic_teaming,),
    **{("devices", c): (chardev,) for c in ("serial", "parallel", "console", "channel")},
    ("devices", "tpm"): (tpm,),
    ("devices", "shmem"): (shmem,),
    ("devices", "lease"): (lease,),
    ("devices", "hostdev", "source"): (usb_source_ids,),
    ("devices", "*", "rom"): (rom,),
    ("domain", "perf", "event"): (perf_event,),
}

__all__ = ["DEVICE_RULES", "mac_or_none"]
