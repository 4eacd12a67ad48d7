"""The network-device settings of an interface, as its parser reads them: the first
<bandwidth> (netdev_bandwidth_conf.c virNetDevBandwidthParse), the first <vlan>
(netdev_vlan_conf.c virNetDevVlanParse), the first <virtualport>
(netdev_vport_profile_conf.c virNetDevVPortProfileParse) and the first <port>
(network_conf.c virNetworkPortOptionsParseXML), all called by virDomainNetDefParseXML.

The virtual port's completeness checks (which parameters each port type needs or forbids) are
made by util/virnetdevvportprofile.c, which is not part of the reference: they are not here.
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from ...strtol import scan
from .xmlprop import ULLONG_MAX, UINT_MAX, is_uuid, prop_enum, prop_uint, prop_yes_no

XML, UNSUPPORTED = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED

VLAN_TAG_MAX = 4095
NATIVE_VLAN_MODES = ("default", "tagged", "untagged")
# the virtual port types (the schema's names; 'none', libvirt's value 0, is refused)
VPORT_TYPES = ("802.1Qbg", "802.1Qbh", "openvswitch", "midonet")
# the interface types that read a <virtualport>, and those whose port must name its type
_VPORT_INTERFACES = ("network", "bridge", "direct", "hostdev")
_VPORT_TYPE_REQUIRED = ("bridge", "direct", "hostdev")
# <parameters> numbers: attribute, largest value
_VPORT_NUMBERS = (("managerid", 0xFF, "value of managerid out of range"),
                  ("typeid", 0xFFFFFF, "value for typeid out of range"),
                  ("typeidversion", 0xFF, "value of typeidversion out of range"))


def _first(e: Elem, chain: list[Elem]) -> bool:
    """Whether `e` is the first child of its tag (libvirt reads only that one)."""
    return chain[-1].find(e.tag) is e


def _rate(e: Elem, allow_floor: bool) -> None:
    """virNetDevBandwidthParseRate: an average or a floor; peak and burst shape an average."""
    given = {a: prop_uint(e, a, maximum=ULLONG_MAX) is not None
             for a in ("average", "peak", "burst", "floor")}
    if not given["average"] and not given["floor"]:
        refuse(ErrorCode.XML_DETAIL, "Missing mandatory average or floor attributes")
    if (given["peak"] or given["burst"]) and not given["average"]:
        refuse(UNSUPPORTED, "'peak' and 'burst' require 'average' attribute")
    if given["floor"] and not allow_floor:
        refuse(UNSUPPORTED, "floor attribute is not supported for this config")


def bandwidth(e: Elem, chain: list[Elem]) -> None:
    """An interface's rates: no class id; a floor only inbound on a virtual network."""
    if not _first(e, chain):
        return
    if prop_uint(e, "classID") is not None:
        refuse(ErrorCode.XML_DETAIL,
               "classID attribute not supported on <bandwidth> in this usage context")
    on_network = chain[-1].get("type") == "network"
    for direction in ("inbound", "outbound"):
        rate = e.find(direction)
        if rate is not None:
            _rate(rate, on_network and direction == "inbound")


def vlan(e: Elem, chain: list[Elem]) -> None:
    """Tags within 4095, at most one native; 'trunk' must be yes with several tags."""
    if not _first(e, chain):
        return
    tags = e.findall("tag")
    if not tags:
        refuse(XML, "missing tag id - each <vlan> must have at least one <tag id='n'/> "
               "subelement")
    native = False
    for tag in tags:
        tag_id = prop_uint(tag, "id", required_=True) or 0
        if tag_id > VLAN_TAG_MAX:
            refuse(XML, f"vlan tag id {tag_id} too large (maximum {VLAN_TAG_MAX})")
        if prop_enum(tag, "nativeMode", NATIVE_VLAN_MODES, nonzero=True) is not None:
            if native:
                refuse(XML, "duplicate native vlan setting")
            native = True
    trunk = e.get("trunk")
    if trunk and trunk.lower() != "yes":
        if len(tags) > 1:
            refuse(XML, f"invalid \"trunk='{trunk}'\" in <vlan> - trunk='yes' is required for "
                   "more than one vlan tag")
        if native:
            refuse(XML, "invalid configuration in <vlan> - \"trunk='no'\" is not allowed with "
                   "a native vlan id")
        if trunk.lower() != "no":
            refuse(XML, f"invalid \"trunk='{trunk}'\" in <vlan> - must be yes or no")


def _vport_number(text: str) -> int | None:
    """virStrToLong_ui with base 0: C prefixes, '-N' wraps, nothing after the digits."""
    n = scan(text, 0)
    if not n.converted or n.rest or n.overflow or n.value > UINT_MAX:
        return None
    return (-n.value) & UINT_MAX if n.negative else n.value


def virtualport(e: Elem, chain: list[Elem]) -> None:
    """The port's type (required for bridges, direct and host devices), then its
    parameters: numbers within their width, instance and interface ids as UUIDs."""
    kind = chain[-1].get("type") or "user"
    if not _first(e, chain) or kind not in _VPORT_INTERFACES:
        return  # the other interface types refuse a <virtualport> (nic_tpm_parse)
    vtype = e.get("type")
    if vtype is not None and vtype not in VPORT_TYPES:
        refuse(UNSUPPORTED, f"unknown virtualport type {vtype}")
    if vtype is None and kind in _VPORT_TYPE_REQUIRED:
        refuse(XML, "missing required virtualport type")
    params = e.find("parameters")
    if params is None:
        return
    for attr, limit, too_big in _VPORT_NUMBERS:
        text = params.get(attr)
        if text is None:
            continue
        value = _vport_number(text)
        if value is None:
            refuse(XML, f"cannot parse value of {attr} parameter")
        elif value > limit:
            refuse(XML, too_big)
    for attr in ("instanceid", "interfaceid"):
        text = params.get(attr)
        if text is not None and not is_uuid(text):
            refuse(XML, f"cannot parse {attr} parameter as a uuid")


def port_options(e: Elem, chain: list[Elem]) -> None:
    """Whether the port is isolated: yes or no."""
    if _first(e, chain):
        prop_yes_no(e, "isolated")


NETDEV_RULES = {
    ("devices", "interface", "port"): (port_options,),
    ("devices", "interface", "bandwidth"): (bandwidth,),
    ("devices", "interface", "vlan"): (vlan,),
    ("devices", "interface", "virtualport"): (virtualport,),
}
