"""Refusals of libvirt's domain parser that need more than one typed read (domain_conf.c).

Each rule is a hook on a place of the document (like the tables) and runs when the walker
reaches that element, after its typed attributes and before its children, which is where the
parse function of libvirt makes the check. Docstrings name the libvirt function.
"""

from __future__ import annotations

from typing import Callable

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from . import enums as E
from .numbers import number
from .bitmap import parse_bitmap
from .device_rules import CHR_TYPES
from .numa import check_numa_parse
from .vcpu_parse import max_vcpus
from .xmlprop import ULLONG_MAX, is_uuid, prop_enum, prop_uint, prop_yes_no

XML, UNSUPPORTED, INTERNAL = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED, \
    ErrorCode.INTERNAL_ERROR

Hook = Callable[[Elem, list[Elem]], "dict[str, str] | None"]

VIRT_TYPES = ("none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test", "vmware",
              "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "hvf")
OS_TYPES = ("hvm", "xen", "linux", "exe", "uml", "xenpvh")


def _xpath_string(e: Elem | None) -> str | None:
    """virXPathString of an element: its text, None when absent or empty."""
    return e.text if e is not None and e.text else None


def domain_caps(root: Elem) -> None:
    """virDomainDefParseIDs/virDomainDefParseCaps: name, uuid, virt type and OS type."""
    if not _xpath_string(root.find("name")):
        refuse(ErrorCode.NO_NAME, "missing name information")
    uuid = _xpath_string(root.find("uuid"))
    if uuid is not None and not is_uuid(uuid):
        refuse(INTERNAL, "malformed uuid element")
    if len(root.findall("genid")) > 1:
        refuse(XML, "element 'genid' can only appear once")
    genid = _xpath_string(root.find("genid"))
    if genid is not None and not is_uuid(genid):
        refuse(INTERNAL, "malformed genid element")
    virt = root.get("type")
    if not virt:
        refuse(INTERNAL, "missing domain type attribute")
    if virt not in VIRT_TYPES:
        refuse(UNSUPPORTED, f"invalid domain type {virt}")
    os = root.find("os")
    ostype = _xpath_string(os.find("type") if os is not None else None)
    if ostype is None:
        if not _xpath_string(root.find("bootloader")):
            refuse(XML, "an os <type> must be specified")
    elif ostype not in OS_TYPES:
        refuse(UNSUPPORTED, f"unknown OS type '{ostype}'")


_CONTROLLER_MODELS: dict[str, tuple[str, ...]] = {
    "scsi": ("auto", "buslogic", "lsilogic", "lsisas1068", "vmpvscsi", "ibmvscsi",
             "virtio-scsi", "lsisas1078", "virtio-transitional", "virtio-non-transitional",
             "ncr53c90", "dc390", "am53c974"),
    "usb": ("piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1", "ich9-uhci2",
            "ich9-uhci3", "vt82c686b-uhci", "pci-ohci", "nec-xhci", "qusb1", "qusb2",
            "qemu-xhci", "none"),
    "pci": ("pci-root", "pcie-root", "pci-bridge", "dmi-to-pci-bridge", "pcie-to-pci-bridge",
            "pcie-root-port", "pcie-switch-upstream-port", "pcie-switch-downstream-port",
            "pci-expander-bus", "pcie-expander-bus"),
    "ide": ("piix3", "piix4", "ich6"),
    "virtio-serial": ("virtio", "virtio-transitional", "virtio-non-transitional"),
    "isa": (),
}


def controller(e: Elem, chain: list[Elem]) -> None:
    """virDomainControllerDefParseXML: the model a controller type knows, single sub-nodes."""
    model = e.get("model")
    if model is not None and model not in _CONTROLLER_MODELS.get(e.get("type") or "ide", ()):
        refuse(UNSUPPORTED, f"Unknown model type '{model}'")
    if len(e.findall("model")) > 1:
        refuse(XML, "Multiple <model> elements in controller definition not allowed")
    if len(e.findall("target")) > 1:
        refuse(XML, "Multiple <target> elements in controller definition not allowed")


_ICH9_COMPANIONS = ("ich9-uhci1", "ich9-uhci2", "ich9-uhci3")


def usb_controllers(devices: Elem) -> None:
    """virDomainDefControllersParse: 'none' excludes other USB controllers; a master exists."""
    none = other = master = False
    for c in devices.findall("controller"):
        if c.get("type") != "usb":
            continue
        if c.get("model") == "none":
            if other or none:
                refuse(ErrorCode.XML_DETAIL, "Can't add another USB controller: USB is "
                       "disabled for this domain")
            none = True
        else:
            if none:
                refuse(ErrorCode.XML_DETAIL, "Can't add another USB controller: USB is "
                       "disabled for this domain")
            other = True
        # virDomainControllerDefParseXML gives ICH9 UHCI companions their master port
        if c.find("master") is None and c.get("model") not in _ICH9_COMPANIONS:
            master = True
    if other and not master:
        refuse(ErrorCode.XML_DETAIL, "No master USB controller specified")


def _usb_disabled(devices: Elem) -> bool:
    return any(c.get("type") == "usb" and c.get("model") == "none"
               for c in devices.findall("controller"))


def usb_inputs(devices: Elem) -> None:
    """virDomainDefParseXML: a USB input needs USB to be enabled."""
    if _usb_disabled(devices) and any(i.get("bus") == "usb" for i in devices.findall("input")):
        refuse(UNSUPPORTED, "Can't add USB input device. USB bus is disabled")


def usb_hostdevs(devices: Elem) -> None:
    """virDomainDefParseXML: a USB host device needs USB to be enabled."""
    if _usb_disabled(devices) and any(
            h.get("type") == "usb" and (h.get("mode") or "subsystem") == "subsystem"
            for h in devices.findall("hostdev")):
        refuse(UNSUPPORTED, "Can't add host USB device: USB is disabled in this host")


def usb_hubs(devices: Elem) -> None:
    """virDomainDefParseXML: a USB hub needs USB to be enabled."""
    if _usb_disabled(devices) and any(h.get("type") == "usb" for h in devices.findall("hub")):
        refuse(UNSUPPORTED, "Can't add USB hub: USB is disabled for this domain")


_SINGLE = (("memballoon", INTERNAL, "only a single memory balloon device is supported"),
           ("nvram", INTERNAL, "only a single nvram device is supported"),
           ("redirfilter", INTERNAL, "only one set of redirection filter rule is supported"),
           ("iommu", XML, "only a single IOMMU device is supported"),
           ("vsock", XML, "only a single vsock device is supported"),
           ("pstore", XML, "only a single pstore device is supported"))


def _at_most_one(tag: str, code: ErrorCode, message: str) -> Callable[[Elem], None]:
    def check(devices: Elem) -> None:
        if len(devices.findall(tag)) > 1:
            refuse(code, message)
    check.__doc__ = f"virDomainDefParseXML: at most one <{tag}>."
    return check


def tpm_count(devices: Elem) -> None:
    """virDomainDefParseXML: at most two TPMs (one of them a proxy)."""
    if len(devices.findall("tpm")) > 2:
        refuse(XML, "a maximum of two TPM devices is supported, one of them being a TPM "
               "Proxy device")


_NEEDS_SOURCE = ("network", "vds", "internal", "bridge", "direct", "vdpa", "client", "server",
                 "mcast", "udp")


# virDomainNetSetModelString: the characters a model name not known to libvirt may have
_NET_MODEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def interface(e: Elem, chain: list[Elem]) -> None:
    """virDomainNetDefParseXML: the model name's characters, the types that need a <source>,
    vhost-user's socket type."""
    model = e.attr_at("type", "model")
    if model and not _NET_MODEL_CHARS.issuperset(model):
        refuse(ErrorCode.INVALID_ARG, "Model name contains invalid characters")
    kind = e.get("type") or "user"
    source = e.find("source")
    if kind in _NEEDS_SOURCE and source is None:
        refuse(XML, f"interface type='{kind}' requires a 'source' element")
    if kind == "vhostuser" and source is not None and source.get("type") not in (None, "unix"):
        refuse(UNSUPPORTED, f"Type='{source.get('type')}' unsupported for "
               "<interface type='vhostuser'>")
    if kind == "udp" and source is not None and source.find("local") is None:
        refuse(XML, "'<local>' element missing for 'udp' socket interface")
    if kind == "hostdev":
        _hostdev_source_type(e, source, from_interface=True)


def _hostdev_source_type(e: Elem, source: Elem | None, from_interface: bool) -> str:
    """The subsystem type of a host device (an interface's is on <source><address>)."""
    if from_interface:
        address = source.find("address") if source is not None else None
        kind = address.get("type") if address is not None else None
        if kind is None and source is not None and source.find("vendor") is not None:
            kind = "usb"
    else:
        kind = e.get("type")
    if kind not in E.HOSTDEV_SUBSYS:
        refuse(UNSUPPORTED, f"unknown host device source address type '{kind or '(null)'}'")
    return kind


def hostdev(e: Elem, chain: list[Elem]) -> None:
    """virDomainHostdevDefParseXML: the type the mode knows; then
    virDomainHostdevDefParseXMLSubsys in its order: a source, startupPolicy only for USB,
    sgio and rawio only for SCSI, then what each subsystem type requires."""
    subsystem = (e.get("mode") or "subsystem") == "subsystem"
    prop_enum(e, "type", E.HOSTDEV_SUBSYS if subsystem else E.HOSTDEV_CAPS, required_=True)
    if not subsystem:
        return
    source = e.find("source")
    kind = e.get("type")
    if source is None:
        refuse(XML, "Missing <source> element in hostdev device")
    if source.get("startupPolicy") is not None and kind != "usb":
        refuse(XML, "Setting startupPolicy is only allowed for USB devices")
    if prop_enum(e, "sgio", E.SGIO, nonzero=True) is not None and kind != "scsi":
        refuse(XML, "sgio is only supported for scsi host device")
    if prop_yes_no(e, "rawio") is not None and kind != "scsi":
        refuse(XML, "rawio is only supported for scsi host device")
    if e.get("model") is not None and kind not in ("mdev", "scsi_host"):
        refuse(XML, f"'model' attribute in <hostdev> is only supported when type='{kind}'")
    if kind == "scsi" and source is not None and source.get("protocol") != "iscsi":
        if source.find("address") is None:
            refuse(XML, "'address' must be specified for scsi hostdev source")
    if kind == "mdev" and (source is None or source.find("address") is None):
        refuse(UNSUPPORTED, "Missing <address> element")


def scsi_adapter(e: Elem, chain: list[Elem]) -> None:
    """virDomainHostdevSubsysSCSIHostDefParseXML: after the address, the adapter's name."""
    source = chain[-1]
    if source.get("protocol") == "iscsi":
        return
    adapter = source.find("adapter")
    if adapter is None or not adapter.get("name"):
        refuse(XML, "'adapter' name must be specified for scsi hostdev source")


def disk_source(e: Elem, chain: list[Elem]) -> None:
    """virDomainDiskSourceNVMeParse / ...VHostUserParse / network parse: required parts."""
    disk = chain[-1]
    kind = disk.get("type")
    if kind == "nvme":
        if e.get("type") is None:
            refuse(XML, "missing 'type' attribute to disk source")
        if e.get("type") != "pci":
            refuse(XML, f"unsupported source type '{e.get('type')}'")
        prop_uint(e, "namespace", required_=True, maximum=ULLONG_MAX)
        prop_yes_no(e, "managed")
    elif kind == "vhostuser":
        if e.get("type") is None:
            refuse(XML, "missing 'type' attribute for vhostuser disk source")
        if e.get("type") != "unix":
            refuse(XML, "invalid 'type' attribute for vhostuser disk source")
        if e.get("path") is None:
            refuse(XML, "missing 'path' attribute for vhostuser disk source")
    elif kind == "network" and e.get("protocol") in ("gluster", "rbd"):
        path = e.get("name")
        if path is not None and ("/" not in path or path.startswith("/")):
            refuse(XML, f"can't split path '{path}' into pool name and image name")


def nvme_address(e: Elem, chain: list[Elem]) -> None:
    if chain[-1].get("type") == "nvme" and e.get("type") == "pci" and e.find("address") is None:
        refuse(XML, "NVMe disk source is missing address")


def smartcard(e: Elem, chain: list[Elem]) -> None:
    """virDomainSmartcardDefParseXML: host-certificates mode has three certificates and an
    absolute database path; passthrough mode names a character device type."""
    mode = e.get("mode")
    if mode == "host-certificates":
        if len(e.findall("certificate")) != 3:
            refuse(XML, "host-certificates mode needs exactly three certificates")
        database = e.find("database")
        if database is not None and database.text and not database.text.startswith("/"):
            refuse(XML, f"expecting absolute path: {database.text}")
    elif mode == "passthrough":
        kind = e.get("type")
        if kind is None:
            refuse(XML, "passthrough mode requires a character device type attribute")
        if kind not in CHR_TYPES:
            refuse(UNSUPPORTED, f"unknown type presented to host for character device: {kind}")


def rng(e: Elem, chain: list[Elem]) -> None:
    """virDomainRNGDefParseXML: one backend; an EGD backend names its chardev type."""
    backends = e.findall("backend")
    if len(backends) != 1:
        refuse(XML, "only one RNG backend is supported")


def rng_backend(e: Elem, chain: list[Elem]) -> None:
    if e.get("model") == "egd" and e.get("type") is None:
        refuse(XML, "missing EGD backend type")


def tpm_backend(e: Elem, chain: list[Elem]) -> None:
    """virDomainTPMDefParseXML: an external backend names its source type."""
    source = e.find("source")
    if e.get("type") == "external" and (source is None or not source.get("type")):
        refuse(XML, "missing external TPM backend source type")


def tpm(e: Elem, chain: list[Elem]) -> None:
    if e.find("backend") is None:
        refuse(XML, "missing TPM device backend")


def seclabel(e: Elem, chain: list[Elem]) -> None:
    """virSecurityLabelDefParseXML: dynamic labels relabel, 'none' ones do not; a static one
    carries a label."""
    kind = e.get("type") or "dynamic"
    relabel = e.get("relabel")
    if kind == "dynamic" and relabel == "no":
        refuse(UNSUPPORTED, "dynamic label type must use resource relabeling")
    if kind == "none" and relabel == "yes":
        refuse(UNSUPPORTED, "resource relabeling is not compatible with 'none' label type")
    if kind == "static":
        label = e.find("label")
        if label is None or not label.text:
            refuse(XML, "security label is missing")


def audio_io(e: Elem, chain: list[Elem]) -> None:
    """virDomainAudioCommonParse: fixed settings need the mixing engine."""
    if e.get("fixedSettings") == "yes" and e.get("mixingEngine") != "yes":
        refuse(UNSUPPORTED, "fixed audio settings requires mixing engine")


def graphics(e: Elem, chain: list[Elem]) -> None:
    """virDomainGraphicsListenDefParseXML: the old 'listen' attribute agrees with the first
    <listen type='address'>; VNC/RDP ports are integers."""
    listens = e.findall("listen")
    compat = e.get("listen")
    if listens and compat is not None and listens[0].get("type") == "address":
        address = listens[0].get("address")
        if address is not None and address != compat:
            refuse(UNSUPPORTED, f"graphics 'listen' attribute '{compat}' must match 'address' "
                   f"attribute of first listen element (found '{address}')")


def consoles(devices: Elem) -> None:
    """virDomainDefAddConsoleCompat: only the first console may be a serial port. A console
    without a target type is a serial one by then (virDomainChrDefPostParse runs first)."""
    for cons in devices.findall("console")[1:]:
        if cons.attr_at("type", "target") in (None, "serial"):
            refuse(UNSUPPORTED, "Only the first console can be a serial port")


def channel_target(e: Elem, chain: list[Elem]) -> dict[str, str] | None:
    """virDomainChrDefParseTargetXML: a guestfwd channel has an IPv4 address and a port."""
    if chain[-1].tag != "channel" or e.get("type") != "guestfwd":
        return None
    address = e.get("address")
    if address is None:
        refuse(XML, "guestfwd channel does not define a target address")
    if _ip_version(address) is None:
        refuse(ErrorCode.SYSTEM_ERROR,  # virSocketAddrParse, with getaddrinfo's reason
               f"Cannot parse socket address '{address}': Name or service not known")
    if _ip_version(address) != 4:
        refuse(UNSUPPORTED, "guestfwd channel only supports IPv4 addresses")
    return {"port": str(prop_uint(e, "port", required_=True))}


def numa_vcpus(root: Elem) -> None:
    """virDomainDefParseXML: the guest NUMA cells hold no more vCPUs than <vcpu> has."""
    cpu = root.find("cpu")
    numa = cpu.find("numa") if cpu is not None else None
    if numa is None:
        return
    check_numa_parse(numa)
    vcpu = root.find("vcpu")
    maximum = number(vcpu.text or "", "ui") if vcpu is not None else 1
    total, last = 0, 0
    for cell in numa.findall("cell"):
        cpus = cell.get("cpus")
        if cpus:
            bits = parse_bitmap(cpus)
            total += len(bits)
            last = max([last, *bits])
    if maximum is not None and total > maximum:
        refuse(INTERNAL, "Number of CPUs in <numa> exceeds the <vcpu> count")
    if maximum is not None and last >= maximum:
        refuse(INTERNAL, "CPU IDs in <numa> exceed the <vcpu> count")


def clock(e: Elem, chain: list[Elem]) -> None:
    """virDomainDefClockParse: the offset names and what each offset requires."""
    offset = e.get("offset") or "utc"
    if offset not in ("utc", "localtime", "variable", "timezone", "absolute"):
        refuse(UNSUPPORTED, f"unknown clock offset '{offset}'")
    adjustment = e.get("adjustment")
    if offset in ("utc", "localtime") and adjustment not in (None, "", "reset"):
        if number(adjustment, "ll") is None:
            refuse(XML, f"unknown clock adjustment '{adjustment}'")
    if offset == "variable" and e.get("basis") not in (None, "", "utc", "localtime"):
        refuse(UNSUPPORTED, f"unknown clock basis '{e.get('basis')}'")
    if offset == "timezone" and not e.get("timezone"):
        refuse(INTERNAL, "missing 'timezone' attribute for clock with offset='timezone'")
    if offset == "absolute":
        start = e.get("start")
        if not start or number(start, "ullp") is None:
            refuse(INTERNAL, "missing 'start' attribute for clock with offset='absolute'")


def _ip_version(text: str) -> int | None:
    import ipaddress  # only for domains with IP addresses: its import costs every call

    try:
        return ipaddress.ip_address(text).version
    except ValueError:
        return None


def ip(e: Elem, chain: list[Elem]) -> None:
    """virDomainNetIPParseXML: an address of the family, a prefix that fits it, a peer."""
    address = e.get("address")
    if address is None:
        refuse(XML, "Missing required address in <ip>")
    family = {"ipv4": 4, "ipv6": 6}.get(e.get("family") or "")
    version = _ip_version(address)
    if version is None or (family is not None and version != family):
        refuse(XML, f"Invalid address '{address}' in <ip>")
    prefix = e.get("prefix")
    if prefix is not None:
        value = number(prefix, "ui")
        if value is None or value > (128 if (family or version) == 6 else 32):
            refuse(XML, f"Invalid prefix value '{prefix}' in <ip>")
    peer = e.get("peer")
    if peer is not None and _ip_version(peer) not in ((family,) if family else (4, 6)):
        refuse(ErrorCode.INVALID_ARG, f"Invalid peer '{peer}' in <ip>")


def _iothread_ids(root: Elem) -> set[int]:
    """virDomainIOThreadIDDefArrayInit: the listed ids, then the lowest free ones up to the
    <iothreads> count."""
    ids = {number(t.get("id") or "", "uip") or 0
           for t in (root.find("iothreadids") or Elem(tag="")).findall("iothread")}
    count = number((root.find("iothreads") or Elem(tag="")).text or "0", "uip") or 0
    missing, candidate = max(count - len(ids), 0), 1
    while missing > 0 and candidate <= len(ids) + count:
        if candidate not in ids:
            ids.add(candidate)
            missing -= 1
        candidate += 1
    return ids


def _earlier(e: Elem, parent: Elem, tag: str) -> list[Elem]:
    out: list[Elem] = []
    for child in parent.children:
        if child is e:
            return out
        if child.tag == tag:
            out.append(child)
    return out


def _pin_cpuset(e: Elem, what: str) -> None:
    cpuset = e.get("cpuset")
    if cpuset is None:
        refuse(INTERNAL, f"missing cpuset for {what}")
    if not parse_bitmap(cpuset):
        refuse(UNSUPPORTED, f"Invalid value of 'cpuset': {cpuset}")


def vcpupin(e: Elem, chain: list[Elem]) -> None:
    """virDomainVcpuPinDefParseXML: a pin for a vCPU that exists, once, with a cpuset."""
    vcpu = number(e.get("vcpu") or "", "uip")
    if vcpu is None or vcpu >= max_vcpus(chain[0]):
        return  # libvirt ignores pins of vCPUs the domain does not have
    if e.get("cpuset") is None:
        refuse(INTERNAL, "missing cpuset for vcpupin")
    if any(number(p.get("vcpu") or "", "uip") == vcpu and p.get("cpuset") is not None
           for p in _earlier(e, chain[-1], "vcpupin")):
        refuse(INTERNAL, f"duplicate vcpupin for vcpu '{vcpu}'")
    _pin_cpuset(e, "vcpupin")


def emulatorpin(e: Elem, chain: list[Elem]) -> None:
    """virDomainDefTunablesParse: one emulatorpin, with a cpuset."""
    if _earlier(e, chain[-1], "emulatorpin"):
        refuse(XML, "only one emulatorpin is supported")
    _pin_cpuset(e, "emulatorpin")


def iothreadpin(e: Elem, chain: list[Elem]) -> None:
    """virDomainIOThreadPinDefParseXML: a pin for an existing iothread, once."""
    tid = number(e.get("iothread") or "", "uip") or 0
    if tid not in _iothread_ids(chain[0]):
        refuse(UNSUPPORTED, f"Cannot find 'iothread' : {tid}")
    _pin_cpuset(e, "iothreadpin")
    if any(number(p.get("iothread") or "", "uip") == tid
           for p in _earlier(e, chain[-1], "iothreadpin")):
        refuse(INTERNAL, f"duplicate iothreadpin for same iothread '{tid}'")


def emulatorsched(e: Elem, chain: list[Elem]) -> None:
    if _earlier(e, chain[-1], "emulatorsched"):
        refuse(XML, "only one emulatorsched is supported")


FEATURES = ("acpi", "apic", "pae", "hap", "viridian", "privnet", "hyperv", "kvm",
            "pvspinlock", "capabilities", "pmu", "vmport", "gic", "smm", "ioapic", "hpt",
            "vmcoreinfo", "htm", "nested-hv", "msrs", "ccf-assist", "xen", "cfpc", "sbbc",
            "ibs", "tcg", "async-teardown", "ras", "ps2", "aia")
HYPERV_FEATURES = ("relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer",
                   "reset", "vendor_id", "frequencies", "reenlightenment", "tlbflush", "ipi",
                   "evmcs", "avic", "emsr_bitmap", "xmm_input")
KVM_FEATURES = ("hidden", "hint-dedicated", "poll-control", "pv-ipi", "dirty-ring")
XEN_FEATURES = ("e820_host", "passthrough")


def features(e: Elem, chain: list[Elem]) -> None:
    """virDomainFeaturesDefParse and its Hyper-V/KVM/Xen parts: the feature names."""
    for f in e.children:
        if f.tag.startswith("{"):
            continue
        if f.tag not in FEATURES:
            refuse(UNSUPPORTED, f"unexpected feature '{f.tag}'")
    for group, names, message in (
            ("hyperv", HYPERV_FEATURES, "unsupported HyperV Enlightenment feature: {}"),
            ("kvm", KVM_FEATURES, "unsupported KVM feature: {}"),
            ("xen", XEN_FEATURES, "unsupported Xen feature: {}")):
        node = e.find(group)
        if node is None or (group == "hyperv" and node.get("mode") == "passthrough"):
            continue
        for f in node.children:
            if f.tag not in names:
                refuse(UNSUPPORTED, message.format(f.tag))


LIFECYCLE_ACTIONS = ("destroy", "restart", "rename-restart", "preserve", "coredump-destroy",
                     "coredump-restart")
LOCK_FAILURE_ACTIONS = ("default", "poweroff", "restart", "pause", "ignore")


def lifecycle(e: Elem, chain: list[Elem]) -> None:
    """virDomainEventActionParseXML: the actions of on_poweroff/on_reboot/on_crash and
    on_lockfailure."""
    actions = LOCK_FAILURE_ACTIONS if e.tag == "on_lockfailure" else LIFECYCLE_ACTIONS
    if e.text and e.text not in actions:
        refuse(UNSUPPORTED, f"unknown {e.tag} action: {e.text}")


def controller_node(e: Elem, chain: list[Elem]) -> None:
    """virDomainControllerDefParseXML: a NUMA node is not negative."""
    value = number(e.text or "", "i")
    if value is not None and value < 0:
        refuse(XML, "invalid NUMA node in target")


ELEMENT_RULES: dict[tuple[str, ...], tuple[Hook, ...]] = {
    ("devices", "controller"): (controller,),
    ("devices", "interface"): (interface,),
    ("devices", "hostdev"): (hostdev,),
    ("hostdev[scsi]", "source", "address"): (scsi_adapter,),
    ("devices", "disk", "source"): (disk_source, nvme_address),
    ("devices", "smartcard"): (smartcard,),
    ("devices", "rng"): (rng,),
    ("devices", "rng", "backend"): (rng_backend,),
    ("devices", "tpm"): (tpm,),
    ("devices", "tpm", "backend"): (tpm_backend,),
    ("domain", "seclabel"): (seclabel,),
    ("audio", "input"): (audio_io,),
    ("audio", "output"): (audio_io,),
    ("devices", "graphics"): (graphics,),
    ("channel", "target"): (channel_target,),
    ("domain", "clock"): (clock,),
    ("domain", "features"): (features,),
    **{("domain", t): (lifecycle,) for t in ("on_reboot", "on_poweroff", "on_crash",
                                            "on_lockfailure")},
    ("devices", "interface", "ip"): (ip,),
    ("devices", "interface", "source", "ip"): (ip,),  # the host side's (virDomainNetIPInfo)
    ("controller", "target", "node"): (controller_node,),
    ("cputune", "vcpupin"): (vcpupin,),
    ("cputune", "emulatorpin"): (emulatorpin,),
    ("cputune", "iothreadpin"): (iothreadpin,),
    ("cputune", "emulatorsched"): (emulatorsched,),
    ("devices", "hostdev", "ip"): (ip,),
}

# checks over a whole device family, run when libvirt's parse reaches that family
FAMILY_RULES: dict[str, tuple[Callable[[Elem], None], ...]] = {
    "input": (usb_inputs,),
    "hostdev": (usb_hostdevs,),
    "hub": (usb_hubs,),
    "tpm": (tpm_count,),
    **{tag: (_at_most_one(tag, code, message),) for tag, code, message in _SINGLE},
}
# checks libvirt makes once one of the domain's own elements is parsed
AFTER_DOMAIN_RULES: dict[str, tuple[Callable[[Elem], None], ...]] = {
    "cpu": (numa_vcpus,),
}
# checks libvirt makes once a family is parsed
AFTER_FAMILY_RULES: dict[str, tuple[Callable[[Elem], None], ...]] = {
    "controller": (usb_controllers,),
    "console": (consoles,),
}


__all__ = ["AFTER_DOMAIN_RULES", "AFTER_FAMILY_RULES", "ELEMENT_RULES", "FAMILY_RULES", "domain_caps"]
