"""Inputs that once crashed inside the translator and came out as a fake refusal
("unsupported configuration: ValueError: invalid literal for int() ...").

Each must now get libvirt's own answer: its parse error with its words, or a command line
where libvirt accepts the value. Never an internal error, never an exception's name.
"""

from __future__ import annotations

import re

import pytest

import capsdb
import translator
from translator.errors import InternalError

MASKED = re.compile(r"^unsupported configuration: \w+(Error|Exception):")


def _domain(devices: str = "", head: str = "", machine: str = "pc") -> str:
    return (f"<domain type='kvm'><name>t</name><memory>262144</memory>{head}"
            f"<os><type arch='x86_64' machine='{machine}'>hvm</type></os>"
            f"<devices>{devices}</devices></domain>")


def _answer(xml: str) -> str | None:
    """libvirt's refusal text, or None when a command line came out."""
    try:
        translator.translate(xml, capsdb.get(), profile="libvirt-test")
    except InternalError as exc:  # a bug, whatever the input
        pytest.fail(f"internal error: {exc}")
    except translator.TranslationError as exc:
        assert not MASKED.search(str(exc)), str(exc)
        return str(exc)
    return None


def _invalid(attr: str, tag: str, value: str, expected: str) -> str:
    return (f"XML error: Invalid value for attribute '{attr}' in element '{tag}': '{value}'. "
            f"Expected {expected}")


REFUSED = [
    # virXMLPropInt(thread_pool_max, base 10, NONNEGATIVE)
    (_domain(head="<iothreads>1</iothreads><iothreadids><iothread id='1' "
                  "thread_pool_max='1e9'/></iothreadids>"),
     _invalid("thread_pool_max", "iothread", "1e9", "integer value")),
    (_domain(head="<iothreads>1</iothreads><iothreadids><iothread id='1' "
                  "thread_pool_min='-2'/></iothreadids>"),
     _invalid("thread_pool_min", "iothread", "-2", "non-negative value")),
    # a USB address's bus is read in base 10 and fits an unsigned int
    (_domain("<input type='tablet' bus='usb'><address type='usb' bus='0xffffffff' "
             "port='1'/></input>"),
     _invalid("bus", "address", "0xffffffff", "non-negative integer value")),
    (_domain("<input type='tablet' bus='usb'><address type='usb' bus='4294967296'/></input>"),
     _invalid("bus", "address", "4294967296", "non-negative integer value")),
    # vsock cid: virXMLPropUInt(address, NONZERO)
    (_domain("<vsock model='virtio'><cid auto='no' address='junk'/></vsock>"),
     _invalid("address", "cid", "junk", "non-negative integer value")),
    (_domain("<vsock model='virtio'><cid auto='no' address='0'/></vsock>"),
     "XML error: Invalid value for attribute 'address' in element 'cid': Zero is not permitted"),
    # rng rate: virXPathUInt with the RNG parser's own messages
    (_domain("<rng model='virtio'><rate bytes='lots'/><backend model='random'>/dev/urandom"
             "</backend></rng>"), "XML error: invalid RNG rate bytes value"),
    (_domain("<rng model='virtio'><rate bytes='1024' period='-5'/><backend model='random'>"
             "/dev/urandom</backend></rng>"), "XML error: invalid RNG rate period value"),
    # iommu aw_bits: virXMLPropUInt
    (_domain("<iommu model='intel'><driver aw_bits='wide'/></iommu>", machine="q35"),
     _invalid("aw_bits", "driver", "wide", "non-negative integer value")),
    # an enum value libvirt does not know
    (_domain("<disk type='file' device='disk'><source file='/a.img'/>"
             "<target dev='vda' bus='virtio'/><driver name='qemu' cache='fast'/></disk>"),
     "XML error: Invalid value for attribute 'cache' in element 'driver': 'fast'."),
    # a yes/no attribute refuses 'default'
    (_domain("<memballoon model='virtio' autodeflate='default'/>"),
     "XML error: Invalid value for attribute 'autodeflate' in element 'memballoon': "
     "'default'."),
    # a required attribute
    (_domain("<sound><codec type='duplex'/></sound>"),
     "XML error: Missing required attribute 'model' in element 'sound'"),
    # memory sizes: virDomainParseMemory
    ("<domain type='kvm'><name>t</name><memory unit='parsecs'>1</memory><os><type "
     "arch='x86_64' machine='pc'>hvm</type></os></domain>",
     "invalid argument: unknown suffix 'parsecs'"),
    ("<domain type='kvm'><name>t</name><memory>12x</memory><os><type "
     "arch='x86_64' machine='pc'>hvm</type></os></domain>",
     "XML error: Invalid value '12x' for element or attribute './memory[1]'"),
    # bitmaps past libvirt's VIR_DOMAIN_CPUMASK_LEN
    (_domain(head="<vcpu cpuset='0-99999999'>1</vcpu>"),
     "invalid argument: Failed to parse bitmap '0-99999999'"),
]


