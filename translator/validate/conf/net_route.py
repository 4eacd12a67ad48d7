"""The <route> elements of interfaces and network host devices (virNetDevIPRouteParseXML and
virNetDevIPRouteCreate in networkcommon_conf.c, called by virDomainNetIPInfoParseXML).

A route names a network address, a gateway of the same family, and a prefix or an IPv4
netmask that leaves no host bits in the address; each message starts with the place
libvirt names (the guest side of an interface, its host side, or a host device).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .xmlprop import prop_uint

if TYPE_CHECKING:
    import ipaddress

XML = ErrorCode.XML_ERROR


def _place(chain: list[Elem]) -> str:
    """The errorDetail virDomainNetIPInfoParseXML's caller passes."""
    if chain and chain[-1].tag == "source":
        return "interface host IP"
    if chain and chain[-1].tag == "hostdev":
        return "Domain hostdev device"
    return "guest interface"


def _parse(text: str) -> "ipaddress.IPv4Address | ipaddress.IPv6Address | None":
    import ipaddress  # only for domains with routes: its import costs every call

    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def route(e: Elem, chain: list[Elem]) -> None:
    """virNetDevIPRouteParseXML: the typed prefix and metric, then the route itself."""
    prefix = prop_uint(e, "prefix")
    prop_uint(e, "metric", nonzero=True)
    where = _place(chain)
    family, address, netmask, gateway = (e.get("family"), e.get("address"), e.get("netmask"),
                                         e.get("gateway"))
    if not address:
        refuse(XML, f"{where}: Missing required address attribute in route definition")
    if not gateway:
        refuse(XML, f"{where}: Missing required gateway attribute in route definition")
    addr = _parse(address)
    if addr is None:
        refuse(XML, f"{where}: Bad network address '{address}' in route definition")
    gw = _parse(gateway)
    if gw is None:
        refuse(XML, f"{where}: Bad gateway address '{gateway}' in route definition")
    assert addr is not None and gw is not None
    mask = _check_family(where, family, (address, netmask, gateway), addr.version, gw.version,
                         prefix)
    if mask is None:
        bits = prefix or 0
        width = addr.max_prefixlen
        mask = ((1 << width) - 1) ^ ((1 << (width - bits)) - 1) if bits else 0
    if int(addr) & mask != int(addr):
        refuse(XML, f"{where}: Address '{address}' in route definition is not a network "
                    "address")


def _check_family(where: str, family: str | None, texts: tuple[str, str | None, str],
                  addr_version: int, gw_version: int, prefix: int | None) -> int | None:
    """virNetDevIPRouteCreate's per-family checks; the netmask as a number, if given."""
    address, netmask, gateway = texts
    if family in (None, "ipv4"):
        what = "No family specified" if family is None else "IPv4 family specified"
        if addr_version != 4:
            refuse(XML, f"{where}: {what} for non-IPv4 address '{address}' in route definition")
        if gw_version != 4:
            # libvirt names the address here, not the gateway
            refuse(XML, f"{where}: {what} for non-IPv4 gateway '{address}' in route definition")
        mask = None
        if netmask is not None:
            parsed = _parse(netmask)
            if parsed is None:
                refuse(XML, f"{where}: Bad netmask address '{netmask}' in route definition")
            assert parsed is not None
            if parsed.version != 4:
                refuse(XML, f"{where}: Invalid netmask '{netmask}' for address '{address}' "
                            "(both must be IPv4)")
            if prefix is not None:
                refuse(XML, f"{where}: Route definition cannot have both a prefix and a "
                            "netmask")
            mask = int(parsed)
        if (prefix or 0) > 32:
            refuse(XML, f"{where}: Invalid prefix {prefix} specified in route definition, "
                        "must be 0 - 32")
        return mask
    if family == "ipv6":
        if addr_version != 6:
            refuse(XML, f"{where}: ipv6 family specified for non-IPv6 address '{address}' in "
                        "route definition")
        if netmask is not None:
            refuse(XML, f"{where}: Specifying netmask invalid for IPv6 address '{address}' in "
                        "route definition")
        if gw_version != 6:
            refuse(XML, f"{where}: ipv6 specified for non-IPv6 gateway address '{gateway}' in "
                        "route definition")
        if (prefix or 0) > 128:
            refuse(XML, f"{where}: Invalid prefix {prefix} specified in route definition, "
                        "must be 0 - 128")
        return None
    refuse(XML, f"{where}: Unrecognized family '{family}' in route definition")
    return None


ROUTE_RULES = {
    ("devices", "interface", "route"): (route,),
    ("devices", "interface", "source", "route"): (route,),
    ("devices", "hostdev", "route"): (route,),
}
