"""libvirt's refusals (translator/validate/): each rule refuses with libvirt's
exact message, and the neighbouring valid configuration is still accepted."""

from __future__ import annotations

import pytest

import capsdb
import translator
from translator.validate import disk_name_index, libvirt_disk_order, parse_bitmap


def _xml(devices: str = "", *, head: str = "", os_extra: str = "", cpu: str = "",
         machine: str = "pc", virt: str = "qemu", memory: str = "<memory>262144</memory>",
         arch: str = "x86_64") -> str:
    return f"""<domain type='{virt}'><name>t</name>{memory}{head}
      <os><type arch='{arch}' machine='{machine}'>hvm</type>{os_extra}</os>{cpu}
      <devices>{devices}</devices></domain>"""


def _translate(xml: str, caps: str | None = None) -> translator.Invocation:
    return translator.translate(xml, capsdb.get(caps), profile="libvirt-test")


def _refusal(xml: str, caps: str | None = None) -> str:
    with pytest.raises(translator.TranslationError) as exc:
        _translate(xml, caps)
    return str(exc.value)


NUMA2 = ("<cpu><numa><cell id='0' cpus='0' memory='131072'/>"
         "<cell id='1' cpus='1' memory='131072'/></numa></cpu>")


# -- helpers ------------------------------------------------------------------------------

def test_parse_bitmap() -> None:
    assert parse_bitmap("0-3,^2,8") == {0, 1, 3, 8}
    with pytest.raises(translator.TranslationError, match="Failed to parse bitmap 'aaa'"):
        parse_bitmap("aaa")


def test_disk_name_index() -> None:
    assert disk_name_index("sda") == 0 and disk_name_index("vdab") == 27
    assert disk_name_index("hdaxxxxxxxxxx") is None and disk_name_index("foo") is None


# -- parse-time refusals ------------------------------------------------------------------

def test_missing_memory() -> None:
    assert _refusal(_xml(memory="")) == (
        "XML error: Memory size must be specified via <memory> or in the <numa> configuration")


def test_boot_menu_timeout_range() -> None:
    xml = _xml(os_extra="<bootmenu enable='yes' timeout='65536'/>")
    assert _refusal(xml) == ("unsupported configuration: invalid value for boot menu timeout, "
                             "must be in range [0,65535]")
    _translate(_xml(os_extra="<bootmenu enable='yes' timeout='65535'/>"))


def test_bad_cpuset() -> None:
    xml = _xml(head="<vcpu cpuset='aaa'>2</vcpu>")
    assert _refusal(xml) == "invalid argument: Failed to parse bitmap 'aaa'"


def test_vcpusched_overlap_and_missing_iothread() -> None:
    tune = ("<vcpu>4</vcpu><iothreads>1</iothreads><cputune>"
            "<vcpusched vcpus='0-1' scheduler='fifo' priority='1'/>{}</cputune>")
    overlap = tune.format("<vcpusched vcpus='1-2' scheduler='fifo' priority='1'/>")
    assert _refusal(_xml(head=overlap)) == "'vcpusched' attributes 'vcpus' must not overlap"
    missing = tune.format("<iothreadsched iothreads='2' scheduler='batch'/>")
    assert _refusal(_xml(head=missing)) == (
        "unsupported configuration: Cannot find 'iothread' : 2")


def test_numa_cells_must_be_contiguous_and_siblings_exist() -> None:
    gap = NUMA2.replace("id='0'", "id='2'")
    assert _refusal(_xml(head="<vcpu>2</vcpu>", cpu=gap)) == (
        "XML error: Exactly one 'cell' element per guest NUMA cell allowed, non-contiguous "
        "ranges or ranges not starting from 0 are not allowed")
    sib = NUMA2.replace("memory='131072'/>", "memory='131072'><distances>"
                        "<sibling id='5' value='10'/></distances></cell>", 1)
    assert _refusal(_xml(head="<vcpu>2</vcpu>", cpu=sib)) == (
        "XML error: 'sibling_id 5' does not refer to a valid cell within NUMA 'cell id 0'")


