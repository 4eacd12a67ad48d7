"""libvirt's parse-time refusals (translator/validate/conf): each with libvirt's words from
domain_conf.c/virxml.c, next to the accepted neighbouring configuration."""

from __future__ import annotations

import pytest

import capsdb
import translator
from translator.validate.conf.xmlprop import to_int, to_uint

from .test_no_masked_crash import _answer


def _domain(devices: str = "", head: str = "", machine: str = "pc", cpu: str = "",
            vcpu: str = "<vcpu>2</vcpu>") -> str:
    return (f"<domain type='kvm'><name>t</name><memory>262144</memory>{vcpu}{head}"
            f"<os><type arch='x86_64' machine='{machine}'>hvm</type></os>{cpu}"
            f"<devices>{devices}</devices></domain>")


# -- number reading as virStrToLong_* ------------------------------------------------------

@pytest.mark.parametrize("text, base, value", [
    ("10", 10, 10), (" 10", 10, 10), ("+7", 10, 7), ("010", 0, 8), ("0x1f", 0, 31),
    ("1f", 16, 31), ("0x1f", 16, 31), ("4294967295", 10, 4294967295),
    ("10 ", 10, None), ("-1", 10, None), ("0x", 0, None), ("4294967296", 10, None),
    ("08", 0, None), ("", 10, None), ("1e9", 10, None)])
def test_unsigned_numbers_as_libvirt_reads_them(text: str, base: int, value: int | None) -> None:
    assert to_uint(text, base) == value


def test_signed_numbers_as_libvirt_reads_them() -> None:
    assert to_int("-5", 10) == -5 and to_int("2147483648", 10) is None
    assert to_int("-2147483648", 10) == -2147483648


# -- typed attributes ----------------------------------------------------------------------

DISK = ("<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' "
        "bus='virtio'/>{driver}</disk>")

