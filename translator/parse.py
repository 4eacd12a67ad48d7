"""Parse step: domain XML text -> typed `Domain` model.

Only this module touches lxml. The qemu namespace is recognised by its URI, never by
its prefix, and only where libvirt looks for it: direct children of <domain>.
"""

from __future__ import annotations

import re

from lxml import etree

from .errors import TranslationError, XMLInputError
from .model import QEMU_NS, Domain, Elem, OSConfig, QemuNamespace, Vcpu
from .model.domain import NumaCell
from .model.devices import Devices, device_from
from .model.qemu_ns import NsArg, NsCapToggle, NsDeviceOverride, NsEnv, NsProperty
from .xmlsafe import parse_document

_SKIP_SUBTREES = {"metadata"}


def _to_elem(node: etree._Element, path: str) -> Elem:
    # lxml's tag is already the local name without a namespace and '{uri}local' with one,
    # which is the spelling the model uses
    children: list[Elem] = []
    counts: dict[str, int] = {}
    for child in node:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        n = counts[tag] = counts.get(tag, 0) + 1
        if tag[0] == "{":  # another namespace (qemu:, metadata): read from lxml where needed
            children.append(Elem(tag=tag, attrs=dict(child.attrib), line=child.sourceline,
                                 path=f"{path}/{tag}[{n}]"))
            continue
        children.append(_to_elem(child, f"{path}/{tag}[{n}]"))
    text = node.text if node.text and node.text.strip() else None  # libvirt keeps inner spaces
    return Elem(tag=node.tag, attrs=dict(node.attrib), children=tuple(children), text=text,
                line=node.sourceline, path=path)


def _int(value: str | None, what: str, default: int = 0) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        return int(value.strip(), 0) if not value.strip().isdigit() else int(value.strip())
    except ValueError:
        raise TranslationError(f"XML error: Invalid value '{value}' for {what}") from None


def _iothreads_count(e: Elem | None) -> int:
    if e is None or e.text is None:
        return 0
    if not _uint_ok(e.text, False, _UINT):
        raise TranslationError(f"XML error: invalid iothreads count '{e.text}'")
    return int(e.text.strip())


def _vcpu_count(value: str | None, which: str, default: int) -> int:
    """A vCPU count: libvirt reads an unsigned int and refuses anything else."""
    if value is None or value.strip() == "":
        return default
    if not _uint_ok(value, False, _UINT):
        raise TranslationError(f"XML error: {which} vcpus count must be an integer")
    return int(value.strip())


_UNIT_SCALE = {
    "b": 1, "bytes": 1,
    "k": 1024, "kib": 1024, "kb": 1000,
    "m": 1024**2, "mib": 1024**2, "mb": 1000**2,
    "g": 1024**3, "gib": 1024**3, "gb": 1000**3,
    "t": 1024**4, "tib": 1024**4, "tb": 1000**4,
    "p": 1024**5, "pib": 1024**5, "pb": 1000**5,
    "e": 1024**6, "eib": 1024**6, "eb": 1000**6,
}


def scaled_kib(e: Elem | None, default_unit: str = "kib") -> int | None:
    """libvirt's scaled integers (<memory unit='GiB'>) converted to KiB, rounded up."""
    if e is None or e.text is None:
        return None
    unit = (e.get("unit") or default_unit).lower()
    scale = _UNIT_SCALE.get(unit)
    if scale is None:
        raise TranslationError(f"unknown suffix '{e.get('unit')}'")
    value = _int(e.text, e.tag) * scale
    return (value + 1023) // 1024