def test_numatune_rules() -> None:
    memnode = ("<vcpu>2</vcpu><numatune><memory mode='{}' nodeset='0'/>"
               "<memnode cellid='0' mode='{}' nodeset='0'/></numatune>")
    assert _refusal(_xml(head=memnode.format("strict", "strict"))) == (
        "XML error: Element 'memnode' is invalid without any guest NUMA cells")
    assert _refusal(_xml(head=memnode.format("restrictive", "strict"), cpu=NUMA2)) == (
        "XML error: 'restrictive' mode is required in memnode element when mode is "
        "'restrictive' in memory element")
    assert _refusal(_xml(head=memnode.format("strict", "restrictive"), cpu=NUMA2)) == (
        "XML error: 'restrictive' mode is required in memory element when mode is "
        "'restrictive' in memnode element")
    static = "<vcpu>2</vcpu><numatune><memory mode='strict' placement='static'/></numatune>"
    assert _refusal(_xml(head=static)) == (
        "unsupported configuration: nodeset for NUMA memory tuning must be set if 'placement' "
        "is 'static'")
    host = "<vcpu>2</vcpu><numatune><memory mode='strict' nodeset='0-6'/></numatune>"
    assert _refusal(_xml(head=host)) == "unsupported configuration: NUMA node 4 is unavailable"


def test_disk_vpd_and_double_auth() -> None:
    disk = ("<disk type='file' device='disk'><source file='/a'/>"
            "<target dev='sda' bus='scsi'/>{}</disk>")
    assert _refusal(_xml(disk.format("<product>WD10EZEX-00BN5A00</product>"))) == (
        "unsupported configuration: disk product is more than 16 characters")
    virtio = disk.replace("bus='scsi'", "bus='virtio'").replace("sda", "vda")
    assert _refusal(_xml(virtio.format("<vendor>SEAGATE</vendor>"))) == (
        "unsupported configuration: Only scsi disk supports 'vendor'")


def test_usb_port_path_and_disabled_usb() -> None:
    hub = "<hub type='usb'><address type='usb' bus='0' port='1.1.1.1.1'/></hub>"
    assert _refusal(_xml("<controller type='usb' index='0'/>" + hub)) == (
        "internal error: Cannot parse <address> 'port' attribute")
    two = "<controller type='usb' index='0' model='none'/><controller type='usb' index='0'/>"
    assert _refusal(_xml(two)) == (
        "Can't add another USB controller: USB is disabled for this domain")
    tablet = "<controller type='usb' model='none'/><input type='tablet' bus='usb'/>"
    assert _refusal(_xml(tablet)) == (
        "unsupported configuration: Can't add USB input device. USB bus is disabled")


def test_usb_buses_are_checked_with_the_usb_address_set() -> None:
    two = "<controller type='usb' index='0' model='qemu-xhci'/>" * 2
    assert _refusal(_xml(two, machine="q35")) == \
        "XML error: Duplicate USB controllers with index 0"
    # companions share their master's bus
    _translate(_xml("<controller type='usb' index='0' model='ich9-ehci1'/>"
                    "<controller type='usb' index='0' model='ich9-uhci1'>"
                    "<master startport='0'/></controller>"))
    # no USB controller at all (not model='none'): the address set's wording
    with pytest.raises(translator.TranslationError) as exc:
        translator.translate(_xml("<input type='tablet' bus='usb'/>", arch="loongarch64",
                                  machine="virt"), capsdb.get(None, "loongarch64"),
                             profile="libvirt-test")
    assert str(exc.value) == ("unsupported configuration: USB is disabled for this domain, "
                              "but USB devices are present in the domain XML")


def test_negative_queues() -> None:
    nic = "<interface type='user'><model type='virtio'/><driver queues='-5'/></interface>"
    assert _refusal(_xml(nic)) == (
        "XML error: Invalid value for attribute 'queues' in element 'driver': '-5'. "
        "Expected non-negative integer value")


