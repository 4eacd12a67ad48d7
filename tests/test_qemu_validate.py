"""The QEMU driver's validation (translator/validate/qemu_*.py): for each rule of
qemu_validate.c a domain libvirt refuses, with libvirt's message, and its accepted neighbour.
"""

from __future__ import annotations

import pytest

import capsdb
import translator

MEM_SHARED = "<memoryBacking><access mode='shared'/></memoryBacking>"


def _xml(devices: str = "", *, head: str = "", os_extra: str = "", machine: str = "pc",
         virt: str = "qemu", arch: str = "x86_64", features: str = "", cpu: str = "",
         vcpu: str = "<vcpu>1</vcpu>", tail: str = "") -> str:
    feats = f"<features>{features}</features>" if features else ""
    return f"""<domain type='{virt}'><name>t</name><memory>262144</memory>{vcpu}{head}
      <os><type arch='{arch}' machine='{machine}'>hvm</type>{os_extra}</os>{feats}{cpu}
      <devices>{devices}</devices>{tail}</domain>"""


def _translate(xml: str, caps: str | None = None, arch: str = "x86_64",
               profile: str = "libvirt-test") -> translator.Invocation:
    return translator.translate(xml, capsdb.get(caps, arch), profile=profile)


def _refusal(xml: str, caps: str | None = None, arch: str = "x86_64",
             profile: str = "libvirt-test") -> str:
    with pytest.raises(translator.TranslationError) as exc:
        _translate(xml, caps, arch, profile)
    return str(exc.value)


CONFIG = "unsupported configuration: "

_NO_PCI_DEVICES = "<controller type='usb' model='none'/><memballoon model='none'/>"

