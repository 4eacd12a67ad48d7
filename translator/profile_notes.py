"""What the host profile changed in a translation, in words (for --explain and the page).

The profile's summary says which environment produced the line; for libvirt's pretend
mode (`native`) each change it made to this particular domain is listed too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

    from .invocation import Invocation
    from .profiles import HostProfile


def profile_notes(inv: "Invocation") -> list[str]:
    """One line naming the profile, then what its pretend mode changed in this domain."""
    host = inv.host
    if host is None:
        return [f"profile {inv.profile}"]
    lines = [f"profile {host.name}: {host.summary}" if host.summary else f"profile {host.name}"]
    lines.extend(_firmware_choice(inv, host))
    root = _source_root(inv)
    if root is not None and host.pretend_mode:
        lines.extend(_pretend_changes(host, root))
    return lines


def _firmware_choice(inv: "Invocation", host: "HostProfile") -> list[str]:
    """Where an autoselected firmware came from: a profile names its host's descriptors
    rather than reading the machine xml2argv runs on."""
    os_ = inv.domain.os if inv.domain is not None else None
    fw = os_.resolved_fw if os_ is not None and os_.firmware in ("efi", "bios") else None
    if fw is None or host.named_firmware() is None:
        return []
    where = f" ({host.firmware_root_env}=/ reads this machine's)" if host.firmware_root_env \
        else ""
    return [f"firmware {fw.loader_path}: chosen from the descriptors the profile's host has "
            f"installed{where}"]


def _source_root(inv: "Invocation") -> "etree._Element | None":
    if not inv.source_xml:
        return None
    from .xmlsafe import parse_document

    try:
        return parse_document(inv.source_xml)
    except Exception:  # noqa: BLE001 - a document that translated parses; be lenient
        return None


def _pretend_changes(host: "HostProfile", root: "etree._Element") -> list[str]:
    out: list[str] = []
    if host.parses_as_new_definition:
        out.append("pretend mode: the XML is parsed as a new definition, so libvirt's "
                   "ABI-update defaults apply")
    if host.nets_as_ethernet:
        for i, net in enumerate(root.findall("devices/interface")):
            kind = net.get("type") or "?"
            if kind == "hostdev":
                continue
            mac = net.find("mac")
            who = mac.get("address") if mac is not None else None
            out.append(f"pretend mode: interface {who or i} (type '{kind}') is rewritten as a "
                       "plain ethernet tap; only its MAC, model and script are kept")
    if host.chardev_socket_fd is None and root.find("devices/*/source[@mode='bind']") is not None:
        out.append("pretend mode: listening UNIX sockets are given to QEMU as paths, not "
                   "as descriptors libvirt bound")
    if not host.starts_swtpm and root.find("devices/tpm/backend[@type='emulator']") is not None:
        out.append("pretend mode: swtpm is not started, so the TPM emulator's chardev is null")
    if host.vsock_fd < 0 and root.find("devices/vsock") is not None:
        out.append("pretend mode: /dev/vhost-vsock is not opened (vhostfd -1) and no CID "
                   "is acquired")
    if not host.allocates_display_ports and root.find("devices/graphics[@autoport='yes']") \
            is not None:
        out.append("pretend mode: display ports are not allocated (VNC 5900, SPICE 5901 and "
                   "5902 stand in)")
    if root.find("devices/disk/source") is not None:
        out.append("pretend mode: disk images are not probed, so no format node ends its "
                   "backing chain with \"backing\":null")
    return out