def test_shmem_parse_rules() -> None:
    assert _refusal(_xml("<shmem name='s'><model type='ivshmem-plain'/><msi/></shmem>")) == (
        "XML error: msi option is only supported with a server")
    small = "<shmem name='s'><model type='ivshmem-plain'/><size unit='K'>16</size></shmem>"
    assert _refusal(_xml(small)) == (
        "XML error: shmem size must be a power of 2 and at least 1 MiB (1024 KiB)")


# -- validation of the completed domain ---------------------------------------------------

def test_emulator_arch() -> None:
    assert _refusal(_xml(arch="alpha", machine="")).endswith(
        "does not support arch 'alpha'")


def test_cpu_cache_rules() -> None:
    def cpu(mode: str, cache: str) -> str:
        return _xml(virt="kvm", cpu=f"<cpu mode='{mode}'>{cache}</cpu>")
    assert _refusal(cpu("host-model", "<cache level='2' mode='emulate'/>")) == (
        "unsupported configuration: CPU cache mode 'emulate' can only be used with level='3'")
    assert _refusal(cpu("host-model", "<cache mode='passthrough'/>")) == (
        "unsupported configuration: CPU cache mode 'passthrough' can only be used with "
        "'host-passthrough' / 'maximum' CPUs")
    assert _refusal(cpu("host-passthrough", "<cache level='3' mode='passthrough'/>")) == (
        "unsupported configuration: unsupported CPU cache level for mode 'passthrough'")


def test_host_passthrough_needs_kvm() -> None:
    assert _refusal(_xml(cpu="<cpu mode='host-passthrough'/>")) == (
        "unsupported configuration: CPU mode 'host-passthrough' for x86_64 qemu domain on "
        "x86_64 host is not supported by hypervisor")


def test_pseries_feature_on_pc() -> None:
    xml = _xml(head="<features><hpt resizing='enabled'/></features>")
    assert _refusal(xml) == ("unsupported configuration: The 'hpt' feature is not supported "
                             "for architecture 'x86_64' or machine type 'pc'")


def test_memory_hotplug_rules() -> None:
    slots = "<maxMemory slots='4' unit='KiB'>1048576</maxMemory>"
    assert _refusal(_xml(head=slots)) == (
        "unsupported configuration: At least one numa node has to be configured when enabling "
        "memory hotplug")
    dimm = ("<memory model='dimm'><target><size unit='KiB'>131072</size><node>2</node>"
            "</target></memory>")
    assert _refusal(_xml(dimm, head=slots + "<vcpu>2</vcpu>", cpu=NUMA2)) == (
        "can't add memory backend for guest node '2' as the guest has only '2' NUMA nodes "
        "configured")


def test_hugepage_rules() -> None:
    pages = "<memoryBacking><hugepages>{}</hugepages></memoryBacking>"
    two = pages.format("<page size='1048576' unit='KiB'/><page size='2048' nodeset='0'/>")
    assert _refusal(_xml(head=two)) == "two master hugepages detected: 2048 and 1048576"
    assert _refusal(_xml(head=pages.format("<page size='2048' nodeset='1'/>"))) == (
        "hugepages: node 1 not found")
    assert _refusal(_xml(head=pages.format("<page size='5' unit='MiB'/>"))) == (
        "internal error: Unable to find any usable hugetlbfs mount for 5120 KiB")


def test_disk_address_bus_compatibility() -> None:
    disk = ("<disk type='file' device='disk'><source file='/a'/><target dev='hda' bus='ide'/>"
            "<address type='pci' bus='0' slot='5'/></disk>")
    assert _refusal(_xml(disk)) == ("unsupported configuration: Invalid address type 'pci' for "
                                    "the disk 'hda' with the bus type 'ide'")


def test_duplicate_targets_in_libvirt_disk_order() -> None:
    disks = "".join(f"<disk type='file' device='disk'><source file='/{n}'/>"
                    f"<target dev='{d}' bus='{b}'/></disk>"
                    for n, d, b in (("a", "hda", "ide"), ("u", "sda", "usb"), ("i", "sda", "ide")))
    assert _refusal(_xml("<controller type='usb' model='qemu-xhci'/>" + disks)) == (
        "XML error: target 'sda' duplicated for disk sources '/i' and '/u'")