# (refused domain, libvirt's message, accepted neighbour) on the newest x86_64 QEMU
CASES = [
    # qemuValidateDomainDef: the emulator's support
    # (without PCI devices: on a machine with no PCI bus those are refused first)
    (_xml(_NO_PCI_DEVICES, machine="s390-ccw-virtio"),
     CONFIG + "Emulator '/usr/bin/qemu-system-x86_64' does not support machine type "
     "'s390-ccw-virtio'", _xml(_NO_PCI_DEVICES, machine="pc")),
    (_xml(arch="aarch64"),
     CONFIG + "Emulator '/usr/bin/qemu-system-x86_64' does not support arch 'aarch64'",
     _xml(arch="i686")),
    (_xml(head="<memtune><min_guarantee>1024</min_guarantee></memtune>"),
     CONFIG + "Parameter 'min_guarantee' not supported by QEMU.",
     _xml(head="<memtune><hard_limit>1048576</hard_limit></memtune>")),
    (_xml(os_extra="<bios useserial='yes'/>"),
     "XML error: need at least one serial port to use BIOS serial output",
     _xml("<serial type='pty'/>", os_extra="<bios useserial='yes'/>")),
    # qemuBuildSmbiosCommandLine: mode='sysinfo' copies the domain's SMBIOS sysinfo
    (_xml(os_extra="<smbios mode='sysinfo'/>"),
     "XML error: Domain 't' sysinfo are not available",
     _xml(head="<sysinfo type='smbios'><bios><entry name='vendor'>v</entry></bios></sysinfo>",
          os_extra="<smbios mode='sysinfo'/>")),
    (_xml(tail="<on_poweroff>preserve</on_poweroff>"),
     CONFIG + "qemu driver doesn't support the 'preserve' action for "
     "'on_reboot'/'on_poweroff'", _xml(tail="<on_crash>preserve</on_crash>")),
    (_xml(tail="<on_poweroff>restart</on_poweroff><on_reboot>destroy</on_reboot>"),
     CONFIG + "qemu driver doesn't support 'onReboot' set to 'destroy and 'onPoweroff' set "
     "to 'reboot'", _xml(tail="<on_poweroff>destroy</on_poweroff><on_reboot>destroy"
                             "</on_reboot>")),
    (_xml(cpu="<cpu><cache mode='emulate' level='2'/></cpu>"),
     CONFIG + "CPU cache mode 'emulate' can only be used with level='3'",
     _xml(cpu="<cpu><cache mode='emulate' level='3'/></cpu>")),
    (_xml(head="<clock offset='utc'><timer name='platform'/></clock>"),
     CONFIG + "unsupported timer type (name) 'platform'",
     _xml(head="<clock offset='utc'><timer name='rtc'/></clock>")),
    (_xml(head="<clock offset='utc'><timer name='rtc' tickpolicy='merge'/></clock>"),
     CONFIG + "unsupported rtc timer tickpolicy 'merge'",
     _xml(head="<clock offset='utc'><timer name='rtc' tickpolicy='catchup'/></clock>")),
    (_xml(head="<clock offset='utc'><timer name='pit' tickpolicy='merge'/></clock>"),
     CONFIG + "unsupported pit tickpolicy 'merge'",
     _xml(head="<clock offset='utc'><timer name='pit' tickpolicy='discard'/></clock>")),
    (_xml(head="<clock offset='utc'><timer name='armvtimer'/></clock>"),
     CONFIG + "Configuring the 'armvtimer' timer is not supported for virtType=qemu "
     "arch=x86_64 machine=pc guests", _xml(head="<clock offset='utc'/>")),
    (_xml(head="<bootloader>/usr/bin/pygrub</bootloader>"),
     CONFIG + "bootloader is not supported by QEMU", _xml()),
    (_xml(os_extra="<loader secure='yes' type='pflash'>/x.fd</loader>",
          features="<acpi/><smm state='on'/>"),
     CONFIG + "Secure boot is supported with q35 machine types only",
     _xml(os_extra="<loader type='pflash'>/x.fd</loader>", features="<acpi/>")),
    (_xml(os_extra="<loader type='pflash'>/x.fd</loader>"),
     CONFIG + "UEFI requires ACPI on this architecture",
     _xml(os_extra="<loader type='pflash'>/x.fd</loader>", features="<acpi/>")),
    (_xml(vcpu="<vcpu>4</vcpu>", cpu="<cpu><topology sockets='1' cores='3' threads='1'/>"
                                     "</cpu>"),
     CONFIG + "CPU topology doesn't match maximum vcpu count",
     _xml(vcpu="<vcpu>3</vcpu>", cpu="<cpu><topology sockets='1' cores='3' threads='1'/>"
                                     "</cpu>")),
    (_xml("<iommu model='virtio'/>", vcpu="<vcpu>256</vcpu>", machine="q35",
          features="<acpi/>"),
     CONFIG + "more than 255 vCPUs require extended interrupt mode enabled on the iommu "
     "device", _xml(vcpu="<vcpu>256</vcpu>", machine="q35")),  # libvirt adds an EIM iommu
    (_xml(features="<gic version='3'/>"),
     CONFIG + "The 'gic' feature is not supported for architecture 'x86_64' or machine type "
     "'pc'", _xml(features="<apic/>")),
    (_xml(features="<vmport state='on'/><ps2 state='off'/>"),
     CONFIG + "vmport feature requires the ps2 feature not to be disabled",
     _xml(features="<vmport state='on'/>")),
    (_xml(features="<ras state='on'/>"),
     CONFIG + "ras feature is only supported with ARM Virt machines", _xml()),
    (_xml(features="<aia value='aplic-imsic'/>"),
     CONFIG + "aia feature is only supported with RISC-V Virt machines", _xml()),
    (_xml(features="<tcg><tb-cache unit='KiB'>1000</tb-cache></tcg>"),
     CONFIG + "tb-cache size must be an integer multiple of MiB",
     _xml(features="<tcg><tb-cache unit='KiB'>1024</tb-cache></tcg>")),
    (_xml(head="<memoryBacking><hugepages/><source type='anonymous'/></memoryBacking>"),
     CONFIG + "hugepages are not allowed with anonymous memory source",
     _xml(head="<memoryBacking><source type='anonymous'/></memoryBacking>")),
    (_xml("<console type='pty'><target type='sclp'/></console>"),
     CONFIG + "sclpconsole is not supported in this QEMU binary",
     _xml("<console type='pty'><target type='serial'/></console>")),
    (_xml(head="<sysinfo type='fwcfg'><entry name='opt/ovmf/x'>v</entry></sysinfo>"),
     CONFIG + "That firmware name is reserved",
     _xml(head="<sysinfo type='fwcfg'><entry name='opt/com.example/x'>v</entry></sysinfo>")),
    (_xml("<panic model='pseries'/>"),
     CONFIG + "only pSeries guests support panic device of model 'pseries'",
     _xml("<panic model='isa'/>")),
    (_xml("<watchdog model='itco'/><watchdog model='itco'/>", machine="q35"),
     CONFIG + "domain can only have one watchdog with model 'itco'",
     _xml("<watchdog model='itco'/>", machine="q35")),
    (_xml(tail="<launchSecurity type='s390-pv'/>"),
     CONFIG + "'s390-pv' launch security is not supported with this QEMU binary", _xml()),
    # device info
    (_xml("<interface type='user'><address type='ccw' cssid='0xfe' ssid='0' devno='1'/>"
          "</interface>"),
     CONFIG + "CCW addresses are not supported by machine type 'pc'",
     _xml("<interface type='user'/>")),
    (_xml("<interface type='user'><acpi index='1'/>"
          "<address type='isa' iobase='0x300'/></interface>"),
     CONFIG + "ACPI index is only supported for PCI devices",
     _xml("<interface type='user'><acpi index='1'/></interface>")),
    # disks
    (_xml("<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='vda' "
          "bus='virtio'/></disk>"),
     CONFIG + "disk type of 'vda' does not support ejectable media",
     _xml("<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='hdc' "
          "bus='ide'/></disk>")),
    (_xml("<disk type='file' device='disk'><source file='/a'/><target dev='vda' "
          "bus='virtio'/><product>p</product></disk>"),
     CONFIG + "Only ide, sata and scsi disk supports 'product'",
     _xml("<disk type='file' device='disk'><source file='/a'/><target dev='hda' "
          "bus='ide'/><product>p</product></disk>")),
    (_xml("<disk type='file' device='disk'><source file='/a'/><target dev='hda' "
          "bus='ide'/><vendor>v</vendor></disk>"),
     CONFIG + "Only scsi disk supports 'vendor'",
     _xml("<disk type='file' device='disk'><source file='/a'/><target dev='sda' "
          "bus='scsi'/><vendor>v</vendor></disk>")),
    (_xml("<disk type='block' device='lun'><source dev='/dev/sda'/><target dev='hda' "
          "bus='ide'/></disk>"),
     CONFIG + "disk device='lun' is not supported for bus='ide'",
     _xml("<disk type='block' device='lun'><source dev='/dev/sda'/><target dev='sda' "
          "bus='scsi'/></disk>")),
    (_xml("<disk type='file' device='disk'><source file='/a'/><target dev='hda' "
          "bus='ide'/><readonly/></disk>"),
     CONFIG + "readonly ide disks are not supported",
     _xml("<disk type='file' device='cdrom'><source file='/a'/><target dev='hda' "
          "bus='ide'/><readonly/></disk>")),
    (_xml("<disk type='file' device='disk'><driver name='qemu' io='native' "
          "cache='writeback'/><source file='/a'/><target dev='vda' bus='virtio'/></disk>"),
     CONFIG + "io='native' needs either no disk cache or directsync cache mode",
     _xml("<disk type='file' device='disk'><driver name='qemu' io='native' cache='none'/>"
          "<source file='/a'/><target dev='vda' bus='virtio'/></disk>")),
    (_xml("<disk type='file' device='disk'><driver name='qemu' iothread='1'/><source "
          "file='/a'/><target dev='hda' bus='ide'/></disk>", head="<iothreads>1</iothreads>"),
     CONFIG + "IOThreads not available for bus ide target hda",
     _xml("<disk type='file' device='disk'><driver name='qemu' iothread='1'/><source "
          "file='/a'/><target dev='vda' bus='virtio'/></disk>", head="<iothreads>1</iothreads>")),
    (_xml("<disk type='file' device='disk'><driver name='qemu' iothread='2'/><source "
          "file='/a'/><target dev='vda' bus='virtio'/></disk>", head="<iothreads>1</iothreads>"),
     CONFIG + "Disk iothread '2' not defined in iothreadid",
     _xml("<disk type='file' device='disk'><driver name='qemu' iothread='1'/><source "
          "file='/a'/><target dev='vda' bus='virtio'/></disk>", head="<iothreads>1</iothreads>")),
    (_xml("<disk type='file' device='disk'><source file='/a'/><target dev='vda1' "
          "bus='virtio'/></disk>"),
     CONFIG + "invalid disk target 'vda1', partitions can't appear in disk targets",
     _xml("<disk type='file' device='disk'><source file='/a'/><target dev='vda' "
          "bus='virtio'/></disk>")),
    (_xml("<disk type='file' device='disk'><source file='/a'/><target dev='hda' bus='ide'/>"
          "<address type='drive' controller='0' bus='0' target='1' unit='0'/></disk>"),
     CONFIG + "target must be 0 for ide controller",
     _xml("<disk type='file' device='disk'><source file='/a'/><target dev='hda' bus='ide'/>"
          "<address type='drive' controller='0' bus='0' target='0' unit='1'/></disk>")),
    (_xml("<disk type='file' device='disk'><source file='/a'/><target dev='vda' "
          "bus='virtio'/><iotune><total_bytes_sec>1000000000000001</total_bytes_sec>"
          "</iotune></disk>"),
     "argument unsupported: block I/O throttle limit must be no more than "
     "1000000000000000 using QEMU",
     _xml("<disk type='file' device='disk'><source file='/a'/><target dev='vda' "
          "bus='virtio'/><iotune><total_bytes_sec>1000000000000000</total_bytes_sec>"
          "</iotune></disk>")),
    # controllers
    (_xml("<controller type='ide' index='1'/>"),
     CONFIG + "Only a single IDE controller is supported for this machine type",
     _xml("<controller type='ide' index='0'/>")),
    (_xml("<controller type='ide' index='0'/>", machine="q35"),
     CONFIG + "IDE controllers are unsupported for this QEMU binary or machine type",
     _xml("<controller type='sata' index='0'/>", machine="q35")),
    (_xml("<controller type='scsi' model='buslogic'/>"),
     CONFIG + "Unsupported controller model: buslogic",
     _xml("<controller type='scsi' model='lsilogic'/>")),
    (_xml("<controller type='scsi' model='lsilogic'><driver queues='2'/></controller>"),
     CONFIG + "'queues' is only supported by virtio-scsi controller",
     _xml("<controller type='scsi' model='virtio-scsi'><driver queues='2'/></controller>")),
    (_xml("<controller type='pci' model='pci-bridge' index='1'><model name='ioh3420'/>"
          "</controller>"),
     CONFIG + "Option 'modelName' has invalid value for PCI controller with index '1', "
     "model 'pci-bridge' and modelName 'ioh3420'",
     _xml("<controller type='pci' model='pci-bridge' index='1'/>")),
    (_xml("<interface type='user'><route address='10.0.0.0' prefix='8' gateway='1.1.1.1'/>"
          "</interface>"),
     CONFIG + "Invalid attempt to set network interface guest-side IP route, not supported "
     "by QEMU", _xml("<interface type='user'/>")),
    (_xml("<interface type='vhostuser'><source type='unix' path='/s' mode='client'/>"
          "<model type='virtio'/></interface>"),
     CONFIG + "'interface' requires shared memory",
     _xml("<interface type='vhostuser'><source type='unix' path='/s' mode='client'/>"
          "<model type='virtio'/></interface>", head=MEM_SHARED)),
    (_xml("<interface type='vhostuser'><source type='unix' path='/s' mode='client'/>"
          "<model type='e1000'/></interface>", head=MEM_SHARED),
     CONFIG + "invalid model for interface of type 'vhostuser': 'e1000' - must be 'virtio'",
     _xml("<interface type='user'><model type='e1000'/></interface>")),
    (_xml("<interface type='user'><model type='virtio'/><driver rx_queue_size='100'/>"
          "</interface>"),
     CONFIG + "rx_queue_size has to be a power of two",
     _xml("<interface type='user'><model type='virtio'/><driver rx_queue_size='256'/>"
          "</interface>")),
    (_xml("<interface type='user'><mtu size='9000'/></interface>"),
     CONFIG + "setting MTU on interface type user is not supported yet",
     _xml("<interface type='ethernet'><mtu size='9000'/></interface>")),
    (_xml("<interface type='user'><coalesce><rx><frames max='7'/></rx></coalesce>"
          "</interface>"),
     CONFIG + "coalesce settings on interface type user are not supported",
     _xml("<interface type='user'/>")),
    # chardevs
    (_xml("<serial type='tcp'><source mode='connect' host='h' service='1'/>"
          "<protocol type='tls'/></serial>"),
     CONFIG + "tcp chardev protocol 'tls' not supported",
     _xml("<serial type='tcp'><source mode='connect' host='h' service='1'/>"
          "<protocol type='telnet'/></serial>")),
    (_xml("<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/>"
          "</channel>"),
     CONFIG + "chardev 'spicevmc' not supported without spice graphics",
     _xml("<graphics type='spice' autoport='yes'/><channel type='spicevmc'><target "
          "type='virtio' name='com.redhat.spice.0'/></channel>")),
    (_xml("<serial type='pty'><target type='isa-serial'><model name='pl011'/></target>"
          "</serial>"),
     CONFIG + "Target model 'pl011' requires target type 'system-serial'",
     _xml("<serial type='pty'><target type='isa-serial'><model name='isa-serial'/></target>"
          "</serial>")),
    (_xml("<serial type='pty'><target type='isa-serial'/><address type='pci'/></serial>"),
     CONFIG + "Target type 'isa-serial' requires address type 'isa'",
     _xml("<serial type='pty'><target type='pci-serial'/></serial>")),
    (_xml("<hostdev mode='subsystem' type='pci'><source writeFiltering='yes'><address "
          "domain='0' bus='6' slot='7' function='0'/></source></hostdev>"),
     CONFIG + "Write filtering of PCI device configuration space is not supported by qemu",
     _xml("<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='6' "
          "slot='7' function='0'/></source></hostdev>")),
    (_xml("<hostdev mode='subsystem' type='pci' display='on'><source><address domain='0' "
          "bus='6' slot='7' function='0'/></source></hostdev>"),
     CONFIG + "graphics device is needed for attribute value 'display=on' in <hostdev>",
     _xml("<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='6' "
          "slot='7' function='0'/></source></hostdev>")),
    # video, graphics, input, sound
    (_xml("<video><model type='vga'/></video><video><model type='vga'/></video>"),
     CONFIG + "video type 'vga' is only valid as primary video device",
     _xml("<video><model type='vga'/></video><video><model type='qxl'/></video>")),
    (_xml("<video><model type='vga' heads='2'/></video>"),
     CONFIG + "video type 'vga' doesn't support multiple 'heads'",
     _xml("<video><model type='qxl' heads='2'/></video>")),
    (_xml("<video><model type='qxl' vgamem='3072'/></video>"),
     CONFIG + "value for 'vgamem' must be power of two",
     _xml("<video><model type='qxl' vgamem='4096'/></video>")),
    (_xml("<graphics type='vnc' passwd='123456789'/>"),
     CONFIG + "VNC password is 9 characters long, only 8 permitted",
     _xml("<graphics type='vnc' passwd='12345678'/>")),
    (_xml("<graphics type='sdl'/><graphics type='egl-headless'/>"),
     CONFIG + "graphics type 'egl-headless' is only supported with one of: 'vnc', 'spice' "
     "graphics types", _xml("<graphics type='vnc'/><graphics type='egl-headless'/>")),
    (_xml("<input type='keyboard' bus='virtio' model='virtio-transitional'/>"),
     CONFIG + "virtio (non-)transitional models are not supported for input type=keyboard",
     _xml("<input type='keyboard' bus='virtio'/>")),
    # (with a slot of its own: without one, the address pass refuses it first)
    (_xml("<sound model='ich7'><address type='pci' domain='0' bus='0' slot='5' "
          "function='0'/></sound>"),
     "internal error: sound card model 'ich7' is not supported by qemu",
     _xml("<sound model='ich6'/>")),
    # smaller devices
    (_xml("<watchdog model='ib700'/>", machine="q35"),
     CONFIG + "ib700 model of watchdog cannot be used with this machine type",
     _xml("<watchdog model='ib700'/>", machine="pc")),
    (_xml("<watchdog model='i6300esb' action='reset'/><watchdog model='ib700' "
          "action='poweroff'/>"),
     CONFIG + "watchdogs with different actions are not supported with this QEMU binary",
     _xml("<watchdog model='i6300esb' action='reset'/><watchdog model='ib700' "
          "action='reset'/>")),
    (_xml("<iommu model='intel'/>", machine="pc"),
     CONFIG + "IOMMU device: 'intel' is only supported with Q35 machines",
     _xml("<iommu model='intel'/>", machine="q35", features="<ioapic driver='qemu'/>")),
    (_xml("<iommu model='virtio'/>", machine="q35"),
     CONFIG + "IOMMU device: 'virtio' requires ACPI",
     _xml("<iommu model='virtio'/>", machine="q35", features="<acpi/>")),
    (_xml("<filesystem type='mount' accessmode='mapped'><driver type='virtiofs'/><source "
          "dir='/p'/><target dir='t'/></filesystem>", head=MEM_SHARED),
     CONFIG + "virtiofs only supports passthrough accessmode",
     _xml("<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/>"
          "<source dir='/p'/><target dir='t'/></filesystem>", head=MEM_SHARED)),
    (_xml("<filesystem type='mount' accessmode='passthrough' fmode='644'><source "
          "dir='/p'/><target dir='t'/></filesystem>"),
     CONFIG + "fmode and dmode must be used with accessmode=mapped",
     _xml("<filesystem type='mount' accessmode='mapped' fmode='644'><source dir='/p'/>"
          "<target dir='t'/></filesystem>")),
    (_xml("<shmem name='s'><model type='ivshmem'/></shmem>"),
     CONFIG + "ivshmem device is no longer supported",
     _xml("<shmem name='s'><model type='ivshmem-plain'/></shmem>")),
    (_xml("<nvram><address type='spapr-vio' reg='0x3000'/></nvram>"),
     CONFIG + "nvram device is only supported for PPC64", _xml()),
    (_xml("<tpm model='tpm-tis'><backend type='emulator' version='1.2'/></tpm>",
          arch="x86_64").replace("tpm-tis", "tpm-crb"),
     CONFIG + "TPM 1.2 is not supported for model 'tpm-crb'",
     _xml("<tpm model='tpm-tis'><backend type='emulator' version='1.2'/></tpm>")),
    (_xml("<memory model='virtio-mem'><target><size unit='KiB'>131072</size><block "
          "unit='KiB'>2048</block><requested unit='KiB'>0</requested><node>0</node>"
          "</target><address type='ccw' cssid='0xfe' ssid='0' devno='1'/></memory>",
          head="<maxMemory slots='4' unit='KiB'>1048576</maxMemory>",
          cpu="<cpu><numa><cell id='0' cpus='0' memory='262144' unit='KiB'/></numa></cpu>"),
     CONFIG + "CCW addresses are not supported by machine type 'pc'", _xml()),
]


