"""libvirt's generic validation (domain_validate.c) and post-parse refusals: each rule refuses
with libvirt's message and code, and its neighbouring valid configuration is accepted.

Each case is (what is refused, libvirt's message, the accepted neighbour); the messages
come from libvirt 11.3's source.
"""

from __future__ import annotations

import pytest

import capsdb
import translator
from translator.errors import ErrorCode, TranslationError


def _xml(devices: str = "", *, head: str = "", os_extra: str = "", cpu: str = "",
         machine: str = "pc", memory: str = "<memory>262144</memory>",
         arch: str = "x86_64", vcpu: str = "<vcpu>2</vcpu>") -> str:
    return f"""<domain type='qemu'><name>t</name>{memory}{vcpu}{head}
      <os><type arch='{arch}' machine='{machine}'>hvm</type>{os_extra}</os>{cpu}
      <devices>{devices}</devices></domain>"""


def _translate(xml: str) -> translator.Invocation:
    return translator.translate(xml, capsdb.get(), profile="libvirt-test")


def _refusal(xml: str) -> TranslationError:
    with pytest.raises(TranslationError) as exc:
        _translate(xml)
    return exc.value


def _disk(inner: str, *, type_: str = "file", device: str = "disk", attrs: str = "") -> str:
    return f"<disk type='{type_}' device='{device}'{attrs}>{inner}</disk>"


FILE_SRC = "<source file='/a.img'/>"
NUMA2 = ("<cpu><numa><cell id='0' cpus='0' memory='131072'/>"
         "<cell id='1' cpus='1' memory='131072'/></numa></cpu>")