def test_duplicate_targets_name_the_first_disk_with_a_twin() -> None:
    """The pair a pairwise scan in order meets first: the earliest disk that has a later
    twin, and its next twin (not the first repeated name met)."""
    disks = "".join(f"<disk type='file' device='disk'><source file='/{n}'/>"
                    f"<target dev='{d}' bus='virtio'/></disk>"
                    for n, d in (("a", "vda"), ("b", "vdb"), ("c", "vdb"), ("d", "vda"),
                                 ("e", "vda")))
    assert _refusal(_xml(disks)) == (
        "XML error: target 'vda' duplicated for disk sources '/a' and '/d'")


def _pci_hostdev(slot: str) -> str:
    return ("<hostdev mode='subsystem' type='pci' managed='yes'><source>"
            f"<address domain='0x0000' bus='0x06' slot='{slot}' function='0x0'/>"
            "</source></hostdev>")


def test_duplicate_hostdev() -> None:
    assert _refusal(_xml(_pci_hostdev("0x12") + _pci_hostdev("0x13") + _pci_hostdev("0x12"))) \
        == "XML error: Hostdev already exists in the domain configuration"
    _translate(_xml(_pci_hostdev("0x12") + _pci_hostdev("0x13")))


def _scsi_hostdev(adapter: str, unit: str) -> str:
    return ("<hostdev mode='subsystem' type='scsi'><source>"
            f"<adapter name='{adapter}'/><address bus='0' target='0' unit='0'/></source>"
            f"<address type='drive' controller='0' bus='0' target='0' unit='{unit}'/>"
            "</hostdev>")


def test_scsi_host_address_in_use() -> None:
    ctrl = "<controller type='scsi' index='0' model='virtio-scsi'/>"
    assert _refusal(_xml(ctrl + _scsi_hostdev("scsi_host0", "1")
                         + _scsi_hostdev("scsi_host1", "1"))) == (
        "unsupported configuration: SCSI host address controller='0' bus='0' target='0' "
        "unit='1' in use by another SCSI host device")
    disk = ("<disk type='file' device='disk'><source file='/a'/><target dev='sda' "
            "bus='scsi'/><address type='drive' controller='0' bus='0' target='0' "
            "unit='2'/></disk>")
    _translate(_xml(ctrl + disk + _scsi_hostdev("scsi_host0", "1")
                    + _scsi_hostdev("scsi_host1", "3")))


def test_libvirt_disk_order_sorts_within_bus() -> None:
    from translator.model.devices import disk_from
    from translator.model.elem import Elem

    def disk(dev: str, bus: str):  # type: ignore[no-untyped-def]
        return disk_from(Elem("disk", children=(Elem("target", {"dev": dev, "bus": bus}),)))
    order = libvirt_disk_order([disk("hdb", "ide"), disk("vda", "virtio"), disk("hda", "ide")])
    assert [d.dev for d in order] == ["hda", "hdb", "vda"]


def test_duplicate_drive_address() -> None:
    disks = ("<disk type='file' device='disk'><source file='/a'/><target dev='sda' "
             "bus='sata'/></disk><disk type='file' device='disk'><source file='/b'/>"
             "<target dev='sdb' bus='sata'/><address type='drive' controller='0' bus='0' "
             "target='0' unit='0'/></disk>")
    assert _refusal(_xml(disks, machine="q35")) == (
        "unsupported configuration: Found duplicate drive address for disk with target name "
        "'sda' controller='0' bus='0' target='0' unit='0'")


def test_disk_format_and_sharing() -> None:
    disk = ("<disk type='file' device='disk'><driver name='qemu' type='{}'/>"
            "<source file='/a'/><target dev='vda' bus='virtio'/>{}</disk>")
    assert _refusal(_xml(disk.format("cow", ""))) == (
        "unsupported configuration: 'cow' storage format is not supported")
    assert _refusal(_xml(disk.format("qcow2", "<shareable/>"))) == (
        "unsupported configuration: shared access for disk 'vda' requires use of supported "
        "storage format")
    _translate(_xml(disk.format("raw", "<shareable/>")))