@pytest.mark.parametrize("xml, message", REFUSED)
def test_refused_with_libvirts_message(xml: str, message: str) -> None:
    assert _answer(xml) == message


ACCEPTED = [
    # the same attributes with values libvirt takes
    _domain(head="<iothreads>1</iothreads><iothreadids><iothread id='1' "
                 "thread_pool_min='0' thread_pool_max='8'/></iothreadids>"),
    _domain("<input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input>"),
    _domain("<vsock model='virtio'><cid auto='no' address='3'/></vsock>"),
    _domain("<rng model='virtio'><rate bytes='1024' period='2000'/><backend model='random'>"
            "/dev/urandom</backend></rng>"),
    _domain("<iommu model='intel'><driver aw_bits='48'/></iommu>"
            "<controller type='pci' model='pcie-root'/>", machine="q35"),
    # libvirt reads a PCI address in base 0: octal and hex are numbers like any other
    _domain("<controller type='pci' index='0' model='pci-root'/>"
            "<interface type='user'><model type='e1000'/><address type='pci' domain='0' "
            "bus='0' slot='010' function='0'/></interface>"),
    _domain("<controller type='pci' index='0' model='pci-root'><pcihole64 unit='KiB'>1048576"
            "</pcihole64></controller>"),
]


@pytest.mark.parametrize("xml", ACCEPTED)
def test_accepted_neighbour(xml: str) -> None:
    assert _answer(xml) is None


def test_octal_pci_slot_is_slot_eight() -> None:
    inv = translator.translate(ACCEPTED[5], capsdb.get(), profile="libvirt-test")
    assert any("addr=0x8" in a or '"addr":"0x8"' in a for a in inv.args)


def test_pcihole64_junk_is_libvirts_refusal() -> None:
    xml = _domain("<controller type='pci' index='0' model='pci-root'><pcihole64>big"
                  "</pcihole64></controller>")
    answer = _answer(xml)
    assert answer is not None and "pcihole64" in answer


def test_clock_variable_adjustment_as_libvirt_reads_it() -> None:
    """offset='variable': an unreadable adjustment is 0; one past GLib's dates is '(null)'."""
    def rtc(adjustment: str) -> str:
        xml = _domain(head=f"<clock offset='variable' adjustment='{adjustment}' basis='utc'/>")
        args = translator.translate(xml, capsdb.get(), profile="libvirt-test").args
        return args[args.index("-rtc") + 1]
    assert rtc("18446744073709551616") == rtc("0") != "base=(null)"
    assert rtc("9000000000000") == "base=(null)"


def test_a_number_too_long_for_python_is_hostile_input_not_a_bug() -> None:
    """A value read as a number with more digits than Python converts (4300) is refused as
    hostile input; the same value where libvirt reads text is translated."""
    digits = "9" * 5000
    xml = ("<domain type='qemu'><name>t</name><memory>262144</memory><os><type "
           "arch='x86_64' machine='pc'>hvm</type></os><devices>{}</devices></domain>")
    video = ("<video><model type='vga'/><address type='drive' controller='0' bus='0' "
             f"unit='{digits}'/></video>")
    with pytest.raises(translator.XMLInputError) as exc:
        translator.translate(xml.format(video), capsdb.get(), profile="libvirt-test")
    assert "more than 4300 digits" in str(exc.value)
    assert not isinstance(exc.value, InternalError)
    named = xml.format("").replace("<name>t</name>", f"<name>t</name><title>{digits}</title>")
    translator.translate(named, capsdb.get(), profile="libvirt-test")