# Attributes libvirt's parser reads as non-negative integers, by (parent, element): a bad
# value is refused there with its own message, so later steps may rely on int() working.
# Each entry: attribute names, whether hex ("0x..") is accepted (libvirt's base 0), maximum.
_UINT = (1 << 32) - 1
_ULLONG = (1 << 64) - 1
_INT_MAX = (1 << 31) - 1
_CHARDEVS = ("serial", "parallel", "channel", "console")
_NUMERIC_ATTRS: dict[tuple[str, str], tuple[tuple[str, ...], bool, int]] = {
    ("*", "address"): (("domain", "bus", "slot", "function", "controller", "target", "unit",
                        "cssid", "ssid", "devno", "iobase", "irq", "port", "device"), True,
                       _UINT),
    ("*", "zpci"): (("uid", "fid"), True, _UINT),
    ("devices", "controller"): (("ports", "vectors"), True, _UINT),
    ("controller", "master"): (("startport",), True, _UINT),
    ("controller", "target"): (("busNr", "chassisNr", "chassis", "port", "index"), True, _UINT),
    ("disk", "target"): (("rotation_rate",), True, _UINT),
    ("slices", "slice"): (("offset", "size"), False, _ULLONG),
    ("disk", "geometry"): (("cyls", "heads", "secs"), False, _UINT),
    ("source", "timeout"): (("seconds",), False, _ULLONG),
    ("iothread", "poll"): (("max", "grow", "shrink"), False, _ULLONG),
    ("iothread", "queue"): (("id",), False, _UINT),
    ("shmem", "msi"): (("vectors",), True, _UINT),
    ("domain", "clock"): (("start",), False, _ULLONG),
    ("video", "model"): (("vram", "ram", "vgamem", "vram64", "heads"), True, _UINT),
    ("*", "audio"): (("id",), False, _UINT),
    ("devices", "audio"): (("timerPeriod",), False, _UINT),
    ("devices", "sound"): (("streams",), False, _UINT),
    ("source", "reconnect"): (("timeout",), False, _UINT),
    ("audio", "input"): (("voices", "bufferLength", "latency", "bufferCount"), False, _UINT),
    ("audio", "output"): (("voices", "bufferLength", "latency", "bufferCount"), False, _UINT),
    ("input", "settings"): (("frequency", "channels"), False, _UINT),
    ("output", "settings"): (("frequency", "channels"), False, _UINT),
    ("*", "boot"): (("order",), False, _UINT),
    ("*", "acpi"): (("index",), False, _UINT),
    ("numa", "cell"): (("id",), False, _UINT),
    ("distances", "sibling"): (("id", "value"), False, _UINT),
    ("numatune", "memnode"): (("cellid",), False, _UINT),
    ("iothreadids", "iothread"): (("id",), False, _UINT),
    ("interface", "driver"): (("queues", "rx_queue_size", "tx_queue_size"), False, _UINT),
    ("interface", "mtu"): (("size",), False, _UINT),
    ("domain", "maxMemory"): (("slots",), False, _UINT),
    **{(c, "target"): (("port",), True, _UINT) for c in _CHARDEVS},
}
_HEX = re.compile(r"0[xX][0-9a-fA-F]+")
_DEC = re.compile(r"[0-9]+")
# signed ones (libvirt's "Expected integer value"); a clock's adjustment may also be 'reset'
_SIGNED_ATTRS: dict[tuple[str, str], tuple[tuple[str, ...], int]] = {
    ("devices", "graphics"): (("port", "websocket", "tlsPort"), (1 << 31) - 1),
    ("domain", "clock"): (("adjustment",), (1 << 63) - 1),
}
_SIGNED = re.compile(r"[-+]?[0-9]+")


def _uint_ok(value: str, hex_ok: bool, maximum: int) -> bool:
    """Whether libvirt's strtoul-based readers accept `value` (no sign, no junk, in range)."""
    v = value.strip()
    if hex_ok and _HEX.fullmatch(v):
        return int(v, 16) <= maximum
    return _DEC.fullmatch(v) is not None and int(v, 10) <= maximum


def _invalid_attr(attr: str, tag: str, value: str) -> TranslationError:
    return TranslationError(f"XML error: Invalid value for attribute '{attr}' in element "
                            f"'{tag}': '{value}'. Expected non-negative integer value")


