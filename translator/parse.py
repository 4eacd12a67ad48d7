"""Parse step: domain XML text -> typed `Domain` model.

Only this module touches lxml. The qemu namespace is recognised by its URI, never by
its prefix, and only where libvirt looks for it: direct children of <domain>.
"""

from __future__ import annotations

from lxml import etree

from .errors import XMLInputError
from .model import QEMU_NS, Domain, Elem, OSConfig, QemuNamespace, Vcpu
from .model.domain import NumaCell
from .model.devices import Devices, device_from, nets_before_hostdevs
from .model.qemu_ns import NsArg, NsCapToggle, NsDeviceOverride, NsEnv, NsProperty
from .validate.conf import check_domain_xml, memory_kib
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


def _int(value: str | None, default: int = 0) -> int:
    """A number the parse-time checks already accepted and wrote canonically."""
    return int(value, 0) if value not in (None, "") else default


def scaled_kib(e: Elem | None, default_unit: str = "kib") -> int | None:
    """libvirt's memory sizes (<memory unit='GiB'>) in KiB, rounded up (virDomainParseMemory)."""
    if e is None or e.text is None:
        return None
    return memory_kib(e.text, e.get("unit") or default_unit, f"./{e.tag}[1]")


def _qemu_children(parents: list[etree._Element], tag: str) -> list[etree._Element]:
    """The `qemu:tag` children of `parents`, in document order (an XPath like
    './q:commandline/q:arg' evaluated as a walk: XPath's setup cost more than the rest)."""
    qtag = f"{{{QEMU_NS}}}{tag}"
    return [c for p in parents for c in p.iterchildren(qtag)]


def _parse_qemu_ns(root: etree._Element) -> QemuNamespace:
    """The qemu: namespace elements, refused with libvirt's messages and in its order
    (validate/qemu_namespace.py)."""
    # imported here: the validate package reaches the command builders, which read parse.py
    from .validate import qemu_namespace

    commandline = _qemu_children([root], "commandline")
    arg_nodes = _qemu_children(commandline, "arg")
    env_nodes = _qemu_children(commandline, "env")
    device_nodes = _qemu_children(_qemu_children([root], "override"), "device")
    capabilities = _qemu_children([root], "capabilities")
    add_nodes = _qemu_children(capabilities, "add")
    del_nodes = _qemu_children(capabilities, "del")
    qemu_namespace.check_args(arg_nodes)
    qemu_namespace.check_env(env_nodes)
    overrides: list[NsDeviceOverride] = []
    for dev in device_nodes:
        qemu_namespace.check_override_device(dev)
        props: list[NsProperty] = []
        for p in _qemu_children(_qemu_children([dev], "frontend"), "property"):
            qemu_namespace.check_override_property(p)
            props.append(NsProperty(p.get("name") or "", p.get("type") or "", p.get("value"),
                                     p.sourceline))
        overrides.append(NsDeviceOverride(dev.get("alias") or "", tuple(props), dev.sourceline))
    qemu_namespace.check_capability_toggles([*add_nodes, *del_nodes])
    args = tuple(NsArg(a.get("value") or "", a.sourceline) for a in arg_nodes)
    env = tuple(NsEnv(e.get("name") or "", e.get("value"), e.sourceline) for e in env_nodes)
    adds = tuple(NsCapToggle(c.get("capability") or "", c.sourceline) for c in add_nodes)
    dels = tuple(NsCapToggle(c.get("capability") or "", c.sourceline) for c in del_nodes)
    deprecation = None
    dep_line = None
    for d in _qemu_children([root], "deprecation"):
        if d.get("behavior"):  # an empty or missing behaviour is qemu.conf's default
            deprecation, dep_line = d.get("behavior"), d.sourceline
        break
    return QemuNamespace(args=args, env=env, caps_add=adds, caps_del=dels,
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
        cells.append(NumaCell(id=_int(c.get("id"), pos), cpus=c.get("cpus"),
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
    root = check_domain_xml(_to_elem(lroot, "/domain"))
    virt_type = root.get("type") or ""
    name = root.findtext("name") or ""
    devices_elem = root.find("devices")
    devices = Devices()
    if devices_elem is not None:
        devices.emulator = devices_elem.findtext("emulator")
        for child in devices_elem:
            if child.tag == "emulator" or child.tag.startswith("{"):
                continue
            devices.items.append(device_from(child))
        nets_before_hostdevs(devices.items)

    vcpu_e = root.find("vcpu")
    vcpu = Vcpu()
    if vcpu_e is not None:
        vcpu = Vcpu(count=_int(vcpu_e.text, 1), current=(
            _int(vcpu_e.get("current")) if vcpu_e.get("current") else None),
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
        iothreads=_int(iothreads.text) if iothreads is not None else 0,
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