# (refused domain, libvirt's code, libvirt's message, accepted neighbour)
CASES = [
    # -- disks (virDomainDiskDefValidate) --
    (_xml(_disk(FILE_SRC + "<target dev='vda' bus='virtio'/>", attrs=" sgio='filtered'")),
     ErrorCode.CONFIG_UNSUPPORTED, "sgio can be used only with device='lun'",
     _xml(_disk(FILE_SRC + "<target dev='vda' bus='virtio'/>"))),
    (_xml(_disk(FILE_SRC + "<target dev='sda' bus='scsi'/>", device="lun")),
     ErrorCode.CONFIG_UNSUPPORTED, "disk device='lun' is only valid for block type disk source",
     _xml(_disk("<source dev='/dev/sdb'/><target dev='sda' bus='scsi'/>", type_="block",
                device="lun"))),
    (_xml(_disk(FILE_SRC + "<target dev='hda' bus='ide'/>", attrs=" model='virtio'")),
     ErrorCode.CONFIG_UNSUPPORTED, "disk model 'virtio' not supported for bus 'ide'",
     _xml(_disk(FILE_SRC + "<target dev='vda' bus='virtio'/>", attrs=" model='virtio'"))),
    (_xml(_disk(FILE_SRC + "<driver name='qemu' queues='2'/><target dev='hda' bus='ide'/>")),
     ErrorCode.CONFIG_UNSUPPORTED,
     "queues attribute in disk driver element is only supported for virtio bus",
     _xml(_disk(FILE_SRC + "<driver name='qemu' queues='2'/><target dev='vda' bus='virtio'/>"))),
    (_xml(_disk(FILE_SRC + "<driver name='qemu' iommu='on'/><target dev='hda' bus='ide'/>")),
     ErrorCode.CONFIG_UNSUPPORTED, "iommu driver option is only supported for virtio devices",
     _xml(_disk(FILE_SRC + "<driver name='qemu' iommu='on'/><target dev='vda' bus='virtio'/>"))),
    (_xml(_disk(FILE_SRC + "<target dev='vda' bus='virtio' tray='open'/>")),
     ErrorCode.CONFIG_UNSUPPORTED, "tray is only valid for cdrom and floppy",
     _xml(_disk(FILE_SRC + "<target dev='hdc' bus='ide' tray='open'/>", device="cdrom"))),
    (_xml(_disk(FILE_SRC + "<target dev='hda' bus='ide'/><product>" + "p" * 41 + "</product>")),
     ErrorCode.CONFIG_UNSUPPORTED, "disk product is more than 40 characters",
     _xml(_disk(FILE_SRC + "<target dev='hda' bus='ide'/><product>" + "p" * 40 + "</product>"))),
    (_xml(_disk(FILE_SRC + "<target dev='fda' bus='ide'/>", device="floppy")),
     ErrorCode.INTERNAL_ERROR, "Invalid bus type 'ide' for floppy disk",
     _xml(_disk(FILE_SRC + "<target dev='fda' bus='fdc'/>", device="floppy"))),
    (_xml(_disk(FILE_SRC + "<target dev='hda' bus='fdc'/>")),
     ErrorCode.INTERNAL_ERROR, "Invalid bus type 'fdc' for disk",
     _xml(_disk(FILE_SRC + "<target dev='hda' bus='ide'/>"))),
    (_xml(_disk(FILE_SRC + "<target dev='hda' bus='ide' removable='on'/>")),
     ErrorCode.XML_ERROR, "removable is only valid for usb or scsi disks",
     _xml(_disk(FILE_SRC + "<target dev='sda' bus='scsi' removable='on'/>"))),
    (_xml(_disk("<target dev='hda' bus='ide'/>")),
     ErrorCode.NO_SOURCE, "missing source information for device hda",
     _xml(_disk("<target dev='hdc' bus='ide'/>", device="cdrom"))),
    (_xml(_disk("<source file='/a.img' startupPolicy='requisite'/><target dev='vda'/>")),
     ErrorCode.XML_ERROR, "disk startupPolicy 'requisite' is allowed only for cdrom or floppy",
     _xml(_disk("<source file='/a.img' startupPolicy='optional'/><target dev='vda'/>"))),
    (_xml(_disk("<source protocol='nbd' name='x'><host name='h'/></source>"
                "<auth username='u'><secret type='iscsi' usage='s'/></auth>"
                "<target dev='vda'/>", type_="network")),
     ErrorCode.CONFIG_UNSUPPORTED, "authentication is not supported for protocol 'nbd'",
     _xml(_disk("<source protocol='nbd' name='x'><host name='h'/></source>"
                "<target dev='vda'/>", type_="network"))),
    (_xml(_disk("<driver name='qemu' type='qcow2'/><source file='/a.img'/><target dev='vda'/>"
                "<iotune><total_bytes_sec>10</total_bytes_sec><read_bytes_sec>5"
                "</read_bytes_sec></iotune>")),
     ErrorCode.XML_ERROR, "total and read/write bytes_sec cannot be set at the same time",
     _xml(_disk("<driver name='qemu' type='qcow2'/><source file='/a.img'/><target dev='vda'/>"
                "<iotune><total_bytes_sec>10</total_bytes_sec></iotune>"))),
    (_xml(_disk("<driver name='qemu' type='fat'/><source dir='/d'/><target dev='vda'/>",
                type_="dir")),
     ErrorCode.CONFIG_UNSUPPORTED, "virtual FAT storage can't be accessed in read-write mode",
     _xml(_disk("<driver name='qemu' type='fat'/><source dir='/d'/><target dev='vda'/>"
                "<readonly/>", type_="dir"))),
    (_xml(_disk("<source dir='/d'/><target dev='vda'/><readonly/>", type_="dir")
          .replace("<source", "<driver name='qemu' type='raw'/><source")),
     ErrorCode.CONFIG_UNSUPPORTED, "storage type 'dir' requires use of storage format 'fat'",
     _xml(_disk("<driver name='qemu' type='fat'/><source dir='/d'/><target dev='vda'/>"
                "<readonly/>", type_="dir"))),
    (_xml(_disk("<source protocol='iscsi' name='iqn.x/1'><host name='h'/></source>"
                "<auth username='u'/><target dev='vda'/>", type_="network")),
     ErrorCode.XML_ERROR, "Missing <secret> element in auth",
     _xml(_disk("<source protocol='iscsi' name='iqn.x/1'><host name='h'/></source>"
                "<auth username='u'><secret type='iscsi' usage='x'/></auth><target dev='vda'/>",
                type_="network"))),
    (_xml(_disk("<source dev='/dev/sdb'><reservations managed='no'/></source>"
                "<target dev='sda' bus='scsi'/>", type_="block", device="lun")),
     ErrorCode.XML_ERROR, "missing connection type for <reservations/>",
     _xml(_disk("<source dev='/dev/sdb'><reservations managed='no'><source type='unix' "
                "path='/run/pr.sock' mode='client'/></reservations></source>"
                "<target dev='sda' bus='scsi'/>", type_="block", device="lun"))),
    (_xml(_disk("<source protocol='https' name='/f'><host name='h'/><cookies>"
                "<cookie name='a b'>v</cookie></cookies></source><target dev='vda'/>",
                type_="network")),
     ErrorCode.XML_ERROR, "cookie name 'a b' contains invalid characters",
     _xml(_disk("<source protocol='https' name='/f'><host name='h'/><cookies>"
                "<cookie name='ab'>v</cookie></cookies></source><target dev='vda'/>",
                type_="network"))),
    # -- controllers, host devices --
    (_xml("<controller type='pci' index='1' model='pci-bridge'><target chassisNr='0'/>"
          "</controller>"),
     ErrorCode.CONFIG_UNSUPPORTED, "PCI controller chassisNr '0' out of range - must be 1-255",
     _xml("<controller type='pci' index='1' model='pci-bridge'><target chassisNr='1'/>"
          "</controller>")),
    (_xml("<controller type='usb' index='0' model='piix3-uhci'><driver><iothreads>"
          "<iothread id='1'/></iothreads></driver></controller>",
          head="<iothreads>1</iothreads>"),
     ErrorCode.CONFIG_UNSUPPORTED, "iothreads are supported only by 'virtio-scsi' controllers",
     _xml("<controller type='scsi' index='0' model='virtio-scsi'><driver iothread='1'/>"
          "</controller>", head="<iothreads>1</iothreads>")),
    (_xml("<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/>"
          "</source><address type='pci'/></hostdev>"),
     ErrorCode.CONFIG_UNSUPPORTED, "USB host device must use 'usb' address type",
     _xml("<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/>"
          "</source></hostdev>")),
    # -- video, input, sound, audio, graphics --
    (_xml("<video><model type='vga' ram='65536'/></video>"),
     ErrorCode.CONFIG_UNSUPPORTED, "ram attribute only supported for video type qxl",
     _xml("<video><model type='qxl' ram='65536'/></video>")),
    (_xml("<video><model type='none'/></video><video><model type='vga'/></video>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "a 'none' video type must be the only video device defined for the domain",
     _xml("<video><model type='none'/></video>")),
    (_xml("<input type='tablet' bus='ps2'/>"),
     ErrorCode.INTERNAL_ERROR, "ps2 bus does not support tablet input device",
     _xml("<input type='tablet' bus='usb'/>")),
    (_xml("<input type='passthrough' bus='usb'><source evdev='/dev/input/event1'/></input>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "only bus 'virtio' is supported for 'passthrough' input devices",
     _xml("<input type='passthrough' bus='virtio'><source evdev='/dev/input/event1'/>"
          "</input>")),
    (_xml("<sound model='ich6'><audio id='2'/></sound><audio id='1' type='none'/>"),
     ErrorCode.XML_ERROR, "no audio device with ID 2",
     _xml("<sound model='ich6'><audio id='1'/></sound><audio id='1' type='none'/>")),
    (_xml("<audio id='1' type='none'/><audio id='1' type='none'/>"),
     ErrorCode.XML_ERROR, "audio ID 1 is used multiple times",
     _xml("<audio id='1' type='none'/><audio id='2' type='none'/>")),
    (_xml("<graphics type='vnc'><listen type='network'/></graphics>"),
     ErrorCode.XML_ERROR, "'network' attribute is required for listen type 'network'",
     _xml("<graphics type='vnc'><listen type='address' address='127.0.0.1'/></graphics>")),
    # -- interfaces once connected (qemuDomainValidateActualNetDef) --
    (_xml("<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/>"
          "<vlan><tag id='42'/></vlan></interface>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "interface 52:54:00:00:00:01 - vlan tag not supported for this connection type",
     _xml("<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/>"
          "</interface>")),
    (_xml("<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/>"
          "<driver queues='4'/></interface>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "interface 52:54:00:00:00:01 - multiqueue is not supported for network interfaces of "
     "type user",
     _xml("<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/>"
          "<driver queues='1'/></interface>")),
    (_xml("<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/>"
          "<backend tap='/dev/net/tun'/></interface>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "interface 52:54:00:00:00:01 - custom tap device path is not supported for network "
     "interfaces of type user",
     _xml("<interface type='ethernet'><mac address='52:54:00:00:00:01'/>"
          "<model type='virtio'/><backend tap='/dev/net/tun'/></interface>")),
    # -- character devices --
    (_xml("<serial type='file'><target port='0'/></serial>"),
     ErrorCode.INTERNAL_ERROR, "Missing source path attribute for char device",
     _xml("<serial type='file'><source path='/tmp/s.log'/><target port='0'/></serial>")),
    (_xml("<serial type='tcp'><source mode='connect' host='127.0.0.1'/><target port='0'/>"
          "</serial>"),
     ErrorCode.INTERNAL_ERROR, "Missing source service attribute for char device",
     _xml("<serial type='tcp'><source mode='connect' host='127.0.0.1' service='9999'/>"
          "<target port='0'/></serial>")),
    # -- memory devices, shmem, filesystems, vsock, TPM --
    (_xml("<shmem name='a/b'><model type='ivshmem-plain'/></shmem>"),
     ErrorCode.CONFIG_UNSUPPORTED, "shmem name cannot include '/' character",
     _xml("<shmem name='ab'><model type='ivshmem-plain'/></shmem>")),
    (_xml("<filesystem type='mount'><driver type='path'/><source dir='/s'/>"
          "<target dir='t'/><boot order='1'/></filesystem>"),
     ErrorCode.CONFIG_UNSUPPORTED, "boot order is only supported for virtiofs",
     _xml("<filesystem type='mount'><driver type='path'/><source dir='/s'/>"
          "<target dir='t'/></filesystem>")),
    (_xml("<vsock model='virtio'><cid auto='no' address='2'/></vsock>"),
     ErrorCode.CONFIG_UNSUPPORTED, "guest CIDs must be >= 3",
     _xml("<vsock model='virtio'><cid auto='no' address='3'/></vsock>")),
    (_xml("<memory model='dimm'><target><size unit='KiB'>131072</size><node>2</node>"
          "</target></memory>", cpu=NUMA2, memory="<memory>393216</memory>",
          head="<maxMemory slots='4' unit='KiB'>1048576</maxMemory>"),
     ErrorCode.XML_DETAIL, "can't add memory backend for guest node '2' as the guest has only "
     "'2' NUMA nodes configured",
     _xml("<memory model='dimm'><target><size unit='KiB'>131072</size><node>0</node>"
          "</target></memory>",
          head="<maxMemory slots='4' unit='KiB'>1048576</maxMemory>", cpu=NUMA2,
          memory="<memory>393216</memory>")),
    (_xml("<memory model='dimm'><target><size unit='KiB'>131072</size><node>0</node>"
          "</target></memory>", cpu=NUMA2, memory="<memory>393216</memory>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "cannot use/hotplug a memory device when domain 'maxMemory' is not defined",
     _xml("", cpu=NUMA2)),
    # -- domain-wide (virDomainDefValidateInternal) --
    (_xml("<iommu model='intel'><driver intremap='on'/></iommu>", machine="q35",
          head="<features><acpi/></features>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "IOMMU interrupt remapping requires split I/O APIC (ioapic driver='qemu')",
     _xml("<iommu model='intel'><driver intremap='on'/></iommu>", machine="q35",
          head="<features><acpi/><ioapic driver='qemu'/></features>")),
    (_xml(head="<on_poweroff>coredump-destroy</on_poweroff>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "Lifecycle event 'poweroff' doesn't support 'coredump-destroy' action",
     _xml(head="<on_crash>coredump-destroy</on_crash>")),
    (_xml(head="<cputune><period>100</period></cputune>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "Value of cputune 'period' must be in range [1000, 1000000]",
     _xml(head="<cputune><period>1000</period></cputune>")),
    (_xml(os_extra="<bios rebootTimeout='70000'/>"),
     ErrorCode.CONFIG_UNSUPPORTED, "invalid value for rebootTimeout, must be in range [-1,65535]",
     _xml(os_extra="<bios rebootTimeout='-1'/>")),
    (_xml(head="<blkiotune><device><path>/dev/sda</path><weight>100</weight></device>"
               "<device><path>/dev/sda</path><weight>200</weight></device></blkiotune>"),
     ErrorCode.CONFIG_UNSUPPORTED, "duplicate blkio device path '/dev/sda'",
     _xml(head="<blkiotune><device><path>/dev/sda</path><weight>100</weight></device>"
               "</blkiotune>")),
    (_xml(head="<iothreads>1</iothreads><iothreadids><iothread id='1' thread_pool_min='4' "
               "thread_pool_max='2'/></iothreadids>"),
     ErrorCode.CONFIG_UNSUPPORTED, "thread_pool_min must be smaller or equal to thread_pool_max",
     _xml(head="<iothreads>1</iothreads><iothreadids><iothread id='1' thread_pool_min='2' "
               "thread_pool_max='4'/></iothreadids>")),
    (_xml("<disk type='file'><source file='/a'/><target dev='vda'/><alias name='ua-x'/>"
          "</disk><disk type='file'><source file='/b'/><target dev='vdb'/>"
          "<alias name='ua-x'/></disk>"),
     ErrorCode.CONFIG_UNSUPPORTED, "non unique alias detected: ua-x",
     _xml("<disk type='file'><source file='/a'/><target dev='vda'/><alias name='ua-x'/>"
          "</disk><disk type='file'><source file='/b'/><target dev='vdb'/>"
          "<alias name='ua-y'/></disk>")),
    # -- NUMA (numa_conf.c) --
    (_xml(cpu="<cpu><numa><cell id='0' cpus='0-1' memory='131072'/>"
              "<cell id='1' cpus='1' memory='131072'/></numa></cpu>"),
     ErrorCode.CONFIG_UNSUPPORTED, "NUMA cells 1 and 0 have overlapping vCPU ids",
     _xml(cpu=NUMA2)),
    (_xml(cpu="<cpu><numa><cell id='0' cpus='0' memory='131072'><distances>"
              "<sibling id='0' value='20'/></distances></cell>"
              "<cell id='1' cpus='1' memory='131072'/></numa></cpu>"),
     ErrorCode.XML_ERROR, "'value 20' is invalid for 'sibling id 0' under NUMA 'cell id 0'",
     _xml(cpu="<cpu><numa><cell id='0' cpus='0' memory='131072'><distances>"
              "<sibling id='0' value='10'/></distances></cell>"
              "<cell id='1' cpus='1' memory='131072'/></numa></cpu>")),
    (_xml(cpu=NUMA2, vcpu="<vcpu placement='auto'>2</vcpu>",
          head="<numatune><memnode cellid='0' mode='strict' nodeset='0'/></numatune>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "Per-node binding is not compatible with automatic NUMA placement.",
     _xml(cpu=NUMA2, head="<numatune><memnode cellid='0' mode='strict' nodeset='0'/>"
                          "</numatune>")),
    (_xml(cpu=NUMA2, head="<numatune><memory nodeset='0'/></numatune>"
                          "<numatune><memory nodeset='0'/></numatune>"),
     ErrorCode.XML_ERROR, "only one numatune is supported",
     _xml(cpu=NUMA2, head="<numatune><memory nodeset='0'/></numatune>")),
    # -- post-parse (domain_postparse.c, qemu_postparse.c) --
    (_xml(_disk(FILE_SRC + "<target dev='vda'/><boot order='1'/>")
          + _disk("<source file='/b.img'/><target dev='vdb'/><boot order='1'/>")),
     ErrorCode.CONFIG_UNSUPPORTED, "boot order '1' used for more than one device",
     _xml(_disk(FILE_SRC + "<target dev='vda'/><boot order='1'/>")
          + _disk("<source file='/b.img'/><target dev='vdb'/><boot order='2'/>"))),
    (_xml(_disk(FILE_SRC + "<target dev='vda'/><boot order='1'/>"),
          os_extra="<boot dev='hd'/>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "per-device boot elements cannot be used together with os/boot elements",
     _xml(_disk(FILE_SRC + "<target dev='vda'/><boot order='1'/>"))),
    (_xml(head="<clock offset='utc'><timer name='kvmclock' tickpolicy='catchup'/></clock>"),
     ErrorCode.CONFIG_UNSUPPORTED, "timer kvmclock doesn't support setting of timer tickpolicy",
     _xml(head="<clock offset='utc'><timer name='kvmclock' present='yes'/></clock>")),
    (_xml(head="<vcpus><vcpu id='0' enabled='no'/><vcpu id='1' enabled='yes'/></vcpus>"),
     ErrorCode.CONFIG_UNSUPPORTED, "vcpu 0 can't be offline",
     _xml(head="<vcpus><vcpu id='0' enabled='yes'/><vcpu id='1' enabled='yes'/></vcpus>")),
    # only online vCPUs are ordered; a vCPU the <vcpus> list omits is offline
    (_xml(vcpu="<vcpu>4</vcpu>", head="<vcpus><vcpu id='0' enabled='yes' order='1'/>"
                                      "<vcpu id='1' enabled='yes'/></vcpus>"),
     ErrorCode.CONFIG_UNSUPPORTED, "all vcpus must have either set or unset order",
     _xml(vcpu="<vcpu>4</vcpu>", head="<vcpus><vcpu id='0' enabled='yes' order='1'/>"
                                      "<vcpu id='1' enabled='no'/></vcpus>")),
    (_xml("<shmem name='s'><model type='ivshmem-doorbell'/></shmem>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "shmem model 'ivshmem-doorbell' is supported only with server option enabled",
     _xml("<shmem name='s'><model type='ivshmem-doorbell'/>"
          "<server path='/tmp/s.sock'/></shmem>")),
    (_xml("<panic model='isa'/><panic/>"),
     ErrorCode.XML_ERROR, "Multiple panic devices with model 'isa'",
     _xml("<panic model='isa'/><panic model='hyperv'/>")),
    (_xml("<controller type='usb' index='0' model='qusb1'/>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "USB controller model type 'qusb1' or 'qusb2' is not supported in qemu",
     _xml("<controller type='usb' index='0' model='qemu-xhci'/>")),
    (_xml(machine="q35", head="<features><smm state='on'><tseg unit='KiB'>1536</tseg></smm>"
                             "</features>"),
     ErrorCode.CONFIG_UNSUPPORTED, "SMM TSEG size must be divisible by 1 MiB",
     _xml(machine="q35", head="<features><smm state='on'><tseg unit='MiB'>48</tseg></smm>"
                             "</features>")),
    (_xml().replace("<name>t</name>", "<name>a/b</name>"),
     ErrorCode.XML_ERROR, "name a/b cannot contain '/'",
     _xml().replace("<name>t</name>", "<name>a-b</name>")),
    (_xml("<shmem name='s'><model type='ivshmem-plain'/>"
          "<server path='/tmp/s.sock'/></shmem>"),
     ErrorCode.CONFIG_UNSUPPORTED,
     "shmem model 'ivshmem-plain' is supported only with server option disabled",
     _xml("<shmem name='s'><model type='ivshmem-doorbell'/>"
          "<server path='/tmp/s.sock'/></shmem>")),
    (_xml("<memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node>"
          "</target></memory>", cpu=NUMA2,
          head="<maxMemory slots='4' unit='KiB'>1048576</maxMemory>"),
     ErrorCode.XML_ERROR, "Total size of memory devices exceeds the total memory size",
     _xml("<memory model='dimm'><target><size unit='KiB'>131072</size><node>0</node>"
          "</target></memory>", cpu=NUMA2, memory="<memory>393216</memory>",
          head="<maxMemory slots='4' unit='KiB'>1048576</maxMemory>")),
]


@pytest.mark.parametrize("refused,code,message,accepted", CASES,
                         ids=[c[2][:48] for c in CASES])
def test_rule(refused: str, code: ErrorCode, message: str, accepted: str) -> None:
    err = _refusal(refused)
    assert (err.code, err.message) == (code, message)
    _translate(accepted)


def test_device_order_follows_libvirt_iteration() -> None:
    """A controller's refusal comes after a disk's even when the controller is written first
    (libvirt visits disks, then interfaces, ..., then controllers)."""
    xml = _xml("<controller type='pci' index='1' model='pci-bridge'><target chassisNr='0'/>"
               "</controller>" + _disk(FILE_SRC + "<target dev='fda' bus='ide'/>",
                                       device="floppy"))
    assert _refusal(xml).message == "Invalid bus type 'ide' for floppy disk"


def test_sheepdog_is_gone() -> None:
    xml = _xml(_disk("<source protocol='sheepdog' name='v'><host name='h'/></source>"
                     "<target dev='vda'/>", type_="network"))
    assert _refusal(xml).message == \
        "'sheepdog' protocol is no longer supported by any hypervisor driver"


def _chain(depth: int) -> str:
    inner = ""
    for i in range(depth, 0, -1):
        inner = (f"<backingStore type='file'><format type='qcow2'/><source file='/b{i}'/>"
                 f"{inner}</backingStore>")
    return _xml(_disk("<driver name='qemu' type='qcow2'/><source file='/top'/>" + inner
                      + "<target dev='vda'/>"))


def test_backing_chain_depth() -> None:
    """qemuDomainStorageSourceValidateDepth: 200 layers, the disk's own source included."""
    err = _refusal(_chain(200))
    assert (err.code, err.message) == (
        ErrorCode.OPERATION_UNSUPPORTED,
        "backing chains more than 200 layers deep are not supported for disk 'vda'")
    _translate(_chain(199))