def test_iscsi_needs_one_host() -> None:
    disk = ("<disk type='network' device='disk'><source protocol='iscsi' name='iqn.x/1'/>"
            "<target dev='vda' bus='virtio'/></disk>")
    assert _refusal(_xml(disk)) == "internal error: iSCSI protocol accepts only one host"


def test_video_rules() -> None:
    two = ("<video><model type='vga' primary='yes'/></video>"
           "<video><model type='qxl' primary='yes'/></video>")
    assert _refusal(_xml(two)) == (
        "unsupported configuration: Only one primary video device is supported")


def test_egl_headless_companions() -> None:
    sdl = "<graphics type='sdl'/><graphics type='egl-headless'/>"
    assert _refusal(_xml(sdl)) == (
        "unsupported configuration: graphics type 'egl-headless' is only supported with one "
        "of: 'vnc', 'spice' graphics types")
    _translate(_xml("<graphics type='egl-headless'/>"))


def test_serial_target_of_other_machines() -> None:
    xml = _xml("<serial type='pty'><target type='spapr-vio-serial'/></serial>")
    assert _refusal(xml) == (
        "unsupported configuration: Serial device with target type 'spapr-vio-serial' and "
        "target model 'spapr-vty' not compatible with guest architecture or machine type")


def test_virtio_iommu_rules() -> None:
    feat = "<features><acpi/></features>"
    assert _refusal(_xml("<iommu model='virtio'/>", head=feat)) == (
        "unsupported configuration: IOMMU device: 'virtio' is only supported with Q35 and ARM "
        "Virt machines")
    assert _refusal(_xml("<iommu model='virtio'/>", machine="q35")) == (
        "unsupported configuration: IOMMU device: 'virtio' requires ACPI")
    attrs = "<iommu model='virtio'><driver dma_translation='on'/></iommu>"
    assert _refusal(_xml(attrs, head=feat, machine="q35")) == (
        "XML error: iommu model 'virtio' doesn't support additional attributes")


def test_usb_address_rules() -> None:
    usb = "<controller type='usb' index='0' model='piix3-uhci'/>"
    missing = "<hub type='usb'><address type='usb' bus='1'/></hub>"
    assert _refusal(_xml(usb + missing)) == (
        "XML error: USB bus 1 requested but no controller with that index is present")
    nohub = "<input type='mouse' bus='usb'><address type='usb' bus='0' port='1.2'/></input>"
    assert _refusal(_xml(usb + nohub)) == (
        "XML error: there is no hub at port 1 in USB address bus: 0 port: 1.2")
    far = "<hub type='usb'><address type='usb' bus='0' port='1'/></hub>" + \
        "<hub type='usb'><address type='usb' bus='0' port='1.9'/></hub>"
    assert _refusal(_xml(usb + far)) == (
        "XML error: requested USB port 1.9 not present on USB bus 0")
    _translate(_xml(usb + far.replace("1.9", "1.8")))


def test_pci_expander_node_must_exist() -> None:
    pxb = ("<controller type='pci' index='1' model='pci-expander-bus'><target busNr='254'>"
           "<node>1</node></target></controller>")
    assert _refusal(_xml(pxb)) == (
        "XML error: pci-expander-bus with index 1 is configured for a NUMA node (1) not present "
        "in the domain's <cpu><numa> array (0)")


def test_controller_iothread_only_for_scsi() -> None:
    ctl = "<controller type='virtio-serial' index='0'><driver iothread='1'/></controller>"
    assert _refusal(_xml(ctl, head="<iothreads>1</iothreads>")) == (
        "XML error: 'iothread' attribute only supported for virtio scsi controllers")


def test_tpm_needs_backend() -> None:
    assert _refusal(_xml("<tpm model='tpm-tis'/>")) == "XML error: missing TPM device backend"