@pytest.mark.parametrize("refused, message, accepted", CASES)
def test_refused_with_libvirts_message_and_neighbour_accepted(
        refused: str, message: str, accepted: str) -> None:
    assert _refusal(refused) == message
    _translate(accepted)


def test_bios_serial_output_switches_the_machine_graphics_off() -> None:
    """qemuBuildMachineCommandLine: useserial='yes' is graphics=off (x86 firmware's serial
    console mode), before the HPET switch."""
    xml = _xml("<serial type='pty'/>", os_extra="<bios useserial='yes'/>",
               head="<clock offset='utc'><timer name='hpet' present='no'/></clock>")
    args = _translate(xml).args
    machine = args[args.index("-machine") + 1]
    assert machine.endswith(",graphics=off,hpet=off,acpi=off")


def test_machine_without_acpi_and_arm_acpi_without_uefi() -> None:
    arm = _xml(arch="aarch64", machine="virt", features="<acpi/>")
    assert _refusal(arm, arch="aarch64") == CONFIG + "ACPI requires UEFI on this architecture"
    _translate(_xml(arch="aarch64", machine="virt"), arch="aarch64")


def test_virt_type_the_emulator_lacks() -> None:
    caps = capsdb.get(None).with_changes(remove=["kvm"])
    with pytest.raises(translator.TranslationError) as exc:
        translator.translate(_xml(virt="kvm"), caps, profile="libvirt-test")
    assert str(exc.value) == (CONFIG + "Emulator '/usr/bin/qemu-system-x86_64' does not "
                              "support virt type 'kvm'")
    translator.translate(_xml(virt="qemu"), caps, profile="libvirt-test")