CASES = [
    # (refused XML, libvirt's message, accepted neighbour)
    (_domain(DISK.format(driver="<driver name='qemu' io='default'/>")),
     "XML error: Invalid value for attribute 'io' in element 'driver': 'default'.",
     _domain(DISK.format(driver="<driver name='qemu' io='threads'/>"))),
    (_domain(DISK.format(driver="<driver name='qemu' iothread='0'/>"),
             head="<iothreads>1</iothreads>"),
     "XML error: Invalid value for attribute 'iothread' in element 'driver': "
     "Zero is not permitted",
     _domain(DISK.format(driver="<driver name='qemu' iothread='1'/>"),
             head="<iothreads>1</iothreads>")),
    (_domain("<controller type='scsi' index='-1'/>"),
     "XML error: Invalid value for attribute 'index' in element 'controller': '-1'. "
     "Expected non-negative value",
     _domain("<controller type='scsi' index='1'/>")),
    (_domain("<controller type='usb' model='ich9-uhci3'><master startport='x'/></controller>"),
     "XML error: Invalid value for attribute 'startport' in element 'master': 'x'. "
     "Expected non-negative integer value",
     None),
    # a drive address is read in base 10: hex is not a number there
    (_domain("<disk type='file' device='disk'><source file='/a.img'/><target dev='sda' "
             "bus='scsi'/><address type='drive' controller='0' bus='0x0' unit='0'/></disk>"),
     "XML error: Invalid value for attribute 'bus' in element 'address': '0x0'. "
     "Expected non-negative integer value",
     _domain("<disk type='file' device='disk'><source file='/a.img'/><target dev='sda' "
             "bus='scsi'/><address type='drive' controller='0' bus='0' unit='0'/></disk>")),
    (_domain("<input type='tablet' bus='usb'><address type='bogus'/></input>"),
     "XML error: Invalid value for attribute 'type' in element 'address': 'bogus'.",
     _domain("<input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input>")),
    (_domain("<graphics type='vnc' port='59o0'/>"),
     "internal error: cannot parse vnc port 59o0",
     _domain("<graphics type='vnc' port='5900'/>")),
    (_domain("<serial type='pty'><target port='one'/></serial>"),
     "XML error: Invalid port number: one",
     _domain("<serial type='pty'><target port='1'/></serial>")),
    # domain_conf.c rules
    (_domain("<interface type='bridge'><model type='virtio'/></interface>"),
     "XML error: interface type='bridge' requires a 'source' element",
     _domain("<interface type='bridge'><source bridge='br0'/><model type='virtio'/>"
             "</interface>")),
    (_domain("<interface type='bridge'><source/></interface>"),
     "XML error: Missing required attribute 'bridge' in element 'source'", None),
    (_domain("<controller type='pci' model='pcie-root-port-x'/>"),
     "unsupported configuration: Unknown model type 'pcie-root-port-x'",
     _domain("<controller type='pci' index='1' model='pci-bridge'/>")),
    (_domain("<controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/>"
             "</controller>"),
     "No master USB controller specified",
     _domain("<controller type='usb' index='0' model='ich9-ehci1'/>"
             "<controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/>"
             "</controller>")),
    (_domain("<controller type='usb' model='none'/><input type='tablet' bus='usb'/>"),
     "unsupported configuration: Can't add USB input device. USB bus is disabled",
     _domain("<controller type='usb' model='none'/><input type='mouse' bus='ps2'/>")),
    (_domain("<memballoon model='virtio'/><memballoon model='none'/>"),
     "internal error: only a single memory balloon device is supported",
     _domain("<memballoon model='none'/>")),
    (_domain(cpu="<cpu><numa><cell id='0' cpus='0-2' memory='262144'/></numa></cpu>"),
     "internal error: Number of CPUs in <numa> exceeds the <vcpu> count",
     _domain(cpu="<cpu><numa><cell id='0' cpus='0-1' memory='262144'/></numa></cpu>")),
    (_domain(cpu="<cpu><numa><cell id='0' cpus='3' memory='262144'/></numa></cpu>"),
     "internal error: CPU IDs in <numa> exceed the <vcpu> count", None),
    (_domain(head="<clock offset='absolute'/>"),
     "internal error: missing 'start' attribute for clock with offset='absolute'",
     _domain(head="<clock offset='absolute' start='1234567890'/>")),
    (_domain(head="<clock offset='utc' adjustment='soon'/>"),
     "XML error: unknown clock adjustment 'soon'",
     _domain(head="<clock offset='utc' adjustment='reset'/>")),
    (_domain("<channel type='pty'><target type='guestfwd' port='4600'/></channel>"),
     "XML error: guestfwd channel does not define a target address", None),
    (_domain("<interface type='user'><ip address='10.0.2.15' prefix='33'/></interface>"),
     "XML error: Invalid prefix value '33' in <ip>",
     _domain("<interface type='user'><ip address='10.0.2.15' prefix='24'/></interface>")),
    (_domain("<rng model='virtio'><backend model='random'>/dev/random</backend>"
             "<backend model='random'>/dev/random</backend></rng>"),
     "XML error: only one RNG backend is supported",
     _domain("<rng model='virtio'><backend model='random'>/dev/random</backend></rng>")),
    (_domain("<rng model='virtio'><backend model='egd'/></rng>"),
     "XML error: missing EGD backend type", None),
    (_domain("<hostdev mode='subsystem' type='pci' model='vfio-pci'><source><address "
             "domain='0' bus='6' slot='7' function='0'/></source></hostdev>"),
     "XML error: 'model' attribute in <hostdev> is only supported when type='pci'", None),
    (_domain("<smartcard mode='host-certificates'><certificate>a</certificate></smartcard>"),
     "XML error: host-certificates mode needs exactly three certificates", None),
    (_domain(head="<seclabel type='dynamic' relabel='no'/>"),
     "unsupported configuration: dynamic label type must use resource relabeling", None),
    (_domain("<audio id='1' type='none'><input fixedSettings='yes'/></audio>"),
     "unsupported configuration: fixed audio settings requires mixing engine",
     _domain("<audio id='1' type='none'><input fixedSettings='yes' mixingEngine='yes'/>"
             "</audio>")),
    (_domain("<graphics type='vnc' listen='0.0.0.0'><listen type='address' "
             "address='127.0.0.1'/></graphics>"),
     "unsupported configuration: graphics 'listen' attribute '0.0.0.0' must match 'address' "
     "attribute of first listen element (found '127.0.0.1')",
     _domain("<graphics type='vnc' listen='127.0.0.1'><listen type='address' "
             "address='127.0.0.1'/></graphics>")),
    (_domain("<console type='pty'/><console type='pty'><target type='serial'/></console>"),
     "unsupported configuration: Only the first console can be a serial port", None),
    # a console without a target type is made a serial one before the check
    (_domain("<console type='pty'/><console type='pty'><target port='1'/></console>"),
     "unsupported configuration: Only the first console can be a serial port",
     _domain("<console type='pty'/><console type='pty'><target type='virtio'/></console>")),
    (_domain(head="<cputune><vcpupin vcpu='1' cpuset='0'/><vcpupin vcpu='1' cpuset='1'/>"
                  "</cputune>"),
     "internal error: duplicate vcpupin for vcpu '1'",
     _domain(head="<cputune><vcpupin vcpu='0' cpuset='0'/><vcpupin vcpu='1' cpuset='1'/>"
                  "</cputune>")),
    (_domain(head="<iothreads>1</iothreads><cputune><iothreadpin iothread='2' cpuset='0'/>"
                  "</cputune>"),
     "unsupported configuration: Cannot find 'iothread' : 2",
     _domain(head="<iothreads>1</iothreads><cputune><iothreadpin iothread='1' cpuset='0'/>"
                  "</cputune>")),
    (_domain("<controller type='usb' index='0' model='ich9-uhci2'/>"),
     "No master USB controller specified", None),
    (_domain("<disk type='nvme' device='disk'><source file='/a.img'/><target dev='vda' "
             "bus='virtio'/></disk>"),
     "XML error: missing 'type' attribute to disk source",
     _domain("<disk type='nvme' device='disk'><source type='pci' managed='yes' namespace='1'>"
             "<address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>"
             "<target dev='vda' bus='virtio'/></disk>")),
    (_domain(head="<features><acpi/><turbo/></features>"),
     "unsupported configuration: unexpected feature 'turbo'",
     _domain(head="<features><acpi/><pae/></features>")),
    (_domain(head="<features><hyperv><warp state='on'/></hyperv></features>"),
     "unsupported configuration: unsupported HyperV Enlightenment feature: warp",
     _domain(head="<features><hyperv><relaxed state='on'/></hyperv></features>")),
    (_domain(head="<on_crash>explode</on_crash>"),
     "unsupported configuration: unknown on_crash action: explode",
     _domain(head="<on_crash>destroy</on_crash>")),
    (_domain("<hostdev mode='subsystem' type='scsi'><source><address bus='0x21'/></source>"
             "</hostdev>"),
     "XML error: Missing required attribute 'target' in element 'address'", None),
    ("<domain type='kvm'><name>t</name><memory>262144</memory><os/></domain>",
     "XML error: an os <type> must be specified", None),
    ("<domain type='kvmx'><name>t</name><memory>262144</memory><os><type>hvm</type></os>"
     "</domain>", "unsupported configuration: invalid domain type kvmx", None),
    ("<domain type='kvm'><name>t</name><uuid>123</uuid><memory>262144</memory><os><type>hvm"
     "</type></os></domain>", "internal error: malformed uuid element", None),
]


@pytest.mark.parametrize("xml, message, neighbour", CASES)
def test_refusal_and_accepted_neighbour(xml: str, message: str, neighbour: str | None) -> None:
    assert _answer(xml) == message
    if neighbour is not None:
        assert _answer(neighbour) is None


def test_octal_and_hex_addresses_are_the_same_slot() -> None:
    octal = _domain("<interface type='user'><model type='e1000'/><address type='pci' "
                    "domain='0' bus='0' slot='012' function='0'/></interface>")
    hexa = octal.replace("slot='012'", "slot='0xa'")
    a = translator.translate(octal, capsdb.get(), profile="libvirt-test").args
    b = translator.translate(hexa, capsdb.get(), profile="libvirt-test").args
    assert a == b
