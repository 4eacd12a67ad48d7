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
    """`node` and its subtree as `Elem`s, each with its libvirt-style path ('/domain/os[1]').

    This runs once per element of every document, so it reads each lxml property once.
    Comments and processing instructions are dropped by the parser and entity references
    refused before, so the element children (`etree.Element`) are all there is to visit."""
    # lxml's tag is already the local name without a namespace and '{uri}local' with one,
    # which is the spelling the model uses
    children: list[Elem] = []
    counts: dict[str, int] = {}
    for child in node.iterchildren(etree.Element):
        tag = child.tag
        n = counts[tag] = counts.get(tag, 0) + 1
        if tag[0] == "{":  # another namespace (qemu:, metadata): read from lxml where needed
            children.append(Elem(tag, dict(child.attrib), (), None, child.sourceline,
                                 f"{path}/{tag}[{n}]"))
            continue
        children.append(_to_elem(child, f"{path}/{tag}[{n}]"))
    text = node.text
    if text is not None and not text.strip():
        text = None  # libvirt keeps inner spaces
    return Elem(node.tag, dict(node.attrib), tuple(children), text, node.sourceline, path)


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
    # a root named 'domain' in no namespace has exactly that tag (lxml writes '{uri}name')
    if lroot.tag != "domain":
        name = etree.QName(lroot).localname if isinstance(lroot.tag, str) else "?"
        raise XMLInputError(f"expected root element <domain>, found <{name}>", lroot.sourceline)
    root = check_domain_xml(_to_elem(lroot, "/domain"))
    # the first child of each tag, looked up once rather than by a scan per field
    first: dict[str, Elem] = {}
    for child in root.children:
        first.setdefault(child.tag, child)
    find = first.get

    def findtext(tag: str) -> str | None:
        e = first.get(tag)
        return e.text if e is not None else None

    virt_type = root.get("type") or ""
    name = findtext("name") or ""
    devices_elem = find("devices")
    devices = Devices()
    if devices_elem is not None:
        devices.emulator = devices_elem.findtext("emulator")
        for child in devices_elem:
            if child.tag == "emulator" or child.tag.startswith("{"):
                continue
            devices.items.append(device_from(child))
        nets_before_hostdevs(devices.items)

    vcpu_e = find("vcpu")
    vcpu = Vcpu()
    if vcpu_e is not None:
        vcpu = Vcpu(count=_int(vcpu_e.text, 1), current=(
            _int(vcpu_e.get("current")) if vcpu_e.get("current") else None),
            placement=vcpu_e.get("placement"), cpuset=vcpu_e.get("cpuset"))

    iothreads = find("iothreads")
    return Domain(
        virt_type=virt_type,
        name=name,
        uuid=findtext("uuid"),
        memory_kib=scaled_kib(find("memory")) or 0,
        current_memory_kib=scaled_kib(find("currentMemory")),
        max_memory=find("maxMemory"),
        memory_backing=find("memoryBacking"),
        vcpu=vcpu,
        vcpus=find("vcpus"),
        iothreads=_int(iothreads.text) if iothreads is not None else 0,
        iothreadids=find("iothreadids"),
        os=_parse_os(find("os")),
        features=find("features"),
        cpu=find("cpu"),
        clock=find("clock"),
        pm=find("pm"),
        on_poweroff=findtext("on_poweroff"),
        on_reboot=findtext("on_reboot"),
        on_crash=findtext("on_crash"),
        numatune=find("numatune"),
        numa_cells=_parse_numa_cells(find("cpu")),
        sysinfo=tuple(root.findall("sysinfo")),
        seclabels=tuple(root.findall("seclabel")),
        keywrap=find("keywrap"),
        launch_security=find("launchSecurity"),
        resource=find("resource"),
        genid=find("genid"),
        throttlegroups=find("throttlegroups"),
        devices=devices,
        qemu=_parse_qemu_ns(lroot),
        root=root,
    )