def test_capability_checks_follow_the_qemu_binary() -> None:
    xml = _xml("<disk type='file' device='disk'><driver name='qemu' "
               "discard_no_unref='on' type='qcow2'/><source file='/a'/><target dev='vda' bus='virtio'/>"
               "</disk>")
    assert _refusal(xml, "8.0.0") == (CONFIG + "'discard_no_unref' is not supported by this "
                                      "QEMU binary")
    _translate(xml)


def test_spice_tls_port_follows_qemu_conf() -> None:
    xml = _xml("<graphics type='spice' port='5900' tlsPort='5901' autoport='no'>"
               "<listen type='address' address='127.0.0.1'/></graphics>")
    assert _refusal(xml, profile="system") == (
        CONFIG + "spice TLS port set in XML configuration, but TLS is disabled in qemu.conf")
    _translate(xml)  # libvirt's harness enables spice_tls


def test_rdp_needs_qemu_rdp_and_dbus() -> None:
    xml = _xml("<graphics type='rdp'/>")
    assert _refusal(xml, profile="system") == (CONFIG + "rdp graphics are not supported with "
                                               "this QEMU")
    assert _refusal(xml) == CONFIG + "qemu-rdp support requires a D-Bus bus graphics device."
    _translate(_xml("<graphics type='dbus'/><graphics type='rdp'/>"))