def _numa_links(*links: tuple[int, int, str]) -> str:
    return ("<cpu><numa><cell id='0' cpus='0' memory='131072'/>"
            "<cell id='1' cpus='1' memory='131072'/><interconnects>"
            + "".join(f"<latency initiator='{i}' target='{t}' type='{kind}' value='5'/>"
                      for i, t, kind in links)
            + "</interconnects></numa></cpu>")


def test_numa_interconnects_duplicate_and_reverse_links() -> None:
    """virDomainNumaDefValidate: a link given twice, or a link and its reverse."""
    vcpus = "<vcpu>2</vcpu>"
    assert _refusal(_xml(head=vcpus, cpu=_numa_links((0, 1, "access"), (0, 1, "access")))) \
        == "XML error: Duplicate info for NUMA latencies"
    assert _refusal(_xml(head=vcpus, cpu=_numa_links((0, 1, "access"), (1, 0, "read")))) \
        == "XML error: Link already defined"
    # the first link to clash decides, whatever clashes later
    assert _refusal(_xml(head=vcpus, cpu=_numa_links(
        (1, 0, "write"), (0, 1, "access"), (0, 1, "access")))) \
        == "XML error: Link already defined"
    assert _refusal(_xml(head=vcpus, cpu=_numa_links(
        (0, 1, "access"), (1, 1, "read"), (0, 1, "access")))) \
        == "XML error: Duplicate info for NUMA latencies"
    _translate(_xml(head=vcpus, cpu=_numa_links((0, 1, "access"), (0, 1, "read"),
                                                (0, 0, "access"))))


def _scsi_hostdev_auto(adapter: str) -> str:
    return ("<hostdev mode='subsystem' type='scsi'><source>"
            f"<adapter name='{adapter}'/><address bus='0' target='0' unit='0'/></source>"
            "</hostdev>")


def test_scsi_hostdevs_take_the_first_free_units() -> None:
    """A SCSI hostdev without an address takes the first unit no SCSI disk or hostdev
    holds, on the first controller with room (an lsisas1068 has units 0 and 1 only)."""
    from translator.model.address import DriveAddress

    disk = ("<disk type='file' device='disk'><source file='/a'/><target dev='sda' "
            "bus='scsi'/><address type='drive' controller='0' bus='0' target='0' "
            "unit='0'/></disk>")
    ctrl = "<controller type='scsi' index='0' model='lsisas1068'/>"
    inv = _translate(_xml(ctrl + disk + "".join(_scsi_hostdev_auto(f"scsi_host{i}")
                                                for i in range(3))))
    got = [(d.info.address.controller, d.info.address.unit) for d in inv.domain.devices.items
           if d.family == "hostdev" and isinstance(d.info.address, DriveAddress)]
    assert got == [(0, 1), (1, 0), (1, 1)]


def test_virtio_serial_ports_fill_controllers_in_order() -> None:
    """Written ports are reserved first; the others take the first free port (from 1 for a
    channel) of the first controller with one, and a full set of controllers gets a new
    one (virDomainVirtioSerialAddrNext)."""
    from translator.model.address import GenericAddress

    written = ("<channel type='pty'><target type='virtio' name='w'/>"
               "<address type='virtio-serial' controller='0' bus='0' port='2'/></channel>")
    channels = [f"<channel type='pty'><target type='virtio' name='c{i}'/></channel>"
                for i in range(32)]
    inv = _translate(_xml("<controller type='virtio-serial' index='0' ports='4'/>"
                          + channels[0] + written + "".join(channels[1:])))
    got = [(a.attrs["controller"], a.attrs["port"]) for d in inv.domain.devices.items
           if isinstance(a := d.info.address, GenericAddress) and a.type == "virtio-serial"]
    # in device order: c0, the written port, c1, then controller 1 from its port 1
    assert got[:5] == [("0", "1"), ("0", "2"), ("0", "3"), ("1", "1"), ("1", "2")]
    assert got[-1] == ("1", "30") and len(set(got)) == len(got) == 33