def _check_numbers(e: Elem, parent: str = "") -> None:
    """Refuse non-numeric, negative or overflowing integer attributes, as libvirt's parser does."""
    specs = [_NUMERIC_ATTRS.get((parent, e.tag)), _NUMERIC_ATTRS.get(("*", e.tag))]
    if e.tag == "controller":
        specs.append((("index",), False, _INT_MAX))  # a signed int in libvirt
    elif e.tag == "address":
        specs.append((("base", "reg"), True, _ULLONG))  # 64-bit guest addresses
    for spec in specs:
        if spec is None:
            continue
        names, hex_ok, maximum = spec
        for attr in names:
            value = e.get(attr)
            if value is None or (attr == "port" and e.tag == "address" and e.get("type") == "usb"):
                continue
            if not _uint_ok(value, hex_ok, maximum):
                raise _invalid_attr(attr, e.tag, value)
    names, limit = _SIGNED_ATTRS.get((parent, e.tag), ((), 0))
    for attr in names:
        value = e.get(attr)
        if value is None or (attr == "adjustment" and value == "reset"):
            continue
        if not _SIGNED.fullmatch(value.strip()) or abs(int(value)) > limit:
            raise TranslationError(f"XML error: Invalid value for attribute '{attr}' in element "
                                   f"'{e.tag}': '{value}'. Expected integer value")
    for child in e.children:
        if child.tag not in _SKIP_SUBTREES and not child.tag.startswith("{"):
            _check_numbers(child, e.tag)


def _parse_qemu_ns(root: etree._Element) -> QemuNamespace:
    ns = {"q": QEMU_NS}
    args = tuple(NsArg(a.get("value", ""), a.sourceline)
                 for a in root.xpath("./q:commandline/q:arg", namespaces=ns))
    env: list[NsEnv] = []
    for e in root.xpath("./q:commandline/q:env", namespaces=ns):
        name = e.get("name")
        if name is None:
            raise TranslationError("No qemu environment name specified")
        if name == "":
            raise TranslationError("Empty qemu environment name specified")
        if not (name[0].isascii() and (name[0].isalpha() or name[0] == "_")):
            raise TranslationError(
                "Invalid environment name, it must begin with a letter or underscore")
        if not all(c.isascii() and (c.isalnum() or c == "_") for c in name):
            raise TranslationError(
                "Invalid environment name, it must contain only alphanumerics and underscore")
        env.append(NsEnv(name, e.get("value"), e.sourceline))
    adds = tuple(NsCapToggle(c.get("capability", ""), c.sourceline)
                 for c in root.xpath("./q:capabilities/q:add", namespaces=ns))
    dels = tuple(NsCapToggle(c.get("capability", ""), c.sourceline)
                 for c in root.xpath("./q:capabilities/q:del", namespaces=ns))
    overrides: list[NsDeviceOverride] = []
    for dev in root.xpath("./q:override/q:device", namespaces=ns):
        alias = dev.get("alias")
        if not alias:
            raise TranslationError("missing 'alias' attribute for qemu:device override")
        props: list[NsProperty] = []
        for p in dev.xpath("./q:frontend/q:property", namespaces=ns):
            pname = p.get("name")
            if not pname:
                raise TranslationError("missing 'name' attribute for qemu:property")
            ptype = p.get("type")
            if ptype not in ("string", "signed", "unsigned", "bool", "remove"):
                raise TranslationError(
                    f"invalid value '{ptype}' for attribute 'type' of element 'property'"
                    if ptype else "missing 'type' attribute for qemu:property")
            value = p.get("value")
            if ptype != "remove" and value is None:
                raise TranslationError(
                    f"missing 'value' attribute for 'qemu:property' of type '{ptype}'")
            props.append(NsProperty(pname, ptype, value, p.sourceline))
        overrides.append(NsDeviceOverride(alias, tuple(props), dev.sourceline))
    deprecation = None
    dep_line = None
    for d in root.xpath("./q:deprecation", namespaces=ns):
        behavior = d.get("behavior")
        if behavior not in ("none", "omit", "reject", "crash"):
            raise TranslationError(
                f"invalid value '{behavior}' for attribute 'behavior' of element 'deprecation'")
        deprecation, dep_line = behavior, d.sourceline
    return QemuNamespace(args=args, env=tuple(env), caps_add=adds, caps_del=dels,
                         overrides=tuple(overrides), deprecation=deprecation,
                         deprecation_line=dep_line)


def _parse_os(e: Elem | None) -> OSConfig:
    if e is None:
        return OSConfig()
    t = e.find("type")
    return OSConfig(
        type=(t.text if t is not None and t.text else "hvm"),
        arch=t.get("arch") if t is not None else None,
        machine=t.get("machine") if t is not None else None,
        boot_devs=tuple(b.get("dev", "") for b in e.findall("boot")),
        bootmenu=e.find("bootmenu"),
        bios=e.find("bios"),
        loader=e.find("loader"),
        nvram=e.find("nvram"),
        kernel=e.findtext("kernel"),
        initrd=e.findtext("initrd"),
        cmdline=e.findtext("cmdline"),
        dtb=e.findtext("dtb"),
        smbios_mode=e.attr_at("mode", "smbios"),
        firmware=e.get("firmware"),
        elem=e,
    )