def test_implicit_ide_controller_of_a_q35_ide_disk() -> None:
    xml = _xml("<disk type='file' device='cdrom'><source file='/a'/><target dev='hdc' "
               "bus='ide'/></disk>", machine="q35")
    assert _refusal(xml) == (CONFIG + "IDE controllers are unsupported for this QEMU binary "
                             "or machine type")
    _translate(xml.replace("bus='ide'", "bus='sata'").replace("hdc", "sdc"))


def test_ide_drive_address_checked_before_the_implicit_controller() -> None:
    xml = _xml("<disk type='file' device='disk'><source file='/a'/><target dev='hda' "
               "bus='ide'/><address type='drive' controller='1' bus='0' target='0' "
               "unit='0'/></disk>")
    assert _refusal(xml) == "internal error: Only 1 IDE controller is supported"


def test_usb_disk_address_and_emptiness() -> None:
    drive = _xml("<disk type='file' device='disk'><source file='/a'/><target dev='sda' "
                 "bus='usb'/><address type='drive' controller='0' bus='0' target='0' "
                 "unit='0'/></disk>")
    assert _refusal(drive) == "internal error: unexpected address type for usb disk"
    # (an empty 'disk' is refused by the generic checks first, so a cdrom)
    empty = _xml("<disk type='file' device='cdrom'><target dev='sda' bus='usb'/></disk>")
    assert _refusal(empty) == CONFIG + "'usb' disk must not be empty"
    _translate(_xml("<disk type='file' device='disk'><source file='/a'/><target dev='sda' "
                    "bus='usb'/></disk>"))


