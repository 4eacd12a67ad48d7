"""libvirt's generic validation of a network interface (domain_validate.c:
`virDomainNetDefValidate`, with `virNetDevBandwidthValidate` of netdev_bandwidth_conf.c)."""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model.elem import Elem
from .domain_validate_disk import check_virtio_options_absent
from .values import number

_VIRTIO_MODELS = ("virtio", "virtio-transitional", "virtio-non-transitional")
_PASST_TYPES = ("user", "vhostuser")
# limits of tc, which libvirt applies to <bandwidth> rates (KiB/s) and bursts (KiB)
_SPEED_LIMIT = 1 << 54
_SIZE_LIMIT = 0xFFFFFFFF >> 10


def validate_net(ctx: BuildContext, e: Elem, mac: str | None) -> None:
    """virDomainNetDefValidate for one <interface> (`mac` as libvirt formats it)."""
    ntype = e.get("type") or "user"
    mac = mac or (e.attr_at("address", "mac") or "").lower()
    src = e.find("source")
    if src is not None and ntype != "ethernet" and \
            (src.find("ip") is not None or src.find("route") is not None):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "Invalid attempt to set network interface host-side "
               "IP route and/or address info on interface of type "
               f"'{ntype}'. This is only supported on interfaces of type 'ethernet'")
    if e.attr_at("managed", "target") == "no" and ntype != "ethernet":
        refuse(ErrorCode.CONFIG_UNSUPPORTED,
               f"unmanaged target dev is not supported on interfaces of type '{ntype}'")
    teaming = e.find("teaming")
    if teaming is not None and teaming.get("type"):
        if teaming.get("type") == "transient":
            if not teaming.get("persistent"):
                refuse(ErrorCode.CONFIG_UNSUPPORTED, "teaming persistent attribute must be set "
                       "if teaming type is 'transient'")
        elif teaming.get("persistent"):
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "teaming persistent attribute not allowed if "
                   f"teaming type is '{teaming.get('type')}'")
    validate_port_options(mac, ntype, e.find("virtualport"), e.attr_at("isolated", "port"))
    model = e.attr_at("type", "model")
    if model not in _VIRTIO_MODELS:
        check_virtio_options_absent(e.find("driver"))
    passt = e.attr_at("type", "backend") == "passt"
    if ntype not in _PASST_TYPES and passt:
        refuse(ErrorCode.CONFIG_UNSUPPORTED, "The 'passt' backend can only be used with "
               "interface type='user' or type='vhostuser'")
    forwards = e.findall("portForward")
    if forwards:
        if ntype not in _PASST_TYPES or not passt:
            refuse(ErrorCode.CONFIG_UNSUPPORTED, "The <portForward> element can only be used "
                   "with the 'passt' backend of interface type='user' or type='vhostuser'")
        for fwd in forwards:
            for rng in fwd.findall("range"):
                if not number(rng.get("start")) and (
                        number(rng.get("end")) or number(rng.get("to"))
                        or rng.get("exclude") is not None):
                    refuse(ErrorCode.CONFIG_UNSUPPORTED, "The 'range' of a 'portForward' "
                           "requires 'start' attribute if 'end', 'to', or 'exclude' is "
                           "specified")
    validate_bandwidth(e.find("bandwidth"))


def validate_port_options(mac: str, ntype: str, vport: Elem | None, isolated: str | None) -> None:
    """virDomainNetDefValidatePortOptions: port isolation needs a plain Linux bridge."""
    if isolated != "yes":
        return
    if ntype not in ("network", "bridge"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"interface {mac} - <port isolated='yes'/> is not "
               f"supported for network interfaces with type='{ntype}'")
    if vport is not None and vport.get("type") not in (None, "none"):
        refuse(ErrorCode.CONFIG_UNSUPPORTED, f"interface {mac} - <port isolated='yes'/> is not "
               "supported for network interfaces with virtualport type="
               f"'{vport.get('type')}'")


def validate_bandwidth(bandwidth: Elem | None) -> None:
    """virNetDevBandwidthValidate: rates within tc's limits."""
    if bandwidth is None:
        return
    for direction in ("inbound", "outbound"):
        rate = bandwidth.find(direction)
        if rate is None:
            continue
        for attr, limit in (("average", _SPEED_LIMIT), ("peak", _SPEED_LIMIT),
                            ("burst", _SIZE_LIMIT), ("floor", _SPEED_LIMIT)):
            value = number(rate.get(attr))
            if value is not None and value > limit:
                refuse(ErrorCode.OVERFLOW, f"value '{value}' is too big for '{attr}' parameter, "
                       f"maximum is '{limit}'")