def _parse_numa_cells(cpu: Elem | None) -> tuple[NumaCell, ...]:
    """Guest NUMA cells; a missing id means the cell's position (libvirt requires order)."""
    numa = cpu.find("numa") if cpu is not None else None
    if numa is None:
        return ()
    cells = []
    for pos, c in enumerate(numa.findall("cell")):
        cells.append(NumaCell(id=_int(c.get("id"), "cell id", pos), cpus=c.get("cpus"),
                              memory_kib=_scaled_attr(c, "memory", "unit") or 0,
                              mem_access=c.get("memAccess"), discard=c.yes("discard"), elem=c))
    return tuple(cells)


def _scaled_attr(e: Elem, attr: str, unit_attr: str) -> int | None:
    value = e.get(attr)
    if value is None:
        return None
    return scaled_kib(Elem(tag=attr, attrs={"unit": e.get(unit_attr) or "kib"}, text=value))


def parse_domain(xml: str | bytes) -> Domain:
    """Parse domain XML into a `Domain`, raising `TranslationError` on anything invalid."""
    lroot = parse_document(xml)
    if not isinstance(lroot.tag, str) or etree.QName(lroot).localname != "domain" or \
            etree.QName(lroot).namespace is not None:
        name = etree.QName(lroot).localname if isinstance(lroot.tag, str) else "?"
        raise XMLInputError(f"expected root element <domain>, found <{name}>", lroot.sourceline)
    root = _to_elem(lroot, "/domain")
    virt_type = root.get("type")
    if not virt_type:
        raise TranslationError("XML error: missing domain type attribute")
    name = root.findtext("name")
    if not name:
        raise TranslationError("XML error: missing name information")

    _check_numbers(root)
    devices_elem = root.find("devices")
    devices = Devices()
    if devices_elem is not None:
        devices.emulator = devices_elem.findtext("emulator")
        for child in devices_elem:
            if child.tag == "emulator" or child.tag.startswith("{"):
                continue
            devices.items.append(device_from(child))

    vcpu_e = root.find("vcpu")
    vcpu = Vcpu()
    if vcpu_e is not None:
        vcpu = Vcpu(count=_vcpu_count(vcpu_e.text, "maximum", 1), current=(
            _vcpu_count(vcpu_e.get("current"), "current", 0) if vcpu_e.get("current") else None),
            placement=vcpu_e.get("placement"), cpuset=vcpu_e.get("cpuset"))

    iothreads = root.find("iothreads")
    return Domain(
        virt_type=virt_type,
        name=name,
        uuid=root.findtext("uuid"),
        memory_kib=scaled_kib(root.find("memory")) or 0,
        current_memory_kib=scaled_kib(root.find("currentMemory")),
        max_memory=root.find("maxMemory"),
        memory_backing=root.find("memoryBacking"),
        vcpu=vcpu,
        vcpus=root.find("vcpus"),
        iothreads=_iothreads_count(iothreads),
        iothreadids=root.find("iothreadids"),
        os=_parse_os(root.find("os")),
        features=root.find("features"),
        cpu=root.find("cpu"),
        clock=root.find("clock"),
        pm=root.find("pm"),
        on_poweroff=root.findtext("on_poweroff"),
        on_reboot=root.findtext("on_reboot"),
        on_crash=root.findtext("on_crash"),
        numatune=root.find("numatune"),
        numa_cells=_parse_numa_cells(root.find("cpu")),
        sysinfo=tuple(root.findall("sysinfo")),
        seclabels=tuple(root.findall("seclabel")),
        keywrap=root.find("keywrap"),
        launch_security=root.find("launchSecurity"),
        resource=root.find("resource"),
        genid=root.find("genid"),
        throttlegroups=root.find("throttlegroups"),
        devices=devices,
        qemu=_parse_qemu_ns(lroot),
        root=root,
    )