def test_process_start_checks() -> None:
    listens = _xml("<graphics type='vnc'><listen type='address' address='1.1.1.1'/>"
                   "<listen type='address' address='2.2.2.2'/></graphics>")
    assert _refusal(listens) == (CONFIG + "QEMU does not support multiple listens for one "
                                 "graphics device.")
    shmem = _xml("<shmem name='a/b'><model type='ivshmem-plain'/></shmem>")
    # (libvirt's generic shmem validation refuses the name before the start check can)
    assert _refusal(shmem) == CONFIG + "shmem name cannot include '/' character"
    _translate(_xml("<shmem name='ab'><model type='ivshmem-plain'/></shmem>"))


def test_actual_net_rules_at_build_time() -> None:
    xml = _xml("<interface type='user'><backend tap='/dev/net/tun'/>"
               "<mac address='52:54:00:00:00:01'/></interface>")
    assert _refusal(xml) == (CONFIG + "interface 52:54:00:00:00:01 - custom tap device path "
                             "is not supported for network interfaces of type user")
    _translate(xml.replace("type='user'", "type='ethernet'"))


def test_parse_time_values_the_builders_used_to_check() -> None:
    date = _xml(head="<sysinfo type='smbios'><bios><entry name='date'>13/01/2020</entry>"
                     "</bios></sysinfo>")
    assert _refusal(date) == "Invalid BIOS 'date' format"
    _translate(date.replace("13/01/2020", "12/01/2020"))
    policy = _xml(tail="<launchSecurity type='sev'><policy>zz</policy></launchSecurity>")
    assert _refusal(policy, "10.0.0+amdsev") == ("XML error: failed to get launch security "
                                                 "policy")


def test_smm_tseg_needs_q35() -> None:
    xml = _xml(features="<smm state='on'><tseg unit='MiB'>48</tseg></smm>")
    assert _refusal(xml) == CONFIG + "SMM TSEG is only supported with q35 machine type"
    _translate(xml.replace("machine='pc'", "machine='q35'"))


def test_crypto_backend_needs_its_capability() -> None:
    xml = _xml("<crypto model='virtio' type='qemu'><backend model='lkcf'/></crypto>")
    caps = capsdb.get(None).with_changes(remove=["cryptodev-backend-lkcf"])
    with pytest.raises(translator.TranslationError) as exc:
        translator.translate(xml, caps, profile="libvirt-test")
    assert str(exc.value) == CONFIG + "crypto backend lkcf is not supported"
    _translate(xml)


