"""Parse-time refusals of validate/conf (net_route.py, ...): each with libvirt's message,
next to the accepted neighbour."""

from __future__ import annotations

from tests.test_validate import _refusal, _translate, _xml

NIC = "<interface type='ethernet'><model type='virtio'/>{}</interface>"


def test_route_must_name_a_network() -> None:
    host_route = "<route family='ipv4' address='192.168.122.8' gateway='192.168.122.1'/>"
    assert _refusal(_xml(NIC.format(host_route))) == (
        "XML error: guest interface: Address '192.168.122.8' in route definition is not a "
        "network address")
    net = "<route family='ipv4' address='192.168.122.0' prefix='24' gateway='192.168.122.1'/>"
    assert _refusal(_xml(NIC.format(net))) == (  # parsed; QEMU has no guest-side routes
        "unsupported configuration: Invalid attempt to set network interface guest-side IP "
        "route, not supported by QEMU")
    _translate(_xml(NIC.format(f"<source>{net}</source>")))
    assert _refusal(_xml(NIC.format("<source><route address='10.0.0.0' prefix='8' "
                                    "gateway='fe80::1'/></source>"))) == (
        "XML error: interface host IP: No family specified for non-IPv4 gateway '10.0.0.0' "
        "in route definition")


def test_route_family_and_prefix() -> None:
    bad_prefix = "<route family='ipv6' address='2001:db8::' prefix='129' gateway='2001:db8::1'/>"
    assert _refusal(_xml(NIC.format(bad_prefix))) == (
        "XML error: guest interface: Invalid prefix 129 specified in route definition, must "
        "be 0 - 128")
    both = ("<route address='10.0.0.0' prefix='8' netmask='255.0.0.0' gateway='10.0.0.1'/>")
    assert _refusal(_xml(NIC.format(both))) == (
        "XML error: guest interface: Route definition cannot have both a prefix and a netmask")
    odd = "<route family='ipx' address='10.0.0.0' gateway='10.0.0.1'/>"
    assert _refusal(_xml(NIC.format(odd))) == (
        "XML error: guest interface: Unrecognized family 'ipx' in route definition")
    _translate(_xml(NIC.format("")))