@pytest.mark.parametrize("refused, message, accepted", [
    (_xml("<graphics type='vnc'/><graphics type='vnc'/>"),
     CONFIG + "only 1 graphics device of each type (sdl, vnc, spice, headless, dbus, rdp) is "
     "supported", _xml("<graphics type='vnc'/><graphics type='spice'/>")),
    (_xml("<interface type='null'/>"),
     CONFIG + "network device type 'null' is not supported by this hypervisor",
     _xml("<interface type='user'/>")),
    (_xml("<serial type='nmdm'><source master='/dev/nmdm0A' slave='/dev/nmdm0B'/></serial>"),
     CONFIG + "unsupported chardev 'nmdm'", _xml("<serial type='pty'/>")),
    (_xml("<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/><product "
          "id='0xbeef'/></source></hostdev>"),
     "internal error: USB host device is missing bus/device information",
     _xml("<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/>"
          "</source></hostdev>")),
    (_xml("<controller type='scsi' model='virtio-scsi'><address type='isa' iobase='0x300'/>"
          "</controller>"),
     "internal error: Unexpected address type for 'virtio-scsi'",
     _xml("<controller type='scsi' model='virtio-scsi'/>")),
    (_xml("<graphics type='vnc' port='5000' autoport='no'/>"),
     CONFIG + "vnc port must be in range [5900,65535]",
     _xml("<graphics type='vnc' port='5901' autoport='no'/>")),
    (_xml("<controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/>"
          "</controller>"),
     "No master USB controller specified",
     _xml("<controller type='usb' index='0' model='ich9-ehci1'/><controller type='usb' "
          "index='0' model='ich9-uhci1'><master startport='0'/></controller>")),
    (_xml("<controller type='usb' index='0' model='piix3-uhci' ports='4'/>"),
     CONFIG + "usb controller type 'piix3-uhci' doesn't support 'ports' with this QEMU binary",
     _xml("<controller type='usb' index='0' model='qemu-xhci' ports='4'/>")),
])
def test_command_line_refusals(refused: str, message: str, accepted: str) -> None:
    assert _refusal(refused) == message
    _translate(accepted)


@pytest.mark.parametrize("refused, message, accepted", [
    # a fixed plaintext port only: nothing carries a secure channel
    ("<graphics type='spice' port='5903'><channel name='main' mode='secure'/></graphics>",
     "spice secure channels set in XML configuration, but TLS connection is not available",
     "<graphics type='spice' port='5903' tlsPort='5904'><channel name='main' mode='secure'/>"
     "</graphics>"),
    ("<graphics type='spice' port='5903' defaultMode='secure'/>",
     "spice defaultMode secure requested in XML configuration, but TLS connection is not "
     "available",
     "<graphics type='spice' port='5903' defaultMode='insecure'/>"),
    # a TLS port only: nothing carries a plaintext channel
    ("<graphics type='spice' tlsPort='5904'><channel name='inputs' mode='insecure'/>"
     "</graphics>",
     "spice insecure channels set in XML configuration, but plaintext connection is not "
     "available",
     "<graphics type='spice' tlsPort='5904'><channel name='inputs' mode='secure'/>"
     "</graphics>"),
    ("<graphics type='spice' tlsPort='5904' defaultMode='insecure'/>",
     "spice defaultMode insecure requested in XML configuration, but plaintext connection is "
     "not available",
     "<graphics type='spice' tlsPort='5904' defaultMode='secure'/>"),
    # the default mode is checked before the channels
    ("<graphics type='spice' port='5903' defaultMode='secure'><channel name='main' "
     "mode='insecure'/><channel name='display' mode='secure'/></graphics>",
     "spice defaultMode secure requested in XML configuration, but TLS connection is not "
     "available",
     "<graphics type='spice' port='5903' tlsPort='5904' defaultMode='secure'><channel "
     "name='main' mode='insecure'/><channel name='display' mode='secure'/></graphics>"),
])
def test_spice_channels_need_their_connection(refused: str, message: str,
                                             accepted: str) -> None:
    """qemuBuildGraphicsSPICECommandLine refuses a mode no listening port can carry."""
    assert _refusal(_xml(refused)) == CONFIG + message
    args = _translate(_xml(accepted)).args
    assert any(a.startswith(("port=", "tls-port=")) for a in args)


def test_more_command_line_refusals() -> None:
    spicevmc = ("<graphics type='spice' autoport='yes'/><channel type='spicevmc'><target "
                "type='virtio' name='{}'/></channel>")
    assert _refusal(_xml(spicevmc.format("org.example.0"))) == (
        CONFIG + "Unsupported spicevmc target name 'org.example.0'")
    _translate(_xml(spicevmc.format("com.redhat.spice.0")))
    boards = ("<sysinfo type='smbios'><baseBoard><entry name='serial'>1</entry></baseBoard>"
              "{}</sysinfo>")
    two = _xml(head=boards.format("<baseBoard><entry name='serial'>2</entry></baseBoard>"),
               os_extra="<smbios mode='sysinfo'/>")
    assert _refusal(two) == (CONFIG + "qemu does not support more than one entry to Type 2 "
                             "in SMBIOS table")
    _translate(_xml(head=boards.format(""), os_extra="<smbios mode='sysinfo'/>"))
    serial = _xml("<serial type='pty'><target type='pci-serial'/></serial>")
    caps = capsdb.get(None).with_changes(remove=["pci-serial"])
    with pytest.raises(translator.TranslationError) as exc:
        translator.translate(serial, caps, profile="libvirt-test")
    assert str(exc.value) == CONFIG + "'pci-serial' is not supported in this QEMU binary"
    _translate(serial)


def test_transitional_models_without_qemu_transitional_devices() -> None:
    """qemuBuildVirtioDevGetConfig without `virtio-pci-non-transitional`: a
    non-transitional device is refused, a transitional one is built as the plain device."""
    caps = capsdb.get(None).with_changes(remove=["virtio-pci-non-transitional"])
    with pytest.raises(translator.TranslationError) as exc:
        translator.translate(_xml("<memballoon model='virtio-non-transitional'/>", machine="q35"),
                             caps, profile="libvirt-test")
    assert str(exc.value) == CONFIG + "virtio non-transitional model not supported for this qemu"
    devices = ("<rng model='virtio-transitional'><backend model='random'>/dev/urandom"
               "</backend></rng><controller type='scsi' model='virtio-transitional'/>"
               "<controller type='virtio-serial' model='virtio-transitional'/>")
    plain = translator.translate(_xml(devices, machine="q35"), caps, profile="libvirt-test")
    drivers = " ".join(plain.args)
    for name in ("virtio-rng-pci", "virtio-scsi-pci", "virtio-serial-pci"):
        assert f'"driver":"{name}"' in drivers and f'"driver":"{name}-transitional"' not in drivers
    full = translator.translate(_xml(devices, machine="q35"), capsdb.get(None),
                                profile="libvirt-test")
    assert '"driver":"virtio-rng-pci-transitional"' in " ".join(full.args)


def test_virtio_mem_backend_reserve_follows_its_capability() -> None:
    """qemuBuildMemoryBackendProps: a virtio-mem backend gets reserve=false only where QEMU
    has the property."""
    xml = _xml("<memory model='virtio-mem'><target><size unit='KiB'>131072</size><block "
               "unit='KiB'>2048</block><requested unit='KiB'>0</requested><node>0</node>"
               "</target></memory>",
               head="<maxMemory slots='4' unit='KiB'>1048576</maxMemory>",
               cpu="<cpu><numa><cell id='0' cpus='0' memory='262144' unit='KiB'/></numa></cpu>")
    caps = capsdb.get(None)

    def backend(c: capsdb.Caps) -> str:
        args = translator.translate(xml, c, profile="libvirt-test").args
        return next(v for v in args if '"id":"memvirtiomem0"' in v)

    assert '"reserve":false' in backend(caps)
    assert '"reserve"' not in backend(caps.with_changes(remove=["memory-backend-file.reserve"]))


def test_a_backing_layer_needs_its_path() -> None:
    """qemuBlockStorageSourceGetBackendProps: a block backing layer written with file=
    has no path, and its storage node cannot be built; with dev= it can."""
    disk = ("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source "
            "file='/top.qcow2'/><backingStore type='block'><format type='raw'/><source "
            "{attr}='/dev/base'/><backingStore/></backingStore><target dev='vda' "
            "bus='virtio'/></disk>")
    assert _refusal(_xml(disk.format(attr="file"))) == \
        "internal error: argument key 'filename' must not have null value"
    args = _translate(_xml(disk.format(attr="dev"))).args
    assert any('"driver":"host_device","filename":"/dev/base"' in a for a in args)


def test_a_feature_refusal_names_the_canonical_machine_where_aliases_resolve() -> None:
    """qemuCanonicalizeMachine runs at post-parse, before validation: a real host names
    the versioned machine type an alias stands for."""
    xml = _xml(features="<hpt resizing='enabled'/>")
    assert _refusal(xml, profile="native") == (
        CONFIG + "The 'hpt' feature is not supported for architecture 'x86_64' or machine "
        f"type '{capsdb.get().canonical_machine('pc', 'qemu')}'")
    assert _refusal(xml).endswith("machine type 'pc'")  # the harness's newest caps: no alias


def test_a_source_is_empty_without_the_path_its_type_reads() -> None:
    """virStorageSourceIsEmpty: a dir disk reads dir=, so dev= leaves it empty."""
    usb = ("<disk type='{t}' device='cdrom'><source {a}='/srv/x'/><target dev='sda' "
           "bus='usb'/><readonly/></disk>")
    assert _refusal(_xml(usb.format(t="dir", a="dev"), machine="q35")) == \
        CONFIG + "'usb' disk must not be empty"
    assert _refusal(_xml(usb.format(t="file", a="dev"), machine="q35")) == \
        CONFIG + "'usb' disk must not be empty"
    _translate(_xml(usb.format(t="file", a="file"), machine="q35"))
